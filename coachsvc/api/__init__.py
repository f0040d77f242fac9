"""The JSON API under /api/v1: one blueprint per resource, JSON errors everywhere."""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import Flask, jsonify, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from coachsvc.auth import authenticated_via_token
from coachsvc.extensions import api, csrf
from coachsvc.ingest import UploadError

SECURITY = [{"bearerAuth": []}, {"cookieAuth": []}]


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


def error_body(status: int, code: str, message: str, **extra: Any):
    return jsonify({"error": code, "message": message, "status": status, **extra}), status


def login_required_api(view):
    """Require a token or a session; a session (browser) must also carry the CSRF token."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            raise ApiError(401, "unauthorized", "需要登录或 API 令牌 (login or API token required)")
        if request.method not in ("GET", "HEAD", "OPTIONS") and not authenticated_via_token():
            csrf.protect()
        return view(*args, **kwargs)

    return wrapper


def register_api(app: Flask) -> None:
    from coachsvc.api import activities, credits, mentoring, tokens  # mentoring credits (issue 7)

    for module in (activities, tokens, mentoring, credits):
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp)

    from coachsvc.api import coaching, radar, ratings  # radar, 360 ratings, coaching (issue 5)

    for module in (radar, ratings, coaching):
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp)

    from coachsvc.api import clips, drills  # objection drills, top-performer clips (issue 6)

    for module in (drills, clips):
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp)

    app.register_error_handler(ApiError, lambda e: error_body(e.status, e.code, e.message, **e.extra))
    app.register_error_handler(UploadError, lambda e: error_body(e.status, e.code, e.message, **e.extra))
    app.register_error_handler(HTTPException, _http_error)


def _http_error(exc: HTTPException):
    if not request.path.startswith("/api/"):
        return exc
    code = (exc.name or "error").lower().replace(" ", "_")
    extra = {}
    data = getattr(exc, "data", None)
    if isinstance(data, dict) and data.get("messages"):
        extra["errors"] = data["messages"]
        code = "invalid_input"
    message = exc.description or exc.name
    if exc.code == 413:
        code, message = "file_too_large", "上传内容超过大小上限 (request body too large)"
    if code == "bad_request" and "CSRF" in (message or ""):
        code = "csrf_failed"
    return error_body(exc.code or 500, code, message, **extra)
