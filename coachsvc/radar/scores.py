"""Per rep and window: blended behaviour scores (calls, 360 ratings, drills), team means, the
heatmap and the weak cells. Reads the daily aggregates, never every call."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from coachsvc.behaviours import BEHAVIOURS
from coachsvc.db.models import User
from coachsvc.db.radar import DrillScore, RadarCallDaily, RadarCallMonthly, Rating, RatingScore
from coachsvc.radar import settings

RATED_ROLES = ("rep", "new_hire")
RATER_KINDS = ("supervisor", "peer", "customer")


@dataclass(frozen=True)
class Params:
    """The blending and weakness settings in force, resolved once per computation (not per cell)."""

    source_weights: dict[str, float]
    half_at: dict[str, float]
    rating_scale: tuple[int, int]
    kind_weights: dict[str, float]
    min_peers: int
    threshold: float
    min_samples: int


def params() -> Params:
    return Params(
        source_weights=settings.get("SOURCE_WEIGHTS"),
        half_at=settings.get("CONFIDENCE_HALF_AT"),
        rating_scale=tuple(settings.get("RATING_SCALE")),
        kind_weights=settings.get("RATING_KIND_WEIGHTS"),
        min_peers=settings.get("RATING_MIN_PEERS"),
        threshold=settings.get("WEAKNESS_THRESHOLD"),
        min_samples=settings.get("WEAKNESS_MIN_SAMPLES"),
    )


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


def split_window(window: Window) -> tuple[list[tuple[dt.date, dt.date]], tuple[dt.date, dt.date] | None]:
    """(day ranges read from the daily rows, (first, last) whole month read from the monthly rows)."""
    first = window.start if window.start.day == 1 else _next_month(window.start)
    after = _next_month(window.end)  # the month after the window's last month
    last_full = (
        window.end.replace(day=1)
        if after - dt.timedelta(days=1) == window.end
        else _prev_month(window.end.replace(day=1))
    )
    if first > last_full:
        return [(window.start, window.end)], None
    days = []
    if window.start < first:
        days.append((window.start, first - dt.timedelta(days=1)))
    end_of_full = _next_month(last_full) - dt.timedelta(days=1)
    if window.end > end_of_full:
        days.append((end_of_full + dt.timedelta(days=1), window.end))
    return days, (first, last_full)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _prev_month(first_of_month: dt.date) -> dt.date:
    return (first_of_month - dt.timedelta(days=1)).replace(day=1)


def _load_calls(session: Session, stats: Stats, rep_ids: list[int] | None, window: Window) -> None:
    day_ranges, months = split_window(window)
    if day_ranges:
        cond = or_(*(RadarCallDaily.day.between(a, b) for a, b in day_ranges))
        _sum_calls(session, stats, RadarCallDaily, cond, rep_ids)
    if months:
        _sum_calls(session, stats, RadarCallMonthly, RadarCallMonthly.month.between(*months), rep_ids)


def _sum_calls(session: Session, stats: Stats, model: Any, cond: Any, rep_ids: list[int] | None) -> None:
    cols = [model.rep_id, func.sum(model.calls)]
    for b in BEHAVIOURS:
        cols += [func.sum(getattr(model, f"{b}_sum")), func.sum(getattr(model, f"{b}_n"))]
    query = select(*cols).where(cond)
    if rep_ids is not None:
        query = query.where(model.rep_id.in_(rep_ids))
    for row in session.connection().execute(query.group_by(model.rep_id)).all():
        rep_id = row[0]
        stats.call_counts[rep_id] = stats.call_counts.get(rep_id, 0) + int(row[1] or 0)
        for i, b in enumerate(BEHAVIOURS):
            total, n = row[2 + 2 * i] or 0.0, int(row[3 + 2 * i] or 0)
            if n > 0:
                before = stats.calls.get((rep_id, b), (0.0, 0))
                stats.calls[(rep_id, b)] = (before[0] + float(total), before[1] + n)


def _load_ratings(session: Session, stats: Stats, rep_ids: list[int] | None, window: Window) -> None:
    """Sum the ratings per rep, behaviour and rater kind, counting distinct raters (peers are shown
    from a minimum of distinct peers). Summed here rather than by GROUP BY: SQLite's
    COUNT(DISTINCT) per group costs more than reading the rows."""
    query = (
        select(Rating.rep_id, Rating.rater_kind, Rating.rater_id, RatingScore.behaviour, RatingScore.value)
        .join(RatingScore, RatingScore.rating_id == Rating.id)
        .where(Rating.day.between(window.start, window.end))
    )
    if rep_ids is not None:
        query = query.where(Rating.rep_id.in_(rep_ids))
    sums: dict[tuple[int, str, str], list] = {}
    for rep_id, kind, rater_id, behaviour, value in session.connection().execute(query).all():
        acc = sums.get((rep_id, behaviour, kind))
        if acc is None:
            acc = sums[(rep_id, behaviour, kind)] = [0, 0, set()]
        acc[0] += value
        acc[1] += 1
        if rater_id is not None:
            acc[2].add(rater_id)
    for (rep_id, behaviour, kind), (total, n, raters) in sums.items():
        stats.ratings[(rep_id, behaviour)][kind] = (float(total), n, len(raters))


def _load_drills(session: Session, stats: Stats, rep_ids: list[int] | None, window: Window) -> None:
    query = (
        select(DrillScore.user_id, DrillScore.behaviour, func.sum(DrillScore.score), func.count())
        .where(DrillScore.day.between(window.start, window.end))
        .group_by(DrillScore.user_id, DrillScore.behaviour)
    )
    if rep_ids is not None:
        query = query.where(DrillScore.user_id.in_(rep_ids))
    for user_id, behaviour, total, n in session.connection().execute(query).all():
        stats.drills[(user_id, behaviour)] = (float(total), int(n))


# --- Blending ------------------------------------------------------------------------------------


def rating_to_100(mean_1_to_5: float, p: Params | None = None) -> float:
    """360 ratings are 1-5; 1 -> 0, 3 -> 50, 5 -> 100."""
    lo, hi = (p or params()).rating_scale
    return (mean_1_to_5 - lo) * 100.0 / (hi - lo)


def rating_kinds(
    by_kind: dict[str, tuple[float, int, int]], p: Params | None = None
) -> dict[str, dict[str, Any]]:
    """Per rater kind: mean (1-5), score (0-100) and count, anonymous. Peers are withheld (and do
    not count) until RATING_MIN_PEERS distinct peers rated."""
    p = p or params()
    out: dict[str, dict[str, Any]] = {}
    for kind in RATER_KINDS:
        if kind not in by_kind:
            continue
        total, n, raters = by_kind[kind]
        if kind == "peer" and raters < p.min_peers:
            out[kind] = {"hidden": True, "n": None, "min_peers": p.min_peers}
            continue
        mean = total / n
        out[kind] = {
            "hidden": False,
            "mean": round(mean, 2),
            "score": round(rating_to_100(mean, p), 1),
            "n": n,
        }
    return out


def blend(stats: Stats, rep_id: int, behaviour: str, p: Params | None = None) -> dict[str, Any]:
    """A rep's blended score on a behaviour, each source with its score and count, and a confidence."""
    p = p or params()
    key = (rep_id, behaviour)
    sources: dict[str, dict[str, Any]] = {}
    calls, ratings, drills = _sources(stats, key, p)
    if calls:
        sources["calls"] = {"score": calls[0], "n": calls[1]}
    if key in stats.ratings:
        sources["ratings"] = {
            "score": ratings[0],
            "n": ratings[1],
            "by_kind": rating_kinds(stats.ratings[key], p),
        }
    if drills:
        sources["drills"] = {"score": drills[0], "n": drills[1]}
    return {"score": _weighted(sources, p), "confidence": _confidence(sources, p), "sources": sources}


