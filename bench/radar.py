"""Radar benchmark: the heatmap API for 500 reps x 12 behaviours over 200,000 analysed records,
and recomputing one rep's scores after a new record (targets: < 200 ms and < 20 ms).

    .venv/bin/python bench/radar.py                       # SQLite in a temp dir
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test_radar .venv/bin/python bench/radar.py

The PostgreSQL database is emptied first (DROP SCHEMA public CASCADE). Records get real per-call
scores (the checks of coachsvc/radar/checks.py over varied signals); their audit trail (checks) is
left out of the bulk rows to keep the load small, the heatmap never reads it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from coachsvc import create_app, radar  # noqa: E402
from coachsvc.auth import hash_password, issue_token  # noqa: E402
from coachsvc.behaviours import BEHAVIOURS  # noqa: E402
from coachsvc.db import session_scope  # noqa: E402
from coachsvc.db.migrate import upgrade  # noqa: E402
from coachsvc.db.models import ActivityRecord, Team, User  # noqa: E402
from coachsvc.db.radar import DrillScore, RadarCallScore, Rating, RatingScore  # noqa: E402
from coachsvc.radar.checks import CallFacts  # noqa: E402
from coachsvc.radar.scores import blend, load_stats  # noqa: E402
from coachsvc.radar.scoring import score_call  # noqa: E402
from coachsvc.runtime import settle_memory  # noqa: E402

TEAMS, REPS_PER_TEAM, RECORDS, DAYS = 25, 20, 200_000, 365
HEATMAP_TARGET_MS, RECOMPUTE_TARGET_MS = 200.0, 20.0
CHUNK = 5000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=RECORDS)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep the data already loaded (same database)")
    parser.add_argument("--no-settle", action="store_true", help="the garbage collector at its defaults")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.gettempdir()}/bench-radar.db"
    if not args.reuse:
        if url.startswith("postgresql"):
            _reset_postgres(url)
        elif Path(url.removeprefix("sqlite:///")).exists():
            Path(url.removeprefix("sqlite:///")).unlink()
    upgrade(url)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
            "INSTANCE_DIR": tempfile.mkdtemp(prefix="bench-radar-inst-"),
        }
    )
    print(f"database: {url.split('://')[0]}; {TEAMS * REPS_PER_TEAM} reps, {args.records:,} records")
    with app.app_context():
        admin_token, rep_ids = _existing(app) if args.reuse else _seed(app, args.records)
        if not args.no_settle:
            settle_memory()  # as the web server and the worker do once started (coachsvc.runtime)
        _bench_heatmap(app, admin_token, args.runs)
        _bench_recompute(app, rep_ids, args.runs)


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _seed(app, n_records: int) -> tuple[str, list[int]]:
    rng = random.Random(42)
    started = time.perf_counter()
    with session_scope() as session:
        teams = [
            Team(name=f"{CITIES[i % len(CITIES)]}{'一二三四五'[i // len(CITIES)]}组") for i in range(TEAMS)
        ]
        session.add_all(teams)
        session.flush()
        pw = hash_password("bench")
        reps = [
            User(
                username=f"rep-{t.id}-{j}",
                display_name=_name(t.id * REPS_PER_TEAM + j),
                role="rep",
                team_id=t.id,
                password_hash=pw,
            )
            for t in teams
            for j in range(REPS_PER_TEAM)
        ]
        admin = User(username="bench-admin", display_name="admin", role="admin", password_hash=pw)
        session.add_all([*reps, admin])
        session.flush()
        token = issue_token(session, admin)
        rep_ids = [r.id for r in reps]
    pool = [score_call(_random_facts(rng))[0] for _ in range(500)]
    today = dt.date.today()
    engine = app.extensions["coachsvc.db"].engine
    records, scores = ActivityRecord.__table__, RadarCallScore.__table__
    with engine.begin() as conn:
        for start in range(0, n_records, CHUNK):
            rows, score_rows = [], []
            for i in range(start, min(start + CHUNK, n_records)):
                rep_id = rng.choice(rep_ids)
                day = today - dt.timedelta(days=rng.randrange(DAYS))
                rows.append(_record_row(i + 1, rep_id, day))
                score_rows.append(
                    {
                        "activity_id": i + 1,
                        "rep_id": rep_id,
                        "day": day,
                        "scores": rng.choice(pool),
                        "checks": {},
                        "computed_at": dt.datetime.now(),
                    }
                )
            conn.execute(records.insert(), rows)
            conn.execute(scores.insert(), score_rows)
        if engine.dialect.name == "postgresql":
            conn.execute(
                text("SELECT setval('activity_records_id_seq', (SELECT max(id) FROM activity_records))")
            )
    loaded = time.perf_counter()
    with session_scope() as session:
        daily_rows = radar.rebuild_aggregates(session)
    rebuilt = time.perf_counter()
    _seed_ratings_and_drills(engine, rng, rep_ids, today)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    print(
        f"seed: {n_records:,} records + scores in {loaded - started:.1f} s; "
        f"daily aggregates rebuilt ({daily_rows:,} rep-day rows) in {rebuilt - loaded:.1f} s"
    )
    return token, rep_ids


CITIES = ("华东", "华南", "华北", "西南", "华中")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂"


def _name(n: int) -> str:
    """A realistic display name (no digits: the PII mask scans every string with digits)."""
    return SURNAMES[n % 20] + GIVEN[(n // 20) % 20] + GIVEN[(n // 400 + n) % 20]


def _existing(app) -> tuple[str, list[int]]:
    with session_scope() as session:
        admin = session.scalar(select(User).where(User.username == "bench-admin"))
        reps = session.scalars(select(User.id).where(User.role == "rep")).all()
        return issue_token(session, admin), list(reps)


def _record_row(i: int, rep_id: int, day: dt.date) -> dict:
    return {
        "id": i,
        "rep_id": rep_id,
        "stage": "diagnose",
        "visit_date": day,
        "source": "chat",
        "language": "zh",
        "file_path": f"/bench/{i}.txt",
        "file_name": f"{i}.txt",
        "file_sha256": f"{i:064x}",
        "file_size": 1000,
        "file_format": "chat-lines",
        "status": "done",
        "progress": 1.0,
        "attempts": 1,
        "created_at": dt.datetime.now(),
        "updated_at": dt.datetime.now(),
        "signals": None,
    }


def _random_facts(rng: random.Random) -> CallFacts:
    questions = rng.randrange(0, 20)
    signals = {
        "talk_ratio": rng.uniform(0.3, 0.85),
        "questions": questions,
        "open_questions": rng.randrange(0, questions + 1),
        "questions_per_10min": rng.uniform(0, 6),
        "longest_rep_monologue": rng.uniform(10, 300),
        "longest_rep_monologue_unit": "seconds",
        "greeting": rng.random() < 0.8,
        "agenda_set": rng.random() < 0.5,
        "discovery_topics": rng.sample(
            ["budget", "timeline", "decision_process", "pain_points"], rng.randrange(5)
        ),
        "pitch_after_discovery": rng.random() < 0.6,
        "confirm_turns": rng.randrange(4),
        "customer_words_echoed": rng.randrange(3),
        "value_evidence": rng.randrange(4),
        "objections": (o := rng.randrange(4)),
        "objections_handled": rng.randrange(o + 1),
        "clarify_before_answer": rng.randrange(2),
        "competitor_objections": (c := rng.randrange(2)),
        "competitor_handled": rng.randrange(c + 1),
        "disparaged_competitor": rng.random() < 0.1,
        "price_before_value": rng.random() < 0.4,
        "concession_given_free": rng.random() < 0.3,
        "price_discussed": rng.random() < 0.6,
        "roles_identified": rng.randrange(4),
        "decision_maker_identified": rng.random() < 0.5,
        "dated_next_step": rng.random() < 0.6,
        "response_gap_seconds": rng.choice([None, rng.uniform(60, 30000)]),
        "evidence": {},
    }
    segments = {0: ("rep", "您好"), 1: ("customer", "你好")}
    steps = [{"action": "发送方案", "owner": rng.choice(["rep", "customer"]), "due": None, "segment_idx": 1}]
    return CallFacts("diagnose", signals, segments, next_steps=steps if rng.random() < 0.7 else [])


def _seed_ratings_and_drills(engine, rng: random.Random, rep_ids: list[int], today: dt.date) -> None:
    ratings, scores, drills, rating_id = [], [], [], 0
    for rep_id in rep_ids:
        for _ in range(6):
            rating_id += 1
            kind = rng.choice(["supervisor", "peer", "customer"])
            ratings.append(
                {
                    "id": rating_id,
                    "rep_id": rep_id,
                    "rater_kind": kind,
                    "rater_id": rng.choice(rep_ids) if kind != "customer" else None,
                    "day": today - dt.timedelta(days=rng.randrange(DAYS)),
                    "created_at": dt.datetime.now(),
                }
            )
            for b in rng.sample(BEHAVIOURS, 5):
                scores.append({"rating_id": rating_id, "behaviour": b, "value": rng.randrange(1, 6)})
        for k in range(10):
            at = dt.datetime.now() - dt.timedelta(days=rng.randrange(DAYS))
            drills.append(
                {
                    "user_id": rep_id,
                    "behaviour": rng.choice(BEHAVIOURS),
                    "score": rng.uniform(20, 100),
                    "occurred_at": at,
                    "day": at.date(),
                    "ref": f"bench:{rep_id}:{k}",
                }
            )
    with engine.begin() as conn:
        conn.execute(Rating.__table__.insert(), ratings)
        conn.execute(RatingScore.__table__.insert(), scores)
        conn.execute(DrillScore.__table__.insert(), drills)
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT setval('radar_ratings_id_seq', (SELECT max(id) FROM radar_ratings))"))


CPU: list[float] = []


def _timed(fn, runs: int) -> list[float]:
    out = []
    CPU.clear()
    for _ in range(runs):
        t, c = time.perf_counter(), time.thread_time()
        fn()
        out.append((time.perf_counter() - t) * 1000)
        CPU.append((time.thread_time() - c) * 1000)
    return out


def _report(label: str, ms: list[float], target: float) -> None:
    """Wall time, and this thread's CPU time (the app and SQLite run in it; PostgreSQL's server time
    is not in it): on a machine shared with other jobs the CPU figure shows what the code costs."""
    med, p95 = statistics.median(ms), sorted(ms)[max(0, int(len(ms) * 0.95) - 1)]
    cpu = f"  cpu {statistics.median(CPU):6.1f} ms" if CPU else ""
    ratio = f"(target {target:g} ms: {med / target:.2f}x)"
    print(f"{label:<52} median {med:6.1f} ms  p95 {p95:6.1f} ms{cpu}  {ratio}")


def _bench_heatmap(app, token: str, runs: int) -> None:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    start = (dt.date.today() - dt.timedelta(days=364)).isoformat()
    for label, query in (
        ("heatmap API, 500 reps, 30 days", "window=30"),
        ("heatmap API, 500 reps, 90 days", "window=90"),
        ("heatmap API, 500 reps, custom 365 days", f"window=custom&from={start}&to={dt.date.today()}"),
        ("heatmap API, one team (20 reps), 90 days", "window=90&team_id=1"),
    ):

        def call(query=query):
            resp = client.get(f"/api/v1/radar/heatmap?{query}", headers=headers)
            assert resp.status_code == 200, resp.get_data(as_text=True)
            return resp

        rows = len(call().get_json()["rows"])
        _timed(call, 3)  # warm-up
        _report(f"{label} ({rows} rows)", _timed(call, runs), HEATMAP_TARGET_MS)


def _bench_recompute(app, rep_ids: list[int], runs: int) -> None:
    """A new analysed record for a rep: score it, update the aggregates, apply the weakness rule for
    the team, and read the rep's radar again (what the pipeline and the rep's page do)."""
    rng = random.Random(7)
    from tests.radar_factories import GOOD_SEGMENTS, GOOD_SIGNALS, good_rows  # realistic segments

    with session_scope() as session:  # after the loaded ids (and those of an earlier --reuse run)
        next_id = [session.scalar(select(func.max(ActivityRecord.id))) or 0]

    def one(with_radar: bool | str, apply_rule: bool) -> None:
        rep_id = rng.choice(rep_ids)
        next_id[0] += 1
        with session_scope() as session:
            rec = _new_record(session, next_id[0], rep_id, GOOD_SEGMENTS, GOOD_SIGNALS, good_rows())
            session.flush()
            t, c = time.perf_counter(), time.thread_time()
            radar.update_for_record(session, rec.id, apply_rule=apply_rule)
            if with_radar == "rep":
                stats = load_stats(session, [rep_id], radar.window_of(90))
                [blend(stats, rep_id, b) for b in BEHAVIOURS]
            elif with_radar:
                radar.rep_radar(session, session.get(User, rep_id), radar.window_of(90))
            session.commit()
            timings.append((time.perf_counter() - t) * 1000)
            CPU.append((time.thread_time() - c) * 1000)

    for label, with_radar, apply_rule in (
        ("recompute after a new record (score + aggregates)", False, False),
        ("  ... + the rep's 12 blended scores (90 days)", "rep", False),
        ("  ... + weakness rule for the rep's team", False, True),
        ("  ... + weakness rule + the rep's radar (90 days)", True, True),
    ):
        timings: list[float] = []
        for _ in range(3):
            one(with_radar, apply_rule)
        timings.clear()
        CPU.clear()
        for _ in range(runs):
            one(with_radar, apply_rule)
        _report(label, timings, RECOMPUTE_TARGET_MS)


def _new_record(session, record_id, rep_id, segments, signals, rows) -> ActivityRecord:
    from coachsvc.db.models import DecisionRole, NextStep, Objection, TranscriptSegment

    rec = ActivityRecord(**{**_record_row(record_id, rep_id, dt.date.today()), "signals": signals})
    session.add(rec)
    session.flush()
    for i, (party, text_) in enumerate(segments):
        session.add(TranscriptSegment(activity_id=rec.id, idx=i, speaker=party, party=party, text=text_))
    for o in rows["objections"]:
        session.add(Objection(activity_id=rec.id, **o))
    for r in rows["roles"]:
        session.add(DecisionRole(activity_id=rec.id, evidence="", **r))
    for s in rows["next_steps"]:
        session.add(NextStep(activity_id=rec.id, evidence="", **s))
    return rec


if __name__ == "__main__":
    main()
