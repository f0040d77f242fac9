"""/api/v1/activities: upload a visit recording or chat transcript, read and list records."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from coachsvc import activities as service
from coachsvc import ingest
from coachsvc.api import SECURITY, ApiError, login_required_api
from coachsvc.api.schemas import (
    AcceptedSchema,
    ActivityPageSchema,
    ActivityQuerySchema,
    ActivitySchema,
    ApiErrorSchema,
    UploadFileSchema,
    UploadFormSchema,
)
from coachsvc.db import get_db

blp = Blueprint(
    "activities", __name__, url_prefix="/api/v1/activities", description="活动记录 Activity records"
)


@blp.route("")
class Activities(MethodView):
    decorators = [login_required_api]

    @blp.arguments(ActivityQuerySchema, location="query")
    @blp.response(200, ActivityPageSchema)
    @blp.doc(security=SECURITY)
    def get(self, args):
        """List the records the caller may see (own; a trainer's team; all for admins)."""
        page, per_page = args.pop("page"), args.pop("per_page")
        return service.list_activities(
            get_db(), current_user, service.ActivityFilters(**args), page, per_page
        )

    @blp.arguments(UploadFormSchema, location="form")
    @blp.arguments(UploadFileSchema, location="files")
    @blp.response(202, AcceptedSchema)
    @blp.alt_response(400, schema=ApiErrorSchema, description="empty file")
    @blp.alt_response(409, schema=ApiErrorSchema, description="the same file was uploaded before")
    @blp.alt_response(413, schema=ApiErrorSchema, description="over the size limit")
    @blp.alt_response(415, schema=ApiErrorSchema, description="not audio nor a transcript")
    @blp.alt_response(422, schema=ApiErrorSchema, description="corrupt audio, bad UTF-8, unknown format")
    @blp.doc(security=SECURITY)
    def post(self, form, files):
        """Upload a visit recording or chat transcript; it is processed in the background."""
        upload = files["file"]
        if not upload.filename:
            raise ApiError(400, "missing_file", "缺少上传文件 (no file in the request)")
        meta = ingest.UploadMeta(**form)
        record = ingest.submit_activity(get_db(), current_user, upload.filename, upload.stream, meta)
        url = url_for("activities.Activity", activity_id=record.id)
        return {"id": record.id, "status": record.status, "url": url}


@blp.route("/<int:activity_id>")
class Activity(MethodView):
    decorators = [login_required_api]

    @blp.response(200, ActivitySchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def get(self, activity_id: int):
        """One record: status, progress, transcript and analysis."""
        return _visible(activity_id)


@blp.route("/<int:activity_id>/retry")
class ActivityRetry(MethodView):
    decorators = [login_required_api]

    @blp.response(202, AcceptedSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def post(self, activity_id: int):
        """Process a failed record again."""
        record = _visible(activity_id)
        if record.status != "failed":
            raise ApiError(409, "not_failed", "只有失败的记录可以重试 (only failed records can be retried)")
        ingest.requeue(get_db(), record)
        return {"id": record.id, "status": record.status, "url": url_for(".Activity", activity_id=record.id)}


def _visible(activity_id: int):
    record = service.get_activity(get_db(), current_user, activity_id)
    if record is None:  # also when it exists but is not the caller's: never confirm it exists
        raise ApiError(404, "not_found", f"记录 {activity_id} 不存在")
    return record
