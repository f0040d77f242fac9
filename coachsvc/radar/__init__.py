"""The capability radar: per-call behaviour scores with audited evidence, incremental aggregates,
per rep x window blended scores (calls, 360 ratings, drills), the team heatmap and the weak cells.

Public entry points:
- ``update_for_record(session, record_id)`` - the pipeline calls it after the analysis;
- ``add_drill_score(session, user_id, behaviour, score, occurred_at, ref)`` - the drills call it;
- ``rep_radar``, ``behaviour_evidence``, ``heatmap``, ``call_scores`` - what the API and pages show.
The formulas of the twelve behaviours are in one table: coachsvc/radar/checks.py (CHECKS).
"""

from coachsvc.radar.reports import (
    NotAllowed,
    behaviour_evidence,
    behaviours_meta,
    call_scores,
    heatmap,
    rep_radar,
)
from coachsvc.radar.scores import Window, WindowError, weak_cells, window_of
from coachsvc.radar.store import add_drill_score, rebuild_aggregates, rescore_all, update_for_record

__all__ = [
    "NotAllowed",
    "Window",
    "WindowError",
    "add_drill_score",
    "behaviour_evidence",
    "behaviours_meta",
    "call_scores",
    "heatmap",
    "rebuild_aggregates",
    "rep_radar",
    "rescore_all",
    "update_for_record",
    "weak_cells",
    "window_of",
]
