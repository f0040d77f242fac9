"""/api/v1/tokens: exchange a username and password for an API token."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from coachsvc.api import ApiError
from coachsvc.api.schemas import ApiErrorSchema, TokenRequestSchema, TokenSchema
from coachsvc.auth import authenticate, issue_token
from coachsvc.db import get_db
from coachsvc.extensions import limiter

blp = Blueprint("tokens", __name__, url_prefix="/api/v1/tokens", description="API 令牌 API tokens")


@blp.route("")
class Tokens(MethodView):
    decorators = [limiter.limit(lambda: _login_limit())]

    @blp.arguments(TokenRequestSchema)
    @blp.response(201, TokenSchema)
    @blp.alt_response(401, schema=ApiErrorSchema)
    def post(self, body):
        """Create an API token; it is shown once."""
        session = get_db()
        user = authenticate(session, body["username"], body["password"])
        if user is None:
            raise ApiError(401, "invalid_credentials", "用户名或密码错误")
        token = issue_token(session, user, body["name"])
        session.commit()
        return {"token": token, "user_id": user.id, "role": user.role}


def _login_limit() -> str:
    from flask import current_app

    return current_app.config["LOGIN_RATE_LIMIT"]
