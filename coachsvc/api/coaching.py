"""/api/v1/courses, /slots, /bookings, /coaching: the course library, experts' 1:1 slots and bookings,
and each rep's pushed courses and offered slots."""

from __future__ import annotations

import datetime as dt

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from coachsvc import coaching
from coachsvc.api import SECURITY, ApiError, login_required_api
from coachsvc.api.schemas import ApiErrorSchema
from coachsvc.auth import can_see_user
from coachsvc.behaviours import BEHAVIOUR_LABELS, BEHAVIOURS
from coachsvc.db import get_db
from coachsvc.db.models import User
from coachsvc.db.radar import Course, CourseAssignment

blp = Blueprint(
    "coaching", __name__, url_prefix="/api/v1", description="课程与 1:1 辅导 Courses and coaching"
)

MANAGERS = ("trainer", "admin")
Behaviour = validate.OneOf(BEHAVIOURS)


class CourseInSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    behaviours = fields.List(
        fields.String(validate=Behaviour), required=True, validate=validate.Length(min=1)
    )
    description = fields.String(load_default="")
    url = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    duration_minutes = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))
    active = fields.Boolean(load_default=True)


class CourseSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    url = fields.String(allow_none=True)
    duration_minutes = fields.Integer(allow_none=True)
    active = fields.Boolean()
    behaviours = fields.List(fields.String())
    behaviour_labels = fields.Function(lambda c: [BEHAVIOUR_LABELS[b] for b in c.behaviours])


class CourseQuerySchema(Schema):
    behaviour = fields.String(load_default=None, validate=Behaviour)


class SlotInSchema(Schema):
    expert_id = fields.Integer(required=True)
    starts_at = fields.DateTime(required=True, metadata={"description": "UTC, ISO 8601"})
    duration_minutes = fields.Integer(load_default=45, validate=validate.Range(min=5, max=480))
    capacity = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100))
    behaviour = fields.String(load_default=None, allow_none=True, validate=Behaviour)
    location = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class SlotSchema(Schema):
    id = fields.Integer()
    expert_id = fields.Integer()
    expert_name = fields.Function(lambda s: s.expert.display_name)
    starts_at = fields.DateTime()
    duration_minutes = fields.Integer()
    capacity = fields.Integer()
    booked = fields.Integer()
    remaining = fields.Function(lambda s: s.capacity - s.booked)
    behaviour = fields.String(allow_none=True)
    location = fields.String(allow_none=True)


class SlotQuerySchema(Schema):
    behaviour = fields.String(load_default=None, validate=Behaviour)
    with_room = fields.Boolean(load_default=False)


class BookInSchema(Schema):
    user_id = fields.Integer(load_default=None, metadata={"description": "trainers may book for a rep"})


class BookingSchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    behaviour = fields.String(allow_none=True)
    created_at = fields.DateTime()
    slot = fields.Nested(SlotSchema)


class AssignmentSchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    behaviour = fields.String(allow_none=True)
    source = fields.String()
    reason = fields.String()
    status = fields.String()
    created_at = fields.DateTime()
    course = fields.Nested(CourseSchema)


class AssignInSchema(Schema):
    course_id = fields.Integer(required=True)
    reason = fields.String(load_default="")


class AssignmentPatchSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["assigned", "completed"]))


class OfferSchema(Schema):
    id = fields.Integer()
    behaviour = fields.String()
    status = fields.String()
    reason = fields.String()
    created_at = fields.DateTime()
    booking_id = fields.Integer(allow_none=True)
    slot = fields.Nested(SlotSchema, allow_none=True)


class CoachingSchema(Schema):
    assignments = fields.List(fields.Nested(AssignmentSchema))
    offers = fields.List(fields.Nested(OfferSchema))
    bookings = fields.List(fields.Nested(BookingSchema))


def _require_manager() -> None:
    if current_user.role not in MANAGERS:
        raise ApiError(403, "forbidden", "只有主管/培训师和管理员可以执行此操作")


