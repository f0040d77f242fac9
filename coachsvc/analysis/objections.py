"""Customer objections: each customer clause is classified (ten categories or none) after the
spans that cannot be objections are neutralised: negated concerns (价格倒不是问题), favourable
hypotheticals (如果预算批下来), and concessions (贵一点也没关系). The rep's turns are never
searched: an objection the rep voices (您是不是觉得贵) is not the customer's.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from coachsvc.analysis.constants import (
    HANDLED_WITHIN_REP_TURNS,
    LEXICON_BONUS,
    NONE_LABEL,
    OBJECTION_MIN_PROBABILITY,
    SENTENCE_CLAUSE_SCREEN,
    SENTENCE_MIN_PROBABILITY,
    SENTENCE_NONE_VETO,
)
from coachsvc.analysis.model import Bundle
from coachsvc.analysis.text import Span, clauses, sentences

_TOPIC = (
    r"(?:价格|价钱|报价|单价|费用|钱|成本|贵|预算|资金|经费|交付|交期|工期|上线|时间|周期|进度|售后|服务|维护|合同|条款|付款|账期"
    r"|竞品|别家|品牌|资质|规模|需求|功能|权限|决策|老板)"
)
#: Spans that state a concern is NOT a problem; removed before classification.
_NEGATED = [
    re.compile(
        rf"{_TOPIC}[^，,。！？!?；;]{{0,8}}?(?:倒|也|并|都|其实|确实|真)?(?:不是|不算|算不上|谈不上)(?:什么|太大的?|多大的?|很大的?|主要的?)?(?:问题|难题|障碍|关键|重点|事儿?|顾虑|考虑因素)"
    ),
    re.compile(
        rf"{_TOPIC}[^，,。！？!?；;]{{0,6}}?(?:方面|这块|这边|上)?(?:倒是?|也|都)?(?<![不没])(?:没(?:什么|啥)?(?:问题|关系|意见)|无所谓|好说|问题不大|能接受|可以接受|还能接受|合理|还行|还好|还可以|ok|不用担心|放心|不要紧|够的|够用|够了|足够|充足|不缺|批了|已经批|来得及|没意见|都行|可以[。！!]?$|可以的|行的)"
    ),
    re.compile(rf"(?:不是|不在于)[^，,。！？!?；;]{{0,4}}?{_TOPIC}的?(?:问题|事)"),
    re.compile(
        rf"{_TOPIC}[^。！？!?；;]{{0,10}}?[，,]\s*(?:够了|足够了|够用了|没问题|可以接受|能接受|不是问题)"
    ),
    re.compile(
        rf"(?:不|没|并不|倒不)(?:太|怎么|是很)?(?:担心|在乎|在意|介意|纠结|考虑)[^，,。！？!?；;]{{0,4}}?{_TOPIC}"
    ),
    re.compile(
        r"(?:就算|即使|哪怕|即便)[^，,。！？!?；;]{0,16}(?:也|都)(?:没关系|无所谓|不要紧|能接受|可以|愿意|认)"
    ),
    re.compile(
        # (the up to six characters before the concession are blanked too: see neutralise)
        r"(?P<concession>(?:贵|慢|久)(?:一点|一些|点)?(?:也|都)?(?:没关系|无所谓|不要紧|能接受|可以接受))"
    ),
    # 售后这块我们不担心 / 价格我们不太在意 / 价格倒是其次 (the topic first, then the dismissal)
    re.compile(
        rf"{_TOPIC}[^，,。！？!?；;]{{0,8}}?(?:倒|也|都|并|其实)?(?:不|没)(?:太|怎么|是很|那么)?"
        rf"(?:担心|在意|在乎|介意|着急|急|纠结|顾虑)|{_TOPIC}[^，,。！？!?；;]{{0,6}}?(?:倒是|是)?其次"
    ),
    # 我倒不觉得贵 / 也不算贵 / 不贵
    re.compile(r"(?:倒|也|并|其实)?(?:不觉得|不算|没觉得|并不)(?:太|很|特别)?(?:贵|高|慢|久|长|复杂)"),
    re.compile(r"(?:我|也)?不是说[^，,。！？!?；;]{0,10}"),
    re.compile(r"倒不是[^，,。！？!?；;]{0,10}"),
    re.compile(
        r"\b(?:price|pricing|cost|budget|money|timing|timeline|support|time)\b[^,.;!?]{0,20}?"
        r"(?:isn't|is not|'s not|not)\s+(?:really\s+)?(?:an?\s+|the\s+)?(?:main\s+|big\s+)?"
        r"(?:issue|problem|concern)\b",
        re.I,
    ),
    re.compile(
        r"\b(?:price|pricing|cost|budget|money|timing|timeline|support)\b[^,.;!?]{0,12}?\b(?:is|'s|seems|looks)\s+(?:fine|fair|ok|okay|reasonable|approved)\b",
        re.I,
    ),
    re.compile(r"\b(?:not|never)\s+(?:really\s+)?(?:worried|concerned)\s+about\s+\w+", re.I),
    re.compile(r"\bwe(?:'re| are)\s+fine\s+with\s+the\s+\w+", re.I),
    re.compile(r"\bwe (?:have|'ve got|got) (?:the )?(?:budget|money|funding)\b[^,.;!?]{0,30}", re.I),
]
_ANY_NEGATED = re.compile("|".join(f"(?:{p.pattern})" for p in _NEGATED), re.IGNORECASE)

#: Favourable conditions (如果价格合适的话) are not objections; conditions that threaten are.
_HYPOTHETICAL = re.compile(
    r"(?:如果|假如|假设|要是|倘若|若是|只要)[^，,。！？!?；;]{0,18}?(?:的话|就|，|,|$)|"
    r"\b(?:if|assuming|once)\b[^,.;!?]{0,40}",
    re.I,
)
_THREAT = re.compile(
    r"太|不够|不行|没有|没法|不了|不满足|用不上|风险|还是|不用|达不到|"
    r"超过|慢|贵|出问题|坏|不能|不给|不认|怎么办|谁(?:来)?负责|谁管|"
    r"won't|can't|not|too|what happens",
    re.I,
)
#: Customer words that are pure inquiries about a topic (报价多少), not objections.
_CLARIFY = re.compile(
    r"方便问|具体是|具体指|您指的是|是指|能说说|能具体|哪方面|哪些方面|"
    r"主要是担心|担心的是|您的意思是|是因为|怎么考虑|哪一块|哪个环节"
    r"|can you tell me more|what specifically|what do you mean|which part|could you elaborate",
    re.I,
)
#: The rep's reply addresses a category when it speaks to it (besides clarifying questions).
HANDLING_CUES: dict[str, str] = {
    "price": (
        r"价|折扣|优惠|便宜|性价比|投资回报|ROI|回本|成本|省|包含|含了|"
        r"报价|费用|价值|对比|算一笔账|price|discount|cost|value|roi|quote"
    ),
    "budget": (
        r"预算|分期|按年|按月|先上|试点|一期|明年|资金|付款|租|免费试用|budget|phase|pilot|instal|spread"
    ),
    "competitor": (
        r"对比|区别|差异|优势|不同|接口|兼容|替换|迁移|同时|共存|对方|"
        r"他们|两家|compare|differen|advantage|integrat|switch"
    ),
    "timing": r"时间|时机|计划|节点|什么时候|先|试点|提前|旺季|规划|等|when|timeline|plan|pilot",
    "authority": (
        r"汇报|老板|领导|王总|张总|李总|决策|一起|约|材料|资料|拍板|decision|boss|meet|loop|together"
    ),
    "trust": r"案例|客户|同行|资质|认证|上市|参观|考察|证书|安全|数据|case|reference|customer|certif|secur",
    "need": (
        r"需求|场景|痛点|功能|定制|模块|只用|按需|需要|other customers|need|feature|module|custom|workflow"
    ),
    "delivery": (
        r"交付|上线|周期|分期|一期|提前|加急|排期|工期|部署|周内|天内|deliver|go live|timeline|phase|weeks"
    ),
    "service": r"售后|服务|响应|支持|驻场|培训|工程师|客服|维护|SLA|小时|support|respon|onsite|train|hour",
    "terms": r"账期|付款|分期|预付|条款|合同|违约|尾款|比例|法务|payment|terms|net|instal|clause|contract",
}
_ACK = re.compile(
    r"理解|明白|确实|没错|您说得对|我知道|是的|对的|understand|fair point|i hear you|makes sense", re.I
)


#: Cue phrases per category: where one is said, the classifier needs less certainty (LEXICON_BONUS).
CATEGORY_CUES: dict[str, re.Pattern[str]] = {
    cat: re.compile(pattern, re.I)
    for cat, pattern in {
        "price": r"贵|价格?[^，,。]{0,4}(?:高|多)|价钱|报价[^，,。]{0,10}(?:高|贵|多|超)|"
        r"心疼|不划算|不值|便宜|折扣|优惠|单独收费|收费[^，,。]{0,4}(?:高|贵)|"
        r"expensive|overpriced|pric(?:e|ing)[^,.]{0,20}(?:high|steep|fast)|too much|discount|cost",
        "budget": (
            r"预算|没钱|钱[^，,。]{0,6}(?:花完|用完|不够|没有)|经费|资金[^，,。]{0,4}紧|"
            r"没这笔|拿不出|冻结|budget|no money|funds?|spend(?:ing)? (?:is )?frozen"
        ),
        "competitor": r"(?:已经|正在|一直|目前|现在|去年)[^，,。]{0,6}(?:在用|用的|用了|上了)|"
        r"(?:也|同时|还)在(?:看|谈|对比|比较|接触|评估)|两家|几家|三家|别家|另一家|友商|竞品|"
        r"牌子大|合作(?:了)?(?:很多|好几|十几|[0-9一二三四五六七八九十]+)年|"
        r"换(?:掉|一套)|再上一套|already (?:using|use|have)|also (?:evaluating|talking|looking)|"
        r"narrowed it|other vendors?|"
        r"salesforce|hubspot|workday|oracle|\bsap\b",
        "timing": r"不(?:是很|太)?急|不着急|再说|(?:明年|下半年|下个?季度|年后|以后|开春|过段时间)再|"
        r"等[^，,。]{1,12}(?:再说|再看|再议|以后|之后)|暂时不|先放|缓一缓|往后[放排]|不是时候|"
        r"not (?:a )?priority|on hold|revisit|not urgent|next (?:year|quarter)|wait until",
        "authority": r"通不过|批不下来|"
        r"(?:要|得)(?:经过|上|走|过)[^，,。]{0,4}(?:董事会|总部|集团|评审|审批|会)|"
        r"(?:说了不算|定不了|做不了主|决定不了|没有(?:这个)?权限)|请示|"
        r"(?:跟|向|和)[^，,。]{0,6}(?:汇报|商量)|approve any|sign off|"
        r"run it by|above my|board|not my (?:call|decision)|check with my",
        "trust": r"顾虑|没底|不放心|"
        r"担心[^，,。]{0,14}(?:隐私|安全|数据|稳定|倒闭|持续|靠谱|资质|规模|效果)|"
        r"没听说过|第一次听说|成立才|规模[^，,。]{0,3}小|倒闭|案例|资质|认证|靠谱|"
        r"隐私|泄露|SOC ?2|ISO ?\d*|track record|references?|never heard|"
        r"certif|security review|data (?:safe|security)",
        "need": r"用不上|用不(?:太)?明白|用不来|不会用|够呛|不支持|不满足|不匹配|不兼容|"
        r"对接不上|硬性要求|没(?:这个)?需求|没必要|够用了|太复杂|太重|套不上|不贴合|"
        r"doesn't support|don't (?:really )?need|overkill|not a fit|doesn't fit|too complex|deal breaker",
        "delivery": r"(?:实施|交付|上线|部署|工期|周期|交货|交期|到货|排期)[^，,。]{0,10}"
        r"(?:太久|太长|太慢|来不及|等不了|太晚|赶不上|晚了)|"
        r"等不了|来不及|太晚|赶不上|"
        r"go[- ]live|lead time|too (?:slow|long|late)|can't wait",
        "service": (
            r"服务期|维保|保修|售后|响应|驻场|培训|客服|工单|谁(?:来)?(?:维护|负责|管|修)|"
            r"出了?(?:问题|故障)|support|\bsla\b|maintenance|tickets?|onsite"
        ),
        "terms": (
            r"付款|账期|预付|尾款|首付|分期|节点|违约|条款|保密|排他|续约|"
            r"续费|涨价|质保金|付[^，,。]{0,4}(?:成|%)|price increase|"
            r"net \d+|payment|clause|renewal|liability|upfront"
        ),
    }.items()
}


def cue_categories(text: str) -> set[str]:
    return {cat for cat, rx in CATEGORY_CUES.items() if rx.search(text)}


def decide(classes: list[str], probs, text: str, threshold: float | None = None) -> tuple[str, float]:
    """The category (or none) for a clause (a whole sentence has its own `threshold`): the
    classifier's probabilities, with a bonus for the categories whose cue phrases are said."""
    threshold = OBJECTION_MIN_PROBABILITY if threshold is None else threshold
    ranked = rank(classes, probs, text, threshold)
    if ranked and ranked[0][1] >= threshold:
        return ranked[0]
    return NONE_LABEL, ranked[0][1] if ranked else 0.0


