"""Call analysis: objections, decision roles, next steps, coverage gaps and behaviour signals from
a speaker-attributed transcript (Chinese with jieba, or English), with the IDs of shared/domain.md.

    result = analyze_transcript(utterances, call_date, rep_speaker="销售", language="zh", stage=None)
    result.to_dict()  # {"objections": [...], "roles": [...], "next_steps": [...], ...}
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from coachsvc.analysis.constants import OBJECTION_LABELS, ROLE_LABELS
from coachsvc.analysis.coverage import coverage_gaps
from coachsvc.analysis.model import load_bundle
from coachsvc.analysis.next_steps import find_next_steps
from coachsvc.analysis.objections import find_objections
from coachsvc.analysis.roles import find_roles
from coachsvc.analysis.signals import compute_signals

__all__ = ["AnalysisResult", "Segment", "analyze_transcript", "preload", "OBJECTION_LABELS", "ROLE_LABELS"]


@dataclass
class Segment:
    """One utterance as the extractors see it."""

    idx: int
    speaker: str
    party: str  # rep | customer
    text: str
    start: float | None = None
    end: float | None = None
    line_no: int | None = None


@dataclass
class AnalysisResult:
    objections: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    next_steps: list[dict[str, Any]] = field(default_factory=list)
    coverage_gaps: list[dict[str, str]] = field(default_factory=list)
    signals: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "objections": self.objections,
            "roles": self.roles,
            "next_steps": self.next_steps,
            "coverage_gaps": self.coverage_gaps,
            "signals": self.signals,
        }


def preload(app=None) -> None:
    """Load the classifiers, jieba, the pinyin table and the run-time feature index once (a worker
    preloader)."""
    load_bundle().proba_texts("objection", ["预热：价格太贵了，王总拍板"])


def analyze_transcript(
    utterances: list,
    call_date: dt.date | str | None = None,
    rep_speaker: str | None = None,
    language: str = "zh",
    stage: str | None = None,
    timed: bool | None = None,
) -> AnalysisResult:
    """Analyse one call. `utterances`: transcripts.Utterance objects, stored TranscriptSegment rows
    or dicts with speaker/text (and optionally party, start, end, line_no, idx). `timed` says
    whether start/end are speech times (audio); by default, when every segment has both."""
    from coachsvc.privacy import mask_pii

    call_date = _as_date(call_date)
    segments = to_segments(utterances, rep_speaker)
    for seg in segments:
        seg.text = mask_pii(seg.text) or ""
    bundle = load_bundle()
    objections = find_objections(segments, bundle)
    roles = find_roles(segments, bundle)
    steps = find_next_steps(segments, call_date, bundle)
    by_idx = {s.idx: s for s in segments}
    result = AnalysisResult(
        objections=[_objection_dict(o, by_idx[o.segment_idx]) for o in objections],
        roles=[
            {"person": r.person, "role": r.role, "evidence": r.evidence, "segment_idx": r.segment_idx}
            for r in roles
        ],
        next_steps=[
            {
                "action": s.action,
                "owner": s.owner,
                "due": s.due.isoformat() if s.due else None,
                "evidence": s.evidence,
                "segment_idx": s.segment_idx,
            }
            for s in steps
        ],
        coverage_gaps=coverage_gaps([s.text for s in segments], stage),
    )
    if timed is None:
        timed = all(s.start is not None and s.end is not None for s in segments)
    result.signals = compute_signals(segments, objections, roles, steps, timed=timed)
    return result


def _as_date(value: dt.date | str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _objection_dict(o, seg: Segment) -> dict[str, Any]:
    timed = seg.start is not None
    return {
        "category": o.category,
        "label": OBJECTION_LABELS[o.category],
        "text": o.text,
        "speaker": seg.speaker,
        "start": seg.start if timed else seg.line_no,
        "end": (seg.end if seg.end is not None else seg.start) if timed else seg.line_no,
        "handled": o.handled,
        "confidence": round(o.confidence, 3),
        "segment_idx": o.segment_idx,
    }


# --- input ----------------------------------------------------------------------------------------


def to_segments(utterances: list, rep_speaker: str | None = None) -> list[Segment]:
    """Normalise any supported utterance type; decide who the rep is."""
    from coachsvc.transcripts import party_of

    raw = [_fields(u) for u in utterances]
    raw = [r for r in raw if r["text"].strip()]
    has_party = any(r.get("party") in ("rep", "customer") for r in raw)
    if not has_party:
        speakers = {r["speaker"] for r in raw}
        if not rep_speaker and not any(party_of(s) == "rep" for s in speakers):
            rep_speaker = infer_rep_speaker(raw)
        for r in raw:
            r["party"] = party_of(r["speaker"], rep_speaker)
    out = []
    for n, r in enumerate(raw):
        idx = r.get("idx")
        out.append(
            Segment(
                idx=n if idx is None else int(idx),
                speaker=r["speaker"],
                party=r.get("party") or "customer",
                text=r["text"],
                start=r.get("start"),
                end=r.get("end"),
                line_no=r.get("line_no"),
            )
        )
    return out


def _fields(u: Any) -> dict[str, Any]:
    if isinstance(u, dict):
        get = u.get
    else:

        def get(name, default=None):
            return getattr(u, name, default)

    return {
        "speaker": str(get("speaker") or ""),
        "text": str(get("text") or ""),
        "party": get("party"),
        "start": get("start"),
        "end": get("end"),
        "line_no": get("line_no"),
        "idx": get("idx"),
    }


_REP_CUES = re.compile(
    r"您好|我们的(?:系统|产品|方案|平台)|我们可以|给您|帮您|您看|"
    r"请问|方便问|我们公司|我把|发给您|our (?:product|platform|system)|we can|let me|would you",
    re.I,
)


def infer_rep_speaker(raw: list[dict[str, Any]]) -> str | None:
    """When nobody is named the rep: the speaker who talks most like one (offers, asks, 您)."""
    scores: dict[str, float] = {}
    counts: dict[str, int] = {}
    for r in raw:
        scores[r["speaker"]] = scores.get(r["speaker"], 0.0) + len(_REP_CUES.findall(r["text"]))
        counts[r["speaker"]] = counts.get(r["speaker"], 0) + 1
    if len(scores) < 2:
        return None
    best = max(scores, key=lambda s: (scores[s] / counts[s], -list(scores).index(s)))
    return best if scores[best] > 0 else None
