"""Tests of the call analysis (issue 4)."""

from coachsvc.analysis import analyze_transcript
from coachsvc.transcripts import Utterance


def analyse(lines, call_date="2026-11-18", rep="销售", **kw) -> dict:
    """The analysis of a short call given as (speaker, text) lines, as a dict."""
    utterances = [Utterance(speaker, text, line_no=i + 1) for i, (speaker, text) in enumerate(lines)]
    return analyze_transcript(utterances, call_date, rep_speaker=rep, **kw).to_dict()
