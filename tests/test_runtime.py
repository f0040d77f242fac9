"""Serving processes settle their memory once started (coachsvc.runtime)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from coachsvc.runtime import GC_GEN0_THRESHOLD


def test_the_wsgi_entry_point_freezes_what_it_loaded_and_collects_less_often(tmp_path):
    code = (
        "import gc, json; from coachsvc.wsgi import app; "
        "print(json.dumps([gc.get_freeze_count(), gc.get_threshold()[0], app.name]))"
    )
    env = {**os.environ, "COACHSVC_INSTANCE": str(tmp_path / "instance")}
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    frozen, threshold, name = json.loads(out.stdout.strip().splitlines()[-1])
    assert frozen > 10_000  # the modules and the app are out of the collector's reach
    assert threshold == GC_GEN0_THRESHOLD and name == "coachsvc"
