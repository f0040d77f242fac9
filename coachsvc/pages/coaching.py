"""Coaching pages: the course library (CRUD for trainers and admins), experts' slots, booking."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from coachsvc import coaching
from coachsvc.auth import can_see_user
from coachsvc.behaviours import BEHAVIOUR_LABELS, BEHAVIOURS
from coachsvc.db import get_db
from coachsvc.db.models import User
from coachsvc.db.radar import Course

bp = Blueprint("coaching_pages", __name__, url_prefix="/coaching")
MANAGERS = ("trainer", "admin")


def _require_manager() -> None:
    if current_user.role not in MANAGERS:
        abort(403)


@bp.route("")
@login_required
def index():
    session = get_db()
    manager = current_user.role in MANAGERS
    experts = (
        session.scalars(select(User).where(User.role.in_(MANAGERS), User.active.is_(True))).all()
        if manager
        else []
    )
    return render_template(
        "radar/coaching.html",
        courses=coaching.list_courses(session, include_inactive=manager),
        slots=coaching.list_slots(session),
        coaching=coaching.coaching_for(session, current_user.id),
        rep=current_user,
        manager=manager,
        experts=experts,
        behaviours=BEHAVIOURS,
        labels=BEHAVIOUR_LABELS,
    )


def _course_input() -> coaching.CourseInput:
    duration = request.form.get("duration_minutes", type=int)
    return coaching.CourseInput(
        title=request.form.get("title", "").strip()[:200],
        behaviours=request.form.getlist("behaviours"),
        description=request.form.get("description", "").strip(),
        url=request.form.get("url", "").strip()[:500] or None,
        duration_minutes=duration if duration and duration > 0 else None,
        active=request.form.get("active", "1") == "1",
    )


@bp.route("/courses", methods=["POST"])
@login_required
def create_course():
    _require_manager()
    data = _course_input()
    if not data.title:
        flash("请填写课程名称", "error")
        return redirect(url_for(".index"))
    try:
        coaching.create_course(get_db(), current_user, data)
        flash(f"已添加课程：{data.title}")
    except coaching.CoachingError as exc:
        flash(exc.message, "error")
    return redirect(url_for(".index"))


@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
@login_required
def edit_course(course_id: int):
    _require_manager()
    course = get_db().get(Course, course_id) or abort(404)
    if request.method == "POST":
        data = _course_input()
        try:
            if not data.title:
                raise coaching.CoachingError(422, "missing_title", "请填写课程名称")
            coaching.update_course(get_db(), course, data)
            flash("课程已更新")
            return redirect(url_for(".index"))
        except coaching.CoachingError as exc:
            get_db().rollback()
            flash(exc.message, "error")
    return render_template(
        "radar/course_form.html", course=course, behaviours=BEHAVIOURS, labels=BEHAVIOUR_LABELS
    )


@bp.route("/courses/<int:course_id>/delete", methods=["POST"])
@login_required
def delete_course(course_id: int):
    _require_manager()
    course = get_db().get(Course, course_id) or abort(404)
    coaching.delete_course(get_db(), course)
    flash("课程已删除")
    return redirect(url_for(".index"))


@bp.route("/slots", methods=["POST"])
@login_required
def create_slot():
    _require_manager()
    try:
        starts_at = dt.datetime.fromisoformat(request.form.get("starts_at", ""))
        coaching.create_slot(
            get_db(),
            current_user,
            expert_id=request.form.get("expert_id", type=int) or 0,
            starts_at=starts_at.replace(tzinfo=None),
            capacity=request.form.get("capacity", 1, type=int),
            duration_minutes=request.form.get("duration_minutes", 45, type=int),
            behaviour=request.form.get("behaviour") or None,
            location=request.form.get("location", "").strip()[:200] or None,
        )
        flash("已开放辅导时段")
    except ValueError:
        flash("开始时间格式不正确", "error")
    except coaching.CoachingError as exc:
        flash(exc.message, "error")
    return redirect(url_for(".index"))


@bp.route("/slots/<int:slot_id>/book", methods=["POST"])
@login_required
def book(slot_id: int):
    try:
        coaching.book_slot(get_db(), slot_id, current_user)
        flash("预约成功", "ok")
    except coaching.CoachingError as exc:
        flash(exc.message, "error")
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/bookings/<int:booking_id>/cancel", methods=["POST"])
@login_required
def cancel(booking_id: int):
    booking = coaching.booking_of(get_db(), booking_id)
    if booking is None or not can_see_user(current_user, get_db().get(User, booking.user_id)):
        abort(404)
    coaching.cancel_booking(get_db(), booking)
    flash("已取消预约")
    return redirect(_safe_next(request.form.get("next")))


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not urlsplit(target).netloc and not target.startswith("//"):
        return target
    return url_for(".index")
