"""Per-call behaviour signals for the 12-behaviour radar (shared/domain.md), each with the
segments that show it (`evidence`) so a trainer can audit every point.

The keys are a contract with the radar; see the README's Analysis section for their meaning.
"""

from __future__ import annotations

import re
from typing import Any

from coachsvc.analysis.coverage import TOPIC_PATTERNS
from coachsvc.analysis.text import sentences

_QUESTION_END = re.compile(r"[?？]\s*$|(?:吗|呢|么|嘛)[。!！]?\s*$")
_INTERROGATIVE = re.compile(
    r"什么|怎么|哪些|哪个|哪里|哪儿|多少|几个|几位|为什么|如何|是否|"
    r"有没有|是不是|能不能|可不可以|会不会|要不要|多久|多大"
)
_OPEN = re.compile(
    r"什么|怎么|哪些|哪个|哪里|为什么|如何|多少|多久|说说|讲讲|介绍一下|"
    r"聊聊|谈谈|^\s*(?:what|how|why|which|where|who|tell me)\b",
    re.I,
)
_EN_QUESTION = re.compile(
    r"^\s*(?:what|how|why|which|where|who|when|do|does|did|is|are|can|could|would|will|have|has)\b", re.I
)
_GREETING = re.compile(
    r"您好|你好|早上好|下午好|上午好|晚上好|感谢|谢谢.{0,6}(?:时间|见|接待)|"
    r"\bhello\b|\bhi\b|good (?:morning|afternoon)|thanks? (?:you )?for",
    re.I,
)
_AGENDA = re.compile(
    r"今天(?:主要)?(?:想|是想|来是|过来是)|今天的目的|占用您|大概.{0,4}分钟|"
    r"半小时|议程|先.{1,12}然后|聊几个|几个问题|agenda|today I'?d like|"
    r"purpose of|plan for (?:today|this call)|goal today",
    re.I,
)
_PITCH = re.compile(
    r"我们的(?:系统|产品|方案|平台|软件|设备|服务)|我们(?:可以|能|支持)|"
    r"可以帮您|能帮您|our (?:system|product|platform|solution)|we can|we offer",
    re.I,
)
_CONFIRM = re.compile(
    r"也就是说|您的意思是|你的意思是|我理解|我确认一下|确认一下|"
    r"我总结一下|总结一下|刚才您(?:提到|说)|您刚才(?:提到|说)|听下来|"
    r"所以(?:您|你们)(?:现在|主要|是)|对吧|对不对|是这样吧|"
    r"so what I'?m hearing|if I understand|just to confirm|you mentioned|to summari[sz]e|so you'?re saying",
    re.I,
)
_VALUE = re.compile(
    r"\d+(?:\.\d+)?\s*(?:%|倍|成|万|天|小时|分钟|个月|周|家)|百分之|"
    r"[一二三四五六七八九十两]成|投资回报|ROI|回本|案例|同行客户|"
    r"客户.{0,8}(?:上线|用了|用下来)|降到|提升了|减少了|节省|"
    r"\broi\b|case stud|payback|\d+ ?(?:%|percent|x|hours|days)|saved|customers? like",
    re.I,
)
_PRICE = re.compile(
    r"价格|报价|多少钱|折扣|优惠|单价|费用|便宜|贵|\bprice|\bpricing|\bcost|\bdiscount|\bquote", re.I
)
_CONCESSION = re.compile(
    r"打[个一二三四五六七八九]?折|[一二三四五六七八九](?:五)?折|"
    r"折扣|优惠|便宜|降价|让利|送(?:您|你们)?|免费|减免|少收|\bdiscount|\bfree\b|knock off|waive",
    re.I,
)
_TRADE = re.compile(
    r"如果|前提是|条件是|只要您|只要你们|那您|换|签(?:两|三)年|年付|"
    r"预付|\bif you\b|in exchange|provided|as long as",
    re.I,
)
_COMPETITOR = (
    r"竞品|别家|友商|对方|他们家|他们的|金蝶|用友|SAP|钉钉|飞书|浪潮|鼎捷|"
    r"competitor|salesforce|hubspot|oracle|the other vendor"
)
_DISPARAGE = re.compile(
    rf"(?:{_COMPETITOR}).{{0,12}}(?:不行|很差|太差|垃圾|坑人|坑|不靠谱|骗|烂|差劲|问题很多|一塌糊涂|不专业|terrible|awful|junk|garbage|bad|worse)",
    re.I,
)
_REQUEST = re.compile(
    r"能不能|可不可以|可以吗|请|麻烦|帮忙|怎么办|谁负责|[?？]|\bcan you\b|\bcould you\b|\bplease\b", re.I
)
_DISCOVERY = ("budget", "timeline", "decision_process", "pain_points")


