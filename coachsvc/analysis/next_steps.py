"""Agreed next steps: a clause that commits someone to an action (我明天把报价单发给您, 你们周一之前
把方案发过来, "let's set up a demo next Tuesday"), who owns it and by when.

A clause is a candidate when it has an action verb and a date or a commitment marker; the
next-step classifier confirms it. The owner is the named person acting, else the speaker's side
(我/我们) or the other side (你们/您). A step proposed in one turn and confirmed or restated in the
next (customer: 周一之前发过来 / rep: 我周一之前发给您) is one step.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from coachsvc.analysis.constants import NEXT_STEP_MIN_PROBABILITY
from coachsvc.analysis.dates import all_due_dates, find_due_date
from coachsvc.analysis.model import Bundle
from coachsvc.analysis.people import find_mentions
from coachsvc.analysis.text import clauses

_VERBS_ZH = (
    "发送|发给|发过来|发过去|发一下|发一份|发个|发到|发|传给|传过来|"
    "寄给|寄过来|寄|提交|提供|准备|整理|出一版|出个|出方案|做一版|做个|做一个|"
    "安排|约一下|约个|约上|约|预约|组织|演示|拜访|上门|过来|过去|"
    "见面|见一面|开会|开个会|上会|碰一下|碰个头|碰碰|聊一下|聊聊|沟通|对接|对比|评估|面谈|再谈|谈一下|谈谈|"
    "测试|试用|确认|回复|答复|反馈|签约|签合同|签|盖章|付款|打款|"
    "下单|走流程|走一下|汇报|请示|申请|联系|打电话|打个电话|跟进|调研|考察|参观|"
    "培训|部署|报价|核算|测算|审核|审批|讨论|商量|研究一下|看一下|"
    "看看|回电|给您答复|给你答复|给您回复|给你回复|拉个群|建群|开通|"
    "给您|给你|发您|发你|交给|答复|回复|带|"
    "到厂|到场|到现场|进场|入场|到店|到货|能到|送到|送货|发货|安装|上线|验收|开票|开发票|付首付|签收"
)
_VERB_ZH = re.compile(_VERBS_ZH)
_VERB_EN = re.compile(
    r"\b(?:send|sending|share|email|schedule|set up|book|arrange|organi[sz]e|demo|visit|meet|call|review|"
    r"draft|prepare|sign|confirm|follow up|get back|loop in|check|"
    r"test|run|discuss|present|deliver|submit|show|walk through|"
    r"get (?:some )?time|hop on|catch up|aim for|put together|set aside|"
    r"build|create|write up|draft|update|revise|finali[sz]e|connect|introduce|provide|bring|"
    r"do a|hold|host|install|ship|kick off|onboard|train)\b",
    re.I,
)
_COMMIT = re.compile(
    r"我(?:们)?(?:这边)?(?:会|来|回去|马上|今天|明天|下周|先|负责|尽快|稍后|晚点|待会|争取|安排|约|发|把|给|过来|过去|带|整理|准备|做|申请|联系|出)|"
    r""
    r""
    r""
    r""
    r"你(?:们)?(?:把|先|尽快|记得|这边|帮忙)|您(?:这边|帮忙|看|先)|"
    r"麻烦|那(?:就|我|我们|咱们)|要不|不如|咱们|约(?:在|个|一下)|定(?:在|了)|安排(?:在|一下)|"
    r"\b(?:i'll|i will|we'll|we will|let's|let us|can you|could you|could we|can we|please|you'll|you will|"
    r"i'm going to|"
    r"we're going to|shall i|shall we|should i|can i|how about)\b",
    re.I,
)
_HYPOTHETICAL = re.compile(r"^(?:如果|假如|假设|要是|倘若|若是|万一)|\bif\b|\bassuming\b", re.I)
_NOT_STEP = re.compile(
    r"今天(?:主要)?(?:是)?(?:想|来|过来|给您|跟您|和您|向您|为您|给大家|跟大家)|"  # the call's agenda
    r"主要想(?:跟|和|了解)|(?:改|做|弄|准备|整理)好了|today I'?d like|"
    r"我(?:们)?(?:要|得|有个?|在)(?:开会|出差|开个会)|没空|没时间|不方便|"  # 下周一我要开会: not free then
    r"\bI'?m (?:busy|out|traveling|travelling|away)\b",
    re.I,
)
_PAST = re.compile(
    r"已经|上次|刚才|刚刚|去年|上周(?:已经)?(?:发|做)了|已发|发过了|"
    r"(?:发|做|给|看)过(?![来去])了?|\balready\b|\blast (?:week|month|year)\b",
    re.I,
)
_REJECT = re.compile(r"^(?:不用|不行|先不|再说|算了|没必要|不需要|暂时不|no\b|not now|let's not)", re.I)
_ACCEPT = re.compile(
    r"^(?:可以|好|行|没问题|就这么定|ok|okay|sure|sounds good|that works|yes|嗯好|好的)", re.I
)
_FIRST = re.compile(
    r"^(?:那|好的|好|嗯|没问题|行|ok|okay)?[，, ]*(?:我们|我|咱们|i\b|i'll|we\b|we'll|let's)", re.I
)
_SECOND = re.compile(
    r"^(?:那|好的|好|嗯)?[，, ]*(?:你们|您|你|麻烦您|麻烦你|can you|could you|you\b|you'll|please)", re.I
)
_BA = re.compile(
    r"把(?P<obj>[^，,。！？!?]{1,20}?)(?P<verb>发给|发过来|发过去|发到|发|传给|传过来|寄给|寄过来|寄|交给|给|准备好|整理好|做出来|做好|改好|确认)"
)
_TAIL = re.compile(r"(?:可以吗|好吗|行吗|怎么样|如何|吧|呢|啊|哈|了|一下子|给您|给你|过来|过去|一下)+$")
_NOISE = re.compile(r"(?:一下|一下子|一起|再|先|尽快|马上|赶紧)")


@dataclass
class FoundStep:
    action: str
    owner: str
    due: dt.date | None
    evidence: str
    segment_idx: int
    speaker_party: str
    explicit_owner: bool = False
    turn_accepts: bool = False  # the turn opens with 好的/可以/ok: it answers the turn before


def find_next_steps(segments: list, call_date: dt.date, bundle: Bundle, mentions_of=None) -> list[FoundStep]:
    """The call's next steps, merged across a proposal and its confirmation."""
    candidates: list[tuple[object, str, dt.date | None, int, int]] = []
    for seg in segments:
        undated = None  # an action clause of this turn still waiting for its date or commitment
        for span in _step_clauses(seg.text):
            text = span.text
            if (undated or (candidates and candidates[-1][0] is seg and candidates[-1][2] is None)) and (
                (due_found := find_due_date(text, call_date)) and due_found[0] and _only_date(text, due_found)
            ):
                # 那你把计划发过来，这周五之前 / 你重新出个报价，下周一之前给我: the date closes
                # the clause before
                if undated:
                    candidates.append((seg, undated, due_found[0], -1, -1))
                else:
                    prev = candidates[-1]
                    candidates[-1] = (prev[0], prev[1], due_found[0], -1, -1)
                undated = None
                continue
            undated = None
            if not (_VERB_ZH.search(text) or _VERB_EN.search(text) or _BA.search(text)) or _PAST.search(text):
                continue
            if _HYPOTHETICAL.search(_sentence_of(seg.text, span.start)) or _NOT_STEP.search(text):
                continue  # 如果预算批下来，我们下个月就签: a condition, not a commitment
            due_found = find_due_date(text, call_date)
            if due_found is None and not _COMMIT.search(text):
                undated = text
                continue
            due, ds, de = due_found if due_found else (None, -1, -1)
            candidates.append((seg, text, due, ds, de))
    if not candidates:
        return _apply_acceptances([], segments, call_date)
    labels, probs = bundle.proba_texts("next_step", [c[1] for c in candidates])
    yes = labels.index("next_step")
    steps: list[FoundStep] = []
    for (seg, text, due, ds, de), p in zip(candidates, probs[:, yes], strict=True):
        if p < NEXT_STEP_MIN_PROBABILITY:
            continue
        action = _action(text, ds, de)
        if not action:
            continue
        owner, explicit = _owner(text, seg.party)
        accepts = bool(_ACCEPT.search(seg.text.strip()))
        steps.append(FoundStep(action, owner, due, text, seg.idx, seg.party, explicit, accepts))
    steps = _drop_rejected(steps, segments)
    return _merge(_apply_acceptances(steps, segments, call_date))


