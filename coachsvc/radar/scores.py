"""Per rep and window: blended behaviour scores (calls, 360 ratings, drills), team means, the
heatmap and the weak cells. Reads the daily aggregates, never every call."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from coachsvc.behaviours import BEHAVIOURS
from coachsvc.db.models import User
from coachsvc.db.radar import DrillScore, RadarCallDaily, Rating, RatingScore
from coachsvc.radar import settings

RATED_ROLES = ("rep", "new_hire")
RATER_KINDS = ("supervisor", "peer", "customer")


class WindowError(ValueError):
    """A window that cannot be read (unknown length, from after to, bad dates)."""


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date
    key: str  # "30", "90" or "custom"

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "key": self.key}


def window_of(
    days: str | int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date | None = None,
) -> Window:
    """A 30/90-day window back from today, or a custom from/to (both days included)."""
    today = today or dt.date.today()
    if start is not None or end is not None or days == "custom":
        if start is None or end is None:
            raise WindowError("自定义时间窗需要 from 和 to 两个日期")
        if start > end:
            raise WindowError("from 不能晚于 to")
        return Window(start, end, "custom")
    days = int(days) if days not in (None, "") else settings.get("DEFAULT_WINDOW_DAYS")
    if days not in settings.get("WINDOWS_DAYS"):
        raise WindowError(f"时间窗只能是 {'/'.join(map(str, settings.get('WINDOWS_DAYS')))} 天或自定义")
    return Window(today - dt.timedelta(days=days - 1), today, str(days))


@dataclass
class Stats:
    """Raw sums per (rep, behaviour) of the three sources within a window."""

    calls: dict[tuple[int, str], tuple[float, int]] = field(default_factory=dict)
    call_counts: dict[int, int] = field(default_factory=dict)
    ratings: dict[tuple[int, str], dict[str, tuple[float, int, int]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    drills: dict[tuple[int, str], tuple[float, int]] = field(default_factory=dict)


def load_stats(session: Session, rep_ids: list[int] | None, window: Window) -> Stats:
    """One grouped query per source; `rep_ids` None means every rep."""
    stats = Stats()
    _load_calls(session, stats, rep_ids, window)
    _load_ratings(session, stats, rep_ids, window)
    _load_drills(session, stats, rep_ids, window)
    return stats


def _load_calls(session: Session, stats: Stats, rep_ids: list[int] | None, window: Window) -> None:
    cols = [RadarCallDaily.rep_id, func.sum(RadarCallDaily.calls)]
    for b in BEHAVIOURS:
        cols += [func.sum(getattr(RadarCallDaily, f"{b}_sum")), func.sum(getattr(RadarCallDaily, f"{b}_n"))]
    query = select(*cols).where(RadarCallDaily.day.between(window.start, window.end))
    if rep_ids is not None:
        query = query.where(RadarCallDaily.rep_id.in_(rep_ids))
    for row in session.execute(query.group_by(RadarCallDaily.rep_id)):
        rep_id = row[0]
        stats.call_counts[rep_id] = int(row[1] or 0)
        for i, b in enumerate(BEHAVIOURS):
            total, n = row[2 + 2 * i], int(row[3 + 2 * i] or 0)
            if n > 0:
                stats.calls[(rep_id, b)] = (float(total), n)


def _load_ratings(session: Session, stats: Stats, rep_ids: list[int] | None, window: Window) -> None:
    query = (
        select(
            Rating.rep_id,
            Rating.rater_kind,
            RatingScore.behaviour,
            func.sum(RatingScore.value),
            func.count(),
            func.count(distinct(Rating.rater_id)),
        )
        .join(RatingScore, RatingScore.rating_id == Rating.id)
        .where(Rating.day.between(window.start, window.end))
        .group_by(Rating.rep_id, Rating.rater_kind, RatingScore.behaviour)
    )
    if rep_ids is not None:
        query = query.where(Rating.rep_id.in_(rep_ids))
    for rep_id, kind, behaviour, total, n, raters in session.execute(query):
        stats.ratings[(rep_id, behaviour)][kind] = (float(total), int(n), int(raters))


def _load_drills(session: Session, stats: Stats, rep_ids: list[int] | None, window: Window) -> None:
    query = (
        select(DrillScore.user_id, DrillScore.behaviour, func.sum(DrillScore.score), func.count())
        .where(DrillScore.day.between(window.start, window.end))
        .group_by(DrillScore.user_id, DrillScore.behaviour)
    )
    if rep_ids is not None:
        query = query.where(DrillScore.user_id.in_(rep_ids))
    for user_id, behaviour, total, n in session.execute(query):
        stats.drills[(user_id, behaviour)] = (float(total), int(n))


# --- Blending ------------------------------------------------------------------------------------


def rating_to_100(mean_1_to_5: float) -> float:
    """360 ratings are 1-5; 1 -> 0, 3 -> 50, 5 -> 100."""
    lo, hi = settings.get("RATING_SCALE")
    return (mean_1_to_5 - lo) * 100.0 / (hi - lo)


def rating_kinds(by_kind: dict[str, tuple[float, int, int]]) -> dict[str, dict[str, Any]]:
    """Per rater kind: mean (1-5), score (0-100) and count, anonymous. Peers are withheld (and do
    not count) until RATING_MIN_PEERS distinct peers rated."""
    out: dict[str, dict[str, Any]] = {}
    min_peers = settings.get("RATING_MIN_PEERS")
    for kind in RATER_KINDS:
        if kind not in by_kind:
            continue
        total, n, raters = by_kind[kind]
        if kind == "peer" and raters < min_peers:
            out[kind] = {"hidden": True, "n": None, "min_peers": min_peers}
            continue
        mean = total / n
        out[kind] = {"hidden": False, "mean": round(mean, 2), "score": round(rating_to_100(mean), 1), "n": n}
    return out


def blend(stats: Stats, rep_id: int, behaviour: str) -> dict[str, Any]:
    """A rep's blended score on a behaviour, each source with its score and count, and a confidence."""
    key = (rep_id, behaviour)
    sources: dict[str, dict[str, Any]] = {}
    if key in stats.calls:
        total, n = stats.calls[key]
        sources["calls"] = {"score": round(total / n, 1), "n": n}
    kinds = rating_kinds(stats.ratings.get(key, {}))
    shown = {k: v for k, v in kinds.items() if not v["hidden"]}
    if shown:
        weights = settings.get("RATING_KIND_WEIGHTS")
        wsum = sum(weights[k] for k in shown)
        score = sum(weights[k] * v["score"] for k, v in shown.items()) / wsum
        sources["ratings"] = {
            "score": round(score, 1),
            "n": sum(v["n"] for v in shown.values()),
            "by_kind": kinds,
        }
    elif kinds:
        sources["ratings"] = {"score": None, "n": 0, "by_kind": kinds}
    if key in stats.drills:
        total, n = stats.drills[key]
        sources["drills"] = {"score": round(total / n, 1), "n": n}
    return {"score": _weighted(sources), "confidence": _confidence(sources), "sources": sources}


