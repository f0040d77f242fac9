"""ORM models of objection drills: drill sessions and their turns, and the top performers' answer
clips mined from won deals' calls (the clips the drill results and the library page play)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachsvc.db.models import ActivityRecord, Base, User, utcnow

SESSION_STATUSES = ("active", "finished")
TURN_STATUSES = ("transcribing", "scored", "failed")
ANSWER_MODES = ("text", "voice")


class DrillSession(Base):
    """One run of a scenario by a user: the virtual customer's lines and the user's answers."""

    __tablename__ = "drill_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scenario_id: Mapped[str] = mapped_column(String(80), index=True)
    category: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(12), default="active", index=True)
    #: Cumulative score over the turns so far (key points hit in any turn), 0-100.
    score: Mapped[float | None] = mapped_column(Float)
    #: Ids of the scenario's key points hit so far, in the order they were first hit.
    points_hit: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: The customer's line the next answer replies to (the opening, then follow-ups).
    customer_line: Mapped[str] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()
    turns: Mapped[list[DrillTurn]] = relationship(
        order_by="DrillTurn.idx", cascade="all, delete-orphan", passive_deletes=True, back_populates="session"
    )


class DrillTurn(Base):
    """One answer to one customer line: typed, or a voice clip transcribed by the worker."""

    __tablename__ = "drill_turns"
    __table_args__ = (UniqueConstraint("session_id", "idx", name="uq_drill_turn_session_idx"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("drill_sessions.id", ondelete="CASCADE"), index=True)
    idx: Mapped[int] = mapped_column(Integer)
    customer_line: Mapped[str] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(10))  # text | voice
    answer_text: Mapped[str | None] = mapped_column(Text)
    audio_path: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), index=True)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
    #: The scoring: key points hit and missed with their similarities, off-topic flag, clip ids.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    follow_up: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    scored_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    session: Mapped[DrillSession] = relationship(back_populates="turns")


class TopClip(Base):
    """A top performer's answer to a customer objection in a won deal's call, as a playable clip."""

    __tablename__ = "top_clips"

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objections.id", ondelete="CASCADE"), unique=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity_records.id", ondelete="CASCADE"), index=True
    )
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"))
    category: Mapped[str] = mapped_column(String(20), index=True)
    objection_text: Mapped[str] = mapped_column(Text)
    answer_text: Mapped[str] = mapped_column(Text)
    start: Mapped[float | None] = mapped_column(Float)  # seconds into the record's audio
    end: Mapped[float | None] = mapped_column(Float)
    has_audio: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Answer moves in the order the rep makes them (coachsvc.mining.ANSWER_MOVES ids).
    moves: Mapped[list[Any]] = mapped_column(JSON, default=list)
    first_move: Mapped[str | None] = mapped_column(String(30), index=True)
    mined_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    activity: Mapped[ActivityRecord] = relationship()
    rep: Mapped[User] = relationship()
