"""/api/v1/ratings: 360 ratings by supervisors and peers, customers' one-use rating links, and the
customer's submission through a link (no login). Answers never name a rater to the rated rep."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from coachsvc import ratings
from coachsvc.api import SECURITY, ApiError, login_required_api
from coachsvc.api.schemas import ApiErrorSchema
from coachsvc.behaviours import BEHAVIOURS
from coachsvc.db import get_db
from coachsvc.db.models import User
from coachsvc.extensions import limiter

blp = Blueprint("ratings", __name__, url_prefix="/api/v1/ratings", description="360 评价 360 ratings")

Scores = fields.Dict(
    keys=fields.String(validate=validate.OneOf(BEHAVIOURS)),
    values=fields.Integer(strict=True, validate=validate.Range(min=1, max=5)),
    required=True,
    validate=validate.Length(min=1),
    metadata={"description": "behaviour id -> 1 (差) .. 5 (优秀)"},
)


class RatingInSchema(Schema):
    rep_id = fields.Integer(required=True)
    scores = Scores
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class CustomerRatingInSchema(Schema):
    scores = Scores
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class RatingOutSchema(Schema):
    id = fields.Integer()
    rep_id = fields.Integer()
    rater_kind = fields.String()
    day = fields.Date()


class LinkInSchema(Schema):
    rep_id = fields.Integer(required=True)
    customer_id = fields.Integer(load_default=None)


class LinkOutSchema(Schema):
    id = fields.Integer()
    rep_id = fields.Integer()
    token = fields.String()
    url = fields.String()
    expires_at = fields.DateTime()


def _service(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except ratings.RatingError as exc:
        raise ApiError(exc.status, exc.code, exc.message) from None


def _rep(rep_id: int) -> User:
    rep = get_db().get(User, rep_id)
    if rep is None:
        raise ApiError(404, "not_found", f"销售 {rep_id} 不存在")
    return rep


@blp.route("")
class Ratings(MethodView):
    decorators = [login_required_api]

    @blp.arguments(RatingInSchema)
    @blp.response(201, RatingOutSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def post(self, body):
        """Rate a rep as their supervisor (trainer of the team, admin) or as a teammate (peer)."""
        rep = _rep(body["rep_id"])
        return _service(ratings.rate, get_db(), current_user, rep, body["scores"], body["comment"])


@blp.route("/links")
class RatingLinks(MethodView):
    decorators = [login_required_api]

    @blp.arguments(LinkInSchema)
    @blp.response(201, LinkOutSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def post(self, body):
        """Create a signed, expiring, one-use link a customer opens to rate the rep (no login)."""
        link, token = _service(
            ratings.create_link, get_db(), current_user, _rep(body["rep_id"]), body["customer_id"]
        )
        url = url_for("rating_pages.customer_rating", token=token, _external=True)
        return {
            "id": link.id,
            "rep_id": link.rep_id,
            "token": token,
            "url": url,
            "expires_at": link.expires_at,
        }


@blp.route("/customer/<token>")
class CustomerRating(MethodView):
    decorators = [limiter.limit("30 per minute")]

    @blp.arguments(CustomerRatingInSchema)
    @blp.response(201, RatingOutSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="link_invalid")
    @blp.alt_response(409, schema=ApiErrorSchema, description="link_used")
    @blp.alt_response(410, schema=ApiErrorSchema, description="link_expired")
    def post(self, body, token: str):
        """A customer's rating through their link: no login, one use, expires."""
        return _service(ratings.rate_as_customer, get_db(), token, body["scores"], body["comment"])
