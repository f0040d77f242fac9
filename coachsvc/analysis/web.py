"""What the record page needs of the analysis: Chinese labels and the highlight classes of the
transcript segments that carry an objection, a role or a next step."""

from __future__ import annotations

from flask import Flask

from coachsvc.analysis.constants import OBJECTION_LABELS, ROLE_LABELS, TOPIC_LABELS

OWNER_LABELS = {"rep": "销售", "customer": "客户"}


def segment_marks(record) -> dict[int, str]:
    """{segment idx: CSS classes}, e.g. "hl hl-obj hl-obj-price hl-step"."""
    marks: dict[int, list[str]] = {}
    for o in record.objections or []:
        if o.segment_idx is not None:
            marks.setdefault(o.segment_idx, ["hl"]).extend(["hl-obj", f"hl-obj-{o.category}"])
    for r in record.roles or []:
        if r.segment_idx is not None:
            marks.setdefault(r.segment_idx, ["hl"]).append("hl-role")
    for n in record.next_steps or []:
        if n.segment_idx is not None:
            marks.setdefault(n.segment_idx, ["hl"]).append("hl-step")
    return {idx: " ".join(dict.fromkeys(classes)) for idx, classes in marks.items()}


def init_app(app: Flask) -> None:
    @app.context_processor
    def analysis_context() -> dict:
        return {
            "OBJECTION_LABELS": OBJECTION_LABELS,
            "DECISION_ROLE_LABELS": ROLE_LABELS,
            "TOPIC_LABELS": TOPIC_LABELS,
            "OWNER_LABELS": OWNER_LABELS,
            "segment_marks": segment_marks,
        }
