"""`python -m coachsvc ...`: run the service, manage the database, users and tokens."""

from __future__ import annotations

import os
import subprocess
import sys

import click
from sqlalchemy import select

from coachsvc import create_app


@click.group()
def cli() -> None:
    """coachsvc: coaching and call analysis for B2B sales teams."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--demo/--no-demo", default=True, show_default=True, help="seed demo data")
@click.option("--workers", default=1, show_default=True, type=int)
def run(host: str, port: int, demo: bool, workers: int) -> None:
    """Run web app, embedded Redis (unless REDIS_URL) and workers, with demo data."""
    from coachsvc.db.migrate import upgrade
    from coachsvc.queue import redis_url

    app = create_app()
    upgrade(app.config["DATABASE_URL"])
    with app.app_context():
        url = redis_url(app)  # starts the embedded Redis when REDIS_URL is unset
        if demo:
            _seed(app)
    env = {**os.environ, "REDIS_URL": url}
    procs = [
        subprocess.Popen([sys.executable, "-m", "worker", "--name", f"local-{os.getpid()}-{i}"], env=env)
        for i in range(workers)
    ]
    click.echo(f"\ncoachsvc 已启动: http://{host}:{port}/")
    if demo:
        from coachsvc.demo import DEMO_PASSWORD, DEMO_USERS

        click.echo(f"演示账号（密码均为 {DEMO_PASSWORD}）:")
        for username, display, role, team in DEMO_USERS:
            click.echo(f"  {username:<10} {display}  {role}  {team or ''}")
    from coachsvc.runtime import settle_memory

    settle_memory()
    try:
        app.run(host=host, port=port, threaded=True, use_reloader=False)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def _seed(app) -> None:
    from coachsvc.db import session_scope
    from coachsvc.demo import seed_demo, seed_demo_records

    with session_scope() as session:
        if seed_demo(session):
            seed_demo_records(session)


@cli.command()
def migrate() -> None:
    """Apply every database migration (a fresh database is built this way)."""
    from coachsvc.db.migrate import upgrade

    app = create_app()
    upgrade(app.config["DATABASE_URL"])
    click.echo("database is up to date")


@cli.command("seed-demo")
def seed_demo_cmd() -> None:
    """Create the demo team, users, customers and processed records."""
    app = create_app()
    with app.app_context():
        _seed(app)
    click.echo("demo data ready")


@cli.command("create-user")
@click.argument("username")
@click.option("--name", "display_name", default=None)
@click.option("--role", type=click.Choice(["rep", "new_hire", "trainer", "admin"]), default="rep")
@click.option("--team", default=None, help="team name (created when missing)")
@click.password_option()
def create_user(username: str, display_name: str | None, role: str, team: str | None, password: str):
    """Create a user."""
    from coachsvc.auth import hash_password
    from coachsvc.db import session_scope
    from coachsvc.db.models import Team, User

    app = create_app()
    with app.app_context(), session_scope() as session:
        team_obj = None
        if team:
            team_obj = session.scalar(select(Team).where(Team.name == team)) or Team(name=team)
        session.add(
            User(
                username=username,
                display_name=display_name or username,
                role=role,
                team=team_obj,
                password_hash=hash_password(password),
            )
        )
    click.echo(f"user {username} created")


@cli.command("create-token")
@click.argument("username")
@click.option("--name", default="cli")
def create_token(username: str, name: str) -> None:
    """Print a new API token for USERNAME."""
    from coachsvc.auth import issue_token
    from coachsvc.db import session_scope
    from coachsvc.db.models import User

    app = create_app()
    with app.app_context(), session_scope() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise click.ClickException(f"no user {username}")
        click.echo(issue_token(session, user, name))


@cli.command("hr-sync")
def hr_sync() -> None:
    """Queue the HR webhook delivery of every credit ledger entry that is due (mentoring credits)."""
    from coachsvc.credits.hr import enqueue_due_deliveries
    from coachsvc.credits.settings import credit_settings
    from coachsvc.db import session_scope

    app = create_app()
    with app.app_context(), session_scope() as session:
        if not credit_settings().webhook_configured:
            raise click.ClickException("HR_WEBHOOK_URL and HR_WEBHOOK_SECRET are not both set")
        click.echo(f"{enqueue_due_deliveries(session)} deliveries queued")


from coachsvc.asr.cli import transcribe_cmd  # noqa: E402  (ASR: `transcribe PATH`)

cli.add_command(transcribe_cmd)



# --- Drills (issue 6): scorer evaluation and top-performer mining ---------------------------------


@cli.command("drill-eval")
@click.argument("pairs", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--with-clips/--no-clips", default=False, help="also compare with mined top answers")
def drill_eval(pairs: str | None, with_clips: bool) -> None:
    """Pairwise ranking accuracy of the drill scorer on PAIRS.jsonl (default: the repo's pairs)."""
    from coachsvc import drills, mining
    from coachsvc.db import database, session_scope

    rows = drills.load_pairs(pairs or drills.PAIRS_PATH)
    app = create_app()
    with app.app_context():
        top = None
        if with_clips:
            with session_scope() as session:
                top = {c: mining.top_answer_texts(session, c) for c in mining.CATEGORIES}
            database().engine.dispose()
        evaluation = drills.evaluate_pairs(rows, top_answers=top)
    for category, (ok, n) in sorted(evaluation.by_category().items()):
        click.echo(f"{category:<12} {ok}/{n}  {ok / n:.2f}")
    for r in evaluation.results:
        if not r.correct:
            click.echo(f"  misranked: {r.scenario_id} ({r.kind}) strong {r.strong} <= weak {r.weak}")
    click.echo(f"pairwise ranking accuracy: {evaluation.accuracy:.3f} ({len(evaluation.results)} pairs)")


@cli.command("mine")
@click.option("--top", "top_n", type=int, default=None, help="top N reps (default DRILL_TOP_N or 3)")
@click.option("--by", type=click.Choice(["win_rate", "revenue"]), default=None, help="rank reps by")
def mine_cmd(top_n: int | None, by: str | None) -> None:
    """Mine top performers' won calls into answer clips, tagged with answer moves."""
    from coachsvc.db import database
    from coachsvc.mining import run_mining

    app = create_app()
    with app.app_context():
        try:
            click.echo(run_mining(top_n, by))
        finally:
            database().engine.dispose()  # no pooled connection outlives the command

# --- Analysis (issue 4): `analyze PATH`, `eval DATASET.jsonl`, `train` ---------------------------
from coachsvc.analysis.cli import register as register_analysis  # noqa: E402

register_analysis(cli)


# --- Radar (issue 5) ----------------------------------------------------------------------------


@cli.command("radar-rescore")
def radar_rescore() -> None:
    """Re-score every analysed call on the 12 behaviours, rebuild the sums, re-apply the weakness rule."""
    from coachsvc import radar
    from coachsvc.db import database, session_scope

    app = create_app()
    with app.app_context():
        try:
            with session_scope() as session:
                click.echo(f"{radar.rescore_all(session)} records scored")
        finally:
            database().engine.dispose()  # no pooled connection outlives the command


def main() -> None:
    cli(prog_name="python -m coachsvc")
