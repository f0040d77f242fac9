"""The customer's decision chain: who is named in the call and what part they play.

A person's role comes from what is said about them in the same clause (王总拍板, 张工要评估接口:
rule cues plus the role classifier), else from their post or department (采购部的刘经理, 财务总监).
Mentions of one person under several names (刘经理 / 采购部刘经理 / 老刘 / 流经理) are merged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from coachsvc.analysis.constants import NONE_LABEL, ROLE_MIN_PROBABILITY
from coachsvc.analysis.model import Bundle
from coachsvc.analysis.people import Mention, display_name, find_mentions, same_person
from coachsvc.analysis.text import features_batch, sentences

#: Rule cues per role: a clause that says this about a person gives them the role.
ROLE_CUES: dict[str, str] = {
    "decision_maker": (
        r"就定了|基本就定|(?<=[总董板导])(?:来)?定(?![期金制位时])|"
        r"最后(?:由|是)?[^，,。]{0,6}(?:审批|批准|签字|签)|"
        r"我签字|拍板|拍个板|说了算|最终决定|最后定|最终定|来定|定夺|"
        r"决定权|拍(?:这个)?板|签字|点头|做决定|做主|大主意|批了才|一锤定音|"
        r"最后还是(?:要|得)?(?:看|听)|final (?:say|call|decision)|signs? off|"
        r"makes? the (?:final )?(?:call|decision)|decision[- ]maker"
    ),
    "influencer": (
        r"意见很重要|很有分量|说话有分量|影响很大|很看重(?:他|她)?的?(?:意见|看法)|"
        r"听(?:他|她)的|能说上话|态度很关键|意见(?:很|比较)?关键|推荐的|"
        r"carries (?:a lot of )?weight|influence|listens to"
    ),
    "user": (
        r"天天(?:跟|和|在)|每天(?:跟|和|在)|打交道|main user|be using it|"
        r"天天(?:要)?用|每天(?:都)?(?:要)?用|一线|日常操作|直接操作|"
        r"主要(?:是)?(?:他们|她们)?在用|用的人|录单|上手|use it (?:every|daily)|"
        r"using (?:it|the system) daily|end users?"
    ),
    "technical_evaluator": (
        r"负责技术|管技术|技术(?:这块|那边)|IT这块|(?<!供应商)评估|测试|"
        r"技术(?:上)?把关|技术选型|接口|架构|兼容|安全(?:方案|审查|审核)|"
        r"POC|poc|evaluat|review the (?:security|api|integration)|technical|api"
    ),
    "procurement": (
        r"vendor contracts?|supplier contracts?|handles? (?:all )?(?:the )?contracts?|"
        r"审合同|合同(?:都)?(?:是)?(?:她|他)?(?:来)?审|"
        r"供应商评估|供应商管理|选供应商|负责供应商|负责采购|管采购|"
        r"采购(?:这块|那边)|比价|采购流程|走流程|招标|询价|供应商(?:准入|入库)|"
        r"压价|谈商务|商务谈判|对比(?:一下)?(?:两家|几家)?的?(?:方案|报价)|"
        r"procurement|vendor comparison|negotiate the contract|purchasing"
    ),
    "finance": (
        r"负责财务|管财务|管钱|管(?:这块的|这方面的)?钱|管预算|approv\w* .{0,30}(?:finance|budget|spend)|"
        r"财务(?:这块|那边)|审预算|管账期|账期|付款|预算(?:得|要)?过|"
        r"卡预算|算成本|投资回报|财务审批|approve the budget|payment terms|roi|budget approval"
    ),
    "coach": (
        r"私下|偷偷|悄悄|透(?:了个|个)?底|透露|内部消息|帮我们说话|站在我们这边|"
        r"提醒我们|告诉我(?:们)?(?:评标|内部)|quietly|heads-up|on our side|inside info"
    ),
}
_CUE_RE = {role: re.compile(p, re.I) for role, p in ROLE_CUES.items()}
_SUB_CLAUSE = re.compile(r"[，,；;]|但是|不过|而且|另外|还有")
_FIRST_PERSON = re.compile(
    r"(?:^|最后|最终|都是|还是|得)(?:由)?(?:我|我这边|我们这边|我这里|本人)(?:主要|就是|来|是)?(?:负责|管|拍板|说了算|做决定|决定|评估|审|签字|签)|"
    r""
    r""
    r""
    r""
    r"\bI(?:'m| am)?\s+(?:the one who|responsible for|in charge of|sign)",
    re.I,
)
_PRONOUN = re.compile(r"^(?:他|她|他们|她们|这位|此人)|^(?:he|she|her|his|him|they|their)\b", re.I)


@dataclass
class FoundRole:
    person: str
    role: str
    evidence: str
    segment_idx: int
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class _Person:
    mentions: list[Mention]
    roles: dict[str, tuple[str, int]] = field(default_factory=dict)  # role -> (evidence, segment idx)
    implied: dict[str, tuple[str, int]] = field(default_factory=dict)


def find_roles(segments: list, bundle: Bundle) -> list[FoundRole]:
    """Each person of the decision chain with the roles said of them (one entry per role)."""
    pending = _mentions_by_clause(segments)
    people: list[_Person] = []
    for (_, sentence, mentions, idx, _), role in zip(pending, _classify(pending, bundle), strict=True):
        for mention in mentions:
            person = _person_for(people, mention)
            if role and role not in person.roles:
                person.roles[role] = (sentence, idx)
            if mention.implied_role and mention.implied_role not in person.implied:
                person.implied[mention.implied_role] = (sentence, idx)
    return _results(people)


def _mentions_by_clause(segments: list) -> list[tuple[str, str, list[Mention], int, str]]:
    """(clause, sentence, people the clause speaks of, segment idx, speaker) for the customer's
    clauses; people only spoken to (跟罗总汇报) come with an empty clause."""
    pending: list[tuple[str, str, list[Mention], int, str]] = []
    context = {"last": [], "addressee": _addressee(segments)}
    for seg in segments:
        if seg.party != "customer":
            continue  # the rep greets and asks; the customer tells who decides
        for sent in sentences(seg.text):
            previous: list[Mention] = []
            for clause in _sub_clauses(sent.text):
                mentions, objects = _clause_people(clause, seg.speaker, previous, context)
                pending += [("", sent.text, [m], seg.idx, seg.speaker) for m in objects]
                if mentions or objects:
                    context["last"] = previous = mentions or objects
                if mentions:
                    pending.append((clause, sent.text, mentions, seg.idx, seg.speaker))
    return pending


def _clause_people(clause: str, speaker: str, previous: list[Mention], context: dict) -> tuple[list, list]:
    found = find_mentions(clause)
    objects = [m for m in found if _is_object(clause, m)]
    mentions = [m for m in found if m not in objects]
    if not mentions and _FIRST_PERSON.search(clause):
        mentions = _speaker_mention(speaker, context["addressee"])
    if not mentions and _PRONOUN.search(clause) and context["last"]:
        mentions = context["last"][-1:]
    if not mentions and previous and any(rx.search(clause) for rx in _CUE_RE.values()):
        mentions = previous  # 他要是认可了，基本就定了: the cue is about the one just named
    return mentions, objects


_EN_SUB_CLAUSE = re.compile(r";|\bbut\b|,\s+(?=(?:and|but|while|whereas)\b)", re.I)


def _sub_clauses(sentence: str) -> list[str]:
    splitter = _SUB_CLAUSE if re.search(r"[\u4e00-\u9fff]", sentence) else _EN_SUB_CLAUSE
    parts = [p.strip() for p in splitter.split(sentence)]
    return [p for p in parts if p]


def _is_question(text: str) -> bool:
    return bool(re.search(r"[?？]|吗$|吗[。]?$|是不是|对吧|对不对", text))


def _speaker_mention(speaker: str, addressee: Mention | None) -> list[Mention]:
    if speaker.strip().lower() in ("客户", "customer", "client", "对方", "客户方"):
        return [addressee] if addressee else []
    found = find_mentions(speaker)
    return found[:1] or [Mention(speaker, speaker, "speaker:" + speaker, 0, len(speaker))]


_GREETED = re.compile(
    r"^(?:喂[，, ]*)?(?:您好[，, ]*)?(?:请问是)?(?P<name>.{1,12}?)(?:您好|你好|好|新年好|，|,|吗)", re.I
)


def _addressee(segments: list) -> Mention | None:
    """Who the rep greets in the opening turns (王经理您好 / Hi Janet): the customer speaking."""
    for seg in [s for s in segments if s.party == "rep"][:2]:
        m = _GREETED.search(seg.text.strip())
        if m:
            found = find_mentions(m["name"])
            if found:
                return found[0]
    return None


_OBJECT_BEFORE = re.compile(
    r"(?:跟|向|给|找|约|和|问|让|叫|请|with|to|and)\s*(?:我们|我们的|咱们)?\s*$", re.I
)


def _is_object(clause: str, mention: Mention) -> bool:
    """我评估完了再跟罗总汇报: 罗总 is spoken to, the cue is the speaker's."""
    before = clause[: mention.start]
    return bool(re.match(r"^(?:好|行|那|嗯|然后)?[，, ]*(?:我|你|i\b|you\b)", before, re.I)) and bool(
        _OBJECT_BEFORE.search(re.sub(r"(?:采购|财务|技术|信息|IT)?(?:部门|部|科|中心)?的?$", "", before))
    )


