"""Coaching: the course library (tagged by behaviour), experts' 1:1 slots and their bookings, and the
pushes of the weakness rule (a course assigned, a slot offered, per weak behaviour).

Booking never overbooks: the seat is taken by one conditional UPDATE
(``booked = booked + 1 WHERE id = ? AND booked < capacity``), atomic on PostgreSQL and SQLite.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from coachsvc.behaviours import BEHAVIOUR_LABELS, BEHAVIOURS
from coachsvc.db.models import User, utcnow
from coachsvc.db.radar import (
    Course,
    CourseAssignment,
    CourseBehaviour,
    ExpertSlot,
    SlotBooking,
    SlotOffer,
)
from coachsvc.radar import settings
from coachsvc.radar.scores import weak_cells, window_of


class CoachingError(Exception):
    """A request the coaching rules refuse: HTTP status, stable code, Chinese message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


# --- Courses ---------------------------------------------------------------------------------------


@dataclass
class CourseInput:
    title: str
    behaviours: list[str]
    description: str = ""
    url: str | None = None
    duration_minutes: int | None = None
    active: bool = True


def list_courses(
    session: Session, behaviour: str | None = None, include_inactive: bool = False
) -> list[Course]:
    query = select(Course).options(selectinload(Course.tags)).order_by(Course.id)
    if behaviour:
        query = query.join(CourseBehaviour).where(CourseBehaviour.behaviour == behaviour)
    if not include_inactive:
        query = query.where(Course.active.is_(True))
    return list(session.scalars(query))


def create_course(session: Session, author: User, data: CourseInput) -> Course:
    course = Course(created_by=author.id)
    _apply_course(course, data)
    session.add(course)
    session.commit()
    return course


def update_course(session: Session, course: Course, data: CourseInput) -> Course:
    _apply_course(course, data)
    session.commit()
    return course


def delete_course(session: Session, course: Course) -> None:
    session.delete(course)
    session.commit()


def _apply_course(course: Course, data: CourseInput) -> None:
    unknown = [b for b in data.behaviours if b not in BEHAVIOURS]
    if unknown or not data.behaviours:
        raise CoachingError(422, "invalid_behaviours", f"课程必须标注能力项，未知的能力项：{unknown or '无'}")
    course.title, course.description, course.url = data.title, data.description, data.url
    course.duration_minutes, course.active = data.duration_minutes, data.active
    wanted = list(dict.fromkeys(data.behaviours))
    course.tags = [t for t in course.tags if t.behaviour in wanted] + [
        CourseBehaviour(behaviour=b) for b in wanted if b not in {t.behaviour for t in course.tags}
    ]


# --- Slots and bookings ------------------------------------------------------------------------------


def create_slot(
    session: Session,
    author: User,
    expert_id: int,
    starts_at: dt.datetime,
    capacity: int = 1,
    duration_minutes: int = 45,
    behaviour: str | None = None,
    location: str | None = None,
) -> ExpertSlot:
    expert = session.get(User, expert_id)
    if expert is None or not expert.active:
        raise CoachingError(422, "invalid_expert", f"找不到专家 {expert_id}")
    if behaviour is not None and behaviour not in BEHAVIOURS:
        raise CoachingError(422, "invalid_behaviour", f"未知的能力项：{behaviour}")
    if capacity < 1:
        raise CoachingError(422, "invalid_capacity", "名额至少为 1")
    slot = ExpertSlot(
        expert_id=expert.id,
        starts_at=starts_at,
        capacity=capacity,
        duration_minutes=duration_minutes,
        behaviour=behaviour,
        location=location,
        created_by=author.id,
    )
    session.add(slot)
    session.commit()
    return slot


