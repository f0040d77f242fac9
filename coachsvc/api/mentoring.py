"""/api/v1/mentoring: log mentoring sessions (recording, annotations), submit them, review them."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path

from flask import send_file
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import ValidationError

from coachsvc.api import SECURITY, ApiError, error_body, login_required_api
from coachsvc.api.credit_schemas import (
    MentoringAnnotationSchema,
    MentoringMenteeSchema,
    MentoringRecordingSchema,
    MentoringRecordingUploadSchema,
    MentoringReviewCommentSchema,
    MentoringSessionFormSchema,
    MentoringSessionQuerySchema,
    MentoringSessionSchema,
    MentoringStandardConfigSchema,
)
from coachsvc.api.schemas import ApiErrorSchema
from coachsvc.credits import CreditError
from coachsvc.credits import sessions as service
from coachsvc.credits.settings import credit_settings
from coachsvc.db import get_db

blp = Blueprint(
    "mentoring", __name__, url_prefix="/api/v1/mentoring", description="带教记录 Mentoring sessions"
)
blp.register_error_handler(CreditError, lambda e: error_body(e.status, e.code, e.message, **e.extra))


@blp.route("/sessions")
class Sessions(MethodView):
    decorators = [login_required_api]

    @blp.arguments(MentoringSessionQuerySchema, location="query")
    @blp.response(200, MentoringSessionSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, args):
        """Sessions the caller may see: own (mentor or mentee); a trainer's team; all for admins."""
        return service.list_sessions(get_db(), current_user, **args)

    @blp.arguments(MentoringSessionFormSchema, location="form")
    @blp.arguments(MentoringRecordingUploadSchema, location="files")
    @blp.response(201, MentoringSessionSchema)
    @blp.alt_response(403, schema=ApiErrorSchema, description="the caller is not a mentor")
    @blp.alt_response(409, schema=ApiErrorSchema, description="the recording was logged before")
    @blp.alt_response(415, schema=ApiErrorSchema, description="not an audio file")
    @blp.alt_response(422, schema=ApiErrorSchema, description="corrupt audio, bad mentee or annotation")
    @blp.doc(security=SECURITY)
    def post(self, form, files):
        """Log a session (a draft): mentee, date, topic, optional recording and annotations."""
        annotations = _parse_annotations(form.pop("annotations"))
        upload = files.get("file")
        recording = service.Recording(upload.filename, upload.stream) if upload and upload.filename else None
        return service.create_session(
            get_db(), current_user, service.SessionInput(**form), recording, annotations
        )


@blp.route("/sessions/<int:session_id>")
class MentoringSessionView(MethodView):
    decorators = [login_required_api]

    @blp.response(200, MentoringSessionSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def get(self, session_id: int):
        """One session with its annotations and what it still lacks against the standard."""
        return _visible(session_id)


@blp.route("/sessions/<int:session_id>/recording")
class SessionRecording(MethodView):
    decorators = [login_required_api]

    @blp.response(200, description="the audio; supports HTTP Range requests (seeking)")
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def get(self, session_id: int):
        """Replay the session's recording."""
        ms = _visible(session_id)
        if not ms.recording_path or not Path(ms.recording_path).exists():
            raise ApiError(404, "no_recording", "该带教记录没有录音")
        mimetype = (
            mimetypes.guess_type(ms.recording_name or ms.recording_path)[0] or "application/octet-stream"
        )
        return send_file(ms.recording_path, mimetype=mimetype, conditional=True, max_age=3600)

    @blp.arguments(MentoringRecordingSchema, location="files")
    @blp.response(200, MentoringSessionSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    @blp.alt_response(422, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def put(self, files, session_id: int):
        """Add or replace the recording (draft or rejected sessions, by their mentor)."""
        ms = _visible(session_id)
        upload = files["file"]
        service.attach_recording(
            get_db(), current_user, ms, service.Recording(upload.filename, upload.stream)
        )
        return _visible(session_id)


@blp.route("/sessions/<int:session_id>/annotations")
class Annotations(MethodView):
    decorators = [login_required_api]

    @blp.arguments(MentoringAnnotationSchema)
    @blp.response(201, MentoringAnnotationSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    @blp.alt_response(422, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def post(self, body, session_id: int):
        """Add a key-point annotation at a timestamp."""
        return service.add_annotation(
            get_db(), current_user, _visible(session_id), service.AnnotationInput(**body)
        )


@blp.route("/sessions/<int:session_id>/annotations/<int:annotation_id>")
class Annotation(MethodView):
    decorators = [login_required_api]

    @blp.response(204)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def delete(self, session_id: int, annotation_id: int):
        """Remove an annotation (draft or rejected sessions)."""
        service.delete_annotation(get_db(), current_user, _visible(session_id), annotation_id)


@blp.route("/sessions/<int:session_id>/submit")
class SubmitSession(MethodView):
    decorators = [login_required_api]

    @blp.response(200, MentoringSessionSchema)
    @blp.alt_response(422, schema=ApiErrorSchema, description="standard_not_met: lists what is missing")
    @blp.doc(security=SECURITY)
    def post(self, session_id: int):
        """Send the session for the trainer's review (it must have what the standard asks)."""
        return service.submit(get_db(), current_user, _visible(session_id))


@blp.route("/sessions/<int:session_id>/approve")
class ApproveSession(MethodView):
    decorators = [login_required_api]

    @blp.arguments(MentoringReviewCommentSchema)
    @blp.response(200, MentoringSessionSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def post(self, body, session_id: int):
        """Approve (a trainer of the mentor's team or an admin): the session's credits are awarded."""
        return service.approve(get_db(), current_user, _visible(session_id), body.get("comment"))


@blp.route("/sessions/<int:session_id>/reject")
class RejectSession(MethodView):
    decorators = [login_required_api]

    @blp.arguments(MentoringReviewCommentSchema)
    @blp.response(200, MentoringSessionSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def post(self, body, session_id: int):
        """Reject with a reason the mentor sees; they may fix the session and submit it again."""
        return service.reject(get_db(), current_user, _visible(session_id), body.get("comment") or "")


@blp.route("/mentees")
class Mentees(MethodView):
    decorators = [login_required_api]

    @blp.response(200, MentoringMenteeSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self):
        """Who the caller may log a session with (same team, reps and new hires)."""
        return service.eligible_mentees(get_db(), current_user)


@blp.route("/standard")
class Standard(MethodView):
    decorators = [login_required_api]

    @blp.response(200, MentoringStandardConfigSchema)
    @blp.doc(security=SECURITY)
    def get(self):
        """The standard a session meets to earn credits, and the redemption rates."""
        return credit_settings()


def _visible(session_id: int):
    ms = service.get_session(get_db(), current_user, session_id)
    if ms is None:  # also when it exists but is not the caller's
        raise ApiError(404, "not_found", f"带教记录 {session_id} 不存在")
    return ms


def _parse_annotations(raw: str | None) -> list[service.AnnotationInput]:
    if not raw:
        return []
    try:
        items = MentoringAnnotationSchema(many=True).load(json.loads(raw))
    except (ValueError, ValidationError) as exc:
        detail = exc.messages if isinstance(exc, ValidationError) else str(exc)
        raise ApiError(422, "invalid_annotation", f"annotations 须为要点列表 JSON：{detail}") from None
    return [service.AnnotationInput(**item) for item in items]
