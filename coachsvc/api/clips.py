"""/api/v1/clips: top performers' answer clips (list, one, audio with HTTP Range), patterns, mining.

Any signed-in user may list and hear mined clips (hearing how the best reps answer is the point of
the drills), but only mined clips: the audio endpoint serves a recording only through a clip.
Audio answers HTTP Range requests (206, in parts of at most AUDIO_PART_BYTES) so players can seek;
a request without Range gets the whole file (`send_file(..., conditional=True)`).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from flask import Response, request, send_file, url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from coachsvc import mining
from coachsvc.api import SECURITY, ApiError, login_required_api
from coachsvc.api.schemas import ApiErrorSchema
from coachsvc.db import get_db
from coachsvc.db.drills import TopClip
from coachsvc.scenarios import CATEGORIES, CATEGORY_LABELS

blp = Blueprint("clips", __name__, url_prefix="/api/v1/clips", description="销冠话术 Top-performer answers")


class MoveSchema(Schema):
    id = fields.String()
    label = fields.String()


class ClipSchema(Schema):
    id = fields.Integer()
    category = fields.String()
    category_label = fields.String()
    rep_name = fields.String()
    objection_text = fields.String()
    answer_text = fields.String()
    start = fields.Float(allow_none=True)
    end = fields.Float(allow_none=True)
    has_audio = fields.Boolean()
    audio_url = fields.String(allow_none=True, metadata={"description": "serves Range requests"})
    media_url = fields.String(allow_none=True, metadata={"description": "audio_url#t=start,end"})
    moves = fields.List(fields.Nested(MoveSchema))


class ClipQuerySchema(Schema):
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    audio_only = fields.Boolean(load_default=False)


class PatternSchema(Schema):
    category = fields.String()
    category_label = fields.String()
    total = fields.Integer()
    first_moves = fields.List(fields.Dict())
    top_order = fields.Dict(allow_none=True)
    sentences = fields.List(fields.String())


class MineAcceptedSchema(Schema):
    job_id = fields.String()
    status = fields.String()


class MineSchema(Schema):
    top_n = fields.Integer(load_default=None, validate=validate.Range(min=1, max=100))
    by = fields.String(load_default=None, validate=validate.OneOf(mining.TOP_BY_CHOICES))


@blp.route("")
class Clips(MethodView):
    decorators = [login_required_api]

    @blp.arguments(ClipQuerySchema, location="query")
    @blp.response(200, ClipSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, args):
        """Mined clips, by objection category."""
        return [
            present_clip(c) for c in mining.list_clips(get_db(), args.get("category"), args["audio_only"])
        ]


@blp.route("/<int:clip_id>")
class ClipOne(MethodView):
    decorators = [login_required_api]

    @blp.response(200, ClipSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def get(self, clip_id: int):
        """One clip."""
        return present_clip(_clip(clip_id))


@blp.route("/<int:clip_id>/audio")
class ClipAudio(MethodView):
    decorators = [login_required_api]

    @blp.response(200, description="the recording the clip is cut from; seek to start/end")
    @blp.alt_response(206, description="partial content (Range)")
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def get(self, clip_id: int):
        """The clip's audio with HTTP Range support (play from `start` to `end`)."""
        clip = _clip(clip_id)
        path = mining.clip_audio_path(clip)
        if path is None:
            raise ApiError(404, "no_audio", f"片段 {clip_id} 没有可播放的录音")
        mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if request.range is not None:  # what players send: answered in bounded parts
            response = _range_response(path, mimetype)
        else:
            response = send_file(path, mimetype=mimetype, conditional=True, max_age=3600)
        response.headers["Cache-Control"] = "private, max-age=3600"
        return response


@blp.route("/patterns")
class Patterns(MethodView):
    decorators = [login_required_api]

    @blp.response(200, PatternSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self):
        """Per objection category: the first moves of successful answers and the commonest order."""
        return [present_pattern(p) for p in mining.pattern_stats(get_db())]


@blp.route("/mine")
class Mine(MethodView):
    decorators = [login_required_api]

    @blp.arguments(MineSchema)
    @blp.response(202, MineAcceptedSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def post(self, body):
        """Queue a mining run (trainers and admins): top N reps by win rate or revenue."""
        from coachsvc.queue import BATCH, enqueue

        if current_user.role not in ("trainer", "admin"):
            raise ApiError(403, "forbidden", "只有主管或管理员可以运行挖掘")
        if body["by"] is not None and body["top_n"] is None:
            body["top_n"] = mining.mining_setting("DRILL_TOP_N")
        job = enqueue(mining.run_mining, body["top_n"], body["by"], queue=BATCH, job_timeout=1800)
        return {"job_id": job.id, "status": job.get_status()}


#: Largest part of a recording one Range response carries. A player asking for "bytes=0-" gets
#: the first part and asks for the next (RFC 9110 lets a server send less than requested); the
#: part is read into memory, so no file stays open while the client reads (a client that drops the
#: connection cannot leave a file handle behind) and memory per request stays bounded.
AUDIO_PART_BYTES = 512 * 1024


def _range_response(path: Path, mimetype: str) -> Response:
    size = path.stat().st_size
    span = request.range.range_for_length(size) if request.range.units == "bytes" else None
    if span is None or len(request.range.ranges) != 1:
        response = Response(status=416)
        response.headers["Content-Range"] = f"bytes */{size}"
        return response
    start, stop = span[0], min(span[1], span[0] + AUDIO_PART_BYTES)
    with open(path, "rb") as fh:
        fh.seek(start)
        data = fh.read(stop - start)
    response = Response(data, status=206, mimetype=mimetype)
    response.headers["Content-Range"] = f"bytes {start}-{start + len(data) - 1}/{size}"
    response.headers["Accept-Ranges"] = "bytes"
    return response


def _clip(clip_id: int) -> TopClip:
    clip = mining.get_clip(get_db(), clip_id)
    if clip is None:
        raise ApiError(404, "not_found", f"片段 {clip_id} 不存在")
    return clip


def present_clip(clip: TopClip) -> dict[str, Any]:
    audio = url_for("clips.ClipAudio", clip_id=clip.id) if clip.has_audio else None
    fragment = f"#t={clip.start:.2f},{clip.end:.2f}" if audio and clip.start is not None else ""
    return {
        "id": clip.id,
        "category": clip.category,
        "category_label": CATEGORY_LABELS.get(clip.category, clip.category),
        "rep_name": clip.rep.display_name,
        "objection_text": clip.objection_text,
        "answer_text": clip.answer_text,
        "start": clip.start,
        "end": clip.end,
        "has_audio": clip.has_audio,
        "audio_url": audio,
        "media_url": audio + fragment if audio else None,
        "moves": [{"id": m, "label": mining.MOVE_LABELS.get(m, m)} for m in clip.moves or []],
    }


def present_pattern(p: mining.CategoryPattern) -> dict[str, Any]:
    return {
        "category": p.category,
        "category_label": CATEGORY_LABELS.get(p.category, p.category),
        "total": p.total,
        "first_moves": [
            {"move": m, "label": mining.MOVE_LABELS.get(m, "未识别"), "count": n, "share": round(s, 4)}
            for m, n, s in p.first_moves
        ],
        "top_order": (
            {
                "first": p.top_order[0],
                "then": p.top_order[1],
                "count": p.top_order[2],
                "share": round(p.top_order[3], 4),
            }
            if p.top_order
            else None
        ),
        "sentences": p.sentences,
    }
