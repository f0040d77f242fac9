"""THE table of behaviour formulas: for each of the twelve behaviours, the checks a call is scored on.

A call's score on a behaviour is ``100 * points of the checks met / points of the checks that
apply``; a check that does not apply to the call (no objection raised, no price talk, no timing)
counts neither way, and a behaviour with no applicable check is not scored on that call. Every
check returns whether it was met, a one-line detail and the transcript segments it rests on, so a
trainer can audit each point. Thresholds are named in coachsvc/radar/settings.py with their source.

Inputs (:class:`CallFacts`): the record's stage, its ``signals`` (the analysis' contract: talk
ratio, questions, discovery topics, objections handled, ...; see the README "Radar and coaching"),
its transcript segments, and its Objection / DecisionRole / NextStep rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from coachsvc.radar import settings

TOPIC_LABELS = {"budget": "预算", "timeline": "时间表", "decision_process": "决策流程", "pain_points": "痛点"}


@dataclass
class CallFacts:
    """What the checks read of one analysed call (plain data, detached from any session)."""

    stage: str | None
    signals: dict[str, Any]
    segments: dict[int, tuple[str | None, str]]  # idx -> (party, text)
    objections: list[dict[str, Any]] = field(default_factory=list)  # category, text, handled, segment_idx
    roles: list[dict[str, Any]] = field(default_factory=list)  # person, role, segment_idx
    next_steps: list[dict[str, Any]] = field(default_factory=list)  # action, owner, due, segment_idx

    def sig(self, name: str) -> Any:
        return self.signals.get(name)

    def evidence(self, *names: str) -> list[int]:
        """Segment indexes the analysis cited for the first of `names` it has evidence for."""
        ev = self.signals.get("evidence") or {}
        for name in names:
            idxs = ev.get(name)
            if idxs:
                return [int(i) for i in idxs if isinstance(i, int | float)]
        return []


@dataclass(frozen=True)
class Outcome:
    met: bool
    detail: str
    idxs: tuple[int, ...] = ()


@dataclass(frozen=True)
class Check:
    id: str
    label: str  # Chinese, shown to trainers
    points: int
    test: Callable[[CallFacts], Outcome | None]  # None: does not apply to this call


def count(value: Any) -> int | None:
    """Signals may carry a count or the list of what was counted."""
    if value is None:
        return None
    if isinstance(value, list | tuple | set | dict):
        return len(value)
    return int(value)


def _yes(c: CallFacts, name: str, yes: str, no: str, *ev: str) -> Outcome | None:
    value = c.sig(name)
    if value is None:
        return None
    met = bool(count(value)) if not isinstance(value, bool) else value
    return Outcome(met, yes if met else no, tuple(c.evidence(*(ev or (name,)))))


def _no(c: CallFacts, name: str, yes: str, no: str) -> Outcome | None:
    """A check met when a bad signal (disparaging, price before value, free concession) is absent."""
    value = c.sig(name)
    if value is None:
        return None
    bad = bool(count(value)) if not isinstance(value, bool) else value
    return Outcome(not bad, no if bad else yes, tuple(c.evidence(name)) if bad else ())


# --- rapport 开场破冰 ----------------------------------------------------------------------------


def _customer_speaks_early(c: CallFacts) -> Outcome | None:
    first = [i for i in sorted(c.segments)[: settings.get("RAPPORT_EARLY_TURNS")]]
    if not first:
        return None
    spoke = [i for i in first if c.segments[i][0] == "customer"]
    n = settings.get("RAPPORT_EARLY_TURNS")
    if spoke:
        return Outcome(True, f"前{n}轮内客户已开口", (spoke[0],))
    return Outcome(False, f"前{n}轮都是销售在说", tuple(first))


# --- questioning 提问技巧 ------------------------------------------------------------------------


def _questions_min(c: CallFacts) -> Outcome | None:
    n = count(c.sig("questions"))
    if n is None:
        return None
    need = settings.get("QUESTIONS_MIN_ANY_CALL")
    return Outcome(n >= need, f"提问 {n} 个（至少 {need} 个）", tuple(c.evidence("questions")))


def _open_share(c: CallFacts) -> Outcome | None:
    n, n_open = count(c.sig("questions")), count(c.sig("open_questions"))
    if n is None or n_open is None:
        return None
    share_min = settings.get("OPEN_QUESTION_SHARE_MIN")
    if n == 0:
        return Outcome(False, "全程没有提问", ())
    share = n_open / n
    detail = f"开放式问题 {n_open}/{n}（{share:.0%}，目标 ≥{share_min:.0%}）"
    return Outcome(share >= share_min, detail, tuple(c.evidence("open_questions")))


def _question_rate(c: CallFacts) -> Outcome | None:
    rate = c.sig("questions_per_10min")
    if rate is None:
        return None
    need = settings.get("QUESTIONS_PER_10MIN_MIN")
    return Outcome(
        rate >= need, f"每10分钟提问 {rate:.1f} 个（目标 ≥{need:g}）", tuple(c.evidence("questions"))
    )


def _discovery_question_count(c: CallFacts) -> Outcome | None:
    n = count(c.sig("questions"))
    if n is None or c.stage not in settings.get("DISCOVERY_STAGES"):
        return None
    lo, hi = settings.get("QUESTIONS_BEST_RANGE")
    detail = f"需求类通话提问 {n} 个（Gong: {lo}–{hi} 个最佳）"
    return Outcome(n >= lo, detail, tuple(c.evidence("questions")))


# --- needs_discovery 需求挖掘深度 ----------------------------------------------------------------


def _topic(topic: str) -> Callable[[CallFacts], Outcome | None]:
    def test(c: CallFacts) -> Outcome | None:
        topics = c.sig("discovery_topics")
        if topics is None or (c.stage is not None and c.stage not in settings.get("NEEDS_DISCOVERY_STAGES")):
            return None
        label = TOPIC_LABELS[topic]
        if topic in topics:
            idxs = c.evidence(f"discovery_topics.{topic}", topic, "discovery_topics")
            return Outcome(True, f"问到了{label}", tuple(idxs))
        return Outcome(False, f"未问及{label}", ())

    test.__name__ = f"topic_{topic}"
    return test


def _pitch_after_discovery(c: CallFacts) -> Outcome | None:
    return _yes(c, "pitch_after_discovery", "先了解需求再介绍方案", "未了解需求就开始介绍方案")


# --- listening 倾听与确认 ------------------------------------------------------------------------


def _talk_below_drop(c: CallFacts) -> Outcome | None:
    ratio = c.sig("talk_ratio")
    if ratio is None:
        return None
    limit = settings.get("TALK_RATIO_CONVERSION_DROP")
    detail = f"销售说话占比 {ratio:.0%}（超过 {limit:.0%} 转化率下降，Gong）"
    return Outcome(ratio <= limit, detail, _longest_rep_turns(c))


def _talk_like_top(c: CallFacts) -> Outcome | None:
    ratio = c.sig("talk_ratio")
    if ratio is None:
        return None
    top = settings.get("TALK_RATIO_TOP_PERFORMER")
    limit = top + settings.get("TALK_RATIO_TOP_TOLERANCE")
    detail = f"销售说话占比 {ratio:.0%}（销冠约 {top:.0%}，目标 ≤{limit:.0%}）"
    return Outcome(ratio <= limit, detail, _longest_rep_turns(c))


def _longest_rep_turns(c: CallFacts, n: int = 2) -> tuple[int, ...]:
    """The rep's longest turns among those the analysis counted as the rep's talk: what to read."""
    idxs = c.evidence("talk_ratio") or [i for i, (party, _) in c.segments.items() if party == "rep"]
    ranked = sorted((i for i in idxs if i in c.segments), key=lambda i: -len(c.segments[i][1]))
    return tuple(sorted(ranked[:n]))


def _monologue(c: CallFacts) -> Outcome | None:
    longest, unit = c.sig("longest_rep_monologue"), c.sig("longest_rep_monologue_unit") or "seconds"
    if longest is None:
        return None
    if unit == "chars":
        limit, shown = settings.get("MONOLOGUE_MAX_CHARS"), f"{longest:.0f} 字"
    else:
        limit, shown = settings.get("MONOLOGUE_MAX_SECONDS"), f"{longest:.0f} 秒"
    unit_label = "字" if unit == "chars" else "秒"
    detail = f"最长独白 {shown}（上限 {limit:g} {unit_label}）"
    return Outcome(longest <= limit, detail, tuple(c.evidence("longest_rep_monologue")))


def _confirm(c: CallFacts) -> Outcome | None:
    n = count(c.sig("confirm_turns"))
    if n is None:
        return None
    detail = f"复述/确认客户的话 {n} 次" if n else "没有复述或确认客户的话"
    return Outcome(n >= 1, detail, tuple(c.evidence("confirm_turns")))


# --- solution_tailoring 方案定制化程度 -----------------------------------------------------------


def _echo(c: CallFacts) -> Outcome | None:
    n = count(c.sig("customer_words_echoed"))
    if n is None:
        return None
    n = max(n, len(c.evidence("customer_words_echoed")))  # the analysis may report a flag
    detail = f"方案中引用客户原话 {n} 处" if n else "方案没有用到客户自己的说法"
    return Outcome(n >= 1, detail, tuple(c.evidence("customer_words_echoed")))


# --- value_articulation 价值与ROI呈现 ------------------------------------------------------------


def _value_any(c: CallFacts) -> Outcome | None:
    n = count(c.sig("value_evidence"))
    if n is None:
        return None
    detail = f"给出数字/ROI/案例 {n} 处" if n else "没有用数字、ROI或案例说明价值"
    return Outcome(n >= 1, detail, tuple(c.evidence("value_evidence")))


def _value_several(c: CallFacts) -> Outcome | None:
    n = count(c.sig("value_evidence"))
    if n is None:
        return None
    need = settings.get("VALUE_EVIDENCE_MIN")
    return Outcome(n >= need, f"价值证据 {n} 处（目标 ≥{need}）", tuple(c.evidence("value_evidence")))


# --- objection_handling 异议处理 -----------------------------------------------------------------


def _objection_counts(c: CallFacts) -> tuple[int, int, tuple[int, ...], tuple[int, ...]] | None:
    """(total, handled, idxs of handled, idxs of unhandled), from the rows, else the signals."""
    if c.objections:
        handled = [o for o in c.objections if o.get("handled")]
        left = [o for o in c.objections if not o.get("handled")]
        idx = lambda rows: tuple(o["segment_idx"] for o in rows if o.get("segment_idx") is not None)  # noqa: E731
        return len(c.objections), len(handled), idx(handled), idx(left)
    total, handled = count(c.sig("objections")), count(c.sig("objections_handled"))
    if not total:
        return None
    return total, handled or 0, tuple(c.evidence("objections_handled")), tuple(c.evidence("objections"))


def _objections_half(c: CallFacts) -> Outcome | None:
    counts = _objection_counts(c)
    if counts is None:
        return None
    total, handled, ok, left = counts
    return Outcome(handled * 2 >= total, f"处理了 {handled}/{total} 个异议（目标 ≥50%）", ok or left)


def _objections_all(c: CallFacts) -> Outcome | None:
    counts = _objection_counts(c)
    if counts is None:
        return None
    total, handled, ok, left = counts
    if handled >= total:
        return Outcome(True, f"{total} 个异议全部回应", ok)
    return Outcome(False, f"{total - handled} 个异议没有回应", left)


def _clarify(c: CallFacts) -> Outcome | None:
    if _objection_counts(c) is None:
        return None
    return _yes(c, "clarify_before_answer", "回答异议前先澄清了客户的顾虑", "没有澄清就直接回答异议")


# --- competitor_handling 竞品应对 ----------------------------------------------------------------


def _competitor_handled(c: CallFacts) -> Outcome | None:
    total = count(c.sig("competitor_objections"))
    if not total:
        return None
    handled = count(c.sig("competitor_handled")) or 0
    idxs = c.evidence("competitor_handled", "competitor_objections")
    return Outcome(handled >= total, f"竞品异议回应 {handled}/{total}", tuple(idxs))


def _no_disparaging(c: CallFacts) -> Outcome | None:
    if not count(c.sig("competitor_objections")) and not c.sig("disparaged_competitor"):
        return None
    return _no(c, "disparaged_competitor", "没有贬低竞品", "贬低了竞品")


# --- price_negotiation 价格谈判节奏 --------------------------------------------------------------


_PRICE_TALK = re.compile(r"价格|报价|多少钱|折扣|优惠|便宜|贵|降价|\bprice|\bdiscount|\bquote", re.I)
_PRICE_CATEGORIES = ("price", "budget", "terms")


def _price_discussed(c: CallFacts) -> bool:
    """Price checks apply only to calls that talk price (the analysis reports the flags always)."""
    if c.sig("price_discussed") is not None:
        return bool(c.sig("price_discussed"))
    if any(o.get("category") in _PRICE_CATEGORIES for o in c.objections):
        return True
    return any(_PRICE_TALK.search(text) for _, text in c.segments.values())


def _price_after_value(c: CallFacts) -> Outcome | None:
    if not _price_discussed(c):
        return None
    return _no(c, "price_before_value", "先讲价值再谈价格", "价值还没讲清就开始谈价格")


def _no_free_concession(c: CallFacts) -> Outcome | None:
    if not _price_discussed(c):
        return None
    return _no(c, "concession_given_free", "让步都换取了对等条件", "无条件让步（白送折扣）")


# --- decision_mapping 决策链识别 -----------------------------------------------------------------


def _roles(c: CallFacts) -> tuple[list[str], tuple[int, ...]] | None:
    if c.roles:
        idxs = tuple(r["segment_idx"] for r in c.roles if r.get("segment_idx") is not None)
        return [f"{r['person']}（{r['role']}）" for r in c.roles], idxs
    n = count(c.sig("roles_identified"))
    if n is None:
        return None
    return [""] * n, tuple(c.evidence("roles_identified"))


def _role_any(c: CallFacts) -> Outcome | None:
    found = _roles(c)
    if found is None:
        return None
    names, idxs = found
    if names:
        shown = "、".join(n for n in names if n)
        return Outcome(True, f"识别了决策链角色：{shown}" if shown else f"识别了 {len(names)} 个角色", idxs)
    return Outcome(False, "没有识别任何决策链角色")


def _role_several(c: CallFacts) -> Outcome | None:
    found = _roles(c)
    if found is None:
        return None
    kinds = {r["role"] for r in c.roles} if c.roles else set(range(len(found[0])))
    return Outcome(len(kinds) >= 2, f"识别了 {len(kinds)} 种角色（目标 ≥2）", found[1])


def _decision_maker(c: CallFacts) -> Outcome | None:
    rows = [r for r in c.roles if r.get("role") == "decision_maker"]
    if rows:
        idxs = tuple(r["segment_idx"] for r in rows if r.get("segment_idx") is not None)
        return Outcome(True, f"找到拍板人：{rows[0]['person']}", idxs)
    value = c.sig("decision_maker_identified")
    if value is None and not c.roles:
        return None
    if value:
        return Outcome(True, "找到拍板人", tuple(c.evidence("decision_maker_identified")))
    return Outcome(False, "没有找到拍板人")


# --- next_step_commitment 推进与促成 -------------------------------------------------------------


def _steps_idx(rows: list[dict[str, Any]]) -> tuple[int, ...]:
    return tuple(s["segment_idx"] for s in rows if s.get("segment_idx") is not None)


def _next_step_any(c: CallFacts) -> Outcome | None:
    if c.next_steps:
        return Outcome(True, "约定了下一步：" + c.next_steps[0]["action"], _steps_idx(c.next_steps))
    return Outcome(False, "没有约定任何下一步")


def _next_step_dated(c: CallFacts) -> Outcome | None:
    dated = [s for s in c.next_steps if s.get("due")]
    if dated:
        return Outcome(
            True, f"下一步有明确日期：{dated[0]['action']}（{dated[0]['due']}）", _steps_idx(dated)
        )
    if c.sig("dated_next_step"):
        return Outcome(True, "下一步有明确日期", tuple(c.evidence("dated_next_step")))
    return Outcome(False, "下一步没有约定日期")


def _customer_commits(c: CallFacts) -> Outcome | None:
    if not c.next_steps:
        return Outcome(False, "客户没有做出任何承诺")
    theirs = [s for s in c.next_steps if (s.get("owner") or "rep") != "rep"]
    if theirs:
        return Outcome(True, f"客户方承诺：{theirs[0]['action']}", _steps_idx(theirs))
    return Outcome(False, "下一步都由销售承担，客户没有承诺", _steps_idx(c.next_steps))


# --- responsiveness 响应速度 ---------------------------------------------------------------------


def _gap_within(setting: str) -> Callable[[CallFacts], Outcome | None]:
    def test(c: CallFacts) -> Outcome | None:
        gap = c.sig("response_gap_seconds")
        if gap is None:
            return None
        limit = settings.get(setting)
        detail = f"客户提出需求到销售跟进用了 {_duration(gap)}（目标 ≤{_duration(limit)}）"
        return Outcome(gap <= limit, detail, tuple(c.evidence("response_gap_seconds")))

    return test


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} 秒"
    if seconds < 7200:
        return f"{seconds / 60:.0f} 分钟"
    return f"{seconds / 3600:.1f} 小时"


# --- The table ----------------------------------------------------------------------------------

CHECKS: dict[str, tuple[Check, ...]] = {
    "rapport": (
        Check("greeting", "开场问候与寒暄", 1, lambda c: _yes(c, "greeting", "有问候寒暄", "开场没有问候")),
        Check(
            "agenda",
            "说明本次沟通目的/议程",
            1,
            lambda c: _yes(c, "agenda_set", "说明了议程", "没有说明议程"),
        ),
        Check("customer_early", "开场阶段让客户开口", 1, _customer_speaks_early),
    ),
    "questioning": (
        Check("questions_min", "提问数量达标", 1, _questions_min),
        Check("open_share", "开放式问题占比", 1, _open_share),
        Check("question_rate", "提问频率（每10分钟）", 1, _question_rate),
        Check("discovery_count", "需求类通话提问 11–14 个", 1, _discovery_question_count),
    ),
    "needs_discovery": (
        *(Check(f"topic_{t}", f"问及{TOPIC_LABELS[t]}", 1, _topic(t)) for t in settings.DISCOVERY_TOPICS),
        Check("pitch_after_discovery", "先挖需求再讲方案", 1, _pitch_after_discovery),
    ),
    "listening": (
        Check("talk_below_drop", "说话占比不超过 65%", 1, _talk_below_drop),
        Check("talk_like_top", "说话占比接近销冠（43%）", 1, _talk_like_top),
        Check("monologue", "没有过长的独白", 1, _monologue),
        Check("confirm", "复述/确认客户的话", 1, _confirm),
    ),
    "solution_tailoring": (
        Check("echo", "用客户的原话讲方案", 1, _echo),
        Check("pitch_after_discovery", "方案紧跟需求挖掘", 1, _pitch_after_discovery),
    ),
    "value_articulation": (
        Check("value_any", "用数字/ROI/案例说明价值", 1, _value_any),
        Check("value_several", "多个价值证据", 1, _value_several),
    ),
    "objection_handling": (
        Check("half_handled", "至少一半异议得到回应", 1, _objections_half),
        Check("all_handled", "所有异议都得到回应", 1, _objections_all),
        Check("clarify", "先澄清再回答", 1, _clarify),
    ),
    "competitor_handling": (
        Check("competitor_handled", "回应竞品对比", 1, _competitor_handled),
        Check("no_disparaging", "不贬低竞品", 1, _no_disparaging),
    ),
    "price_negotiation": (
        Check("price_after_value", "先价值后价格", 1, _price_after_value),
        Check("no_free_concession", "让步要有交换", 1, _no_free_concession),
    ),
    "decision_mapping": (
        Check("role_any", "识别决策链角色", 1, _role_any),
        Check("role_several", "识别多个角色", 1, _role_several),
        Check("decision_maker", "找到拍板人", 1, _decision_maker),
    ),
    "next_step_commitment": (
        Check("next_step", "约定下一步", 1, _next_step_any),
        Check("dated", "下一步有明确日期", 1, _next_step_dated),
        Check("customer_commits", "客户方做出承诺", 1, _customer_commits),
    ),
    "responsiveness": (
        Check("gap_good", "快速跟进（默认 30 分钟内）", 1, _gap_within("RESPONSE_GAP_GOOD_SECONDS")),
        Check("gap_ok", "及时跟进（默认 4 小时内）", 1, _gap_within("RESPONSE_GAP_OK_SECONDS")),
    ),
}
