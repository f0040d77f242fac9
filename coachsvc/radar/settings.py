"""Radar and coaching product constants, each with its source, overridable per app.

Every name below can be overridden by the app config (``create_app({"RADAR_...": ...})``) or an
environment variable of the same name; :func:`get` resolves the value in force.
"""

from __future__ import annotations

import os
from typing import Any

from flask import current_app, has_app_context

# --- Call-signal reference points ---------------------------------------------------------------
# Gong Labs, analysis of 25,537 B2B sales calls: top performers talk about 43% of the time, the
# average rep 65-75%, and conversion drops once the rep talks more than 65%.
TALK_RATIO_TOP_PERFORMER = 0.43
TALK_RATIO_AVERAGE_REP = (0.65, 0.75)
TALK_RATIO_CONVERSION_DROP = 0.65
#: Product choice: within this many points of the top performers' 43% counts as "talks like a top
#: performer" (0.43 + 0.07 = 50%).
TALK_RATIO_TOP_TOLERANCE = 0.07
# Gong Labs: 11-14 questions per discovery call do best, with diminishing returns beyond 14.
QUESTIONS_BEST_RANGE = (11, 14)
#: Stages whose calls are discovery calls (shared/domain.md stages: 初筛, 需求诊断).
DISCOVERY_STAGES = ("qualify", "diagnose")
#: Product default: 11 questions over a 30-minute discovery call is about 3.7 per 10 minutes; we
#: ask for 3 per 10 minutes on any timed call (an assumption on call length, not a published number).
QUESTIONS_PER_10MIN_MIN = 3.0
#: Product default: a call with fewer questions than this does not count as questioning at all.
QUESTIONS_MIN_ANY_CALL = 3
#: Product default: at least half of the rep's questions open (what/how/why, 什么/怎么/为什么).
OPEN_QUESTION_SHARE_MIN = 0.5
#: Product default: longest uninterrupted rep turn, by the unit the analysis measured it in; for
#: chat transcripts in characters, 90 seconds at about 4 Mandarin characters a second.
MONOLOGUE_MAX_SECONDS = 90.0
MONOLOGUE_MAX_CHARS = 360
#: Product default: the customer should speak within the first N turns (rapport, not a pitch).
RAPPORT_EARLY_TURNS = 3
#: Stages where discovery questions are expected (domain.md: asked before the pitch).
NEEDS_DISCOVERY_STAGES = ("lead", "qualify", "diagnose", "propose")
DISCOVERY_TOPICS = ("budget", "timeline", "decision_process", "pain_points")
#: Product default: two independent proofs (a number, an ROI figure, a case) make a value case.
VALUE_EVIDENCE_MIN = 2
#: Product default: response gaps (customer request -> the rep's follow-up).
RESPONSE_GAP_GOOD_SECONDS = 30 * 60
RESPONSE_GAP_OK_SECONDS = 4 * 3600

# --- Blending the three sources (product defaults) ----------------------------------------------
#: Weights of call signals, 360 ratings and drill scores in a rep's blended score.
SOURCE_WEIGHTS = {"calls": 0.6, "ratings": 0.25, "drills": 0.15}
#: Confidence of a source grows as n / (n + K): K samples give half confidence.
CONFIDENCE_HALF_AT = {"calls": 5, "ratings": 3, "drills": 3}
#: 360 ratings are on a 1-5 scale (1 差 ... 5 优秀), mapped to 0-100 as (v - 1) * 25.
RATING_SCALE = (1, 5)
#: Weights of the rater kinds inside the ratings source.
RATING_KIND_WEIGHTS = {"supervisor": 1.0, "peer": 1.0, "customer": 1.0}
#: Anonymity: peer ratings count and show only once this many distinct peers rated (domain rule).
RATING_MIN_PEERS = 3
#: A customer's rating link expires after this many days and works once.
RATING_LINK_MAX_AGE_DAYS = 14

# --- Weakness rule (shared/domain.md "Weakness heatmap") ----------------------------------------
#: A rep more than 30% below the team mean on a behaviour is weak on it.
WEAKNESS_THRESHOLD = 0.30
#: The window the rule looks at when a record is analysed.
WEAKNESS_WINDOW_DAYS = 90
#: Product default: a rep needs at least this many samples (calls + ratings + drills) on the
#: behaviour before the rule acts on it.
WEAKNESS_MIN_SAMPLES = 1
#: Windows offered by the pages and the API (days back from today).
WINDOWS_DAYS = (30, 90)
DEFAULT_WINDOW_DAYS = 90


def get(name: str) -> Any:
    """The value of setting `name`: app config, then environment (JSON-free: numbers only), then
    the default above."""
    if has_app_context() and name in current_app.config:
        return current_app.config[name]
    default = globals()[name]
    raw = os.environ.get(name)
    if raw is None or isinstance(default, tuple | dict):
        return default
    return type(default)(raw)
