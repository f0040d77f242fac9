"""HR sync: every ledger entry leaves exactly once, by a CSV export per period and by a signed webhook.

The webhook: each entry has one `HrDelivery` row, written with the entry. An RQ job (`deliver_entry`)
claims the row (a conditional UPDATE, so two jobs never send the same entry at once), POSTs the
frozen body signed with HMAC-SHA256 and an `Idempotency-Key` header (the entry's key, the same on
every attempt), records the attempt, and on failure schedules itself again with exponential
backoff (RQ's scheduled registry) until the receiver acknowledges with a 2xx or the attempts run
out. A delivered entry is never sent again. The one unavoidable window: a crash after the receiver
answered but before the answer is recorded; the entry is then sent again, with the same key.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import http.client
import io
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import current_app
from rq import get_current_job
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, selectinload

from coachsvc.credits import CreditError
from coachsvc.credits.settings import CreditSettings, credit_settings
from coachsvc.db import session_scope
from coachsvc.db.credits import CreditEntry, HrDelivery, HrDeliveryAttempt
from coachsvc.db.models import User, utcnow

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Coachsvc-Signature"
EVENT = "credit.entry"
#: A claimed delivery is taken over by another job only after the HTTP timeout plus this margin.
LEASE_MARGIN_SECONDS = 60


# --- The payload ----------------------------------------------------------------------------------


def entry_payload(session: Session, entry: CreditEntry) -> str:
    """The webhook body of an entry, as compact sorted JSON (frozen when the entry is written)."""
    user = session.get(User, entry.user_id)
    actor = session.get(User, entry.actor_id) if entry.actor_id else None
    body = {
        "event": EVENT,
        "idempotency_key": entry.entry_key,
        "entry": {
            "id": entry.id,
            "seq": entry.seq,
            "kind": entry.kind,
            "amount": entry.amount,
            "balance_after": entry.balance_after,
            "user": _person(user),
            "actor": _person(actor),
            "reason": entry.reason,
            "session_id": entry.session_id,
            "redemption_id": entry.redemption_id,
            "reverses_id": entry.reverses_id,
            "created_at": entry.created_at.isoformat() + "Z",
        },
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _person(user: User | None) -> dict | None:
    if user is None:
        return None
    team = user.team.name if user.team else None
    return {"id": user.id, "username": user.username, "display_name": user.display_name, "team": team}


def sign(secret: str, body: bytes) -> str:
    """The signature header value: `sha256=` and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# --- Queueing -------------------------------------------------------------------------------------


def enqueue_deliveries(entry_ids: list[int]) -> None:
    """Queue the first attempt of each entry's delivery (after the entries are committed).

    When the queue is down the deliveries stay pending; `enqueue_due_deliveries` (the `hr-sync`
    command, or the button on the export page) queues them later.
    """
    if not entry_ids or not credit_settings().webhook_configured:
        return
    from coachsvc.queue import enqueue

    for entry_id in entry_ids:
        try:
            enqueue(deliver_entry, entry_id, job_id=f"hr-entry-{entry_id}-1")
        except Exception:
            log.exception("HR delivery of entry %s not queued; it stays pending for hr-sync", entry_id)


def enqueue_due_deliveries(session: Session) -> int:
    """Queue every delivery that is due: pending and past its retry time, or stuck past its lease."""
    if not credit_settings().webhook_configured:
        return 0
    from coachsvc.queue import enqueue

    now = utcnow()
    rows = session.execute(
        select(HrDelivery.entry_id, HrDelivery.attempts).where(
            or_(
                and_(
                    HrDelivery.status == "pending",
                    or_(HrDelivery.next_attempt_at.is_(None), HrDelivery.next_attempt_at <= now),
                ),
                and_(HrDelivery.status == "sending", HrDelivery.lease_until < now),
            )
        )
    ).all()
    for entry_id, attempts in rows:
        enqueue(deliver_entry, entry_id, job_id=f"hr-entry-{entry_id}-{attempts + 1}")
    return len(rows)


