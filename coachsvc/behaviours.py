"""The twelve behaviours of the capability radar (shared/domain.md): ids as written, Chinese labels.

A leaf module (imports nothing of the app) so models, services and other features can share it.
"""

from __future__ import annotations

#: Behaviour ids in the order the radar draws them (domain.md "The 12-behaviour capability radar").
BEHAVIOURS: tuple[str, ...] = (
    "rapport",
    "questioning",
    "needs_discovery",
    "listening",
    "solution_tailoring",
    "value_articulation",
    "objection_handling",
    "competitor_handling",
    "price_negotiation",
    "decision_mapping",
    "next_step_commitment",
    "responsiveness",
)

BEHAVIOUR_LABELS: dict[str, str] = {
    "rapport": "开场破冰",
    "questioning": "提问技巧",
    "needs_discovery": "需求挖掘深度",
    "listening": "倾听与确认",
    "solution_tailoring": "方案定制化程度",
    "value_articulation": "价值与ROI呈现",
    "objection_handling": "异议处理",
    "competitor_handling": "竞品应对",
    "price_negotiation": "价格谈判节奏",
    "decision_mapping": "决策链识别",
    "next_step_commitment": "推进与促成",
    "responsiveness": "响应速度",
}
