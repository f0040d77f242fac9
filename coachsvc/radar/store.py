"""Keep per-call scores and the per rep x day aggregates up to date, incrementally.

`update_for_record` re-scores one record and adds the difference to its day's sums (an additive
upsert, safe with several workers); `add_drill_score` records a drill result's score. Neither
commits: the caller's transaction does, so a record is never marked done with half its scores.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from coachsvc.behaviours import BEHAVIOURS
from coachsvc.db.models import ActivityRecord, User, utcnow
from coachsvc.db.radar import DrillScore, RadarCallDaily, RadarCallMonthly, RadarCallScore
from coachsvc.radar.scoring import facts_of, score_call


def update_for_record(session: Session, record_id: int, apply_rule: bool = True) -> RadarCallScore | None:
    """Score an analysed record on the 12 behaviours and update its rep's daily aggregates.

    Called by the pipeline (coachsvc/jobs.py::process_activity) after the analysis, in the same
    transaction that marks the record done. Idempotent: re-scoring replaces the record's previous
    contribution. A record without signals (not analysed) has no scores. When `apply_rule`, the
    weakness rule then runs for the rep's team (courses assigned, 1:1 slots offered).
    """
    record = session.scalar(
        select(ActivityRecord)
        .where(ActivityRecord.id == record_id)
        .options(
            selectinload(ActivityRecord.segments),
            selectinload(ActivityRecord.objections),
            selectinload(ActivityRecord.roles),
            selectinload(ActivityRecord.next_steps),
        )
        .execution_options(populate_existing=True)  # the analysis may have replaced its rows
    )
    if record is None:
        raise LookupError(f"activity {record_id} does not exist")
    row = session.get(RadarCallScore, record_id)
    if row is not None:
        _add_daily(session, row.rep_id, row.day, row.scores, -1)
    if record.signals is None:
        if row is not None:
            session.delete(row)
        return None
    scores, checks = score_call(facts_of(record))
    if row is None:
        row = RadarCallScore(activity_id=record.id)
        session.add(row)
    row.rep_id, row.day, row.scores, row.checks, row.computed_at = (
        record.rep_id,
        record.visit_date,
        scores,
        checks,
        utcnow(),
    )
    _add_daily(session, record.rep_id, record.visit_date, scores, +1)
    session.flush()
    if apply_rule:
        from coachsvc import coaching

        team_id = session.scalar(select(User.team_id).where(User.id == record.rep_id))
        if team_id is not None:
            coaching.apply_weakness_rule(session, team_id)
    return row


def add_drill_score(
    session: Session, user_id: int, behaviour: str, score: float, occurred_at: dt.datetime, ref: str
) -> DrillScore:
    """Record a scored drill on one behaviour: the drills feature calls this when a drill is scored.

    `behaviour` is a radar behaviour id (coachsvc.behaviours.BEHAVIOURS, e.g. "objection_handling"),
    `score` 0-100, `occurred_at` when the drill was answered (naive UTC), and `ref` a stable
    reference to the drill result (e.g. "drill-session:42"): calling again with the same `ref` and
    behaviour replaces the score instead of adding one. Does not commit (the caller's transaction
    does). Raises ValueError on an unknown behaviour or a score outside 0-100.
    """
    if behaviour not in BEHAVIOURS:
        raise ValueError(f"unknown behaviour {behaviour!r}")
    if not 0 <= float(score) <= 100:
        raise ValueError(f"score {score} is outside 0-100")
    row = session.scalar(select(DrillScore).where(DrillScore.ref == ref, DrillScore.behaviour == behaviour))
    if row is None:
        row = DrillScore(ref=ref[:120], behaviour=behaviour)
        session.add(row)
    row.user_id, row.score, row.occurred_at, row.day = user_id, float(score), occurred_at, occurred_at.date()
    session.flush()
    return row


def rebuild_aggregates(session: Session) -> int:
    """Recompute every daily and monthly aggregate from the stored per-call scores (repair, bulk
    loads); returns the number of rep x day rows."""
    days: dict[tuple[int, dt.date], dict[str, Any]] = defaultdict(_zero_row)
    months: dict[tuple[int, dt.date], dict[str, Any]] = defaultdict(_zero_row)
    for rep_id, day, scores in session.execute(
        select(RadarCallScore.rep_id, RadarCallScore.day, RadarCallScore.scores)
    ):
        _accumulate(days[(rep_id, day)], scores, +1)
        _accumulate(months[(rep_id, day.replace(day=1))], scores, +1)
    for model, key, sums in ((RadarCallDaily, "day", days), (RadarCallMonthly, "month", months)):
        session.execute(delete(model))
        rows = [{"rep_id": r, key: d, **v} for (r, d), v in sums.items()]
        for start in range(0, len(rows), 5000):
            session.execute(model.__table__.insert(), rows[start : start + 5000])
    return len(days)


def rescore_all(session: Session) -> int:
    """Re-score every analysed record (after a change of the checks), rebuild the sums and apply
    the weakness rule to every team; returns the number of records scored. Commits per batch."""
    from coachsvc import coaching
    from coachsvc.db.models import Team

    ids = session.scalars(select(ActivityRecord.id).where(ActivityRecord.status == "done")).all()
    for n, record_id in enumerate(ids, 1):
        update_for_record(session, record_id, apply_rule=False)
        if n % 500 == 0:
            session.commit()
    rebuild_aggregates(session)
    for team_id in session.scalars(select(Team.id)):
        coaching.apply_weakness_rule(session, team_id)
    session.commit()
    return len(ids)


def daily_delta(scores: dict[str, float | None], sign: int) -> dict[str, Any]:
    """The columns one call adds to (sign +1) or takes from (-1) its day's aggregate row."""
    values = _zero_row()
    _accumulate(values, scores, sign)
    return values


def _zero_row() -> dict[str, Any]:
    row: dict[str, Any] = {"calls": 0}
    for b in BEHAVIOURS:
        row[f"{b}_sum"], row[f"{b}_n"] = 0.0, 0
    return row


def _accumulate(row: dict[str, Any], scores: dict[str, float | None], sign: int) -> None:
    row["calls"] += sign
    for b in BEHAVIOURS:
        value = scores.get(b)
        if value is not None:
            row[f"{b}_sum"] += sign * float(value)
            row[f"{b}_n"] += sign


def _add_daily(session: Session, rep_id: int, day: dt.date, scores: dict[str, Any], sign: int) -> None:
    """Add one call's scores to its rep x day and rep x month rows, each in one atomic upsert (no
    read-modify-write, so concurrent workers cannot lose an update)."""
    values = daily_delta(scores, sign)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for model, key, index in ((RadarCallDaily, "day", day), (RadarCallMonthly, "month", day.replace(day=1))):
        stmt = insert(model).values(rep_id=rep_id, **{key: index}, **values)
        table = model.__table__
        stmt = stmt.on_conflict_do_update(
            index_elements=[key, "rep_id"], set_={c: table.c[c] + stmt.excluded[c] for c in values}
        )
        session.execute(stmt)