def rank(classes: list[str], probs, text: str, threshold: float | None = None) -> list[tuple[str, float]]:
    """Categories by score; cue phrases are only looked for where the bonus could matter."""
    floor = (OBJECTION_MIN_PROBABILITY if threshold is None else threshold) - LEXICON_BONUS
    scored = []
    for i, cat in enumerate(classes):
        if cat == NONE_LABEL:
            continue
        p = float(probs[i])
        if p >= floor and CATEGORY_CUES[cat].search(text):
            p += LEXICON_BONUS
        scored.append((cat, p))
    return sorted(scored, key=lambda cs: -cs[1])


def also_raised(classes: list[str], probs, text: str, first: str) -> list[tuple[str, float]]:
    """Other categories a run-on clause raises too (价格贵了22%且今年预算用完了): said in cue
    words and likely enough."""
    return [
        (cat, score)
        for cat, score in rank(classes, probs, text)[1:]
        if cat != first and score >= OBJECTION_MIN_PROBABILITY and CATEGORY_CUES[cat].search(text)
    ]


@dataclass
class FoundObjection:
    category: str
    text: str
    segment_idx: int
    span: Span
    confidence: float
    handled: bool = False
    clarified: bool = False


_CLAUSE_EDGE = frozenset("，,。！？!?；;")


