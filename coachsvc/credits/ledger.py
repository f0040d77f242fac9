"""The append-only credit ledger: the per-user write lock, appending entries, balances, reversals
and scoped queries.

Every change of a user's credits is one `CreditEntry`, appended while holding that user's lock
(PostgreSQL: `SELECT … FOR UPDATE` on the user's `credit_accounts` row; SQLite: `BEGIN IMMEDIATE`,
the database-wide write lock), so the balance read before appending is the balance the entry is
appended to. The balance is the sum of the entries and never goes below zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from coachsvc.auth import can_see_user, visible_rep_ids
from coachsvc.credits import CreditError, InsufficientCredits
from coachsvc.db.credits import CreditAccount, CreditEntry, CreditRedemption, HrDelivery
from coachsvc.db.models import User, utcnow

KIND_LABELS = {"award": "带教奖励", "redemption": "兑换扣减", "reversal": "冲正"}


# --- Locking and appending ------------------------------------------------------------------------


def lock_account(session: Session, user_id: int) -> None:
    """Take `user_id`'s ledger write lock; it is held until the session's transaction ends.

    Call it first in a fresh transaction, before reading anything the write depends on.
    """
    conn = session.connection()
    dialect = conn.dialect.name
    if dialect == "sqlite":
        dbapi = conn.connection.dbapi_connection
        # pysqlite only opens a transaction before its first write; open it ourselves, as a writer,
        # so the balance read below cannot go stale before the entry is written.
        if not dbapi.in_transaction:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        insert = sqlite.insert
    elif dialect == "postgresql":
        insert = postgresql.insert
    else:  # pragma: no cover - the project supports these two databases
        raise RuntimeError(f"unsupported database for the credit ledger: {dialect}")
    table = CreditAccount.__table__
    session.execute(
        insert(table)
        .values(user_id=user_id, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["user_id"])
    )
    session.execute(select(table.c.user_id).where(table.c.user_id == user_id).with_for_update())


def append_entry(
    session: Session,
    *,
    user_id: int,
    kind: str,
    amount: int,
    actor_id: int | None,
    reason: str,
    session_id: int | None = None,
    redemption_id: int | None = None,
    reverses_id: int | None = None,
) -> CreditEntry:
    """Append one entry (and its HR delivery) under the lock taken by `lock_account`.

    Raises InsufficientCredits when the entry would take the balance below zero.
    """
    from coachsvc.credits import hr

    # The new entry goes on top of the last one: its seq + 1 and its running balance. Read together,
    # so a writer that skipped the lock would collide on (user_id, seq) instead of forking the chain.
    last = session.execute(
        select(CreditEntry.seq, CreditEntry.balance_after)
        .where(CreditEntry.user_id == user_id)
        .order_by(CreditEntry.seq.desc())
        .limit(1)
    ).first()
    last_seq, current = (last.seq, last.balance_after) if last else (0, 0)
    if current + amount < 0:
        raise InsufficientCredits(current, -amount)
    entry = CreditEntry(
        user_id=user_id,
        seq=last_seq + 1,
        kind=kind,
        amount=amount,
        balance_after=current + amount,
        session_id=session_id,
        redemption_id=redemption_id,
        reverses_id=reverses_id,
        actor_id=actor_id,
        reason=reason[:2000],
        created_at=utcnow(),
    )
    session.add(entry)
    session.flush()
    session.add(
        HrDelivery(
            entry_id=entry.id,
            idempotency_key=entry.entry_key,
            payload=hr.entry_payload(session, entry),
            status="pending",
            attempts=0,
            round_attempts=0,
        )
    )
    session.flush()
    return entry


def commit_and_export(session: Session, entries: Iterable[CreditEntry]) -> None:
    """Commit (releasing the lock), then queue the entries' HR webhook deliveries."""
    from coachsvc.credits import hr

    ids = [e.id for e in entries]
    session.commit()
    hr.enqueue_deliveries(ids)


# --- Reading --------------------------------------------------------------------------------------


def balance(session: Session, user_id: int) -> int:
    """The user's balance: the sum of their entries."""
    total = session.scalar(
        select(func.coalesce(func.sum(CreditEntry.amount), 0)).where(CreditEntry.user_id == user_id)
    )
    return int(total or 0)


