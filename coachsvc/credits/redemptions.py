"""Redemptions: a user turns credits into leave hours or bonus yuan at the configured rates.

The credits are debited when the request is made (so the balance can never be spent twice nor go
below zero); a trainer of the user's team or an admin approves it, or rejects it, which appends a
reversal that gives the credits back. The user may cancel a pending request the same way.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from coachsvc.auth import visible_rep_ids
from coachsvc.credits import CreditError
from coachsvc.credits.ledger import append_entry, can_review, commit_and_export, lock_account
from coachsvc.credits.settings import CreditSettings, credit_settings
from coachsvc.db.credits import REDEMPTION_KINDS, CreditEntry, CreditRedemption
from coachsvc.db.models import User, utcnow

KIND_LABELS = {"leave": "调休假", "bonus": "奖金"}
STATUS_LABELS = {"pending": "待审批", "approved": "已批准", "rejected": "已驳回", "cancelled": "已撤回"}
MAX_CREDITS_PER_REQUEST = 100_000


def quote(kind: str, credits: int, settings: CreditSettings | None = None) -> tuple[float, float]:
    """(units, rate) for redeeming `credits`: hours of leave or yuan of bonus."""
    settings = settings or credit_settings()
    if kind not in REDEMPTION_KINDS:
        raise CreditError(
            422, "invalid_kind", f"兑换类型应为 leave（调休）或 bonus（奖金）：{kind}", field="kind"
        )
    if not isinstance(credits, int) or credits <= 0 or credits > MAX_CREDITS_PER_REQUEST:
        raise CreditError(422, "invalid_credits", "兑换积分须为正整数", field="credits")
    if kind == "leave":
        per_hour = settings.leave_credits_per_hour
        if credits % per_hour:
            raise CreditError(
                422,
                "invalid_credits",
                f"调休按 {per_hour} 积分 = 1 小时兑换，积分须为 {per_hour} 的整数倍",
                field="credits",
            )
        return credits / per_hour, float(per_hour)
    return float(credits * settings.bonus_yuan_per_credit), float(settings.bonus_yuan_per_credit)


def describe(redemption: CreditRedemption) -> str:
    """`2 小时调休` or `50 元奖金`."""
    if redemption.kind == "leave":
        return f"{redemption.units:g} 小时调休"
    return f"{redemption.units:g} 元奖金"


def request_redemption(
    db: Session, user: User, kind: str, credits: int, note: str | None = None
) -> CreditRedemption:
    """Ask to redeem; the credits are debited at once (409 insufficient_credits when they are not there)."""
    units, rate = quote(kind, credits)
    db.rollback()  # the locked transaction starts fresh
    lock_account(db, user.id)
    redemption = CreditRedemption(
        user_id=user.id,
        kind=kind,
        credits=credits,
        units=units,
        rate=rate,
        note=(note or "").strip()[:1000] or None,
        status="pending",
        requested_at=utcnow(),
    )
    db.add(redemption)
    db.flush()
    try:
        entry = append_entry(
            db,
            user_id=user.id,
            kind="redemption",
            amount=-credits,
            actor_id=user.id,
            reason=f"兑换申请 #{redemption.id}：{describe(redemption)}",
            redemption_id=redemption.id,
        )
    except CreditError:
        db.rollback()
        raise
    commit_and_export(db, [entry])
    return redemption


def approve_redemption(
    db: Session, reviewer: User, redemption: CreditRedemption, comment: str | None = None
) -> CreditRedemption:
    """Approve: the credits stay debited (they were at the request); HR pays the leave or bonus."""
    _check_reviewer(db, reviewer, redemption)
    _move(db, redemption.id, "approved", reviewer, comment)
    db.commit()
    return _reload(db, redemption.id)


def reject_redemption(
    db: Session, reviewer: User, redemption: CreditRedemption, comment: str
) -> CreditRedemption:
    """Reject: a reversal entry gives the credits back."""
    _check_reviewer(db, reviewer, redemption)
    if not (comment or "").strip():
        raise CreditError(422, "comment_required", "请写明驳回原因")
    return _refund(db, redemption, "rejected", reviewer, comment, "驳回")


def cancel_redemption(db: Session, user: User, redemption: CreditRedemption) -> CreditRedemption:
    """The requester withdraws a pending request; the credits come back."""
    if redemption.user_id != user.id:
        raise CreditError(403, "forbidden", "只能撤回自己的兑换申请")
    return _refund(db, redemption, "cancelled", user, None, "撤回")


def _refund(
    db: Session, redemption: CreditRedemption, status: str, actor: User, comment: str | None, verb: str
) -> CreditRedemption:
    redemption_id, user_id = redemption.id, redemption.user_id
    db.rollback()
    lock_account(db, user_id)
    _move(db, redemption_id, status, actor, comment)
    debit = db.scalar(
        select(CreditEntry).where(
            CreditEntry.redemption_id == redemption_id, CreditEntry.kind == "redemption"
        )
    )
    entry = append_entry(
        db,
        user_id=user_id,
        kind="reversal",
        amount=-debit.amount,
        actor_id=actor.id,
        reason=f"兑换申请 #{redemption_id} 已{verb}，退回积分" + (f"：{comment.strip()}" if comment else ""),
        redemption_id=redemption_id,
        reverses_id=debit.id,
    )
    commit_and_export(db, [entry])
    return _reload(db, redemption_id)


def _move(db: Session, redemption_id: int, status: str, actor: User, comment: str | None) -> None:
    moved = db.execute(
        update(CreditRedemption)
        .where(CreditRedemption.id == redemption_id, CreditRedemption.status == "pending")
        .values(
            status=status,
            decided_by_id=actor.id,
            decided_at=utcnow(),
            decision_comment=(comment or "").strip()[:2000] or None,
        )
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        db.rollback()
        raise CreditError(409, "not_pending", "兑换申请已处理，不在待审批状态")


def _check_reviewer(db: Session, reviewer: User, redemption: CreditRedemption) -> None:
    if not can_review(reviewer, db.get(User, redemption.user_id)):
        raise CreditError(403, "forbidden", "只有申请人所在团队的主管或管理员可以审批兑换")


def _reload(db: Session, redemption_id: int) -> CreditRedemption:
    return db.scalar(
        select(CreditRedemption)
        .where(CreditRedemption.id == redemption_id)
        .options(selectinload(CreditRedemption.user), selectinload(CreditRedemption.decided_by))
        .execution_options(populate_existing=True)
    )


# --- Queries --------------------------------------------------------------------------------------


def get_redemption(db: Session, viewer: User, redemption_id: int) -> CreditRedemption | None:
    query = select(CreditRedemption).where(CreditRedemption.id == redemption_id)
    ids = visible_rep_ids(viewer)
    if ids is not None:
        query = query.where(CreditRedemption.user_id.in_(ids))
    return db.scalar(query)


def list_redemptions(
    db: Session, viewer: User, status: str | None = None, user_id: int | None = None, limit: int = 200
) -> list[CreditRedemption]:
    query = select(CreditRedemption).options(
        selectinload(CreditRedemption.user), selectinload(CreditRedemption.decided_by)
    )
    ids = visible_rep_ids(viewer)
    if ids is not None:
        query = query.where(CreditRedemption.user_id.in_(ids))
    if status:
        query = query.where(CreditRedemption.status == status)
    if user_id is not None:
        query = query.where(CreditRedemption.user_id == user_id)
    return list(
        db.scalars(
            query.order_by(CreditRedemption.requested_at.desc(), CreditRedemption.id.desc()).limit(limit)
        )
    )


def review_queue(db: Session, viewer: User) -> list[CreditRedemption]:
    """Pending requests `viewer` may decide (none for reps)."""
    if viewer.role not in ("trainer", "admin"):
        return []
    return [r for r in list_redemptions(db, viewer, status="pending") if can_review(viewer, r.user)]
