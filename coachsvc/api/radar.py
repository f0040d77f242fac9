"""/api/v1/radar: a rep's radar beside the team mean, an axis' evidence, a call's scores, the heatmap."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from coachsvc import activities, coaching, radar
from coachsvc.api import SECURITY, ApiError, login_required_api
from coachsvc.api.schemas import ApiErrorSchema
from coachsvc.auth import can_see_user
from coachsvc.behaviours import BEHAVIOURS
from coachsvc.db import get_db
from coachsvc.db.models import Team, User

blp = Blueprint("radar", __name__, url_prefix="/api/v1/radar", description="能力雷达 Capability radar")


class WindowQuerySchema(Schema):
    window = fields.String(
        load_default=None,
        validate=validate.OneOf(["30", "90", "custom"]),
        metadata={"description": "30 or 90 days back from today, or custom (needs from and to)"},
    )
    date_from = fields.Date(data_key="from", load_default=None)
    date_to = fields.Date(data_key="to", load_default=None)


class HeatmapQuerySchema(WindowQuerySchema):
    team_id = fields.Integer(load_default=None)
    sort = fields.String(load_default="name", validate=validate.OneOf(radar.reports.SORT_KEYS))
    order = fields.String(load_default="asc", validate=validate.OneOf(["asc", "desc"]))


class SourceSchema(Schema):
    score = fields.Float(allow_none=True)
    n = fields.Integer()
    by_kind = fields.Dict(metadata={"description": "ratings: per rater kind mean/score/n, anonymous"})


class AxisSchema(Schema):
    id = fields.String()
    label = fields.String()
    score = fields.Float(allow_none=True)
    team_mean = fields.Float(allow_none=True)
    diff = fields.Float(allow_none=True)
    weak = fields.Boolean()
    confidence = fields.Float()
    confidence_label = fields.String()
    sources = fields.Dict(keys=fields.String(), values=fields.Nested(SourceSchema))


class RadarSchema(Schema):
    rep = fields.Dict()
    window = fields.Dict()
    team_size = fields.Integer()
    calls = fields.Integer()
    weakness_threshold = fields.Float()
    behaviours = fields.List(fields.Nested(AxisSchema))


class EvidenceSchema(Schema):
    rep = fields.Dict()
    behaviour = fields.Dict()
    window = fields.Dict()
    calls_total = fields.Integer()
    calls = fields.List(fields.Dict(), metadata={"description": "calls with the checks and quoted segments"})
    ratings = fields.Dict(metadata={"description": "per rater kind, anonymous; peers hidden below minimum"})
    drills = fields.List(fields.Dict())


class HeatmapSchema(Schema):
    window = fields.Dict()
    behaviours = fields.List(fields.Dict())
    teams = fields.List(fields.Dict())
    weakness_threshold = fields.Float()
    sort = fields.Dict()
    rows = fields.List(fields.Dict())


class CallScoresSchema(Schema):
    activity_id = fields.Integer()
    day = fields.String()
    behaviours = fields.List(fields.Dict())


class PushSchema(Schema):
    pushed = fields.List(fields.Dict())


def parse_window(args: dict) -> radar.Window:
    try:
        return radar.window_of(args.get("window"), args.get("date_from"), args.get("date_to"))
    except radar.WindowError as exc:
        raise ApiError(400, "invalid_window", str(exc)) from None


def visible_rep(rep_id: int) -> User:
    """The rep, when the caller may see them; else 404 (never confirm another rep exists)."""
    rep = get_db().get(User, rep_id)
    if rep is None or not can_see_user(current_user, rep):
        raise ApiError(404, "not_found", f"销售 {rep_id} 不存在")
    return rep


@blp.route("/reps/<int:rep_id>")
class RepRadar(MethodView):
    decorators = [login_required_api]

    @blp.arguments(WindowQuerySchema, location="query")
    @blp.response(200, RadarSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def get(self, args, rep_id: int):
        """A rep's radar: blended score per behaviour, sources and counts, confidence, team mean."""
        return radar.rep_radar(get_db(), visible_rep(rep_id), parse_window(args))


@blp.route("/reps/<int:rep_id>/behaviours/<behaviour>")
class AxisEvidence(MethodView):
    decorators = [login_required_api]

    @blp.arguments(WindowQuerySchema, location="query")
    @blp.response(200, EvidenceSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def get(self, args, rep_id: int, behaviour: str):
        """One axis opened: the calls and checks behind it, 360 ratings (anonymous), drill scores."""
        if behaviour not in BEHAVIOURS:
            raise ApiError(404, "unknown_behaviour", f"未知的能力项：{behaviour}")
        return radar.behaviour_evidence(get_db(), visible_rep(rep_id), behaviour, parse_window(args))


@blp.route("/calls/<int:activity_id>")
class CallScores(MethodView):
    decorators = [login_required_api]

    @blp.response(200, CallScoresSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def get(self, activity_id: int):
        """One analysed call's score per behaviour with every check and its quoted evidence."""
        record = activities.get_activity(get_db(), current_user, activity_id)
        scores = radar.call_scores(get_db(), activity_id) if record is not None else None
        if scores is None:
            raise ApiError(404, "not_found", f"记录 {activity_id} 没有能力评分")
        return scores


@blp.route("/heatmap")
class Heatmap(MethodView):
    decorators = [login_required_api]

    @blp.arguments(HeatmapQuerySchema, location="query")
    @blp.response(200, HeatmapSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def get(self, args):
        """Reps x behaviours coloured against the team mean; a trainer's team, any team for admins."""
        try:
            return radar.heatmap(
                get_db(), current_user, args["team_id"], parse_window(args), args["sort"], args["order"]
            )
        except radar.NotAllowed as exc:
            raise ApiError(403, "forbidden", str(exc)) from None


@blp.route("/teams/<int:team_id>/weakness-rule")
class WeaknessRule(MethodView):
    decorators = [login_required_api]

    @blp.response(200, PushSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def post(self, team_id: int):
        """Apply the weakness rule now: assign courses and offer 1:1 slots to the team's weak reps."""
        if get_db().get(Team, team_id) is None:
            raise ApiError(404, "not_found", f"团队 {team_id} 不存在")
        try:
            radar.reports.visible_teams(get_db(), current_user, team_id)
        except radar.NotAllowed as exc:
            raise ApiError(403, "forbidden", str(exc)) from None
        pushed = coaching.apply_weakness_rule(get_db(), team_id)
        get_db().commit()
        return {"pushed": pushed}
