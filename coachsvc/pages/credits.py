"""Mentoring-credit pages: my sessions and balance, logging a session, one session (replay,
annotations, the standard's checklist, review), the trainer's approval queue, and the ledger with
its filters and the HR export."""

from __future__ import annotations

import datetime as dt
import re
from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from coachsvc.behaviours import BEHAVIOUR_LABELS
from coachsvc.credits import CreditError, hr, ledger, redemptions
from coachsvc.credits import sessions as mentoring
from coachsvc.credits.settings import credit_settings
from coachsvc.db import get_db
from coachsvc.db.credits import ENTRY_KINDS
from coachsvc.db.models import User
from coachsvc.ingest import UploadError

bp = Blueprint("credit_pages", __name__, url_prefix="/credits")

_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,3}):(\d{1,2}(?:\.\d+)?)$")


def _handles_refusals(view):
    """A refused operation becomes a flashed message and a redirect back, never a stack trace."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except (CreditError, UploadError) as exc:
            get_db().rollback()
            flash(exc.message, "error")
            return redirect(_back())

    return wrapper


def _back() -> str:
    """Where to return after a form: `next` or the referring page, only if it is on this site."""
    target = request.form.get("next") or request.referrer or ""
    if target.startswith(request.host_url):
        target = "/" + target[len(request.host_url) :]
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for(".overview")


@bp.app_context_processor
def _labels():
    return {
        "SESSION_STATUS_LABELS": mentoring.STATUS_LABELS,
        "ENTRY_KIND_LABELS": ledger.KIND_LABELS,
        "REDEMPTION_KIND_LABELS": redemptions.KIND_LABELS,
        "REDEMPTION_STATUS_LABELS": redemptions.STATUS_LABELS,
        "BEHAVIOUR_LABELS": BEHAVIOUR_LABELS,
        "clock": _clock,
        "local_time": lambda value: hr.local_time(value).strftime("%Y-%m-%d %H:%M") if value else "—",
    }


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    total = int(seconds)
    return f"{total // 60}:{total % 60:02d}"


# --- My credits ---------------------------------------------------------------------------------


@bp.route("")
@login_required
def overview():
    db = get_db()
    settings = credit_settings()
    sessions = mentoring.list_sessions(db, current_user)
    return render_template(
        "credits/overview.html",
        settings=settings,
        balance=ledger.balance(db, current_user.id),
        held=ledger.pending_redemption_credits(db, current_user.id),
        sessions=sessions,
        checks={ms.id: mentoring.check_standard(ms, settings) for ms in sessions},
        my_redemptions=redemptions.list_redemptions(db, current_user, user_id=current_user.id),
        is_mentor=current_user.role in settings.mentor_roles,
        can_review=current_user.role in ("trainer", "admin"),
    )


@bp.route("/redemptions", methods=["POST"])
@login_required
@_handles_refusals
def request_redemption():
    credits = request.form.get("credits", type=int)
    if credits is None:
        raise CreditError(422, "invalid_credits", "请填写要兑换的积分（正整数）")
    r = redemptions.request_redemption(
        get_db(), current_user, request.form.get("kind", ""), credits, request.form.get("note")
    )
    flash(f"已提交兑换申请：{credits} 积分兑换{redemptions.describe(r)}，等待主管审批", "ok")
    return redirect(url_for(".overview"))


@bp.route("/redemptions/<int:redemption_id>/<action>", methods=["POST"])
@login_required
@_handles_refusals
def decide_redemption(redemption_id: int, action: str):
    db = get_db()
    r = redemptions.get_redemption(db, current_user, redemption_id)
    if r is None:
        abort(404)
    comment = request.form.get("comment")
    if action == "approve":
        redemptions.approve_redemption(db, current_user, r, comment)
        flash(f"已批准兑换申请 #{redemption_id}", "ok")
    elif action == "reject":
        redemptions.reject_redemption(db, current_user, r, comment or "")
        flash(f"已驳回兑换申请 #{redemption_id}，积分已退回", "ok")
    elif action == "cancel":
        redemptions.cancel_redemption(db, current_user, r)
        flash(f"已撤回兑换申请 #{redemption_id}，积分已退回", "ok")
    else:
        abort(404)
    return redirect(_back())


# --- Sessions -----------------------------------------------------------------------------------


@bp.route("/sessions/new", methods=["GET", "POST"])
@login_required
def new_session():
    settings = credit_settings()
    if current_user.role not in settings.mentor_roles:
        abort(403)
    db = get_db()
    if request.method == "POST":
        try:
            ms = _create_from_form(db)
        except (CreditError, UploadError) as exc:
            db.rollback()
            flash(exc.message, "error")
        else:
            flash("带教记录已保存", "ok")
            return redirect(url_for(".show_session", session_id=ms.id))
    return render_template(
        "credits/session_new.html",
        settings=settings,
        mentees=mentoring.eligible_mentees(db, current_user),
        form=request.form,
        today=hr.local_today(),
    ), (422 if request.method == "POST" else 200)


def _create_from_form(db) -> object:
    form = request.form
    mentee_id = form.get("mentee_id", type=int)
    if mentee_id is None:
        raise CreditError(422, "invalid_mentee", "请选择学员")
    try:
        day = dt.date.fromisoformat(form.get("session_date", ""))
    except ValueError:
        raise CreditError(422, "invalid_date", "请填写带教日期") from None
    upload = request.files.get("recording")
    recording = mentoring.Recording(upload.filename, upload.stream) if upload and upload.filename else None
    annotations = [
        mentoring.AnnotationInput(parse_clock(at), text, behaviour or None)
        for at, text, behaviour in zip(
            form.getlist("ann_time"), form.getlist("ann_text"), form.getlist("ann_behaviour"), strict=False
        )
        if text.strip()
    ]
    data = mentoring.SessionInput(mentee_id=mentee_id, session_date=day, topic=form.get("topic", ""))
    return mentoring.create_session(db, current_user, data, recording, annotations)


def parse_clock(value: str) -> float:
    """`1:05`, `0:01:05` or `65` (seconds) → 65.0."""
    value = (value or "").strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return float(value)
    match = _CLOCK.match(value)
    if not match:
        raise CreditError(422, "invalid_timestamp", f"时间点格式应为 分:秒（如 1:05）：{value or '空'}")
    hours, minutes, seconds = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)


@bp.route("/sessions/<int:session_id>")
@login_required
def show_session(session_id: int):
    db = get_db()
    ms = _visible_session(session_id)
    award = mentoring.award_entries(db, [ms.id]).get(ms.id)
    return render_template(
        "credits/session.html",
        ms=ms,
        check=mentoring.check_standard(ms),
        award=award,
        award_reversed=bool(award and ledger.reversed_ids(db, [award.id])),
        is_mentor=ms.mentor_id == current_user.id,
        editable=ms.mentor_id == current_user.id and ms.status in mentoring.EDITABLE,
        can_review=ms.status == "submitted" and ledger.can_review(current_user, ms.mentor),
    )


@bp.route("/sessions/<int:session_id>/recording", methods=["POST"])
@login_required
@_handles_refusals
def upload_recording(session_id: int):
    upload = request.files.get("recording")
    if not upload or not upload.filename:
        raise CreditError(422, "missing_file", "请选择录音文件")
    ms = _visible_session(session_id)
    mentoring.attach_recording(
        get_db(), current_user, ms, mentoring.Recording(upload.filename, upload.stream)
    )
    flash("录音已上传", "ok")
    return redirect(url_for(".show_session", session_id=session_id))


@bp.route("/sessions/<int:session_id>/annotations", methods=["POST"])
@login_required
@_handles_refusals
def add_annotation(session_id: int):
    ms = _visible_session(session_id)
    item = mentoring.AnnotationInput(
        parse_clock(request.form.get("at", "")),
        request.form.get("text", ""),
        request.form.get("behaviour") or None,
    )
    mentoring.add_annotation(get_db(), current_user, ms, item)
    return redirect(url_for(".show_session", session_id=session_id) + "#annotations")


@bp.route("/sessions/<int:session_id>/annotations/<int:annotation_id>/delete", methods=["POST"])
@login_required
@_handles_refusals
def delete_annotation(session_id: int, annotation_id: int):
    mentoring.delete_annotation(get_db(), current_user, _visible_session(session_id), annotation_id)
    return redirect(url_for(".show_session", session_id=session_id) + "#annotations")


@bp.route("/sessions/<int:session_id>/<action>", methods=["POST"])
@login_required
@_handles_refusals
def review_session(session_id: int, action: str):
    db = get_db()
    ms = _visible_session(session_id)
    comment = request.form.get("comment")
    if action == "submit":
        ms = mentoring.submit(db, current_user, ms)
        flash("已提交审核" if ms.status == "submitted" else "带教记录已达标，积分已到账", "ok")
    elif action == "approve":
        mentoring.approve(db, current_user, ms, comment)
        flash(f"已通过带教记录 #{session_id}，{ms.mentor.display_name} 获得积分", "ok")
    elif action == "reject":
        mentoring.reject(db, current_user, ms, comment or "")
        flash(f"已驳回带教记录 #{session_id}", "ok")
    else:
        abort(404)
    return redirect(_back())


def _visible_session(session_id: int):
    ms = mentoring.get_session(get_db(), current_user, session_id)
    if ms is None:
        abort(404)
    return ms


# --- Review queue ---------------------------------------------------------------------------------


@bp.route("/approvals")
@login_required
def approvals():
    if current_user.role not in ("trainer", "admin"):
        abort(403)
    db = get_db()
    queue = mentoring.review_queue(db, current_user)
    pending = redemptions.review_queue(db, current_user)
    return render_template(
        "credits/approvals.html",
        sessions=queue,
        checks={ms.id: mentoring.check_standard(ms) for ms in queue},
        redemptions=pending,
        balances={r.user_id: ledger.balance(db, r.user_id) for r in pending},
    )


# --- Ledger and export --------------------------------------------------------------------------


@bp.route("/ledger")
@login_required
def ledger_page():
    db = get_db()
    args = request.args
    user_id = args.get("user_id", type=int)
    kind = args.get("kind") if args.get("kind") in ENTRY_KINDS else None
    month = args.get("month") or None
    date_from, date_to = _date(args.get("date_from")), _date(args.get("date_to"))
    start = end = None
    try:
        if month or date_from or date_to:
            period = hr.parse_period(month, date_from, date_to)
            start, end = period.utc_bounds(credit_settings().timezone)
    except CreditError as exc:
        flash(exc.message, "error")
    page = max(args.get("page", 1, type=int), 1)
    result = ledger.list_entries(db, current_user, ledger.LedgerFilters(user_id, kind, start, end), page, 50)
    reviewer = current_user.role in ("trainer", "admin")
    return render_template(
        "credits/ledger.html",
        page=result,
        users=_visible_users(db),
        filters={
            "user_id": user_id,
            "kind": kind,
            "month": month,
            "date_from": date_from,
            "date_to": date_to,
        },
        reversed=ledger.reversed_ids(db, [e.id for e in result.items]),
        reviewer=reviewer,
        export_month=month or f"{hr.local_today():%Y-%m}",
        hr_summary=hr.delivery_summary(db) if current_user.role == "admin" else None,
        webhook_configured=credit_settings().webhook_configured,
    )


@bp.route("/entries/<int:entry_id>/reverse", methods=["POST"])
@login_required
@_handles_refusals
def reverse_entry(entry_id: int):
    ledger.reverse_entry(get_db(), current_user, entry_id, request.form.get("reason", ""))
    flash(f"已冲正流水 #{entry_id}", "ok")
    return redirect(_back())


@bp.route("/hr-sync", methods=["POST"])
@login_required
@_handles_refusals
def hr_sync():
    if current_user.role != "admin":
        abort(403)
    if request.form.get("what") == "failed":
        count = hr.resend_failed(get_db(), current_user)
    else:
        count = hr.enqueue_due_deliveries(get_db())
    flash(f"已加入发送队列：{count} 条", "ok")
    return redirect(url_for(".ledger_page"))


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _visible_users(db) -> list[User]:
    from coachsvc.auth import visible_rep_ids

    ids = visible_rep_ids(current_user)
    query = select(User).order_by(User.display_name)
    if ids is not None:
        query = query.where(User.id.in_(ids))
    return list(db.scalars(query))
