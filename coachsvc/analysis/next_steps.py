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
from coachsvc.analysis.dates import find_due_date
from coachsvc.analysis.model import Bundle
from coachsvc.analysis.people import find_mentions
from coachsvc.analysis.text import clauses, features

_VERBS_ZH = (
    "发送|发给|发过来|发过去|发一下|发一份|发个|发到|发|传给|传过来|寄给|寄过来|寄|提交|提供|准备|整理|出一版|出个|出方案|做一版|做个|做一个|"
    "安排|约一下|约个|约上|约|预约|组织|演示|拜访|上门|过来|过去|见面|见一面|开会|开个会|上会|碰一下|碰个头|碰碰|聊一下|聊聊|沟通|对接|对比|评估|"
    "测试|试用|确认|回复|答复|反馈|签约|签合同|签|盖章|付款|打款|下单|走流程|走一下|汇报|请示|申请|联系|打电话|打个电话|跟进|调研|考察|参观|"
    "培训|部署|报价|核算|测算|审核|审批|讨论|商量|研究一下|看一下|看看|回电|给您答复|给你答复|给您回复|给你回复|拉个群|建群|开通"
)
_VERB_ZH = re.compile(_VERBS_ZH)
_VERB_EN = re.compile(
    r"\b(?:send|sending|share|email|schedule|set up|book|arrange|organi[sz]e|demo|visit|meet|call|review|"
    r"draft|prepare|sign|confirm|follow up|get back|loop in|check|test|run|discuss|present|deliver|submit)\b",
    re.I,
)
_COMMIT = re.compile(
    r"我(?:们)?(?:这边|会|来|回去|马上|今天|明天|下周|先|负责|尽快|稍后|晚点|待会|争取)|你们(?:把|先|尽快|记得|这边|帮忙)|"
    r"您(?:这边|帮忙|看|先)|麻烦|那(?:就|我们|咱们)|咱们|我们(?:约|定|安排)|约(?:在|个|一下)|定(?:在|了)|安排(?:在|一下)|"
    r"\b(?:i'll|i will|we'll|we will|let's|let us|can you|could you|please|you'll|you will|i'm going to|we're going to)\b",
    re.I,
)
_PAST = re.compile(r"已经|上次|之前(?:发|做|给)|刚才|刚刚|去年|上周(?:已经)?(?:发|做)|已发|发过了|做过|\balready\b|\blast (?:week|month|year)\b", re.I)
_REJECT = re.compile(r"^(?:不用|不行|先不|再说|算了|没必要|不需要|暂时不|no\b|not now|let's not)", re.I)
_ACCEPT = re.compile(r"^(?:可以|好|行|没问题|就这么定|ok|okay|sure|sounds good|that works|yes|嗯好|好的)", re.I)
_FIRST = re.compile(r"^(?:那|好的|好|嗯|没问题|行|ok|okay)?[，, ]*(?:我们|我|咱们|i\b|i'll|we\b|we'll|let's)", re.I)
_SECOND = re.compile(r"^(?:那|好的|好|嗯)?[，, ]*(?:你们|您|你|麻烦您|麻烦你|can you|could you|you\b|you'll|please)", re.I)
_BA = re.compile(r"把(?P<obj>[^，,。！？!?]{1,20}?)(?P<verb>发给|发过来|发过去|发到|发|传给|传过来|寄给|寄过来|寄|交给|给|准备好|整理好|做出来|做好|改好|确认)")
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


