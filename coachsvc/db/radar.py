"""ORM models of the radar, 360 ratings and coaching (courses, expert slots, bookings, pushes).

Per-call behaviour scores keep their audit trail (checks and quoted segments); per rep x day
sums and counts of those scores are kept incrementally so windows are summed, never rescanned.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachsvc.behaviours import BEHAVIOURS
from coachsvc.db.models import Base, User, utcnow


class RadarCallScore(Base):
    """One analysed call's 0-100 score per behaviour, with every check and the evidence quoted."""

    __tablename__ = "radar_call_scores"
    __table_args__ = (Index("ix_radar_call_scores_rep_day", "rep_id", "day"),)

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity_records.id", ondelete="CASCADE"), primary_key=True
    )
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)
    #: behaviour -> score (0-100) or null when no check applied to this call
    scores: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: behaviour -> [{check, label, points, met, detail, evidence: [{idx, text}]}]
    checks: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class RadarCallDaily(Base):
    """Per rep and visit day: the sum and count of call scores of each behaviour.

    One column pair per behaviour (``<behaviour>_sum``, ``<behaviour>_n``), so a window of all
    twelve is one indexed range scan. Kept by additive upserts (see coachsvc/radar/store.py).
    """

    __tablename__ = "radar_call_daily"
    # Keyed by day first and, on SQLite, stored in key order (WITHOUT ROWID): a window's rows are
    # one contiguous range; the (rep, day) index serves a team's or one rep's window.
    __table_args__ = (
        PrimaryKeyConstraint("day", "rep_id"),
        Index("ix_radar_call_daily_rep_day", "rep_id", "day"),
        {"sqlite_with_rowid": False},
    )

    day: Mapped[dt.date] = mapped_column(Date)
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    calls: Mapped[int] = mapped_column(Integer, default=0)


class RadarCallMonthly(Base):
    """The same sums per rep and calendar month (``month`` is its first day): a long window reads
    its whole months here and only its partial months from the daily rows."""

    __tablename__ = "radar_call_monthly"
    __table_args__ = (
        PrimaryKeyConstraint("month", "rep_id"),
        Index("ix_radar_call_monthly_rep_month", "rep_id", "month"),
        {"sqlite_with_rowid": False},
    )

    month: Mapped[dt.date] = mapped_column(Date)
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    calls: Mapped[int] = mapped_column(Integer, default=0)


for _table in (RadarCallDaily, RadarCallMonthly):  # declarative classes accept columns added later
    for _b in BEHAVIOURS:
        setattr(_table, f"{_b}_sum", mapped_column(f"{_b}_sum", Float, nullable=False, default=0.0))
        setattr(_table, f"{_b}_n", mapped_column(f"{_b}_n", Integer, nullable=False, default=0))


class DrillScore(Base):
    """A drill result's score on one behaviour (fed by the drills feature via radar.add_drill_score)."""

    __tablename__ = "radar_drill_scores"
    __table_args__ = (
        UniqueConstraint("ref", "behaviour", name="uq_radar_drill_ref_behaviour"),
        Index("ix_radar_drill_scores_user_day", "user_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    behaviour: Mapped[str] = mapped_column(String(30))
    score: Mapped[float] = mapped_column(Float)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)
    day: Mapped[dt.date] = mapped_column(Date)
    ref: Mapped[str] = mapped_column(String(120))


class RatingLink(Base):
    """A customer's one-use, expiring rating link (the token signs the id and the nonce)."""

    __tablename__ = "radar_rating_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    nonce: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    rep: Mapped[User] = relationship(foreign_keys=[rep_id])


class Rating(Base):
    """One 360 rating of a rep by a supervisor, a peer or a customer (1-5 per behaviour)."""

    __tablename__ = "radar_ratings"
    __table_args__ = (Index("ix_radar_ratings_rep_day", "rep_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    rater_kind: Mapped[str] = mapped_column(String(12))  # supervisor | peer | customer
    #: who rated (supervisor, peer); never shown to the rated rep. Null for customers.
    rater_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    link_id: Mapped[int | None] = mapped_column(
        ForeignKey("radar_rating_links.id", ondelete="SET NULL"), unique=True
    )
    day: Mapped[dt.date] = mapped_column(Date)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    scores: Mapped[list[RatingScore]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class RatingScore(Base):
    __tablename__ = "radar_rating_scores"
    __table_args__ = (CheckConstraint("value BETWEEN 1 AND 5", name="ck_radar_rating_value"),)

    rating_id: Mapped[int] = mapped_column(
        ForeignKey("radar_ratings.id", ondelete="CASCADE"), primary_key=True
    )
    behaviour: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class Course(Base):
    """A course of the library, tagged with the behaviours it trains."""

    __tablename__ = "coaching_courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(500))
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    tags: Mapped[list[CourseBehaviour]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="CourseBehaviour.behaviour"
    )

    @property
    def behaviours(self) -> list[str]:
        return [t.behaviour for t in self.tags]


class CourseBehaviour(Base):
    __tablename__ = "coaching_course_behaviours"

    course_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_courses.id", ondelete="CASCADE"), primary_key=True
    )
    behaviour: Mapped[str] = mapped_column(String(30), primary_key=True, index=True)


class ExpertSlot(Base):
    """A 1:1 coaching slot an expert offers; `booked` never exceeds `capacity`."""

    __tablename__ = "coaching_slots"
    __table_args__ = (
        CheckConstraint("booked >= 0 AND booked <= capacity", name="ck_coaching_slot_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=45)
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    booked: Mapped[int] = mapped_column(Integer, default=0)
    #: the behaviour the expert coaches in this slot (null: any)
    behaviour: Mapped[str | None] = mapped_column(String(30))
    location: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    expert: Mapped[User] = relationship(foreign_keys=[expert_id])


class SlotBooking(Base):
    __tablename__ = "coaching_bookings"
    __table_args__ = (UniqueConstraint("slot_id", "user_id", name="uq_coaching_booking_slot_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("coaching_slots.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    behaviour: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    slot: Mapped[ExpertSlot] = relationship()


class CourseAssignment(Base):
    """A course assigned to a rep, by the weakness rule or by a trainer."""

    __tablename__ = "coaching_assignments"
    __table_args__ = (UniqueConstraint("user_id", "course_id", name="uq_coaching_assignment_user_course"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("coaching_courses.id", ondelete="CASCADE"))
    behaviour: Mapped[str | None] = mapped_column(String(30))
    source: Mapped[str] = mapped_column(String(10))  # rule | manual
    reason: Mapped[str] = mapped_column(Text, default="")
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="assigned")  # assigned | completed
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    course: Mapped[Course] = relationship()


class SlotOffer(Base):
    """A 1:1 coaching slot offered to a rep for a behaviour (one row per rep x behaviour)."""

    __tablename__ = "coaching_offers"
    __table_args__ = (UniqueConstraint("user_id", "behaviour", name="uq_coaching_offer_user_behaviour"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    behaviour: Mapped[str] = mapped_column(String(30))
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("coaching_slots.id", ondelete="SET NULL"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("coaching_bookings.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="offered")  # offered | booked
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    slot: Mapped[ExpertSlot | None] = relationship()