_EN_AND = re.compile(
    r"\s+and\s+(?=(?:then\s+)?(?:send|schedule|set up|book|arrange|email|share|call|review|draft|prepare|"
    r"follow up|get back|loop in)\b)",
    re.I,
)


def _step_clauses(text: str) -> list:
    """Clauses, with English "I'll send X today and schedule Y on Wednesday" cut in two."""
    from coachsvc.analysis.text import Span

    out = []
    for span in clauses(text):
        if " and " not in span.text:
            out.append(span)
            continue
        pos = 0
        for m in _EN_AND.finditer(span.text):
            out.append(Span(span.text[pos : m.start()], span.start + pos, span.start + m.start()))
            pos = m.end()
        out.append(Span(span.text[pos:], span.start + pos, span.end))
    return out


def _sentence_of(text: str, pos: int) -> str:
    start = max(text.rfind(ch, 0, pos) for ch in "。！？!?；;\n") + 1
    period = text.rfind(". ", 0, pos)  # an English sentence end
    start = max(start, period + 2) if period >= 0 else start
    return text[start : pos + 1].strip() or text[pos:]


_DATE_FILLER = re.compile(
    r"[\s，,。.!?！？吧啊呢]|之前|以前|前|之内|以内|内|by|before|on|"
    r"(?:发|给|交|传)(?:给|到)?(?:我们|我|您|你们|你)(?:这边)?",  # 下周一之前给我: only the date is new
    re.I,
)