def _weighted(sources: dict[str, dict[str, Any]]) -> float | None:
    weights = settings.get("SOURCE_WEIGHTS")
    present = {s: v["score"] for s, v in sources.items() if v.get("score") is not None}
    if not present:
        return None
    wsum = sum(weights[s] for s in present)
    return round(sum(weights[s] * score for s, score in present.items()) / wsum, 1)


def _confidence(sources: dict[str, dict[str, Any]]) -> float:
    """Sum over sources of weight * n / (n + K): 0 with no data, towards 1 with plenty of each."""
    weights, half = settings.get("SOURCE_WEIGHTS"), settings.get("CONFIDENCE_HALF_AT")
    wsum = sum(weights.values())
    total = 0.0
    for source, w in weights.items():
        n = (sources.get(source) or {}).get("n") or 0
        if (sources.get(source) or {}).get("score") is None:
            n = 0
        total += (w / wsum) * n / (n + half[source])
    return round(total, 2)


def confidence_label(value: float) -> str:
    return "高" if value >= 0.6 else "中" if value >= 0.3 else "低"


# --- Teams, heatmap, weak cells --------------------------------------------------------------------


def rated_members(session: Session, team_ids: Iterable[int] | None) -> list[User]:
    """Reps and new hires (active) of the given teams; None: of every team."""
    query = select(User).where(User.role.in_(RATED_ROLES), User.active.is_(True))
    if team_ids is not None:
        query = query.where(User.team_id.in_(list(team_ids)))
    return list(session.scalars(query.order_by(User.team_id, User.display_name, User.id)))


def team_means(cells: dict[int, dict[str, dict[str, Any]]], members: list[User]) -> dict[int | None, dict]:
    """Per team, per behaviour: the mean of its members' blended scores (members with a score)."""
    acc: dict[int | None, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for user in members:
        for b, cell in cells[user.id].items():
            if cell["score"] is not None:
                acc[user.team_id][b].append(cell["score"])
    return {
        team: {b: round(sum(v) / len(v), 1) if (v := per.get(b)) else None for b in BEHAVIOURS}
        for team, per in acc.items()
    }


def is_weak(score: float | None, mean: float | None, samples: int) -> bool:
    """The weakness rule: more than WEAKNESS_THRESHOLD below the team mean (relative)."""
    if score is None or not mean or samples < settings.get("WEAKNESS_MIN_SAMPLES"):
        return False
    return score < mean * (1.0 - settings.get("WEAKNESS_THRESHOLD"))


def samples_of(cell: dict[str, Any]) -> int:
    return sum((s.get("n") or 0) for s in cell["sources"].values() if s.get("score") is not None)


def team_grid(session: Session, team_ids: Iterable[int] | None, window: Window) -> dict[str, Any]:
    """Everything the heatmap and the weakness rule need: members, cells, team means, weak flags."""
    members = rated_members(session, team_ids)
    rep_ids = [u.id for u in members] if team_ids is not None else None
    stats = load_stats(session, rep_ids, window)
    cells = {u.id: {b: blend(stats, u.id, b) for b in BEHAVIOURS} for u in members}
    means = team_means(cells, members)
    for user in members:
        team_mean = means.get(user.team_id, {})
        for b, cell in cells[user.id].items():
            mean = team_mean.get(b)
            cell["team_mean"] = mean
            cell["diff"] = round(cell["score"] - mean, 1) if cell["score"] is not None and mean else None
            cell["rel"] = round(cell["diff"] / mean, 3) if cell["diff"] is not None else None
            cell["weak"] = is_weak(cell["score"], mean, samples_of(cell))
    return {"members": members, "cells": cells, "means": means, "stats": stats}


def weak_cells(session: Session, team_id: int, window: Window) -> list[tuple[User, str, dict[str, Any]]]:
    grid = team_grid(session, [team_id], window)
    return [
        (user, b, cell)
        for user in grid["members"]
        for b, cell in grid["cells"][user.id].items()
        if cell["weak"]
    ]