def list_slots(
    session: Session, behaviour: str | None = None, upcoming_only: bool = True, with_room: bool = False
) -> list[ExpertSlot]:
    query = select(ExpertSlot).options(selectinload(ExpertSlot.expert)).order_by(ExpertSlot.starts_at)
    if upcoming_only:
        query = query.where(ExpertSlot.starts_at >= utcnow())
    if behaviour:
        query = query.where((ExpertSlot.behaviour == behaviour) | ExpertSlot.behaviour.is_(None))
    if with_room:
        query = query.where(ExpertSlot.booked < ExpertSlot.capacity)
    return list(session.scalars(query))


def book_slot(session: Session, slot_id: int, user: User) -> SlotBooking:
    """Take a seat in a slot for `user`, or raise: slot_full (409), already_booked (409), not_found.

    The seat is taken by a conditional UPDATE, so concurrent bookers never exceed the capacity;
    the booking row and the seat commit or roll back together.
    """
    slot = session.get(ExpertSlot, slot_id)
    if slot is None:
        raise CoachingError(404, "not_found", f"时段 {slot_id} 不存在")
    if slot.starts_at < utcnow():
        raise CoachingError(409, "slot_past", "该时段已经开始或结束")
    taken = session.execute(
        update(ExpertSlot)
        .where(ExpertSlot.id == slot_id, ExpertSlot.booked < ExpertSlot.capacity)
        .values(booked=ExpertSlot.booked + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        session.rollback()
        raise CoachingError(409, "slot_full", "该时段已约满")
    booking = SlotBooking(slot_id=slot_id, user_id=user.id, behaviour=slot.behaviour)
    session.add(booking)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise CoachingError(409, "already_booked", "你已经预约了这个时段") from None
    _close_offer(session, user.id, slot, booking)
    session.commit()
    session.refresh(slot)
    return booking


def cancel_booking(session: Session, booking: SlotBooking) -> None:
    session.execute(
        update(ExpertSlot)
        .where(ExpertSlot.id == booking.slot_id, ExpertSlot.booked > 0)
        .values(booked=ExpertSlot.booked - 1)
        .execution_options(synchronize_session=False)
    )
    offer = session.scalar(select(SlotOffer).where(SlotOffer.booking_id == booking.id))
    if offer is not None:
        offer.status, offer.booking_id = "offered", None
    session.delete(booking)
    session.commit()


def _close_offer(session: Session, user_id: int, slot: ExpertSlot, booking: SlotBooking) -> None:
    """A booking answers the offer of the slot it was offered in, else of the slot's behaviour."""
    offers = session.scalars(
        select(SlotOffer).where(SlotOffer.user_id == user_id, SlotOffer.status == "offered")
    ).all()
    match = next((o for o in offers if o.slot_id == slot.id), None) or next(
        (o for o in offers if slot.behaviour is None or o.behaviour == slot.behaviour), None
    )
    if match is not None:
        match.status, match.booking_id, match.slot_id = "booked", booking.id, slot.id


# --- Assignments, offers and the weakness rule --------------------------------------------------------


def assign_course(
    session: Session,
    user_id: int,
    course: Course,
    source: str,
    reason: str,
    by: User | None = None,
    behaviour: str | None = None,
) -> CourseAssignment | None:
    """Assign a course unless the rep already has it; None when it was already assigned."""
    existing = session.scalar(
        select(CourseAssignment).where(
            CourseAssignment.user_id == user_id, CourseAssignment.course_id == course.id
        )
    )
    if existing is not None:
        return None
    assignment = CourseAssignment(
        user_id=user_id,
        course_id=course.id,
        behaviour=behaviour or (course.behaviours[0] if course.behaviours else None),
        source=source,
        reason=reason,
        assigned_by=by.id if by else None,
    )
    try:
        with session.begin_nested():
            session.add(assignment)
    except IntegrityError:  # a concurrent push assigned it first
        return None
    return assignment


def offer_slot(session: Session, user_id: int, behaviour: str, reason: str) -> SlotOffer | None:
    """Offer the rep a 1:1 slot for the behaviour (the earliest with room), once per behaviour."""
    existing = session.scalar(
        select(SlotOffer).where(SlotOffer.user_id == user_id, SlotOffer.behaviour == behaviour)
    )
    if existing is not None:
        if existing.status == "offered" and existing.slot_id is None:
            existing.slot_id = _earliest_slot_id(session, behaviour)
        return None
    offer = SlotOffer(
        user_id=user_id, behaviour=behaviour, reason=reason, slot_id=_earliest_slot_id(session, behaviour)
    )
    try:
        with session.begin_nested():
            session.add(offer)
    except IntegrityError:
        return None
    return offer


def _earliest_slot_id(session: Session, behaviour: str) -> int | None:
    slots = list_slots(session, behaviour, upcoming_only=True, with_room=True)
    exact = [s for s in slots if s.behaviour == behaviour]
    chosen = (exact or slots or [None])[0]
    return chosen.id if chosen else None


def apply_weakness_rule(session: Session, team_id: int, today: dt.date | None = None) -> list[dict[str, Any]]:
    """For each weak cell of the team (WEAKNESS_WINDOW_DAYS back from today): assign the behaviour's
    courses and offer a 1:1 slot. Returns what was newly pushed. Does not commit."""
    days = settings.get("WEAKNESS_WINDOW_DAYS")
    window = window_of(
        start=(today or dt.date.today()) - dt.timedelta(days=days - 1), end=today or dt.date.today()
    )
    pushed = []
    courses_by_b = _courses_by_behaviour(session)
    for user, behaviour, cell in weak_cells(session, team_id, window):
        reason = (
            f"{BEHAVIOUR_LABELS[behaviour]} {cell['score']:.0f} 分，低于团队均值 {cell['team_mean']:.0f} 分"
            f" 超过 {settings.get('WEAKNESS_THRESHOLD'):.0%}（近 {days} 天）"
        )
        new_courses = [
            c.id
            for c in courses_by_b.get(behaviour, [])
            if assign_course(session, user.id, c, "rule", reason, behaviour=behaviour)
        ]
        offer = offer_slot(session, user.id, behaviour, reason)
        if new_courses or offer:
            pushed.append(
                {
                    "user_id": user.id,
                    "behaviour": behaviour,
                    "courses": new_courses,
                    "offer_id": offer.id if offer else None,
                    "reason": reason,
                }
            )
    session.flush()
    return pushed


def _courses_by_behaviour(session: Session) -> dict[str, list[Course]]:
    out: dict[str, list[Course]] = {}
    for course in list_courses(session):
        for b in course.behaviours:
            out.setdefault(b, []).append(course)
    return out


def coaching_for(session: Session, user_id: int) -> dict[str, Any]:
    """A rep's assigned courses, offered slots and bookings (what the rep and their trainer see)."""
    assignments = session.scalars(
        select(CourseAssignment)
        .where(CourseAssignment.user_id == user_id)
        .options(selectinload(CourseAssignment.course).selectinload(Course.tags))
        .order_by(CourseAssignment.created_at.desc(), CourseAssignment.id.desc())
    ).all()
    offers = session.scalars(
        select(SlotOffer)
        .where(SlotOffer.user_id == user_id)
        .options(selectinload(SlotOffer.slot).selectinload(ExpertSlot.expert))
        .order_by(SlotOffer.created_at.desc(), SlotOffer.id.desc())
    ).all()
    bookings = session.scalars(
        select(SlotBooking)
        .where(SlotBooking.user_id == user_id)
        .options(selectinload(SlotBooking.slot).selectinload(ExpertSlot.expert))
        .order_by(SlotBooking.created_at.desc())
    ).all()
    return {"assignments": list(assignments), "offers": list(offers), "bookings": list(bookings)}


def set_assignment_status(session: Session, assignment: CourseAssignment, status: str) -> None:
    if status not in ("assigned", "completed"):
        raise CoachingError(422, "invalid_status", f"未知状态：{status}")
    assignment.status = status
    assignment.completed_at = utcnow() if status == "completed" else None
    session.commit()


def booking_of(session: Session, booking_id: int) -> SlotBooking | None:
    return session.get(SlotBooking, booking_id)