def _only_date(text: str, found: tuple) -> bool:
    rest = text[: found[1]] + text[found[2] :]
    return not _DATE_FILLER.sub("", rest)


def _action(text: str, ds: int, de: int) -> str:
    """A short verb phrase: 把方案发给您 → 发送方案; 下周二约刘经理一起对比方案 → 约刘经理对比方案."""
    if ds >= 0:
        text = text[:ds] + text[de:]
    text = re.sub(r"(?:之前|以前|之内|以内|前|内)(?=[把给发约安])", "", text)
    m = _BA.search(text)
    if m:
        verb = m["verb"]
        verb = "发送" if verb.startswith(("发", "传", "寄", "交", "给")) else verb.rstrip("好出来")
        obj = re.sub(r"(?:也|都|还|再|先)+$", "", m["obj"])
        return (verb + obj).strip()[:40]
    m = _VERB_ZH.search(text) or _VERB_EN.search(text)
    if not m:
        return ""
    topic = re.match(
        r"^(?:好的?|行|那|嗯|要不|不如|所以|然后)?[，, ]*"
        r"(?P<obj>[^我你您他她咱，, ]{2,12}?)(?:我们|我|你们|您|咱们)",
        text,
    )
    if topic and re.match(
        r"^(?:要不|不如|那|好|行|嗯|所以|然后|今天|明天|后天|下周|本周|这周|周.|月底)", topic["obj"]
    ):
        topic = None
    if topic and m.start() > topic.end() - 2:
        verb = "发送" if m.group(0).startswith(("发", "给", "传", "寄", "交")) else m.group(0)
        return (verb + topic["obj"])[:40]
    phrase = text[m.start() :]
    phrase = re.split(r"[，,。！？!?；;]", phrase)[0]
    if re.search(r"[\u4e00-\u9fff]", phrase):
        phrase = _NOISE.sub("", phrase)
        stripped = _TAIL.sub("", phrase)
        phrase = stripped or m.group(0)  # keep a bare 给您 / 发: it merges into the step it dates
    else:
        phrase = re.sub(
            r"\b(?:by|on|before|within|next|this|the end of)\b.*$", "", phrase, flags=re.I
        ).strip()
    return phrase.strip()[:40]


def _owner(text: str, party: str) -> tuple[str, bool]:
    """(owner, named explicitly): a person acting, else the speaker's or the other side."""
    other = "customer" if party == "rep" else "rep"
    if re.search(r"(?:给我|发我|发给我|给我们|发给我们|发过来|send me|send us|get me)", text, re.I):
        return other, True
    verb = _VERB_ZH.search(text) or _VERB_EN.search(text)
    head = text[: verb.start()] if verb else text
    for mention in find_mentions(head):
        if not re.search(r"(?:约|跟|和|给|找|with|and)\s*$", head[: mention.start]):
            return mention.name, True
    if _SECOND.search(text):
        return other, True
    if _FIRST.search(text):
        return party, True
    return party, False


def _drop_rejected(steps: list[FoundStep], segments: list) -> list[FoundStep]:
    """A proposal the other side turns down at once is not a next step."""
    by_idx = {s.idx: n for n, s in enumerate(segments)}
    kept = []
    for step in steps:
        n = by_idx[step.segment_idx]
        reply = next((s for s in segments[n + 1 : n + 2] if s.party != step.speaker_party), None)
        if reply is not None and _REJECT.search(reply.text.strip()):
            continue
        kept.append(step)
    return kept


#: The step's turn puts its timing up for discussion (您看下周一方便吗？ / "does Tuesday work?").
_ASKS = re.compile(
    r"[?？]|方便吗|可以吗|行吗|好吗|怎么样|如何|看哪天|哪天|什么时候|\b(?:work|how about|okay)\b", re.I
)
#: The reply turns the proposed time down for another (下周一我要开会，下周二下午吧).
_COUNTER = re.compile(
    r"不行|不太行|没空|没时间|不方便|不在|开会|有会|出差|改(?:到|成|在)|换(?:到|成|个)|往后|推到|"
    r"can't|cannot|won't work|doesn't work|busy|instead|out of (?:the )?office",
    re.I,
)


