"""/api/v1/drills: scenarios, drill sessions, answers by text (scored at once) or voice (queued)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from coachsvc import drills as service
from coachsvc import mining
from coachsvc.api import SECURITY, ApiError, login_required_api
from coachsvc.api.clips import ClipSchema, present_clip
from coachsvc.api.schemas import ApiErrorSchema
from coachsvc.db import get_db
from coachsvc.db.drills import DrillSession, DrillTurn
from coachsvc.scenarios import BEHAVIOUR_LABELS, CATEGORY_LABELS, Scenario, scenario_set

blp = Blueprint("drills", __name__, url_prefix="/api/v1/drills", description="情景训练 Objection drills")


# --- schemas ------------------------------------------------------------------------------------


class KeyPointBriefSchema(Schema):
    id = fields.String()
    description = fields.String()


class ScenarioSchema(Schema):
    id = fields.String()
    title = fields.String()
    industry = fields.String()
    persona = fields.String()
    stage = fields.String()
    category = fields.String()
    category_label = fields.String()
    opening = fields.String()
    variants = fields.List(fields.String())
    course = fields.String()
    behaviours = fields.List(fields.String())
    behaviour_labels = fields.List(fields.String())
    key_points = fields.List(fields.Nested(KeyPointBriefSchema))


class ScenarioErrorSchema(Schema):
    file = fields.String()
    field = fields.String()
    problem = fields.String()


class ScenarioListSchema(Schema):
    items = fields.List(fields.Nested(ScenarioSchema))
    errors = fields.List(fields.Nested(ScenarioErrorSchema), metadata={"description": "trainers/admins"})


class StartSchema(Schema):
    scenario_id = fields.String(required=True, validate=validate.Length(min=1, max=80))


class AnswerSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=service.MAX_ANSWER_CHARS))


class VoiceSchema(Schema):
    audio = Upload(required=True, metadata={"description": "recorded answer (webm/ogg/wav/mp3/m4a ...)"})


class PointSchema(Schema):
    id = fields.String()
    description = fields.String()
    hit = fields.Boolean()
    similarity = fields.Float()
    threshold = fields.Float()
    evidence = fields.String()


class PitfallSchema(Schema):
    id = fields.String()
    label = fields.String()
    evidence = fields.String()


class TurnSchema(Schema):
    id = fields.Integer()
    idx = fields.Integer()
    customer_line = fields.String()
    mode = fields.String()
    status = fields.String(metadata={"description": "transcribing | scored | failed"})
    failure_reason = fields.String(allow_none=True)
    answer_text = fields.String(allow_none=True)
    score = fields.Float(allow_none=True)
    hits = fields.List(fields.Nested(PointSchema))
    missed = fields.List(fields.Nested(PointSchema))
    pitfalls = fields.List(fields.Nested(PitfallSchema))
    off_topic = fields.Boolean(allow_none=True)
    follow_up = fields.String(allow_none=True)
    session_score = fields.Float(allow_none=True)
    clips = fields.List(fields.Nested(ClipSchema))
    url = fields.String()


class SessionPointSchema(KeyPointBriefSchema):
    hit = fields.Boolean()


class SessionSchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    user_name = fields.String()
    scenario = fields.Nested(ScenarioSchema)
    category = fields.String()
    status = fields.String(metadata={"description": "active | finished"})
    score = fields.Float(allow_none=True)
    customer_line = fields.String()
    key_points = fields.List(fields.Nested(SessionPointSchema))
    turns = fields.List(fields.Nested(TurnSchema))
    started_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    url = fields.String()


class SessionBriefSchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    scenario_id = fields.String()
    category = fields.String()
    status = fields.String()
    score = fields.Float(allow_none=True)
    started_at = fields.DateTime()


class SessionQuerySchema(Schema):
    user_id = fields.Integer()


# --- endpoints ----------------------------------------------------------------------------------


@blp.route("/scenarios")
class Scenarios(MethodView):
    decorators = [login_required_api]

    @blp.response(200, ScenarioListSchema)
    @blp.doc(security=SECURITY)
    def get(self):
        """Every scenario that loaded; trainers and admins also see the files that were rejected."""
        scenarios = scenario_set()
        errors = []
        if current_user.role in ("trainer", "admin"):
            errors = [{"file": e.file, "field": e.field, "problem": e.problem} for e in scenarios.errors]
        return {"items": [present_scenario(s) for s in scenarios], "errors": errors}


@blp.route("/scenarios/<scenario_id>")
class ScenarioOne(MethodView):
    decorators = [login_required_api]

    @blp.response(200, ScenarioSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def get(self, scenario_id: str):
        """One scenario."""
        scenario = scenario_set().get(scenario_id)
        if scenario is None:
            raise ApiError(404, "unknown_scenario", f"情景 {scenario_id} 不存在")
        return present_scenario(scenario)


@blp.route("/sessions")
class Sessions(MethodView):
    decorators = [login_required_api]

    @blp.arguments(SessionQuerySchema, location="query")
    @blp.response(200, SessionBriefSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, args):
        """Recent drill sessions the caller may see (own; a trainer's team; all for admins)."""
        return service.list_sessions(get_db(), current_user, args.get("user_id"))

    @blp.arguments(StartSchema)
    @blp.response(201, SessionSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="unknown scenario")
    @blp.doc(security=SECURITY)
    def post(self, body):
        """Start a drill: the virtual customer says its opening line."""
        with drill_errors():
            drill = service.start_session(get_db(), current_user, body["scenario_id"])
        return present_session(drill)


@blp.route("/sessions/<int:drill_id>")
class SessionOne(MethodView):
    decorators = [login_required_api]

    @blp.response(200, SessionSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def get(self, drill_id: int):
        """A drill session with its turns, scores, missed points, follow-ups and clips."""
        return present_session(_visible(drill_id))


@blp.route("/sessions/<int:drill_id>/answers")
class Answers(MethodView):
    decorators = [login_required_api]

    @blp.arguments(AnswerSchema)
    @blp.response(200, TurnSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="finished, or a voice answer is pending")
    @blp.alt_response(422, schema=ApiErrorSchema, description="empty or too long")
    @blp.doc(security=SECURITY)
    def post(self, body, drill_id: int):
        """Answer the customer's current line by text; scored at once."""
        drill = _visible(drill_id)
        with drill_errors():
            turn = service.answer_text(get_db(), drill, current_user, body["text"])
        return present_turn(turn)


@blp.route("/sessions/<int:drill_id>/voice")
class VoiceAnswers(MethodView):
    decorators = [login_required_api]

    @blp.arguments(VoiceSchema, location="files")
    @blp.response(202, TurnSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="finished, or a voice answer is pending")
    @blp.alt_response(413, schema=ApiErrorSchema, description="over the size limit")
    @blp.alt_response(422, schema=ApiErrorSchema, description="not decodable audio, or too long")
    @blp.doc(security=SECURITY)
    def post(self, files, drill_id: int):
        """Answer by voice: the clip is transcribed by a worker (realtime queue), then scored."""
        drill = _visible(drill_id)
        upload = files["audio"]
        with drill_errors():
            turn = service.submit_voice(get_db(), drill, current_user, upload.filename or "", upload.stream)
        return present_turn(turn)


@blp.route("/sessions/<int:drill_id>/turns/<int:turn_id>")
class TurnOne(MethodView):
    decorators = [login_required_api]

    @blp.response(200, TurnSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def get(self, drill_id: int, turn_id: int):
        """One turn (poll a voice answer until it is scored or failed)."""
        drill = _visible(drill_id)
        turn = get_db().get(DrillTurn, turn_id)
        if turn is None or turn.session_id != drill.id:
            raise ApiError(404, "not_found", f"回合 {turn_id} 不存在")
        return present_turn(turn)


@blp.route("/sessions/<int:drill_id>/finish")
class Finish(MethodView):
    decorators = [login_required_api]

    @blp.response(200, SessionSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def post(self, drill_id: int):
        """End the drill now."""
        drill = _visible(drill_id)
        with drill_errors():
            service.finish_session(get_db(), drill, current_user)
        return present_session(drill)


# --- helpers ------------------------------------------------------------------------------------


@contextmanager
def drill_errors():
    try:
        yield
    except service.DrillError as exc:
        raise ApiError(exc.status, exc.code, exc.message) from exc


def _visible(drill_id: int) -> DrillSession:
    drill = service.get_session(get_db(), current_user, drill_id)
    if drill is None:  # also when it is someone else's: never confirm it exists
        raise ApiError(404, "not_found", f"练习 {drill_id} 不存在")
    return drill


def present_scenario(s: Scenario) -> dict[str, Any]:
    return {
        "id": s.id,
        "title": s.title,
        "industry": s.industry,
        "persona": s.persona,
        "stage": s.stage,
        "category": s.category,
        "category_label": CATEGORY_LABELS[s.category],
        "opening": s.opening,
        "variants": list(s.variants),
        "course": s.course,
        "behaviours": list(s.behaviours),
        "behaviour_labels": [BEHAVIOUR_LABELS[b] for b in s.behaviours],
        "key_points": [{"id": p.id, "description": p.description} for p in s.key_points],
    }


def present_session(drill: DrillSession) -> dict[str, Any]:
    scenario = scenario_set().get(drill.scenario_id)
    points = scenario.key_points if scenario else ()
    return {
        "id": drill.id,
        "user_id": drill.user_id,
        "user_name": drill.user.display_name,
        "scenario": present_scenario(scenario) if scenario else None,
        "category": drill.category,
        "status": drill.status,
        "score": drill.score,
        "customer_line": drill.customer_line,
        "key_points": [
            {"id": p.id, "description": p.description, "hit": p.id in drill.points_hit} for p in points
        ],
        "turns": [present_turn(t) for t in drill.turns],
        "started_at": drill.started_at,
        "finished_at": drill.finished_at,
        "url": url_for("drills.SessionOne", drill_id=drill.id),
    }


def present_turn(turn: DrillTurn) -> dict[str, Any]:
    result = turn.result or {}
    points = result.get("points", [])
    clips = mining.get_clips(get_db(), result.get("clip_ids", []))
    return {
        "id": turn.id,
        "idx": turn.idx,
        "customer_line": turn.customer_line,
        "mode": turn.mode,
        "status": turn.status,
        "failure_reason": turn.failure_reason,
        "answer_text": turn.answer_text,
        "score": turn.score,
        "hits": [p for p in points if p["hit"]],
        "missed": [p for p in points if not p["hit"]],
        "pitfalls": result.get("pitfalls", []),
        "off_topic": result.get("off_topic"),
        "follow_up": turn.follow_up,
        "session_score": result.get("session_score"),
        "clips": [present_clip(c) for c in clips],
        "url": url_for("drills.TurnOne", drill_id=turn.session_id, turn_id=turn.id),
    }
