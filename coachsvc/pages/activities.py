"""Activity pages: my records, upload, one record with its transcript."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from coachsvc import activities as service
from coachsvc.config import STAGES
from coachsvc.db import get_db

bp = Blueprint("activity_pages", __name__, url_prefix="/activities")


@bp.route("")
@login_required
def list_activities():
    page = max(request.args.get("page", 1, type=int), 1)
    filters = service.ActivityFilters(
        customer=request.args.get("customer") or None,
        stage=request.args.get("stage") if request.args.get("stage") in STAGES else None,
    )
    result = service.list_activities(get_db(), current_user, filters, page=page, per_page=20)
    return render_template("activities.html", page=result, filters=filters, stages=STAGES)


@bp.route("/new")
@login_required
def upload():
    return render_template("upload.html", stages=STAGES)


@bp.route("/<int:activity_id>")
@login_required
def show(activity_id: int):
    record = service.get_activity(get_db(), current_user, activity_id)
    if record is None:
        abort(404)
    return render_template("activity.html", record=record)
