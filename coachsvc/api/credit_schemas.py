"""Marshmallow schemas of the mentoring and credits API (input validation and the OpenAPI document)."""

from __future__ import annotations

from flask import url_for
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from coachsvc.behaviours import BEHAVIOUR_LABELS
from coachsvc.credits.sessions import check_standard
from coachsvc.db.credits import ENTRY_KINDS, REDEMPTION_KINDS, REDEMPTION_STATUSES, SESSION_STATUSES

# --- Mentoring sessions ---------------------------------------------------------------------------


class MentoringAnnotationSchema(Schema):
    id = fields.Integer(dump_only=True)
    at_seconds = fields.Float(
        required=True, validate=validate.Range(min=0), metadata={"description": "seconds into the recording"}
    )
    text = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    behaviour = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(list(BEHAVIOUR_LABELS)),
        metadata={"description": "one of the 12 behaviour ids (optional)"},
    )


class MentoringSessionFormSchema(Schema):
    mentee_id = fields.Integer(required=True)
    session_date = fields.Date(required=True)
    topic = fields.String(required=True, validate=validate.Length(min=1, max=200))
    annotations = fields.String(
        load_default=None,
        metadata={
            "description": 'JSON list: [{"at_seconds": 12.5, "text": "...", "behaviour": "listening"}]'
        },
    )


class MentoringRecordingUploadSchema(Schema):
    file = Upload(load_default=None, metadata={"description": "the session's recording (audio)"})


class MentoringRecordingSchema(Schema):
    file = Upload(required=True, metadata={"description": "the session's recording (audio)"})


class MentoringSessionQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(SESSION_STATUSES))
    mentor_id = fields.Integer()


class MentoringReviewCommentSchema(Schema):
    comment = fields.String(load_default=None, validate=validate.Length(max=2000))


class MentoringStandardItemSchema(Schema):
    code = fields.String()
    label = fields.String()
    ok = fields.Boolean()
    detail = fields.String()


class MentoringStandardSchema(Schema):
    met = fields.Boolean()
    ready_to_submit = fields.Boolean()
    credits = fields.Integer(metadata={"description": "credits the session earns when the standard is met"})
    items = fields.List(fields.Nested(MentoringStandardItemSchema))
    missing = fields.List(fields.Nested(MentoringStandardItemSchema))


class MentoringSessionSchema(Schema):
    id = fields.Integer()
    mentor_id = fields.Integer()
    mentor_name = fields.Function(lambda s: s.mentor.display_name)
    mentee_id = fields.Integer()
    mentee_name = fields.Function(lambda s: s.mentee.display_name)
    session_date = fields.Date()
    topic = fields.String()
    status = fields.String()
    recording_name = fields.String(allow_none=True)
    recording_seconds = fields.Float(allow_none=True)
    recording_url = fields.Function(
        lambda s: url_for("mentoring.SessionRecording", session_id=s.id) if s.recording_path else None
    )
    annotations = fields.List(fields.Nested(MentoringAnnotationSchema))
    standard = fields.Function(lambda s: MentoringStandardSchema().dump(check_standard(s)))
    submitted_at = fields.DateTime(allow_none=True)
    reviewer_id = fields.Integer(allow_none=True)
    reviewed_at = fields.DateTime(allow_none=True)
    review_comment = fields.String(allow_none=True)
    created_at = fields.DateTime()


class MentoringMenteeSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.String()


class MentoringStandardConfigSchema(Schema):
    require_recording = fields.Boolean()
    min_annotations = fields.Integer()
    require_approval = fields.Boolean()
    credits_per_session = fields.Integer()
    leave_credits_per_hour = fields.Integer()
    bonus_yuan_per_credit = fields.Integer()


# --- Ledger, balance, redemptions, export ---------------------------------------------------------


class CreditBalanceQuerySchema(Schema):
    user_id = fields.Integer(metadata={"description": "default: the caller"})


class CreditBalanceSchema(Schema):
    user_id = fields.Integer()
    balance = fields.Integer()
    pending_redemption_credits = fields.Integer()
    leave_credits_per_hour = fields.Integer()
    bonus_yuan_per_credit = fields.Integer()


class CreditPeriodQuerySchema(Schema):
    month = fields.String(metadata={"description": "YYYY-MM (local calendar month)"})
    date_from = fields.Date()
    date_to = fields.Date(metadata={"description": "inclusive"})
    user_id = fields.Integer()


class CreditLedgerQuerySchema(CreditPeriodQuerySchema):
    kind = fields.String(validate=validate.OneOf(ENTRY_KINDS))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class CreditEntrySchema(Schema):
    id = fields.Integer()
    entry_key = fields.String(metadata={"description": "the HR idempotency key of this entry"})
    user_id = fields.Integer()
    user_name = fields.Function(lambda e: e.user.display_name)
    seq = fields.Integer()
    kind = fields.String()
    amount = fields.Integer()
    balance_after = fields.Integer()
    session_id = fields.Integer(allow_none=True)
    redemption_id = fields.Integer(allow_none=True)
    reverses_id = fields.Integer(allow_none=True)
    actor_id = fields.Integer(allow_none=True)
    reason = fields.String()
    created_at = fields.DateTime()


class CreditLedgerPageSchema(Schema):
    items = fields.List(fields.Nested(CreditEntrySchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class CreditReverseSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class CreditRedemptionRequestSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(REDEMPTION_KINDS))
    credits = fields.Integer(required=True, validate=validate.Range(min=1, max=100_000), strict=True)
    note = fields.String(load_default=None, validate=validate.Length(max=1000))


class CreditRedemptionQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(REDEMPTION_STATUSES))
    user_id = fields.Integer()


class CreditRedemptionSchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    user_name = fields.Function(lambda r: r.user.display_name)
    kind = fields.String()
    credits = fields.Integer()
    units = fields.Float(metadata={"description": "hours of leave or yuan of bonus"})
    rate = fields.Float()
    note = fields.String(allow_none=True)
    status = fields.String()
    requested_at = fields.DateTime()
    decided_by_id = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_comment = fields.String(allow_none=True)


class HrDeliveryAttemptSchema(Schema):
    attempt_no = fields.Integer()
    started_at = fields.DateTime()
    ok = fields.Boolean()
    http_status = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    duration_ms = fields.Integer()


class HrDeliverySchema(Schema):
    id = fields.Integer()
    entry_id = fields.Integer()
    idempotency_key = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    attempt_log = fields.List(fields.Nested(HrDeliveryAttemptSchema))


class HrDeliveryQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(("pending", "sending", "delivered", "failed")))


class HrDeliveryListSchema(Schema):
    configured = fields.Boolean()
    summary = fields.Dict(keys=fields.String(), values=fields.Integer())
    items = fields.List(fields.Nested(HrDeliverySchema))


class HrQueuedCountSchema(Schema):
    queued = fields.Integer()