def compute_signals(
    segments: list, objections: list, roles: list, next_steps: list, timed: bool = False
) -> dict[str, Any]:
    """The signal contract of issue 4 (see module doc). `timed`: start/end are speech times."""
    timed = timed and _timed(segments)
    rep = [s for s in segments if s.party == "rep"]
    evidence: dict[str, list[int]] = {}
    out: dict[str, Any] = {}
    out.update(_talk(segments, evidence, timed))
    out.update(_questions(rep, out["duration_seconds"], evidence))
    out.update(_opening(rep, evidence))
    out.update(_discovery(segments, evidence))
    out.update(_listening(segments, evidence, timed))
    out.update(_objection_signals(segments, objections, evidence))
    out.update(_price(segments, evidence))
    out["roles_identified"] = len({r.person for r in roles})
    out["decision_maker_identified"] = any(r.role == "decision_maker" for r in roles)
    evidence["roles_identified"] = sorted({r.segment_idx for r in roles})
    evidence["decision_maker_identified"] = sorted(
        {r.segment_idx for r in roles if r.role == "decision_maker"}
    )
    out["dated_next_step"] = any(s.due is not None for s in next_steps)
    evidence["dated_next_step"] = sorted({s.segment_idx for s in next_steps if s.due is not None})
    out["response_gap_seconds"] = _response_gap(segments, evidence, timed)
    out["evidence"] = {name: sorted(set(idx)) for name, idx in evidence.items()}
    return out


def _chars(text: str) -> int:
    return len(re.sub(r"\s", "", text))


def _timed(segments: list) -> bool:
    return (
        bool(segments)
        and all(s.start is not None and s.end is not None for s in segments)
        and any(s.end > s.start for s in segments)
    )


def _span(seg) -> float:
    return max(0.0, (seg.end or 0.0) - (seg.start or 0.0))


def _talk(segments: list, evidence: dict, timed: bool) -> dict[str, Any]:
    rep_chars = sum(_chars(s.text) for s in segments if s.party == "rep")
    cust_chars = sum(_chars(s.text) for s in segments if s.party != "rep")
    duration = None
    if timed:
        duration = round(max(s.end for s in segments) - min(s.start for s in segments), 2)
        rep_t = sum(_span(s) for s in segments if s.party == "rep")
        total = rep_t + sum(_span(s) for s in segments if s.party != "rep")
        ratio = rep_t / total if total else None
    else:
        ratio = rep_chars / (rep_chars + cust_chars) if rep_chars + cust_chars else None
    evidence["talk_ratio"] = [s.idx for s in segments if s.party == "rep"]
    return {
        "talk_ratio": round(ratio, 4) if ratio is not None else None,
        "talk_ratio_unit": "seconds" if timed else "chars",
        "rep_chars": rep_chars,
        "customer_chars": cust_chars,
        "duration_seconds": duration,
    }


def is_question(sentence: str) -> bool:
    s = sentence.strip()
    return bool(_QUESTION_END.search(s) or _EN_QUESTION.search(s) and not s.endswith(".")) or (
        not re.search(r"[。.!！]$", s) and bool(_INTERROGATIVE.search(s))
    )