def _apply_acceptances(steps: list[FoundStep], segments: list, call_date: dt.date) -> list[FoundStep]:
    """The other side's reply settles the date of the step before it:
    - 可以，下周二下午吧: a reply that accepts and names a date dates an undated step;
    - 下周三下午吧 / 下周一可以 (the reply opens with a date) answers a step whose timing was asked;
    - 下周一我要开会，下周二下午吧: a counter-proposal moves it to the reply's last date.
    Only the turn's last step is moved by an answer: the question is about it."""
    by_idx = {s.idx: n for n, s in enumerate(segments)}
    last_of_turn = {step.segment_idx: step for step in steps}
    for step in steps:
        n = by_idx[step.segment_idx]
        reply = next((s for s in segments[n + 1 : n + 2] if s.party != step.speaker_party), None)
        if reply is None:
            continue
        text = reply.text.strip()
        turn = segments[n].text
        asked = last_of_turn[step.segment_idx] is step and bool(
            _ASKS.search(turn[turn.find(step.evidence) :])
        )
        if not asked and (step.due is not None or not _ACCEPT.search(text)):
            continue
        dates = [d for d in all_due_dates(text, call_date) if d[0] is not None]
        if not dates:
            continue
        if asked and _COUNTER.search(text):
            step.due = dates[-1][0]
        elif asked and dates[0][1] <= 2:
            step.due = dates[0][0]
        elif step.due is None and _ACCEPT.search(text) and not _own_step(text, dates[0]):
            step.due = dates[0][0]
    return steps


def _own_step(reply: str, date: tuple) -> bool:
    """好的。那价格我们下周一当面再谈？: the reply dates a proposal of its own, not the step before."""
    after = re.split(r"[。！？!?；;]|\.\s", reply[date[2] :])[0]  # the rest of the date's sentence
    has_verb = bool(_VERB_ZH.search(after) or _VERB_EN.search(after))
    return has_verb and not _DATE_FILLER.fullmatch(after.strip())


def _merge(steps: list[FoundStep]) -> list[FoundStep]:
    """Steps restated within two turns (same due date and a shared object, or the same action)
    are one: keep the longer wording, from the side that owns it."""
    out: list[FoundStep] = []
    for step in steps:
        recent = [
            o for o in out[-6:] if step.segment_idx - o.segment_idx <= 2
        ]  # twins are said close together
        twin = next((o for o in reversed(recent) if _same_step(o, step)), None)
        if twin is None:
            out.append(step)
            continue
        weak = _WEAK.match(step.action) and not _WEAK.match(twin.action)
        if (
            twin.segment_idx == step.segment_idx
            and twin.due is None
            and step.due
            and not weak
            and not _WEAK.match(twin.action)
        ):
            twin.action, twin.due = (twin.action + "并" + step.action)[:40], step.due
            continue
        better = len(step.action) > len(twin.action) or (
            step.owner == step.speaker_party and twin.owner != twin.speaker_party
        )
        if better and not weak or _WEAK.match(twin.action):
            twin.action, twin.evidence, twin.segment_idx = step.action, step.evidence, step.segment_idx
        twin.due = twin.due or step.due
        if step.explicit_owner and not twin.explicit_owner:
            twin.owner, twin.explicit_owner = step.owner, True
    return out


_WEAK = re.compile(r"^(?:给您|给你|发您|发你|发给您|发给你|发|给|发过来|发过去|答复|回复)$")


def _same_step(a: FoundStep, b: FoundStep) -> bool:
    if b.segment_idx == a.segment_idx + 1 and b.speaker_party != a.speaker_party and a.owner == b.owner:
        if b.turn_accepts:
            return not (a.due and b.due and a.due != b.due)  # 你把资料发我 / 好的，回头我整理一下发给您
    if (_WEAK.match(a.action) or _WEAK.match(b.action)) and abs(b.segment_idx - a.segment_idx) <= 2:
        return not (a.due and b.due and a.due != b.due)
    if a.segment_idx == b.segment_idx and a.due is None and b.due is not None and a.owner == b.owner:
        return True  # 我回去申请一下八折，明天给您正式报价: one step, dated by its last clause
    if abs(b.segment_idx - a.segment_idx) > 2:
        return False
    if a.due and b.due and a.due != b.due:
        return False
    return _overlap(a.action, b.action) >= 0.5 or (
        a.due is not None and a.due == b.due and a.owner == b.owner
    )


def _overlap(a: str, b: str) -> float:
    ga = {a[i : i + 2] for i in range(len(a) - 1)}
    gb = {b[i : i + 2] for i in range(len(b) - 1)}
    if not ga or not gb:
        return 0.0
    return len(ga & gb) / min(len(ga), len(gb))