def pending_redemption_credits(session: Session, user_id: int) -> int:
    """Credits already debited for redemptions still awaiting a decision."""
    total = session.scalar(
        select(func.coalesce(func.sum(CreditRedemption.credits), 0)).where(
            CreditRedemption.user_id == user_id, CreditRedemption.status == "pending"
        )
    )
    return int(total or 0)


@dataclass
class LedgerFilters:
    user_id: int | None = None
    kind: str | None = None
    start: dt.datetime | None = None  # UTC, inclusive
    end: dt.datetime | None = None  # UTC, exclusive


@dataclass
class LedgerPage:
    items: list[CreditEntry]
    total: int
    page: int
    per_page: int


def scoped_entries(viewer: User, filters: LedgerFilters) -> Select:
    """Entries `viewer` may see (own; a trainer's team; all for admins), filtered, oldest first."""
    query = select(CreditEntry)
    ids = visible_rep_ids(viewer)
    if ids is not None:
        query = query.where(CreditEntry.user_id.in_(ids))
    if filters.user_id is not None:
        query = query.where(CreditEntry.user_id == filters.user_id)
    if filters.kind:
        query = query.where(CreditEntry.kind == filters.kind)
    if filters.start is not None:
        query = query.where(CreditEntry.created_at >= filters.start)
    if filters.end is not None:
        query = query.where(CreditEntry.created_at < filters.end)
    return query.order_by(CreditEntry.created_at, CreditEntry.id)


def list_entries(
    session: Session, viewer: User, filters: LedgerFilters, page: int = 1, per_page: int = 50
) -> LedgerPage:
    query = scoped_entries(viewer, filters)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = session.scalars(
        query.order_by(None)
        .order_by(CreditEntry.created_at.desc(), CreditEntry.id.desc())
        .options(selectinload(CreditEntry.user), selectinload(CreditEntry.actor))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return LedgerPage(list(items), total, page, per_page)


def get_entry(session: Session, viewer: User, entry_id: int) -> CreditEntry | None:
    entry = session.get(CreditEntry, entry_id)
    if entry is None or not can_see_user(viewer, session.get(User, entry.user_id)):
        return None
    return entry


def reversed_ids(session: Session, entry_ids: Iterable[int]) -> set[int]:
    """Which of these entries already have a reversal."""
    ids = list(entry_ids)
    if not ids:
        return set()
    rows = session.scalars(select(CreditEntry.reverses_id).where(CreditEntry.reverses_id.in_(ids)))
    return set(rows)


# --- Reversal ---------------------------------------------------------------------------------------


def can_review(viewer: User, subject: User) -> bool:
    """A trainer of the subject's team, or an admin, and never the subject themself."""
    if viewer.id == subject.id:
        return False
    if viewer.role == "admin":
        return True
    return viewer.role == "trainer" and viewer.team_id is not None and viewer.team_id == subject.team_id


def reverse_entry(session: Session, actor: User, entry_id: int, reason: str) -> CreditEntry:
    """Cancel an award by appending an opposite entry (a redemption is undone by rejecting it)."""
    reason = (reason or "").strip()
    if not reason:
        raise CreditError(422, "reason_required", "请填写冲正原因 (a reason is required)")
    entry = get_entry(session, actor, entry_id)
    if entry is None:
        raise CreditError(404, "not_found", f"积分流水 {entry_id} 不存在")
    owner = session.get(User, entry.user_id)
    if not can_review(actor, owner):
        raise CreditError(403, "forbidden", "只有该团队的主管或管理员可以冲正 (trainer or admin only)")
    if entry.kind != "award":
        raise CreditError(
            409,
            "not_reversible",
            "只能冲正带教奖励；兑换请通过驳回申请退回积分 (only awards can be reversed)",
        )
    lock_account(session, entry.user_id)
    if entry_id in reversed_ids(session, [entry_id]):
        raise CreditError(409, "already_reversed", f"积分流水 {entry_id} 已经冲正过")
    reversal = append_entry(
        session,
        user_id=entry.user_id,
        kind="reversal",
        amount=-entry.amount,
        actor_id=actor.id,
        reason=f"冲正流水 #{entry.id}：{reason}",
        session_id=entry.session_id,
        reverses_id=entry.id,
    )
    commit_and_export(session, [reversal])
    return reversal