def resend_failed(session: Session, actor: User) -> int:
    """Give every delivery that ran out of attempts a new round (admin only); returns how many."""
    if actor.role != "admin":
        raise CreditError(403, "forbidden", "只有管理员可以重新发送 (admin only)")
    result = session.execute(
        update(HrDelivery)
        .where(HrDelivery.status == "failed")
        .values(status="pending", round_attempts=0, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    enqueue_due_deliveries(session)
    return result.rowcount or 0


# --- The job --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    entry_id: int
    attempt_no: int
    round_attempts: int
    key: str
    body: bytes


@dataclass(frozen=True)
class PostResult:
    ok: bool
    http_status: int | None
    error: str | None
    started_at: dt.datetime
    duration_ms: int


def deliver_entry(entry_id: int) -> str:
    """RQ job: one attempt to deliver an entry to HR; schedules the next attempt when it fails.

    Returns "delivered", "retry", "failed" (out of attempts), "skipped" (already delivered, or
    another job holds it) or "not_configured".
    """
    settings = credit_settings()
    if not settings.webhook_configured:
        return "not_configured"
    claim = _claim(entry_id, settings)
    if claim is None:
        return "skipped"
    result = post(settings, claim.key, claim.body, claim.attempt_no)
    outcome, delay = _record(claim, result, settings)
    if outcome == "retry":
        _schedule_retry(entry_id, claim.attempt_no + 1, delay)
    return outcome


def backoff_seconds(settings: CreditSettings, round_attempt: int) -> float:
    """Exponential backoff after the n-th failed attempt of a round: base * 2**(n-1), capped."""
    return min(settings.webhook_backoff * 2 ** max(round_attempt - 1, 0), settings.webhook_backoff_max)


def _claim(entry_id: int, settings: CreditSettings) -> Claim | None:
    now = utcnow()
    lease = dt.timedelta(seconds=settings.webhook_timeout + LEASE_MARGIN_SECONDS)
    with session_scope() as session:
        claimed = session.execute(
            update(HrDelivery)
            .where(
                HrDelivery.entry_id == entry_id,
                or_(
                    HrDelivery.status == "pending",
                    and_(HrDelivery.status == "sending", HrDelivery.lease_until < now),
                ),
            )
            .values(
                status="sending",
                lease_until=now + lease,
                attempts=HrDelivery.attempts + 1,
                round_attempts=HrDelivery.round_attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            return None
        row = session.execute(
            select(
                HrDelivery.id,
                HrDelivery.attempts,
                HrDelivery.round_attempts,
                HrDelivery.idempotency_key,
                HrDelivery.payload,
            ).where(HrDelivery.entry_id == entry_id)
        ).one()
    return Claim(
        row.id, entry_id, row.attempts, row.round_attempts, row.idempotency_key, row.payload.encode()
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is a failed delivery, never followed
        return None


def post(settings: CreditSettings, key: str, body: bytes, attempt_no: int) -> PostResult:
    """POST a body to the HR webhook; network and HTTP failures come back as a failed result."""
    request = urllib.request.Request(
        settings.webhook_url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": key,
            SIGNATURE_HEADER: sign(settings.webhook_secret, body),
            "X-Coachsvc-Event": EVENT,
            "X-Coachsvc-Attempt": str(attempt_no),
            "User-Agent": "coachsvc-hr-sync/1",
        },
    )
    started, t0 = utcnow(), time.monotonic()
    status, error = None, None
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=settings.webhook_timeout) as resp:
            status = resp.status
            resp.read(65536)
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code}: {_snippet(exc)}"
    except (OSError, http.client.HTTPException, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    ok = error is None and status is not None and 200 <= status < 300
    if not ok and error is None:
        error = f"HTTP {status}"
    return PostResult(ok, status, error, started, int((time.monotonic() - t0) * 1000))


def _snippet(exc: urllib.error.HTTPError) -> str:
    try:
        return exc.read(300).decode("utf-8", "replace")
    except OSError:
        return exc.reason or ""


def _record(claim: Claim, result: PostResult, settings: CreditSettings) -> tuple[str, float]:
    """Write the attempt and the delivery's new state; returns the outcome and the retry delay."""
    job = get_current_job()
    now = utcnow()
    delay = 0.0
    with session_scope() as session:
        session.add(
            HrDeliveryAttempt(
                delivery_id=claim.delivery_id,
                attempt_no=claim.attempt_no,
                job_id=job.id if job else None,
                started_at=result.started_at,
                finished_at=now,
                ok=result.ok,
                http_status=result.http_status,
                error=result.error,
                duration_ms=result.duration_ms,
            )
        )
        values: dict = {"lease_until": None, "last_error": result.error}
        if result.ok:
            outcome = "delivered"
            values.update(status="delivered", delivered_at=now, next_attempt_at=None)
        elif claim.round_attempts >= settings.webhook_max_attempts:
            outcome = "failed"
            values.update(status="failed", next_attempt_at=None)
            log.error("HR delivery of entry %s gave up after %s attempts", claim.entry_id, claim.attempt_no)
        else:
            outcome, delay = "retry", backoff_seconds(settings, claim.round_attempts)
            values.update(status="pending", next_attempt_at=now + dt.timedelta(seconds=delay))
        session.execute(
            update(HrDelivery)
            .where(HrDelivery.id == claim.delivery_id, HrDelivery.attempts == claim.attempt_no)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    return outcome, delay


def _schedule_retry(entry_id: int, attempt_no: int, delay: float) -> None:
    from coachsvc.queue import BATCH, get_queue

    cfg = current_app.config
    get_queue(BATCH).enqueue_in(
        dt.timedelta(seconds=delay),
        deliver_entry,
        entry_id,
        job_id=f"hr-entry-{entry_id}-{attempt_no}",
        job_timeout=cfg["JOB_TIMEOUT_SECONDS"],
        result_ttl=24 * 3600,
        failure_ttl=7 * 24 * 3600,
    )


# --- Delivery status (pages, API) -------------------------------------------------------------------


def delivery_summary(session: Session) -> dict[str, int]:
    from sqlalchemy import func

    rows = session.execute(select(HrDelivery.status, func.count()).group_by(HrDelivery.status)).all()
    summary = {status: 0 for status in ("pending", "sending", "delivered", "failed")}
    summary.update({status: count for status, count in rows})
    return summary


def list_deliveries(session: Session, status: str | None = None, limit: int = 100) -> list[HrDelivery]:
    query = select(HrDelivery).options(selectinload(HrDelivery.attempt_log))
    if status:
        query = query.where(HrDelivery.status == status)
    return list(session.scalars(query.order_by(HrDelivery.id.desc()).limit(limit)))


# --- CSV export -----------------------------------------------------------------------------------

CSV_HEADER = (
    "流水号",
    "幂等键",
    "时间",
    "员工账号",
    "姓名",
    "团队",
    "类型",
    "积分变动",
    "变动后余额",
    "带教记录",
    "兑换申请",
    "冲正流水",
    "操作人",
    "原因",
)


@dataclass(frozen=True)
class Period:
    """Local calendar days [first, last] in the ledger's time zone."""

    first: dt.date
    last: dt.date

    @property
    def label(self) -> str:
        return f"{self.first:%Y%m%d}-{self.last:%Y%m%d}"

    def utc_bounds(self, tz: str) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) in naive UTC, as the rows are stored; adjacent periods never overlap."""
        zone = ZoneInfo(tz)
        start = dt.datetime.combine(self.first, dt.time(), zone)
        end = dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), zone)
        return _naive_utc(start), _naive_utc(end)


def _naive_utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def parse_period(month: str | None, date_from: dt.date | None, date_to: dt.date | None) -> Period:
    """A month (`2026-11`) or a range of days; with neither, the current month."""
    if month:
        try:
            first = dt.datetime.strptime(month, "%Y-%m").date()
        except ValueError:
            raise CreditError(422, "invalid_period", f"月份格式应为 YYYY-MM：{month}") from None
        following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return Period(first, following - dt.timedelta(days=1))
    if date_from or date_to:
        first = date_from or date_to
        last = date_to or date_from
        if first > last:
            raise CreditError(422, "invalid_period", "开始日期不能晚于结束日期")
        return Period(first, last)
    today = local_today()
    return parse_period(f"{today:%Y-%m}", None, None)


def local_today() -> dt.date:
    return dt.datetime.now(ZoneInfo(credit_settings().timezone)).date()


def local_time(value: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time in the ledger's time zone."""
    return value.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(credit_settings().timezone))


def export_csv(session: Session, viewer: User, period: Period, user_id: int | None = None) -> bytes:
    """The period's entries that `viewer` may see, as UTF-8 CSV with a BOM (Excel opens it right)."""
    from coachsvc.credits.ledger import KIND_LABELS, LedgerFilters, scoped_entries

    start, end = period.utc_bounds(credit_settings().timezone)
    query = scoped_entries(viewer, LedgerFilters(user_id=user_id, start=start, end=end))
    entries = session.scalars(
        query.options(selectinload(CreditEntry.user).selectinload(User.team), selectinload(CreditEntry.actor))
    ).all()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for e in entries:
        writer.writerow(
            [
                e.id,
                e.entry_key,
                local_time(e.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                _cell(e.user.username),
                _cell(e.user.display_name),
                _cell(e.user.team.name if e.user.team else ""),
                KIND_LABELS.get(e.kind, e.kind),
                e.amount,
                e.balance_after,
                e.session_id or "",
                e.redemption_id or "",
                e.reverses_id or "",
                _cell(e.actor.display_name if e.actor else ""),
                _cell(e.reason),
            ]
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _cell(text: str) -> str:
    """Neutralise spreadsheet formulas in free text (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
