"""Key-topic coverage: which of the stage's checklist topics (constants.STAGE_CHECKLISTS) the call
never touches, by either side."""

from __future__ import annotations

import re

from coachsvc.analysis.constants import DEFAULT_CHECKLIST, STAGE_CHECKLISTS, TOPIC_LABELS

#: What counts as touching a topic (Chinese and English).
TOPIC_PATTERNS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.I)
    for name, pattern in {
        "pain_points": (
            r"痛点|头疼|头痛|麻烦|困扰|难点|挑战|很乱|混乱|效率低|浪费|"
            r"加班|找不到|对不上|投诉|出错|瓶颈|卡在|pain|challenge|problem|struggl|headache|bottleneck"
        ),
        "current_solution": (
            r"现在(?:主要)?(?:用|靠|是用)|目前(?:主要)?(?:用|靠)|现有的?(?:系统|方式|做法|流程)|"
            r"现在的(?:系统|方式|做法|流程)|在用|currently|right now you|existing|today you use"
        ),
        "budget": r"预算|费用|投入|花多少|多少钱|资金|经费|budget|spend|funding",
        "timeline": (
            r"什么时候|时间表|时间计划|时间节点|上线时间|计划.{0,6}(?:上线|启动|落地)|"
            r"几月份?|年底前|月底前|多久(?:要|能|之内)|deadline|timeline|"
            r"when do you|by when|go[- ]live date"
        ),
        "decision_process": (
            r"审批|决策|拍板|谁(?:来)?(?:决定|定|批|签)|流程|几个人|哪些人|"
            r"签字|说了算|decision|approv|sign[- ]off|who else"
        ),
        "value": (
            r"投资回报|ROI|回本|节省|省下|效率提升|提升了|降低了|降到|"
            r"减少了|价值|案例|roi|save|return on|payback|case stud"
        ),
        "competitor_position": (
            r"竞品|别家|其他厂商|对手|其他供应商|友商|两家|几家|对方的报价|"
            r"competitor|other vendors?|alternatives?|compared? (?:to|with)"
        ),
        "delivery_time": (
            r"交付|交期|上线|实施周期|工期|部署|多久能用|到货|投产|deliver|"
            r"go live|rollout|roll out|lead time|implementation time"
        ),
        "payment_terms": (
            r"付款|账期|分期|预付|尾款|首付|结算|月结|回款|payment|net \d+|instal|upfront|invoice"
        ),
        "implementation": r"实施|售后|培训|运维|驻场|维护|上线支持|onboarding|support|training|maintenance",
    }.items()
}


def checklist_for(stage: str | None) -> tuple[str, ...]:
    return STAGE_CHECKLISTS.get(stage or "", DEFAULT_CHECKLIST)


def coverage_gaps(texts: list[str], stage: str | None) -> list[dict[str, str]]:
    """Checklist topics no utterance mentions: [{"topic", "label", "message"}]."""
    joined = "\n".join(texts)
    gaps = []
    for topic in checklist_for(stage):
        if not TOPIC_PATTERNS[topic].search(joined):
            label = TOPIC_LABELS[topic]
            gaps.append({"topic": topic, "label": label, "message": f"全程未提及{label}"})
    return gaps
