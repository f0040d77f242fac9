"""Factories for radar tests: analysed records built directly (signals, segments, analysis rows),
so the radar's tests do not depend on the analyser's accuracy."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy.orm import Session

from coachsvc.db.models import ActivityRecord, DecisionRole, NextStep, Objection, TranscriptSegment, User
from coachsvc.db.radar import Course, CourseBehaviour, ExpertSlot

_seq = itertools.count(1)

GOOD_SEGMENTS = [
    ("rep", "王经理您好，今天主要想了解一下贵司的审批流程，再看看我们能不能帮上忙。"),
    ("customer", "好的，现在主要靠邮件，经常找不到单子。"),
    ("rep", "您刚才说经常找不到单子，一般一个月会丢多少张？预算和上线时间有什么考虑？"),
    ("customer", "一个月十几张吧。预算今年有五十万，希望年底前上线。最后是张总拍板。"),
    ("rep", "明白，所以关键是不丢单。我们帮华东精密把丢单率降到了零，投资回报期六个月。"),
    ("customer", "听起来不错，但比竞品贵了百分之二十。"),
    ("rep", "您说的贵，是指首年费用还是整体投入？对方的报价包含实施吗？"),
    ("customer", "整体投入吧。那我们下周二约张总一起看方案。"),
]

GOOD_SIGNALS: dict[str, Any] = {
    "talk_ratio": 0.42,
    "rep_chars": 420,
    "customer_chars": 580,
    "duration_seconds": 1800,
    "questions": 12,
    "open_questions": 8,
    "questions_per_10min": 4.0,
    "longest_rep_monologue": 40,
    "longest_rep_monologue_unit": "seconds",
    "greeting": True,
    "agenda_set": True,
    "discovery_topics": ["budget", "timeline", "decision_process", "pain_points"],
    "pitch_after_discovery": True,
    "confirm_turns": 2,
    "customer_words_echoed": 2,
    "value_evidence": 3,
    "objections": 1,
    "objections_handled": 1,
    "clarify_before_answer": True,
    "competitor_objections": 1,
    "competitor_handled": 1,
    "disparaged_competitor": False,
    "price_before_value": False,
    "concession_given_free": False,
    "roles_identified": 2,
    "decision_maker_identified": True,
    "dated_next_step": True,
    "response_gap_seconds": 600,
    "evidence": {
        "greeting": [0],
        "agenda_set": [0],
        "questions": [2, 6],
        "open_questions": [2],
        "discovery_topics": [2, 3],
        "confirm_turns": [4],
        "customer_words_echoed": [4],
        "value_evidence": [4],
        "competitor_handled": [6],
    },
}

POOR_SIGNALS: dict[str, Any] = {
    **GOOD_SIGNALS,
    "talk_ratio": 0.78,
    "questions": 1,
    "open_questions": 0,
    "questions_per_10min": 0.3,
    "longest_rep_monologue": 240,
    "greeting": False,
    "agenda_set": False,
    "discovery_topics": [],
    "pitch_after_discovery": False,
    "confirm_turns": 0,
    "customer_words_echoed": 0,
    "value_evidence": 0,
    "objections_handled": 0,
    "clarify_before_answer": False,
    "competitor_handled": 0,
    "disparaged_competitor": True,
    "price_before_value": True,
    "concession_given_free": True,
    "roles_identified": 0,
    "decision_maker_identified": False,
    "dated_next_step": False,
    "response_gap_seconds": 30000,
    "evidence": {"disparaged_competitor": [6], "price_before_value": [5]},
}


def make_record(
    session: Session,
    rep: User,
    signals: dict[str, Any] | None = None,
    visit_date: dt.date | None = None,
    stage: str | None = "diagnose",
    segments: list[tuple[str, str]] | None = None,
    objections: list[dict[str, Any]] | None = None,
    roles: list[dict[str, Any]] | None = None,
    next_steps: list[dict[str, Any]] | None = None,
    commit: bool = True,
) -> ActivityRecord:
    """An analysed (done) record with the given analysis results."""
    n = next(_seq)
    record = ActivityRecord(
        rep_id=rep.id,
        stage=stage,
        visit_date=visit_date or dt.date.today(),
        source="chat",
        language="zh",
        file_path=f"/nonexistent/{n}.txt",
        file_name=f"visit-{n}.txt",
        file_sha256=f"{n:064x}",
        file_size=100,
        file_format="chat-lines",
        status="done",
        progress=1.0,
        signals=signals,
    )
    session.add(record)
    session.flush()
    for i, (party, text) in enumerate(segments if segments is not None else GOOD_SEGMENTS):
        session.add(
            TranscriptSegment(
                activity_id=record.id,
                idx=i,
                speaker="销售" if party == "rep" else "客户",
                party=party,
                line_no=i + 1,
                text=text,
            )
        )
    for o in objections if objections is not None else []:
        session.add(Objection(activity_id=record.id, speaker="客户", **o))
    for r in roles if roles is not None else []:
        session.add(
            DecisionRole(activity_id=record.id, evidence=r.get("evidence", ""), **_without(r, "evidence"))
        )
    for s in next_steps if next_steps is not None else []:
        session.add(
            NextStep(activity_id=record.id, evidence=s.get("evidence", ""), **_without(s, "evidence"))
        )
    if commit:
        session.commit()
    return record


def good_rows() -> dict[str, list[dict[str, Any]]]:
    """Objection / role / next-step rows matching GOOD_SEGMENTS."""
    return {
        "objections": [
            {"category": "price", "text": "比竞品贵了百分之二十", "handled": True, "segment_idx": 5}
        ],
        "roles": [
            {"person": "张总", "role": "decision_maker", "segment_idx": 3},
            {"person": "王经理", "role": "user", "segment_idx": 1},
        ],
        "next_steps": [
            {
                "action": "约张总看方案",
                "owner": "customer",
                "due": dt.date.today() + dt.timedelta(days=7),
                "segment_idx": 7,
            }
        ],
    }


def make_course(session: Session, title: str, *behaviours: str) -> Course:
    course = Course(title=title, description="", tags=[CourseBehaviour(behaviour=b) for b in behaviours])
    session.add(course)
    session.commit()
    return course


def make_slot(
    session: Session, expert: User, capacity: int = 1, behaviour: str | None = None, days_ahead: int = 3
) -> ExpertSlot:
    slot = ExpertSlot(
        expert_id=expert.id,
        starts_at=dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=days_ahead),
        capacity=capacity,
        behaviour=behaviour,
    )
    session.add(slot)
    session.commit()
    return slot


def _without(d: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k != key}