def neutralise(text: str) -> str:
    """Blank out negated concerns and favourable hypotheticals (keeps offsets)."""
    spans = []
    for m in _ANY_NEGATED.finditer(text):
        start = m.start()
        if m.group("concession") is not None:  # 价格贵一点也没关系: its topic goes too
            floor = max(spans[-1][1] if spans else 0, start - 6)
            while start > floor and text[start - 1] not in _CLAUSE_EDGE:
                start -= 1
        spans.append((start, m.end()))
    if spans:
        pieces, pos = [], 0
        for start, end in spans:
            pieces += [text[pos:start], " " * (end - start)]
            pos = end
        text = "".join(pieces) + text[pos:]
    return _HYPOTHETICAL.sub(
        lambda m: m.group(0) if _THREAT.search(m.group(0)) else " " * len(m.group(0)), text
    )


def find_objections(segments: list, bundle: Bundle) -> list[FoundObjection]:
    """Objections in the customer's turns, one per category per turn, with `handled` set.

    Each clause is judged alone and within its sentence: a clause counts when it is an objection
    on its own and its sentence is not clearly neutral; a sentence that is an objection as a
    whole while none of its clauses is (小作坊，连电脑都没有，他们不会用的) counts as one."""
    sents, candidates = _pieces(segments)
    if not sents:
        return []
    found = _one_per_category_and_turn(_choose(sents, candidates, bundle))
    found = [f for f in found if not _answers_decision_question(f, segments)]
    _mark_handled(found, segments)
    return found


