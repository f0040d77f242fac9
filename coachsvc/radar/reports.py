"""What the radar API and pages show: a rep's radar beside the team mean, one axis' evidence, and
the team heatmap. Callers check who may see which rep; the heatmap scopes teams by its viewer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coachsvc.behaviours import BEHAVIOUR_LABELS, BEHAVIOURS
from coachsvc.db.models import ActivityRecord, Customer, Team, User
from coachsvc.db.radar import DrillScore, RadarCallScore
from coachsvc.radar import settings
from coachsvc.radar.scores import (
    Window,
    blend,
    confidence_label,
    lean_grid,
    load_stats,
    rating_kinds,
    team_grid,
)

SORT_KEYS = ("name", "overall", *BEHAVIOURS)


class NotAllowed(Exception):
    """The viewer may not see what was asked (answered as 403 by the API)."""


def behaviours_meta() -> list[dict[str, str]]:
    return [{"id": b, "label": BEHAVIOUR_LABELS[b]} for b in BEHAVIOURS]


def rep_radar(session: Session, rep: User, window: Window) -> dict[str, Any]:
    """The rep's blended score per behaviour with sources, confidence, the team mean and weak flags."""
    grid = team_grid(session, [rep.team_id] if rep.team_id is not None else [], window)
    cells, stats = grid["cells"].get(rep.id), grid["stats"]
    if cells is None:  # not a rated member (no team, or not a rep): the rep alone, no team mean
        stats = load_stats(session, [rep.id], window)
        alone = {"team_mean": None, "diff": None, "rel": None, "weak": False}
        cells = {b: {**blend(stats, rep.id, b), **alone} for b in BEHAVIOURS}
    return {
        "rep": _user(rep),
        "window": window.as_dict(),
        "team_size": sum(1 for u in grid["members"] if u.team_id == rep.team_id),
        "calls": stats.call_counts.get(rep.id, 0),
        "weakness_threshold": settings.get("WEAKNESS_THRESHOLD"),
        "behaviours": [_axis(b, cells[b]) for b in BEHAVIOURS],
    }


def _axis(behaviour: str, cell: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": behaviour,
        "label": BEHAVIOUR_LABELS[behaviour],
        "score": cell["score"],
        "team_mean": cell["team_mean"],
        "diff": cell["diff"],
        "weak": cell["weak"],
        "confidence": cell["confidence"],
        "confidence_label": confidence_label(cell["confidence"]),
        "sources": cell["sources"],
    }


def behaviour_evidence(
    session: Session, rep: User, behaviour: str, window: Window, limit: int = 50
) -> dict[str, Any]:
    """One axis opened: the calls with that behaviour's checks and quotes, the 360 ratings by kind
    (anonymous, peers only from the minimum up) and the drill scores."""
    rows = session.execute(
        select(RadarCallScore, ActivityRecord.stage, ActivityRecord.file_name, Customer.name)
        .join(ActivityRecord, ActivityRecord.id == RadarCallScore.activity_id)
        .outerjoin(Customer, Customer.id == ActivityRecord.customer_id)
        .where(RadarCallScore.rep_id == rep.id, RadarCallScore.day.between(window.start, window.end))
        .order_by(RadarCallScore.day.desc(), RadarCallScore.activity_id.desc())
    ).all()
    calls = [
        {
            "activity_id": score.activity_id,
            "day": score.day.isoformat(),
            "stage": stage,
            "customer": customer,
            "file_name": file_name,
            "score": score.scores.get(behaviour),
            "checks": score.checks.get(behaviour, []),
        }
        for score, stage, file_name, customer in rows
        if score.scores.get(behaviour) is not None
    ]
    stats = load_stats(session, [rep.id], window)
    drills = session.scalars(
        select(DrillScore)
        .where(
            DrillScore.user_id == rep.id,
            DrillScore.behaviour == behaviour,
            DrillScore.day.between(window.start, window.end),
        )
        .order_by(DrillScore.occurred_at.desc())
        .limit(limit)
    ).all()
    return {
        "rep": _user(rep),
        "behaviour": {"id": behaviour, "label": BEHAVIOUR_LABELS[behaviour]},
        "window": window.as_dict(),
        "calls_total": len(calls),
        "calls": calls[:limit],
        "ratings": rating_kinds(stats.ratings.get((rep.id, behaviour), {})),
        "drills": [{"ref": d.ref, "score": d.score, "day": d.day.isoformat()} for d in drills],
    }


def call_scores(session: Session, activity_id: int) -> dict[str, Any] | None:
    row = session.get(RadarCallScore, activity_id)
    if row is None:
        return None
    return {
        "activity_id": row.activity_id,
        "day": row.day.isoformat(),
        "behaviours": [
            {
                "id": b,
                "label": BEHAVIOUR_LABELS[b],
                "score": row.scores.get(b),
                "checks": row.checks.get(b, []),
            }
            for b in BEHAVIOURS
        ],
    }


def visible_teams(session: Session, viewer: User, team_id: int | None) -> list[int] | None:
    """The teams the viewer's heatmap covers: a trainer their own, an admin any (None: all)."""
    if viewer.role == "admin":
        return [team_id] if team_id is not None else None
    if viewer.role == "trainer" and viewer.team_id is not None:
        if team_id is not None and team_id != viewer.team_id:
            raise NotAllowed("只能查看本团队的热力图")
        return [viewer.team_id]
    raise NotAllowed("只有主管/培训师和管理员可以查看热力图")


def heatmap(
    session: Session,
    viewer: User,
    team_id: int | None,
    window: Window,
    sort: str = "name",
    order: str = "asc",
) -> dict[str, Any]:
    """Reps x behaviours: per row, aligned with `behaviours`, the blended scores, their difference
    from the rep's team mean, the weak flags and the call counts; per team the means."""
    teams = visible_teams(session, viewer, team_id)
    grid = lean_grid(session, teams, window)
    names = {tid: name for tid, name in session.execute(select(Team.id, Team.name))}
    rows = [_heat_row(user, grid["rows"][user.id], names) for user in grid["members"]]
    rows.sort(key=_sort_key(sort), reverse=order == "desc")
    team_ids = sorted({u.team_id for u in grid["members"]} | set(teams or []), key=lambda x: x or 0)
    return {
        "window": window.as_dict(),
        "behaviours": behaviours_meta(),
        "teams": [
            {"id": t, "name": names.get(t), "mean": grid["means"].get(t) or [None] * len(BEHAVIOURS)}
            for t in team_ids
        ],
        "weakness_threshold": settings.get("WEAKNESS_THRESHOLD"),
        "sort": {"key": sort, "order": order},
        "rows": rows,
    }


def _heat_row(user: User, row: dict[str, list], team_names: dict[int, str]) -> dict[str, Any]:
    scored = [s for s in row["scores"] if s is not None]
    return {
        "rep": {**_user(user), "team": team_names.get(user.team_id)},
        "overall": round(sum(scored) / len(scored), 1) if scored else None,
        "weak_count": sum(row["weak"]),
        **row,
    }


def _sort_key(sort: str):
    if sort == "name":
        return lambda r: r["rep"]["name"]
    if sort == "overall":
        return lambda r: (r["overall"] is None, r["overall"] or 0.0)
    i = BEHAVIOURS.index(sort)
    return lambda r: (r["scores"][i] is None, r["scores"][i] or 0.0)


def _user(user: User) -> dict[str, Any]:
    return {"id": user.id, "name": user.display_name, "username": user.username, "team_id": user.team_id}
