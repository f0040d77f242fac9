"""Benchmark the call analysis: a one-hour call (~15,000 Chinese characters) after warm-up on one
core (target < 100 ms), and loading the classifiers in a fresh process (target < 1 s).

Run: .venv/bin/python bench/analysis.py [--no-settle]   (--no-settle: the collector at its defaults)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

TARGET_CHARS = 15000
LOAD_SNIPPET = (
    "import time; t=time.perf_counter(); from coachsvc.analysis import preload; preload(); "
    "print(time.perf_counter()-t)"
)


def one_hour_call() -> list[dict]:
    """Chinese calls of the dev set and the second test set strung together into one call of
    ~15,000 characters over an hour (no utterance repeated: the dev set alone is too short)."""
    from coachsvc.transcripts import parse_transcript

    calls = [
        json.loads(line)
        for name in ("devset.jsonl", "testset2.jsonl")
        for line in (ROOT / "models" / name).read_text(encoding="utf-8").splitlines()
    ]
    utterances, chars = [], 0
    while chars < TARGET_CHARS:
        for call in calls:
            if call["lang"] != "zh":
                continue
            for u in parse_transcript(call["transcript"])[1]:
                speaker = "销售" if u.speaker == call["rep_speaker"] else "客户"
                utterances.append({"speaker": speaker, "text": u.text})
                chars += len(u.text)
            if chars >= TARGET_CHARS:
                break
    step = 3600 / len(utterances)
    for i, u in enumerate(utterances):
        u["start"], u["end"] = round(i * step, 2), round((i + 1) * step, 2)
    return utterances


def load_seconds() -> float:
    out = subprocess.run(
        [sys.executable, "-c", LOAD_SNIPPET], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # single core
    loads = [load_seconds() for _ in range(3)]
    from coachsvc.analysis import analyze_transcript, preload, text

    preload()
    if "--no-settle" not in sys.argv:
        from coachsvc.runtime import settle_memory

        settle_memory()  # as the worker does once its models are loaded
    call = one_hour_call()
    chars = sum(len(u["text"]) for u in call)
    analyze_transcript(call, "2026-11-18", rep_speaker="销售")  # warm-up
    runs, cpu = [], []
    for _ in range(10):
        text.clear_caches()  # a new call's text is never cached: measure it cold
        started, cpu_started = time.perf_counter(), time.process_time()
        result = analyze_transcript(call, "2026-11-18", rep_speaker="销售")
        runs.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    median = statistics.median(runs) * 1000
    print(f"one-hour call: {len(call)} utterances, {chars} characters")
    print(
        f"  found {len(result.objections)} objections, {len(result.roles)} roles, "
        f"{len(result.next_steps)} next steps"
    )
    print(
        f"  analysis after warm-up, single core: median {median:.1f} ms, min {min(runs) * 1000:.1f} ms "
        f"(target 100 ms: {median / 100:.2f}x)"
    )
    print(
        f"  CPU time of the process per run (robust to other load on the machine): "
        f"median {statistics.median(cpu) * 1000:.1f} ms, min {min(cpu) * 1000:.1f} ms"
    )
    print(
        f"model load in a fresh process (imports included): median {statistics.median(loads):.2f} s, "
        f"runs {', '.join(f'{x:.2f}' for x in loads)} (target 1 s: {statistics.median(loads):.2f}x)"
    )


if __name__ == "__main__":
    main()