#: The rep asks how the customer decides or buys (谁来拍板? 采购流程是怎样的? "who signs off?").
_DECISION_QUESTION = re.compile(
    r"流程|谁(?:来)?(?:拍板|决定|定|负责|签|批|审批)|决策|审批|拍板|"
    r"\bwho\b[^.?]{0,30}\b(?:decides?|decision|sign|approv|own|call)|decision|process|sign[- ]off|approv",
    re.I,
)


def _answers_decision_question(found: FoundObjection, segments: list) -> bool:
    """An answer to the rep's question about who decides or how they buy describes the decision
    chain (a role, not a pushback): 销售：今天想了解一下你们的采购流程。 客户：……最后总经理审批。"""
    if found.category != "authority":
        return False
    position = next(n for n, s in enumerate(segments) if s.idx == found.segment_idx)
    before = segments[position - 1] if position else None
    return before is not None and before.party == "rep" and bool(_DECISION_QUESTION.search(before.text))


def _pieces(segments: list) -> tuple[list[tuple[int, Span, str]], list[tuple[int, Span, str, int]]]:
    """The customer's sentences and their clauses, neutralised, without pure inquiries."""
    sents: list[tuple[int, Span, str]] = []
    candidates: list[tuple[int, Span, str, int]] = []
    for seg in segments:
        if seg.party != "customer":
            continue
        for sent in sentences(seg.text):
            cleaned_sent = neutralise(sent.text)
            if _too_short(cleaned_sent) or is_plain_inquiry(cleaned_sent):
                continue
            sents.append((seg.idx, sent, cleaned_sent))
            for span in clauses(sent.text):
                cleaned = cleaned_sent[span.start : span.end]  # neutralise keeps offsets
                if not _too_short(cleaned) and not is_plain_inquiry(cleaned):
                    shifted = Span(span.text, sent.start + span.start, sent.start + span.end)
                    candidates.append((seg.idx, shifted, cleaned, len(sents) - 1))
    return sents, candidates


