"""`python -m coachsvc transcribe PATH [--lang zh]`: print a recording's speaker-attributed transcript."""

from __future__ import annotations

import json
import sys

import click

from coachsvc.config import LANGUAGES


@click.command("transcribe")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--lang", "language", type=click.Choice(LANGUAGES), default="zh", show_default=True)
@click.option("--rep", "rep_hint", default=None, help="left/right (stereo) or first/second (mono)")
@click.option("--json", "as_json", is_flag=True, help="print JSON (segments with times, words)")
def transcribe_cmd(path: str, language: str, rep_hint: str | None, as_json: bool) -> None:
    """Transcribe an audio file offline and print `[mm:ss] 说话人：内容` lines."""
    from dataclasses import asdict

    from coachsvc.asr import AudioInputError, ModelUnavailable, transcribe_path

    def progress(fraction: float) -> None:
        click.echo(f"\r{fraction:4.0%}", nl=False, err=True)

    try:
        on_progress = progress if sys.stderr.isatty() else None
        utterances = transcribe_path(path, language, on_progress, rep_hint=rep_hint)
    except (AudioInputError, ModelUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps([asdict(u) for u in utterances], ensure_ascii=False, indent=1))
        return
    for u in utterances:
        click.echo(f"[{int(u.start or 0) // 60:02d}:{int(u.start or 0) % 60:02d}] {u.speaker}：{u.text}")