Source = tuple[float | None, int] | None


def _sources(stats: Stats, key: tuple[int, str], p: Params) -> tuple[Source, Source, Source]:
    """(score, n) of calls, ratings and drills; None where the source has nothing."""
    calls = stats.calls.get(key)
    drills = stats.drills.get(key)
    by_kind = stats.ratings.get(key)
    return (
        (round(calls[0] / calls[1], 1), calls[1]) if calls else None,
        _rating_score(by_kind, p) if by_kind else None,
        (round(drills[0] / drills[1], 1), drills[1]) if drills else None,
    )


def _rating_score(by_kind: dict[str, tuple[float, int, int]], p: Params) -> tuple[float | None, int]:
    """The ratings source: weighted mean of the kinds shown (peers only from the minimum up)."""
    total = wsum = 0.0
    n_all = 0
    for kind in RATER_KINDS:
        if kind not in by_kind:
            continue
        kind_total, n, raters = by_kind[kind]
        if kind == "peer" and raters < p.min_peers:
            continue
        weight = p.kind_weights[kind]
        total += weight * round(rating_to_100(kind_total / n, p), 1)
        wsum += weight
        n_all += n
    return (round(total / wsum, 1), n_all) if wsum else (None, 0)


def _weighted(sources: dict[str, dict[str, Any]], p: Params) -> float | None:
    present = {s: v["score"] for s, v in sources.items() if v.get("score") is not None}
    if not present:
        return None
    wsum = sum(p.source_weights[s] for s in present)
    return round(sum(p.source_weights[s] * score for s, score in present.items()) / wsum, 1)


