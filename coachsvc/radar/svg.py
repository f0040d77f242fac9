"""Geometry of the radar chart and heatmap colours, rendered server-side as SVG by the templates.

Server-side SVG instead of a chart library: twelve axes and two polygons need no JavaScript, every
axis label is a plain link to its evidence, and the page works (and is tested) without a script.
"""

from __future__ import annotations

import math
from typing import Any

RINGS = (20, 40, 60, 80, 100)


def radar_geometry(axes: list[dict[str, Any]], size: int = 460, margin: int = 90) -> dict[str, Any]:
    """Coordinates of the rings, the axes with their labels, the rep's and the team mean's polygons."""
    center = size / 2
    radius = center - margin

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / len(axes)
        r = radius * max(0.0, min(value, 100.0)) / 100.0
        return round(center + r * math.cos(angle), 1), round(center + r * math.sin(angle), 1)

    def polygon(key: str) -> str:
        return " ".join(f"{x},{y}" for x, y in (point(i, a.get(key) or 0.0) for i, a in enumerate(axes)))

    labels = []
    for i, axis in enumerate(axes):
        x, y = point(i, 118)
        anchor = "middle" if abs(x - center) < 8 else ("start" if x > center else "end")
        end_x, end_y = point(i, 100)
        labels.append({**axis, "x": x, "y": y, "anchor": anchor, "x2": end_x, "y2": end_y})
    return {
        "size": size,
        "center": center,
        "rings": [
            {"value": v, "points": " ".join(f"{x},{y}" for x, y in (point(i, v) for i in range(len(axes))))}
            for v in RINGS
        ],
        "axes": labels,
        "rep": polygon("score"),
        "team": polygon("team_mean"),
        "has_team": any(a.get("team_mean") is not None for a in axes),
    }


def heat_colour(diff: float | None, weak: bool = False) -> str:
    """Background for a heatmap cell: red below the team mean, green above, deeper further away."""
    if diff is None:
        return "#f1f3f5"
    strength = min(abs(diff) / 40.0, 1.0)
    lightness = 95 - 45 * strength
    hue = 2 if diff < 0 else 145
    if weak:
        lightness = min(lightness, 62)
    return f"hsl({hue}, 70%, {lightness:.0f}%)"
