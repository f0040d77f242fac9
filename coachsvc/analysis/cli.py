"""`python -m coachsvc analyze | eval | train`: the analysis from the command line."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click


def register(cli: click.Group) -> None:
    """Add the analysis commands to the coachsvc CLI group."""
    cli.add_command(analyze)
    cli.add_command(evaluate)
    cli.add_command(train)


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--call-date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="default: today")
@click.option("--rep", "rep", default=None, help="the rep's speaker name (default 销售/Rep)")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option(
    "--stage",
    type=click.Choice(["lead", "qualify", "diagnose", "propose", "negotiate", "close"]),
    default=None,
)
def analyze(path: Path, call_date, rep: str | None, lang: str, stage: str | None) -> None:
    """Analyse a chat transcript (or a recording) and print the result as JSON."""
    from coachsvc.analysis import analyze_transcript

    utterances, timed = _utterances(path, lang)
    day = call_date.date() if call_date else dt.date.today()
    result = analyze_transcript(utterances, day, rep_speaker=rep, language=lang, stage=stage, timed=timed)
    click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))


def _utterances(path: Path, lang: str) -> tuple[list, bool]:
    from coachsvc.media import AUDIO_SUFFIXES
    from coachsvc.transcripts import TranscriptFormatError, parse_transcript

    if path.suffix.lower() in AUDIO_SUFFIXES:
        from coachsvc import asr

        out = asr.transcribe_path(str(path), language=lang)
        return list(getattr(out, "utterances", out)), True
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{path}: not UTF-8 text") from exc
    try:
        return parse_transcript(text)[1], False
    except TranscriptFormatError as exc:
        raise click.ClickException(f"{path}: {exc}") from exc


@click.command("eval")
@click.argument("dataset", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="print the full report as JSON")
@click.option("--errors", is_flag=True, help="also list each call's misses")
def evaluate(dataset: Path, as_json: bool, errors: bool) -> None:
    """P/R/F1 per objection category and per role (micro, macro) and due-date accuracy."""
    from coachsvc.analysis.evaluate import evaluate_file, format_report

    try:
        report = evaluate_file(dataset)
    except (ValueError, KeyError) as exc:
        raise click.ClickException(f"{dataset}: {exc}") from exc
    if as_json:
        click.echo(json.dumps(report if errors else report["summary"], ensure_ascii=False, indent=2))
        return
    click.echo(format_report(report["summary"]))
    if errors:
        for call in report["per_call"]:
            for err in call["errors"]:
                click.echo(f"{call['id']}: {err}", file=sys.stdout)


@click.command()
def train() -> None:
    """Regenerate the corpus and retrain the classifiers into models/analysis (deterministic)."""
    from coachsvc.analysis.model import train as run

    manifest = run(log=click.echo)
    dev = manifest.get("devset_metrics")
    if dev:
        click.echo(
            "dev set: objection micro-F1 {:.3f}, role micro-F1 {:.3f}, due-date accuracy {}".format(
                dev["objections"]["micro"]["f1"],
                dev["roles"]["micro"]["f1"],
                dev["next_steps"]["due_accuracy"],
            )
        )
    click.echo("artifacts and manifest written to models/analysis/")
