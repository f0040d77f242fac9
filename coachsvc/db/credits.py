"""ORM models of mentoring credits: sessions and their annotations, the append-only credit ledger,
redemptions, and the HR webhook deliveries with a record of every attempt.

The ledger (`credit_entries`) is append-only: the ORM refuses to update or delete its rows (see
`_refuse_ledger_change`), and the database refuses it too (triggers in migration 0004).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, relationship

from coachsvc.db.models import Base, User, utcnow

SESSION_STATUSES = ("draft", "submitted", "approved", "rejected")
ENTRY_KINDS = ("award", "redemption", "reversal")
REDEMPTION_KINDS = ("leave", "bonus")
REDEMPTION_STATUSES = ("pending", "approved", "rejected", "cancelled")
DELIVERY_STATUSES = ("pending", "sending", "delivered", "failed")


class MentoringSession(Base):
    """A senior rep's mentoring session with a mentee: recording, annotations, review."""

    __tablename__ = "mentoring_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    session_date: Mapped[dt.date] = mapped_column(Date, index=True)
    topic: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    # The recording is stored content-addressed like an activity's; one recording earns once.
    recording_path: Mapped[str | None] = mapped_column(String(500))
    recording_name: Mapped[str | None] = mapped_column(String(255))
    recording_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    recording_size: Mapped[int | None] = mapped_column(Integer)
    recording_format: Mapped[str | None] = mapped_column(String(40))
    recording_seconds: Mapped[float | None] = mapped_column(Float)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    review_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
    mentee: Mapped[User] = relationship(foreign_keys=[mentee_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    annotations: Mapped[list[SessionAnnotation]] = relationship(
        order_by="(SessionAnnotation.at_seconds, SessionAnnotation.id)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class SessionAnnotation(Base):
    """A key point of a session at a timestamp, optionally tagged with one of the 12 behaviours."""

    __tablename__ = "mentoring_annotations"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("mentoring_sessions.id", ondelete="CASCADE"), index=True
    )
    at_seconds: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    behaviour: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CreditAccount(Base):
    """One row per user holding credits: the row every ledger write of that user locks."""

    __tablename__ = "credit_accounts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CreditEntry(Base):
    """One change of a user's credits. Never updated nor deleted: a mistake gets a reversal entry.

    `seq` numbers a user's entries 1, 2, 3 … and `balance_after` is the running sum up to this entry;
    (user_id, seq) is unique, so two writers that read the same state can never both append.
    """

    __tablename__ = "credit_entries"
    __table_args__ = (
        UniqueConstraint("user_id", "seq", name="uq_credit_entry_user_seq"),
        CheckConstraint("balance_after >= 0", name="ck_credit_entry_balance_not_negative"),
        CheckConstraint("amount <> 0", name="ck_credit_entry_amount_not_zero"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_key: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    user_id: Mapped[int] = mapped_column(ForeignKey("credit_accounts.user_id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20), index=True)  # award | redemption | reversal
    amount: Mapped[int] = mapped_column(Integer)
    balance_after: Mapped[int] = mapped_column(Integer)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("mentoring_sessions.id"), index=True)
    redemption_id: Mapped[int | None] = mapped_column(ForeignKey("credit_redemptions.id"), index=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("credit_entries.id"), unique=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)

    user: Mapped[User] = relationship(
        primaryjoin="CreditEntry.user_id == User.id", foreign_keys=[user_id], viewonly=True
    )
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    reverses: Mapped[CreditEntry | None] = relationship(remote_side=[id], foreign_keys=[reverses_id])


class CreditRedemption(Base):
    """A request to turn credits into leave hours or bonus yuan; the credits are debited at once."""

    __tablename__ = "credit_redemptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # leave | bonus
    credits: Mapped[int] = mapped_column(Integer)
    units: Mapped[float] = mapped_column(Float)  # hours of leave or yuan of bonus
    rate: Mapped[float] = mapped_column(Float)  # the rate in force when requested
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decision_comment: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class HrDelivery(Base):
    """The webhook delivery of one ledger entry to HR (created with the entry, in its transaction)."""

    __tablename__ = "hr_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("credit_entries.id"), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    payload: Mapped[str] = mapped_column(Text)  # the exact body, frozen so every attempt signs the same
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    round_attempts: Mapped[int] = mapped_column(Integer, default=0)  # since the last manual resend
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    entry: Mapped[CreditEntry] = relationship()
    attempt_log: Mapped[list[HrDeliveryAttempt]] = relationship(order_by="HrDeliveryAttempt.attempt_no")


class HrDeliveryAttempt(Base):
    """One HTTP attempt of a delivery: when, what came back, or why it failed."""

    __tablename__ = "hr_delivery_attempts"
    __table_args__ = (UniqueConstraint("delivery_id", "attempt_no", name="uq_hr_attempt_delivery_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("hr_deliveries.id"), index=True)
    attempt_no: Mapped[int] = mapped_column(Integer)
    job_id: Mapped[str | None] = mapped_column(String(120))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime] = mapped_column(DateTime)
    ok: Mapped[bool] = mapped_column(Boolean)
    http_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer)


# --- Append-only enforcement in the ORM (the database triggers are the second guard) -------------


class LedgerImmutableError(RuntimeError):
    """Raised on any attempt to update or delete a ledger entry."""


def _refuse_ledger_change(_mapper, _connection, target: CreditEntry) -> None:
    session = Session.object_session(target)
    if session is not None and target not in session.deleted and not session.is_modified(target):
        return  # flagged dirty without a changed column (e.g. a relationship touched): nothing to refuse
    raise LedgerImmutableError(
        f"credit entry {target.id} is append-only: add a reversal entry instead of changing it"
    )


def _refuse_bulk_ledger_change(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) == CreditEntry.__tablename__:
        raise LedgerImmutableError("credit_entries is append-only: add a reversal entry instead")


event.listen(CreditEntry, "before_update", _refuse_ledger_change)
event.listen(CreditEntry, "before_delete", _refuse_ledger_change)
event.listen(Session, "do_orm_execute", _refuse_bulk_ledger_change)