def _rep_questions(rep: list) -> list[tuple[int, str]]:
    return [(seg.idx, sent.text) for seg in rep for sent in sentences(seg.text) if is_question(sent.text)]


def _questions(rep: list, duration: float | None, evidence: dict) -> dict[str, Any]:
    qs = _rep_questions(rep)
    opens = [(i, q) for i, q in qs if _OPEN.search(q) and not re.search(r"吗[?？]?$|是不是|对吧|对不对", q)]
    evidence["questions"] = sorted({i for i, _ in qs})
    evidence["open_questions"] = sorted({i for i, _ in opens})
    per10 = round(len(qs) / (duration / 600), 2) if duration else None
    return {"questions": len(qs), "open_questions": len(opens), "questions_per_10min": per10}


def _opening(rep: list, evidence: dict) -> dict[str, Any]:
    first = rep[:2]
    greet = [s.idx for s in first if _GREETING.search(s.text)]
    agenda = [s.idx for s in rep[:3] if _AGENDA.search(s.text)]
    evidence["greeting"], evidence["agenda_set"] = greet, agenda
    return {"greeting": bool(greet), "agenda_set": bool(agenda)}


def _discovery(segments: list, evidence: dict) -> dict[str, Any]:
    pitch = next((s.idx for s in segments if s.party == "rep" and _PITCH.search(s.text)), None)
    topics: dict[str, list[int]] = {}
    asked_before = []
    for seg in segments:
        if seg.party != "rep" or (pitch is not None and seg.idx >= pitch):
            continue
        for sent in sentences(seg.text):
            if not is_question(sent.text):
                continue
            asked_before.append(seg.idx)
            for topic in _DISCOVERY:
                if TOPIC_PATTERNS[topic].search(sent.text) or (
                    topic == "pain_points" and _pain_question(sent.text)
                ):
                    topics.setdefault(topic, []).append(seg.idx)
    evidence["discovery_topics"] = sorted({i for v in topics.values() for i in v})
    evidence["pitch_after_discovery"] = sorted(set(asked_before)) + ([pitch] if pitch is not None else [])
    return {
        "discovery_topics": [t for t in _DISCOVERY if t in topics],
        "pitch_after_discovery": pitch is not None and bool(asked_before),
        "first_pitch_segment": pitch,
    }


def _pain_question(text: str) -> bool:
    return bool(
        re.search(
            r"现在.{0,10}(?:怎么|如何)(?:做|处理|管)|遇到.{0,6}问题|"
            r"最.{0,4}(?:头疼|困扰|麻烦)|影响|how do you (?:handle|manage)|what happens when",
            text,
            re.I,
        )
    )


def _listening(segments: list, evidence: dict, timed: bool) -> dict[str, Any]:
    longest, run, run_idx, best_idx = 0.0, 0.0, [], []
    for seg in segments:
        if seg.party == "rep":
            run += _span(seg) if timed else _chars(seg.text)
            run_idx.append(seg.idx)
            if run > longest:
                longest, best_idx = run, list(run_idx)
        else:
            run, run_idx = 0.0, []
    confirms = [s.idx for s in segments if s.party == "rep" and _CONFIRM.search(s.text)]
    echoed = _echoes(segments)
    evidence["longest_rep_monologue"] = best_idx
    evidence["confirm_turns"] = confirms
    evidence["customer_words_echoed"] = echoed
    return {
        "longest_rep_monologue": round(longest, 2) if timed else int(longest),
        "longest_rep_monologue_unit": "seconds" if timed else "chars",
        "confirm_turns": len(confirms),
        "customer_words_echoed": bool(echoed),
        "value_evidence": _value(segments, evidence),
    }


