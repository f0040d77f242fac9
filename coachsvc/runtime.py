"""Process-level settings of a serving process (web server, worker), applied once it has loaded
everything it needs."""

from __future__ import annotations

import gc

#: The cyclic collector's first-generation threshold in a serving process (Python's default: 700).
GC_GEN0_THRESHOLD = 20_000


def settle_memory() -> None:
    """Move the objects alive now (modules, the app, loaded models) out of the cyclic collector's
    reach and let it run less often. Otherwise a full collection rescans the whole heap in the
    middle of a request: the radar heatmap's p95 was 2-3 times its median (bench/README.md)."""
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GC_GEN0_THRESHOLD, gen1, gen2)