def _choose(sents: list, candidates: list, bundle: Bundle) -> list[tuple[int, Span, str, float]]:
    classes, probs = bundle.proba_texts("objection", [c[2] for c in candidates])
    sent_classes, sent_probs = _sentence_probs(sents, candidates, classes, probs, bundle)
    none_col = sent_classes.index(NONE_LABEL)
    chosen: list[tuple[int, Span, str, float]] = []
    covered: set[tuple[int, str]] = set()
    hopeful = _could_be_objections(classes, probs)
    for (idx, span, cleaned, si), row, maybe in zip(candidates, probs, hopeful, strict=True):
        if not maybe:
            continue
        label, p = decide(classes, row, cleaned)
        if label == NONE_LABEL:
            continue
        if sent_probs[si, none_col] >= SENTENCE_NONE_VETO and sent_probs[si, sent_classes.index(label)] < 0.1:
            continue  # the clause sounds like an objection, its sentence plainly is not one
        chosen.append((idx, span, label, min(p, 1.0)))
        covered.add((si, label))
        for other, q in also_raised(classes, row, cleaned, label):
            chosen.append((idx, span, other, min(q, 1.0)))
            covered.add((si, other))
    sent_hopeful = _could_be_objections(sent_classes, sent_probs, SENTENCE_MIN_PROBABILITY)
    for si, (idx, sent, cleaned) in enumerate(sents):
        if not sent_hopeful[si]:
            continue
        label, p = decide(sent_classes, sent_probs[si], cleaned, SENTENCE_MIN_PROBABILITY)
        if label != NONE_LABEL and (si, label) not in covered:
            chosen.append((idx, sent, label, min(p, 1.0)))
    chosen.sort(key=lambda c: (c[0], c[1].start))
    return chosen


def _could_be_objections(classes: list[str], probs, threshold: float | None = None) -> np.ndarray:
    """Rows where some category could reach the threshold even with the cue bonus (most clauses
    of a call cannot: they are skipped without looking at cue phrases)."""
    if not len(probs):
        return np.zeros(0, dtype=bool)
    threshold = OBJECTION_MIN_PROBABILITY if threshold is None else threshold
    return 1.0 - probs[:, classes.index(NONE_LABEL)] + LEXICON_BONUS >= threshold


def _sentence_probs(sents: list, candidates: list, classes: list[str], probs, bundle: Bundle):
    """Sentence-level probabilities. A one-clause sentence reuses its clause's; a longer one is
    scored on its own features (如果你们还是上次那个价格，就不用讲了: the n-grams across the comma
    carry it)."""
    none_col = classes.index(NONE_LABEL)
    out = np.zeros((len(sents), len(classes)))
    out[:, none_col] = 1.0  # a sentence with no clause left is neutral
    longer: set[int] = set()
    for n, cand in enumerate(candidates):
        if cand[2] == sents[cand[3]][2]:
            out[cand[3]] = probs[n]
        elif probs[n, none_col] <= SENTENCE_CLAUSE_SCREEN:
            longer.add(cand[3])  # a sentence of surely neutral clauses is left neutral
    if longer:
        order = sorted(longer)
        _, computed = bundle.proba_texts("objection", [sents[si][2] for si in order])
        out[order] = computed
    return classes, out


