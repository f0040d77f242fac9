"""Drill pages: the scenario list, a drill (type or record an answer), and the top performers'
library with its patterns. The drill page talks to /api/v1/drills for answers and results."""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from coachsvc import drills as service
from coachsvc import mining
from coachsvc.db import get_db
from coachsvc.scenarios import CATEGORIES, CATEGORY_LABELS, scenario_set

bp = Blueprint("drill_pages", __name__, url_prefix="/drills")


@bp.route("")
@login_required
def index():
    scenarios = scenario_set()
    groups = defaultdict(list)
    for s in scenarios:
        groups[s.category].append(s)
    recent = service.list_sessions(get_db(), current_user, current_user.id, limit=10)
    return render_template(
        "drills/list.html",
        groups=[(c, CATEGORY_LABELS[c], groups[c]) for c in CATEGORIES if groups[c]],
        recent=recent,
        titles={s.id: s.title for s in scenarios},
        errors=scenarios.errors if current_user.role in ("trainer", "admin") else [],
    )


@bp.route("/start/<scenario_id>", methods=["POST"])
@login_required
def start(scenario_id: str):
    try:
        drill = service.start_session(get_db(), current_user, scenario_id)
    except service.DrillError as exc:
        flash(exc.message, "error")
        return redirect(url_for(".index"))
    return redirect(url_for(".session", drill_id=drill.id))


@bp.route("/sessions/<int:drill_id>")
@login_required
def session(drill_id: int):
    drill = service.get_session(get_db(), current_user, drill_id)
    if drill is None:
        abort(404)
    scenario = scenario_set().get(drill.scenario_id)
    return render_template(
        "drills/session.html",
        drill=drill,
        scenario=scenario,
        category_label=CATEGORY_LABELS.get(drill.category, drill.category),
        can_answer=drill.user_id == current_user.id,
    )


@bp.route("/library")
@login_required
def library():
    category = request.args.get("category")
    category = category if category in CATEGORIES else None
    db = get_db()
    return render_template(
        "drills/library.html",
        clips=mining.list_clips(db, category),
        patterns=mining.pattern_stats(db),
        category=category,
        categories=[(c, CATEGORY_LABELS[c]) for c in CATEGORIES],
        CATEGORY_LABELS=CATEGORY_LABELS,
        move_labels=mining.MOVE_LABELS,
    )