def _service(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except coaching.CoachingError as exc:
        raise ApiError(exc.status, exc.code, exc.message) from None


def _course(course_id: int) -> Course:
    course = get_db().get(Course, course_id)
    if course is None:
        raise ApiError(404, "not_found", f"课程 {course_id} 不存在")
    return course


def _visible_user(user_id: int) -> User:
    user = get_db().get(User, user_id)
    if user is None or not can_see_user(current_user, user):
        raise ApiError(404, "not_found", f"用户 {user_id} 不存在")
    return user


@blp.route("/courses")
class Courses(MethodView):
    decorators = [login_required_api]

    @blp.arguments(CourseQuerySchema, location="query")
    @blp.response(200, CourseSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, args):
        """The course library (active courses), optionally those training one behaviour."""
        return coaching.list_courses(get_db(), args["behaviour"])

    @blp.arguments(CourseInSchema)
    @blp.response(201, CourseSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def post(self, body):
        """Add a course, tagged with the behaviours it trains (trainers and admins)."""
        _require_manager()
        return _service(coaching.create_course, get_db(), current_user, coaching.CourseInput(**body))


@blp.route("/courses/<int:course_id>")
class CourseItem(MethodView):
    decorators = [login_required_api]

    @blp.response(200, CourseSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def get(self, course_id: int):
        """One course."""
        return _course(course_id)

    @blp.arguments(CourseInSchema)
    @blp.response(200, CourseSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def put(self, body, course_id: int):
        """Replace a course's fields and tags (trainers and admins)."""
        _require_manager()
        return _service(coaching.update_course, get_db(), _course(course_id), coaching.CourseInput(**body))

    @blp.response(204)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def delete(self, course_id: int):
        """Delete a course and its assignments (trainers and admins)."""
        _require_manager()
        coaching.delete_course(get_db(), _course(course_id))


@blp.route("/slots")
class Slots(MethodView):
    decorators = [login_required_api]

    @blp.arguments(SlotQuerySchema, location="query")
    @blp.response(200, SlotSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, args):
        """Upcoming 1:1 expert slots, optionally for one behaviour or only those with room."""
        return coaching.list_slots(get_db(), args["behaviour"], with_room=args["with_room"])

    @blp.arguments(SlotInSchema)
    @blp.response(201, SlotSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def post(self, body):
        """Open a slot: expert, start time, duration, capacity (trainers and admins)."""
        _require_manager()
        starts_at = body.pop("starts_at")
        if starts_at.tzinfo is not None:
            starts_at = starts_at.astimezone(dt.UTC).replace(tzinfo=None)
        return _service(coaching.create_slot, get_db(), current_user, starts_at=starts_at, **body)


@blp.route("/slots/<int:slot_id>/bookings")
class SlotBookings(MethodView):
    decorators = [login_required_api]

    @blp.arguments(BookInSchema)
    @blp.response(201, BookingSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="slot_full, already_booked, slot_past")
    @blp.doc(security=SECURITY)
    def post(self, body, slot_id: int):
        """Book a seat (for yourself; a trainer may book for a rep of the team). Never overbooks."""
        user = current_user
        if body["user_id"] is not None and body["user_id"] != current_user.id:
            _require_manager()
            user = _visible_user(body["user_id"])
        return _service(coaching.book_slot, get_db(), slot_id, user)


@blp.route("/bookings/<int:booking_id>")
class BookingItem(MethodView):
    decorators = [login_required_api]

    @blp.response(204)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def delete(self, booking_id: int):
        """Cancel a booking (its owner, their trainer, an admin); the seat is freed."""
        booking = coaching.booking_of(get_db(), booking_id)
        owner = get_db().get(User, booking.user_id) if booking else None
        if booking is None or not can_see_user(current_user, owner):
            raise ApiError(404, "not_found", f"预约 {booking_id} 不存在")
        coaching.cancel_booking(get_db(), booking)


@blp.route("/coaching/users/<int:user_id>")
class UserCoaching(MethodView):
    decorators = [login_required_api]

    @blp.response(200, CoachingSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def get(self, user_id: int):
        """A rep's assigned courses, offered 1:1 slots and bookings."""
        return coaching.coaching_for(get_db(), _visible_user(user_id).id)


@blp.route("/coaching/users/<int:user_id>/assignments")
class UserAssignments(MethodView):
    decorators = [login_required_api]

    @blp.arguments(AssignInSchema)
    @blp.response(201, AssignmentSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def post(self, body, user_id: int):
        """Assign a course by hand (trainers for their team, admins)."""
        _require_manager()
        user = _visible_user(user_id)
        course = _course(body["course_id"])
        assignment = coaching.assign_course(
            get_db(), user.id, course, "manual", body["reason"], by=current_user
        )
        if assignment is None:
            raise ApiError(409, "already_assigned", "该课程已经分配给这位销售")
        get_db().commit()
        return assignment


@blp.route("/coaching/assignments/<int:assignment_id>")
class AssignmentItem(MethodView):
    decorators = [login_required_api]

    @blp.arguments(AssignmentPatchSchema)
    @blp.response(200, AssignmentSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def patch(self, body, assignment_id: int):
        """Mark an assigned course completed (or open again)."""
        assignment = get_db().get(CourseAssignment, assignment_id)
        if assignment is None or not can_see_user(current_user, get_db().get(User, assignment.user_id)):
            raise ApiError(404, "not_found", f"课程分配 {assignment_id} 不存在")
        _service(coaching.set_assignment_status, get_db(), assignment, body["status"])
        return assignment