def _one_per_category_and_turn(chosen: list[tuple[int, Span, str, float]]) -> list[FoundObjection]:
    """Adjacent clauses of one category join; a category appears once per turn, said by its
    likeliest clause (你们报的四十五万……你们凭什么贵七万？: the second)."""
    found: list[FoundObjection] = []
    for idx, span, label, p in chosen:
        prev = found[-1] if found else None
        if prev and prev.segment_idx == idx and prev.category == label:
            prev.span = Span(prev.text + "，" + span.text, prev.span.start, span.end)
            prev.text, prev.confidence = prev.span.text, max(prev.confidence, float(p))
            continue
        same = next((f for f in found if f.segment_idx == idx and f.category == label), None)
        if same is None:
            found.append(FoundObjection(label, span.text, idx, span, float(p)))
        elif float(p) > same.confidence:
            same.text, same.span, same.confidence = span.text, span, float(p)  # the clearer clause says it
    return found


_INQUIRY = re.compile(
    r"(?:吗|么|呢)[?？。]?$|[?？]$|多少|怎么(?:收费|算|做|弄|操作)|"
    r"是什么|有哪些|哪些|支持.{0,6}吗|能不能(?:支持|做|接|导出|看)"
)
_CONCERN = re.compile(
    r"太|不|没|贵|便宜|优惠|折|慢|久|晚|担心|怕|风险|谁(?:来)?(?:负责|管|担)|"
    r"怎么保证|靠谱|案例|资质|认证|规模|听说|出问题|坏|故障|"
    r"预算|钱|等|再说|拍板|做主|请示|用不上|够|安全|稳定|保证|承诺|赔|违约|账期|预付|分期|竞品|别家|在用"
)


#: Asking for material (你把资质发一下) or saying who does what (她是管预算的).
_NOT_OBJECTION = re.compile(
    r"(?:把|将)[^，,。]{1,16}(?:发|给|寄|传)(?:一下|过来|给我|我|给)|发(?:一下|过来|给我)|"
    r"^(?:他|她|他们|她们)?(?:是)?(?:负责|管)[^，,。]{0,10}的?$"
)


def is_plain_inquiry(text: str) -> bool:
    """驻场要另外收费吗 / 能支持并发五千吗 / 你把资质发一下 / 她是管预算的: the customer asks or
    tells, without voicing a concern."""
    stripped = text.strip()
    if _NOT_OBJECTION.search(stripped) and not re.search(r"太|不|没|贵|担心|怕", stripped):
        return True
    return bool(_INQUIRY.search(stripped)) and not _CONCERN.search(text)


_CONTENT_UNIT = re.compile(r"[\u4e00-\u9fff]|[A-Za-z]+")


def _too_short(text: str) -> bool:
    """Too little left to judge (没有, 对, "Maybe."): such fragments are answers, not objections."""
    if len(_CONTENT_UNIT.findall(text[:12])) >= 3:  # the usual case, decided on the first characters
        return False
    return len(_CONTENT_UNIT.findall(text)) < 3 and not ("贵" in text or "慢" in text or "久" in text)


def _mark_handled(found: list[FoundObjection], segments: list) -> None:
    """An objection is handled when one of the rep's next turns (before the customer's next
    objection turn) speaks to its category, or acknowledges and asks/explains when it is the only
    objection of its turn."""
    by_idx = {s.idx: n for n, s in enumerate(segments)}
    per_turn = Counter(f.segment_idx for f in found)
    objection_turns = sorted(per_turn)
    for f in found:
        later = bisect.bisect_right(objection_turns, f.segment_idx)
        stop = objection_turns[later] if later < len(objection_turns) else None
        replies = _rep_replies(segments, by_idx[f.segment_idx], stop)
        alone = per_turn[f.segment_idx] == 1
        for reply in replies:
            if _CLARIFY.search(reply) or "?" in reply or "？" in reply:
                f.clarified = True
            if re.search(HANDLING_CUES[f.category], reply, re.I) or (alone and _engages(reply)):
                f.handled = True
                break


def _rep_replies(segments: list, position: int, stop_idx: int | None) -> list[str]:
    replies = []
    for seg in segments[position + 1 :]:
        if stop_idx is not None and seg.idx >= stop_idx:
            break
        if seg.party == "rep":
            replies.append(seg.text)
            if len(replies) >= HANDLED_WITHIN_REP_TURNS:
                break
    return replies


def _engages(reply: str) -> bool:
    """Acknowledges and then asks or explains (more than a one-word answer)."""
    return bool(_ACK.search(reply)) and len(reply) >= 12