def _confidence(sources: dict[str, dict[str, Any]], p: Params) -> float:
    """Sum over sources of weight * n / (n + K): 0 with no data, towards 1 with plenty of each."""
    wsum = sum(p.source_weights.values())
    total = 0.0
    for source, w in p.source_weights.items():
        src = sources.get(source)
        n = src["n"] if src and src.get("score") is not None else 0
        total += (w / wsum) * n / (n + p.half_at[source])
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


def is_weak(score: float | None, mean: float | None, samples: int, p: Params | None = None) -> bool:
    """The weakness rule: more than WEAKNESS_THRESHOLD below the team mean (relative)."""
    p = p or params()
    if score is None or not mean or samples < p.min_samples:
        return False
    return score < mean * (1.0 - p.threshold)


def samples_of(cell: dict[str, Any]) -> int:
    return sum((s.get("n") or 0) for s in cell["sources"].values() if s.get("score") is not None)


def team_grid(session: Session, team_ids: Iterable[int] | None, window: Window) -> dict[str, Any]:
    """Everything the heatmap and the weakness rule need: members, cells, team means, weak flags."""
    members = rated_members(session, team_ids)
    rep_ids = [u.id for u in members] if team_ids is not None else None
    stats = load_stats(session, rep_ids, window)
    p = params()
    cells = {u.id: {b: blend(stats, u.id, b, p) for b in BEHAVIOURS} for u in members}
    means = team_means(cells, members)
    for user in members:
        team_mean = means.get(user.team_id, {})
        for b, cell in cells[user.id].items():
            mean = team_mean.get(b)
            cell["team_mean"] = mean
            cell["diff"] = (
                round(cell["score"] - mean, 1) if cell["score"] is not None and mean is not None else None
            )
            cell["rel"] = round(cell["diff"] / mean, 3) if cell["diff"] is not None and mean else None
            cell["weak"] = is_weak(cell["score"], mean, samples_of(cell), p)
    return {"members": members, "cells": cells, "means": means, "stats": stats}


def lean_grid(session: Session, team_ids: Iterable[int] | None, window: Window) -> dict[str, Any]:
    """The heatmap's grid: per member and behaviour (in BEHAVIOURS order) the blended score, its
    difference from the team mean, the weak flag and the call count; per team the means. The same
    numbers as `blend`, computed without the per-source detail (the heatmap needs thousands)."""
    members = rated_members(session, team_ids)
    who = [(u.id, u.team_id) for u in members]
    stats = load_stats(session, [i for i, _ in who] if team_ids is not None else None, window)
    p = params()
    cells = {rep_id: [_lean_cell(stats, rep_id, b, p) for b in BEHAVIOURS] for rep_id, _ in who}
    sums: dict[int | None, list[list[float]]] = defaultdict(lambda: [[] for _ in BEHAVIOURS])
    for rep_id, team_id in who:
        per_team = sums[team_id]
        for i, cell in enumerate(cells[rep_id]):
            if cell[0] is not None:
                per_team[i].append(cell[0])
    means = {team: [round(sum(v) / len(v), 1) if v else None for v in per] for team, per in sums.items()}
    rows = {}
    for rep_id, team_id in who:
        mean = means.get(team_id) or [None] * len(BEHAVIOURS)
        row = cells[rep_id]
        rows[rep_id] = {
            "scores": [c[0] for c in row],
            "diffs": [
                round(c[0] - m, 1) if c[0] is not None and m is not None else None
                for c, m in zip(row, mean, strict=True)
            ],
            "weak": [is_weak(c[0], m, c[1], p) for c, m in zip(row, mean, strict=True)],
            "calls": [c[2] for c in row],
        }
    return {"members": members, "rows": rows, "means": means}


def _lean_cell(stats: Stats, rep_id: int, behaviour: str, p: Params) -> tuple[float | None, int, int]:
    """(blended score, samples behind it, calls): `blend`'s score, summed in the same order."""
    key = (rep_id, behaviour)
    total = wsum = 0.0
    samples = n_calls = 0
    calls = stats.calls.get(key)
    if calls:
        weight = p.source_weights["calls"]
        total, wsum, samples, n_calls = weight * round(calls[0] / calls[1], 1), weight, calls[1], calls[1]
    by_kind = stats.ratings.get(key)
    if by_kind:
        score, n = _rating_score(by_kind, p)
        if score is not None:
            weight = p.source_weights["ratings"]
            total, wsum, samples = total + weight * score, wsum + weight, samples + n
    drills = stats.drills.get(key)
    if drills:
        weight = p.source_weights["drills"]
        total += weight * round(drills[0] / drills[1], 1)
        wsum += weight
        samples += drills[1]
    return (round(total / wsum, 1) if wsum else None), samples, n_calls


def weak_cells(session: Session, team_id: int, window: Window) -> list[tuple[User, str, dict[str, Any]]]:
    grid = team_grid(session, [team_id], window)
    return [
        (user, b, cell)
        for user in grid["members"]
        for b, cell in grid["cells"][user.id].items()
        if cell["weak"]
    ]