def _classify(pending: list, bundle: Bundle) -> list[str | None]:
    if not pending:
        return []
    labels, probs = bundle.predict("role", features_batch([p[0] for p in pending]))
    out: list[str | None] = []
    for (clause, *_), label, p in zip(pending, labels, probs, strict=True):
        if not clause:
            out.append(None)
            continue
        ruled = [role for role, rx in _CUE_RE.items() if rx.search(clause)]
        if len(ruled) == 1:
            out.append(ruled[0])
        elif ruled:
            out.append(label if label in ruled else ruled[0])
        elif label != NONE_LABEL and p >= ROLE_MIN_PROBABILITY + 0.4:
            out.append(label)  # no rule cue: the classifier alone must be surer
        else:
            out.append(None)
    return out


def _person_for(people: list[_Person], mention: Mention) -> _Person:
    for person in people:
        if any(same_person(mention, m) for m in person.mentions):
            person.mentions.append(mention)
            return person
    person = _Person([mention])
    people.append(person)
    return person


def _results(people: list[_Person]) -> list[FoundRole]:
    out = []
    for person in people:
        name = display_name(person.mentions)
        roles = person.roles or person.implied  # a post only speaks when nothing else was said
        if not person.roles and re.search(r"(?:部|部门|中心|科|处|team|department)$", name, re.I):
            roles = {}  # a department is a role holder only when something is said about it
        for role, (evidence, idx) in roles.items():
            out.append(FoundRole(name, role, evidence, idx, person.mentions))
    out.sort(key=lambda r: r.segment_idx)
    return out
