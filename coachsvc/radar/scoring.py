"""Score one analysed call on the twelve behaviours by the checks of coachsvc/radar/checks.py."""

from __future__ import annotations

from typing import Any

from coachsvc.behaviours import BEHAVIOURS
from coachsvc.db.models import ActivityRecord
from coachsvc.radar.checks import CHECKS, CallFacts

QUOTE_CHARS = 120
QUOTES_PER_CHECK = 5


def facts_of(record: ActivityRecord) -> CallFacts:
    """The call facts of a record: its signals, segments and analysis rows."""
    return CallFacts(
        stage=record.stage,
        signals=dict(record.signals or {}),
        segments={s.idx: (s.party, s.text) for s in record.segments},
        objections=[
            {"category": o.category, "text": o.text, "handled": o.handled, "segment_idx": o.segment_idx}
            for o in record.objections
        ],
        roles=[{"person": r.person, "role": r.role, "segment_idx": r.segment_idx} for r in record.roles],
        next_steps=[
            {
                "action": n.action,
                "owner": n.owner,
                "due": n.due.isoformat() if n.due else None,
                "segment_idx": n.segment_idx,
            }
            for n in record.next_steps
        ],
    )


def score_call(facts: CallFacts) -> tuple[dict[str, float | None], dict[str, list[dict[str, Any]]]]:
    """(behaviour -> 0-100 score or None, behaviour -> the checks with their evidence)."""
    scores: dict[str, float | None] = {}
    checks: dict[str, list[dict[str, Any]]] = {}
    for behaviour in BEHAVIOURS:
        scores[behaviour], checks[behaviour] = _score_behaviour(behaviour, facts)
    return scores, checks


def _score_behaviour(behaviour: str, facts: CallFacts) -> tuple[float | None, list[dict[str, Any]]]:
    results, got, possible = [], 0, 0
    for check in CHECKS[behaviour]:
        outcome = check.test(facts)
        if outcome is None:
            continue
        possible += check.points
        got += check.points if outcome.met else 0
        results.append(
            {
                "check": check.id,
                "label": check.label,
                "points": check.points,
                "met": outcome.met,
                "detail": outcome.detail,
                "evidence": _quotes(facts, outcome.idxs),
            }
        )
    score = round(100.0 * got / possible, 1) if possible else None
    return score, results


def _quotes(facts: CallFacts, idxs: tuple[int, ...]) -> list[dict[str, Any]]:
    quotes = []
    for idx in dict.fromkeys(idxs):  # unique, in order
        if idx in facts.segments:
            party, text = facts.segments[idx]
            quotes.append({"idx": idx, "party": party, "text": text[:QUOTE_CHARS]})
        if len(quotes) >= QUOTES_PER_CHECK:
            break
    return quotes
