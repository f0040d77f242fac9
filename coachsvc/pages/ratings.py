"""360 rating pages: supervisors and peers rate a rep; reps and trainers create a customer's link;
the customer's form behind the link (no login)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from coachsvc import ratings
from coachsvc.behaviours import BEHAVIOUR_LABELS, BEHAVIOURS
from coachsvc.db import get_db
from coachsvc.db.models import User
from coachsvc.radar.scores import RATED_ROLES

bp = Blueprint("rating_pages", __name__)


def _rateable() -> list[User]:
    """Reps the current user may rate (supervisor: the team; peer: teammates; admin: all)."""
    query = select(User).where(User.role.in_(RATED_ROLES), User.active.is_(True), User.id != current_user.id)
    if current_user.role != "admin":
        if current_user.team_id is None:
            return []
        query = query.where(User.team_id == current_user.team_id)
    return list(get_db().scalars(query.order_by(User.display_name)))


def _linkable() -> list[User]:
    if current_user.role in RATED_ROLES:
        return [current_user]
    return _rateable()


def _scores_from_form() -> dict[str, int]:
    scores = {}
    for b in BEHAVIOURS:
        value = request.form.get(f"score_{b}", "")
        if value.isdigit():
            scores[b] = int(value)
    return scores


def _render(link_url: str | None = None):
    return render_template(
        "radar/ratings.html",
        rateable=_rateable() if current_user.role != "new_hire" or current_user.team_id else [],
        linkable=_linkable(),
        behaviours=BEHAVIOURS,
        labels=BEHAVIOUR_LABELS,
        scale=ratings.SCALE_LABELS,
        link_url=link_url,
    )


@bp.route("/ratings")
@login_required
def index():
    return _render()


@bp.route("/ratings", methods=["POST"])
@login_required
def rate():
    rep = get_db().get(User, request.form.get("rep_id", type=int) or 0)
    if rep is None:
        flash("请选择被评价的销售", "error")
        return redirect(url_for(".index"))
    try:
        ratings.rate(get_db(), current_user, rep, _scores_from_form(), request.form.get("comment") or None)
        flash(f"已提交对 {rep.display_name} 的评价（对方看不到评价人）", "ok")
    except ratings.RatingError as exc:
        flash(exc.message, "error")
    return redirect(url_for(".index"))


@bp.route("/ratings/links", methods=["POST"])
@login_required
def create_link():
    rep = get_db().get(User, request.form.get("rep_id", type=int) or 0)
    if rep is None:
        abort(404)
    try:
        _, token = ratings.create_link(get_db(), current_user, rep)
    except ratings.RatingError:
        abort(404)
    return _render(link_url=url_for(".customer_rating", token=token, _external=True))


@bp.route("/rate/<token>", methods=["GET", "POST"])
def customer_rating(token: str):
    """The customer's form: no login; the signed link works once and expires."""
    try:
        link = ratings.open_link(get_db(), token)
    except ratings.RatingError as exc:
        return render_template("radar/customer_done.html", error=exc.message), exc.status
    error = None
    if request.method == "POST":
        try:
            ratings.rate_as_customer(
                get_db(), token, _scores_from_form(), request.form.get("comment") or None
            )
            return render_template("radar/customer_done.html", error=None)
        except ratings.RatingError as exc:
            error = exc.message
    return render_template(
        "radar/customer_rate.html",
        rep_name=link.rep.display_name,
        behaviours=BEHAVIOURS,
        labels=BEHAVIOUR_LABELS,
        scale=ratings.SCALE_LABELS,
        error=error,
    )
