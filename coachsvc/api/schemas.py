"""Marshmallow schemas of the API: they validate input and generate the OpenAPI document."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from coachsvc.config import LANGUAGES, STAGES, STATUSES


class ApiErrorSchema(Schema):
    error = fields.String(required=True, metadata={"description": "stable error code"})
    message = fields.String(required=True)
    status = fields.Integer()


class UploadFileSchema(Schema):
    file = Upload(required=True, metadata={"description": "audio or chat transcript"})


class UploadFormSchema(Schema):
    customer = fields.String(validate=validate.Length(max=200), load_default=None)
    deal_id = fields.Integer(load_default=None)
    stage = fields.String(validate=validate.OneOf(STAGES), load_default=None)
    visit_date = fields.Date(load_default=None)
    language = fields.String(validate=validate.OneOf(LANGUAGES), load_default="zh")
    rep_speaker = fields.String(
        validate=validate.Length(max=80),
        load_default=None,
        metadata={"description": "who the rep is in a chat transcript (default 销售/Rep)"},
    )


class ActivityQuerySchema(Schema):
    rep_id = fields.Integer()
    customer_id = fields.Integer()
    customer = fields.String(metadata={"description": "customer name contains"})
    stage = fields.String(validate=validate.OneOf(STAGES))
    status = fields.String(validate=validate.OneOf(STATUSES))
    date_from = fields.Date()
    date_to = fields.Date()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class SegmentSchema(Schema):
    idx = fields.Integer()
    speaker = fields.String()
    party = fields.String(allow_none=True)
    start = fields.Float(allow_none=True)
    end = fields.Float(allow_none=True)
    line_no = fields.Integer(allow_none=True)
    text = fields.String()


class ObjectionSchema(Schema):
    category = fields.String()
    text = fields.String()
    speaker = fields.String(allow_none=True)
    start = fields.Float(allow_none=True)
    end = fields.Float(allow_none=True)
    handled = fields.Boolean()
    segment_idx = fields.Integer(allow_none=True)


class RoleSchema(Schema):
    person = fields.String()
    role = fields.String()
    evidence = fields.String()
    segment_idx = fields.Integer(allow_none=True)


class NextStepSchema(Schema):
    action = fields.String()
    owner = fields.String()
    due = fields.Date(allow_none=True)
    evidence = fields.String()
    segment_idx = fields.Integer(allow_none=True)


class ActivitySummarySchema(Schema):
    id = fields.Integer()
    rep_id = fields.Integer()
    rep_name = fields.Function(lambda r: r.rep.display_name)
    customer_id = fields.Integer(allow_none=True)
    customer = fields.Function(lambda r: r.customer.name if r.customer else None)
    deal_id = fields.Integer(allow_none=True)
    stage = fields.String(allow_none=True)
    visit_date = fields.Date()
    source = fields.String()
    language = fields.String()
    file_name = fields.String()
    duration_seconds = fields.Float(allow_none=True)
    status = fields.String()
    progress = fields.Float()
    failure_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()
    processed_at = fields.DateTime(allow_none=True)


class ActivitySchema(ActivitySummarySchema):
    segments = fields.List(fields.Nested(SegmentSchema))
    objections = fields.List(fields.Nested(ObjectionSchema))
    roles = fields.List(fields.Nested(RoleSchema))
    next_steps = fields.List(fields.Nested(NextStepSchema))
    coverage_gaps = fields.Raw(allow_none=True)
    signals = fields.Raw(allow_none=True)


class ActivityPageSchema(Schema):
    items = fields.List(fields.Nested(ActivitySummarySchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class AcceptedSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    url = fields.String()


class TokenRequestSchema(Schema):
    username = fields.String(required=True)
    password = fields.String(required=True, load_only=True)
    name = fields.String(load_default="api")


class TokenSchema(Schema):
    token = fields.String()
    user_id = fields.Integer()
    role = fields.String()
