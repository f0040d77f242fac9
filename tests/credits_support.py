"""Helpers of the mentoring-credit tests: logged sessions, credits given through the real ledger."""

from __future__ import annotations

import datetime as dt
import io
import json

from coachsvc.credits import ledger
from coachsvc.credits import sessions as mentoring
from tests.audio import tone_wav

ANNOTATIONS = [
    {"at_seconds": 0.5, "text": "开场先确认客户议程", "behaviour": "rapport"},
    {"at_seconds": 1.2, "text": "追问预算和决策流程", "behaviour": "needs_discovery"},
    {"at_seconds": 2.0, "text": "复述客户原话再回应价格异议", "behaviour": "objection_handling"},
]


def recording(seconds: float = 3.0, freq: float = 440.0) -> bytes:
    """A small WAV (distinct bytes per frequency, since a recording may be logged once)."""
    return tone_wav(seconds, freq=freq)


def api_log_session(
    client, headers, mentee, *, freq: float = 440.0, annotations=ANNOTATIONS, with_recording=True
):
    data = {
        "mentee_id": str(mentee.id),
        "session_date": "2026-11-20",
        "topic": "价格异议处理带教",
        "annotations": json.dumps(annotations, ensure_ascii=False),
    }
    if with_recording:
        data["file"] = (io.BytesIO(recording(freq=freq)), "mentoring.wav")
    return client.post(
        "/api/v1/mentoring/sessions", data=data, headers=headers, content_type="multipart/form-data"
    )


def log_session(db, mentor, mentee, *, freq: float = 440.0, n_annotations: int = 3, with_recording=True):
    """Log a session through the service (needs an app context)."""
    rec = mentoring.Recording("mentoring.wav", io.BytesIO(recording(freq=freq))) if with_recording else None
    items = [mentoring.AnnotationInput(**a) for a in (ANNOTATIONS * 3)[:n_annotations]]
    data = mentoring.SessionInput(mentee_id=mentee.id, session_date=dt.date(2026, 11, 20), topic="带教")
    return mentoring.create_session(db, mentor, data, rec, items)


def approved_session(db, mentor, mentee, trainer, *, freq: float = 440.0):
    ms = log_session(db, mentor, mentee, freq=freq)
    mentoring.submit(db, mentor, ms)
    return mentoring.approve(db, trainer, ms, "很好")


def give_credits(db, user_id: int, amount: int, actor_id: int | None = None) -> int:
    """Append an award straight to the ledger (under its lock); returns the entry id."""
    db.rollback()
    ledger.lock_account(db, user_id)
    entry = ledger.append_entry(
        db, user_id=user_id, kind="award", amount=amount, actor_id=actor_id, reason="测试积分"
    )
    ledger.commit_and_export(db, [entry])
    return entry.id
