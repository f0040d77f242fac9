"""Store an analysis on its activity record: the Objection, DecisionRole and NextStep rows are
replaced, `coverage_gaps` and `signals` overwritten (idempotent on re-run)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from coachsvc.analysis import AnalysisResult, analyze_transcript
from coachsvc.db.models import ActivityRecord, DecisionRole, NextStep, Objection, TranscriptSegment


def analyze_and_store(session: Session, record: ActivityRecord) -> AnalysisResult:
    """Analyse the record's stored segments and write the results in the session."""
    segments = session.scalars(
        select(TranscriptSegment)
        .where(TranscriptSegment.activity_id == record.id)
        .order_by(TranscriptSegment.idx)
    ).all()
    result = analyze_transcript(
        list(segments),
        record.visit_date,
        rep_speaker=record.rep_speaker,
        language=record.language if record.language in ("zh", "en") else "zh",
        stage=record.stage,
        timed=record.source == "audio",
    )
    store_result(session, record, result)
    return result


def store_result(session: Session, record: ActivityRecord, result: AnalysisResult) -> None:
    for model in (Objection, DecisionRole, NextStep):
        session.execute(delete(model).where(model.activity_id == record.id))
    session.add_all(
        Objection(
            activity_id=record.id,
            category=o["category"],
            text=o["text"],
            speaker=o["speaker"],
            start=o["start"],
            end=o["end"],
            handled=o["handled"],
            confidence=o["confidence"],
            segment_idx=o["segment_idx"],
        )
        for o in result.objections
    )
    session.add_all(
        DecisionRole(
            activity_id=record.id,
            person=r["person"][:120],
            role=r["role"],
            evidence=r["evidence"],
            segment_idx=r["segment_idx"],
        )
        for r in result.roles
    )
    session.add_all(
        NextStep(
            activity_id=record.id,
            action=n["action"][:300],
            owner=n["owner"][:120],
            due=dt.date.fromisoformat(n["due"]) if n["due"] else None,
            evidence=n["evidence"],
            segment_idx=n["segment_idx"],
        )
        for n in result.next_steps
    )
    record.coverage_gaps = result.coverage_gaps
    record.signals = result.signals
    session.expire(record, ["objections", "roles", "next_steps"])
