"""Heavy models a worker loads once per process, before it takes jobs.

Each entry is "module:function"; the function takes the app and returns nothing. Services add
their loader here (the ASR model, the analysis classifiers); a job then finds the loaded model
through that service's own accessor.
"""

from __future__ import annotations

import importlib
import logging
import time

from flask import Flask

log = logging.getLogger(__name__)

PRELOADERS: list[str] = [
    "coachsvc.asr:preload",
    "coachsvc.analysis:preload",
    "coachsvc.drills:preload_scorer",  # drill answer scorer (issue 6)
]


def preload_models(app: Flask) -> dict[str, float]:
    """Run every preloader; return the seconds each took."""
    timings = {}
    for entry in PRELOADERS:
        module, func = entry.split(":")
        started = time.perf_counter()
        with app.app_context():
            getattr(importlib.import_module(module), func)(app)
        timings[entry] = time.perf_counter() - started
        log.info("preloaded %s in %.2fs", entry, timings[entry])
    return timings