def find_next_steps(segments: list, call_date: dt.date, bundle: Bundle, mentions_of=None) -> list[FoundStep]:
    """The call's next steps, merged across a proposal and its confirmation."""
    candidates: list[tuple[object, str, dt.date | None, int, int]] = []
    for seg in segments:
        for span in clauses(seg.text):
            text = span.text
            if not (_VERB_ZH.search(text) or _VERB_EN.search(text)) or _PAST.search(text):
                continue
            due_found = find_due_date(text, call_date)
            if due_found is None and not _COMMIT.search(text):
                continue
            due, ds, de = due_found if due_found else (None, -1, -1)
            candidates.append((seg, text, due, ds, de))
    if not candidates:
        return _apply_acceptances([], segments, call_date)
    _, probs = bundle.proba("next_step", [features(c[1]) for c in candidates])
    labels = list(bundle.heads["next_step"].classes_)
    yes = labels.index("next_step")
    steps: list[FoundStep] = []
    for (seg, text, due, ds, de), p in zip(candidates, probs[:, yes], strict=True):
        if p < NEXT_STEP_MIN_PROBABILITY:
            continue
        action = _action(text, ds, de)
        if not action:
            continue
        owner, explicit = _owner(text, seg.party)
        steps.append(FoundStep(action, owner, due, text, seg.idx, seg.party, explicit))
    steps = _drop_rejected(steps, segments)
    return _merge(_apply_acceptances(steps, segments, call_date))


def _action(text: str, ds: int, de: int) -> str:
    """A short verb phrase: 把方案发给您 → 发送方案; 下周二约刘经理一起对比方案 → 约刘经理对比方案."""
    if ds >= 0:
        text = text[:ds] + text[de:]
    text = re.sub(r"(?:之前|以前|之内|以内|前|内)(?=[把给发约安])", "", text)
    m = _BA.search(text)
    if m:
        verb = m["verb"]
        verb = "发送" if verb.startswith(("发", "传", "寄", "交", "给")) else verb.rstrip("好出来")
        return (verb + m["obj"]).strip()[:40]
    m = _VERB_ZH.search(text) or _VERB_EN.search(text)
    if not m:
        return ""
    phrase = text[m.start() :]
    phrase = re.split(r"[，,。！？!?；;]", phrase)[0]
    if re.search(r"[\u4e00-\u9fff]", phrase):
        phrase = _NOISE.sub("", phrase)
        phrase = _TAIL.sub("", phrase)
    else:
        phrase = re.sub(r"\b(?:by|on|before|within|next|this|the end of)\b.*$", "", phrase, flags=re.I).strip()
    return phrase.strip()[:40]


def _owner(text: str, party: str) -> tuple[str, bool]:
    """(owner, named explicitly): a person acting, else the speaker's or the other side."""
    other = "customer" if party == "rep" else "rep"
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


def _apply_acceptances(steps: list[FoundStep], segments: list, call_date: dt.date) -> list[FoundStep]:
    """可以，下周二下午吧: a reply that accepts and names a date dates the step before it."""
    by_idx = {s.idx: n for n, s in enumerate(segments)}
    for step in steps:
        n = by_idx[step.segment_idx]
        reply = next((s for s in segments[n + 1 : n + 2] if s.party != step.speaker_party), None)
        if reply is None or not _ACCEPT.search(reply.text.strip()):
            continue
        found = find_due_date(reply.text, call_date)
        if found and found[0] and step.due is None:
            step.due = found[0]
    return steps


def _merge(steps: list[FoundStep]) -> list[FoundStep]:
    """Steps restated within two turns (same due date and a shared object, or the same action)
    are one: keep the longer wording, from the side that owns it."""
    out: list[FoundStep] = []
    for step in steps:
        twin = next((o for o in reversed(out) if _same_step(o, step)), None)
        if twin is None:
            out.append(step)
            continue
        if len(step.action) > len(twin.action) or (step.owner == step.speaker_party and twin.owner != twin.speaker_party):
            twin.action, twin.evidence, twin.segment_idx = step.action, step.evidence, step.segment_idx
        twin.due = twin.due or step.due
        if step.explicit_owner and not twin.explicit_owner:
            twin.owner, twin.explicit_owner = step.owner, True
    return out


def _same_step(a: FoundStep, b: FoundStep) -> bool:
    if abs(b.segment_idx - a.segment_idx) > 2:
        return False
    if a.due and b.due and a.due != b.due:
        return False
    return _overlap(a.action, b.action) >= 0.5 or (a.due is not None and a.due == b.due and a.owner == b.owner)


def _overlap(a: str, b: str) -> float:
    ga = {a[i : i + 2] for i in range(len(a) - 1)}
    gb = {b[i : i + 2] for i in range(len(b) - 1)}
    if not ga or not gb:
        return 0.0
    return len(ga & gb) / min(len(ga), len(gb))
