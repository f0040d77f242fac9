"""Radar pages: a rep's radar beside the team mean, an axis' evidence, the team heatmap."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from coachsvc import coaching, radar
from coachsvc.auth import can_see_user
from coachsvc.behaviours import BEHAVIOUR_LABELS, BEHAVIOURS
from coachsvc.db import get_db
from coachsvc.db.models import Team, User
from coachsvc.radar.scores import confidence_label
from coachsvc.radar.svg import heat_colour, radar_geometry

bp = Blueprint("radar_pages", __name__, url_prefix="/radar")


@bp.app_template_global()
def heat_style(cell: dict) -> str:
    return f"background:{heat_colour(cell.get('diff'), cell.get('weak', False))}"


@bp.route("")
@login_required
def index():
    if current_user.role in ("trainer", "admin"):
        return redirect(url_for(".heatmap"))
    return redirect(url_for(".rep", rep_id=current_user.id))


def _window():
    """The window of the query string, or the default one with an error message."""
    try:
        start = request.args.get("from") or None
        end = request.args.get("to") or None
        return radar.window_of(
            request.args.get("window") or None,
            dt.date.fromisoformat(start) if start else None,
            dt.date.fromisoformat(end) if end else None,
        ), None
    except ValueError as exc:  # WindowError is a ValueError, and so is a malformed date
        return radar.window_of(), f"时间窗无效：{exc}"


def _visible_rep(rep_id: int) -> User:
    rep = get_db().get(User, rep_id)
    if rep is None or not can_see_user(current_user, rep):
        abort(404)
    return rep


@bp.route("/reps/<int:rep_id>")
@login_required
def rep(rep_id: int):
    rep = _visible_rep(rep_id)
    window, error = _window()
    data = radar.rep_radar(get_db(), rep, window)
    return render_template(
        "radar/rep.html",
        data=data,
        rep=rep,
        window=window,
        window_error=error,
        chart=radar_geometry(data["behaviours"]),
        coaching=coaching.coaching_for(get_db(), rep.id),
        labels=BEHAVIOUR_LABELS,
        confidence_label=confidence_label,
    )


@bp.route("/reps/<int:rep_id>/behaviours/<behaviour>")
@login_required
def evidence(rep_id: int, behaviour: str):
    if behaviour not in BEHAVIOURS:
        abort(404)
    rep = _visible_rep(rep_id)
    window, error = _window()
    data = radar.behaviour_evidence(get_db(), rep, behaviour, window)
    axis = next(a for a in radar.rep_radar(get_db(), rep, window)["behaviours"] if a["id"] == behaviour)
    return render_template(
        "radar/evidence.html", data=data, axis=axis, rep=rep, window=window, window_error=error
    )


@bp.route("/heatmap")
@login_required
def heatmap():
    if current_user.role not in ("trainer", "admin"):
        abort(403)
    window, error = _window()
    team_id = request.args.get("team_id", type=int)
    sort = request.args.get("sort") if request.args.get("sort") in radar.reports.SORT_KEYS else "name"
    order = "desc" if request.args.get("order") == "desc" else "asc"
    try:
        data = radar.heatmap(get_db(), current_user, team_id, window, sort, order)
    except radar.NotAllowed:
        abort(403)
    teams = get_db().query(Team).order_by(Team.name).all() if current_user.role == "admin" else []
    return render_template(
        "radar/heatmap.html", data=data, window=window, window_error=error, team_id=team_id, teams=teams
    )