_FUNCTION_CHARS = "我你您他她们的了是在有这那个就都也吗呢吧啊嗯要会能可以不没很还和跟与把给对"
#: Three-character runs of content characters (CJK, no function characters), found overlapping.
_CONTENT_TRIGRAM = re.compile(rf"(?=((?:(?![{_FUNCTION_CHARS}])[\u4e00-\u9fff]){{3}}))")
_EN_CONTENT_WORD = re.compile(r"[A-Za-z]{5,}")


def _echoes(segments: list) -> list[int]:
    """Rep turns that reuse at least two of the customer's own phrases (three-character runs
    without function characters, or English words) said earlier."""
    said: set[str] = set()
    out = []
    for seg in segments:
        grams = set(_CONTENT_TRIGRAM.findall(seg.text))
        grams.update(w.lower() for w in _EN_CONTENT_WORD.findall(seg.text))
        if seg.party == "rep":
            if len(grams & said) >= 2:
                out.append(seg.idx)
        else:
            said |= grams
    return out


def _value(segments: list, evidence: dict) -> int:
    hits = [
        (s.idx, sent.text)
        for s in segments
        if s.party == "rep"
        for sent in sentences(s.text)
        if _VALUE.search(sent.text)
    ]
    evidence["value_evidence"] = sorted({i for i, _ in hits})
    return len(hits)


def _objection_signals(segments: list, objections: list, evidence: dict) -> dict[str, Any]:
    comp = [o for o in objections if o.category == "competitor"]
    disparage = [s.idx for s in segments if s.party == "rep" and _DISPARAGE.search(s.text)]
    evidence["objections"] = [o.segment_idx for o in objections]
    evidence["objections_handled"] = [o.segment_idx for o in objections if o.handled]
    evidence["clarify_before_answer"] = [o.segment_idx for o in objections if o.clarified]
    evidence["competitor_objections"] = [o.segment_idx for o in comp]
    evidence["competitor_handled"] = [o.segment_idx for o in comp if o.handled]
    evidence["disparaged_competitor"] = disparage
    return {
        "objections": len(objections),
        "objections_handled": sum(o.handled for o in objections),
        "clarify_before_answer": sum(o.clarified for o in objections),
        "competitor_objections": len(comp),
        "competitor_handled": sum(o.handled for o in comp),
        "disparaged_competitor": bool(disparage),
    }


def _price(segments: list, evidence: dict) -> dict[str, Any]:
    price = next((s.idx for s in segments if _PRICE.search(s.text)), None)
    value = next(
        (s.idx for s in segments if s.party == "rep" and (_VALUE.search(s.text) or _PITCH.search(s.text))),
        None,
    )
    before = price is not None and (value is None or price < value)
    concessions = [
        s.idx
        for s in segments
        if s.party == "rep" and _CONCESSION.search(s.text) and not _TRADE.search(s.text)
    ]
    evidence["price_before_value"] = [i for i in (price, value) if i is not None]
    evidence["concession_given_free"] = concessions
    return {"price_before_value": before, "concession_given_free": bool(concessions)}


def _response_gap(segments: list, evidence: dict, timed: bool) -> float | None:
    """Mean seconds from a customer's request or complaint to the rep's next turn. In a chat
    export a message's time is when it was sent (its `end` is only the next message's time)."""
    if not all(s.start is not None for s in segments):
        evidence["response_gap_seconds"] = []
        return None
    gaps, idx = [], []
    for n, seg in enumerate(segments):
        if seg.party == "rep" or not _REQUEST.search(seg.text):
            continue
        reply = next((r for r in segments[n + 1 :] if r.party == "rep"), None)
        if reply is None:
            continue
        said_at = seg.end if timed and seg.end is not None and seg.end > seg.start else seg.start
        gaps.append(max(0.0, reply.start - said_at))
        idx += [seg.idx, reply.idx]
    evidence["response_gap_seconds"] = idx
    return round(sum(gaps) / len(gaps), 2) if gaps else None
