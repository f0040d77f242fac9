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
from coachsvc.analysis.text import sentences

#: Rule cues per role: a clause that says this about a person gives them the role.
ROLE_CUES: dict[str, str] = {
    "decision_maker": (
        r"就定了|基本就定|(?<=[总董板导])(?:来)?定(?![期金制位时])|"
        r"最后(?:由|是)?[^，,。]{0,6}(?:审批|批准|签字|签)|"
        r"我签字|拍板|拍个板|说了算(?!一半)|最终决定|最后定|最终定|来定|定夺|"
        r"决定权|拍(?:这个)?板|签字|点头|做决定|做主|大主意|批了才|一锤定音|"
        r"(?:(?<=[就能以来他她我总长板导])批)(?![评量次发下])|(?<![跟和给帮让])我(?:这边)?(?:就|才|来|会|可以|能|再)+签(?![约收到单])|"
        r"最后还是(?:要|得)?(?:看|听)|final (?:say|call|decision|word|sign-?off)|signs? off|"
        r"makes? the (?:final )?(?:call|decision)|decision[- ]maker|\bdecides\b|"
        r"has the last word|calls the shots|"
        r"决策人|决策者|最终决策|决策(?:权)?在|(?:得|要|还得|还是|最后|主要)(?:看|听)[^，,。]{1,10}的(?:意思|态度)|"
        r"\bsigns? (?:it|everything|anything|all|"
        r"the (?:PO|purchase order|contract|order form|deal|paperwork))\b|"
        r"(?:need|have) to convince|the one to convince|"
        r"(?:decision|call) (?:sits|rests|lies) with|(?:it's|it is) (?:\w+'s|his|her) call|"
        r"(?:ultimately|in the end) (?:it's )?up to|"
        r"economic buyer|final approval"
    ),
    "influencer": (
        r"意见很重要|很有分量|说话(?:很|挺|比较|特别|非常)?(?:有分量|管用|好使|算数|有用)|影响很大|"
        r"很看重(?:他|她)?的?(?:意见|看法)|听(?:他|她)的|听[^，,。听]{1,12}的(?:意见|建议|话)?$|能说上话|态度很关键|意见(?:很|比较)?关键|推荐的|"
        r"(?:意见|看法|建议|话)[^，,。]{0,8}(?:都|会|很|也)(?:听|参考)|说了算一半|半个主|"
        r"(?:最)?(?:信任|相信|看重|倚重)的(?:人)?(?:是|就是)|"
        r"carries (?:a lot of )?weight|influence|listens to|"
        r"(?:has|have) (?:the|a lot of|real) (?:sway|clout|pull)|(?:the )?ear of|"
        r"close to (?:our|the|my) (?:CEO|boss|president|owner|founder|GM|MD|director)|"
        r"trusts? (?:his|her|their) (?:judg\w+|opinion|advice|view|recommendation)|"
        r"(?:opinion|input|view|word|recommendation)s? (?:really )?(?:matters?|counts?)|"
        r"values (?:his|her|\w+'s) (?:input|opinion|view)"
    ),
    "user": (
        r"天天(?:跟|和|在)|每天(?:跟|和|在)|打交道|main user|be using it|"
        r"(?:天天|每天)(?:都)?(?:要|得|会)?(?:用|使用|看|操作|登录|录入|盯)|一线|日常操作|直接操作|"
        r"主要(?:是|由)?(?:他|她|你)?们?的?(?:科室|部门|团队|组|那边|这边|同事|人)?(?:天天|每天|日常)?(?:在|来)(?:用|使用|操作)|"
        r"用的人|录单|上手|use it (?:every|daily)|"
        r"using (?:it|the system) daily|end users?|"
        r"\b(?:use|using|used|living in|live in|work(?:ing)? in|run(?:ning)?|operat\w+)\b[^.;]{0,30}"
        r"(?:every day|daily|day[- ]to[- ]day|all day long)|"
        r"\b(?:be|are|spend|spending)\b[^.;]{0,30}(?:every day|day[- ]to[- ]day|all day long)|"
        r"day[- ]to[- ]day (?:user|use)|hands-on user|power user"
    ),
    "technical_evaluator": (
        r"负责技术|管技术|技术(?:这块|那边|上)|IT这块|(?<!供应商)评估|(?<!供应商)评审|测试|"
        r"技术(?:上)?把关|技术选型|接口|架构|兼容|安全(?:方案|审查|审核)|懂技术|技术出身|"
        r"对(?![我你他她])[^，,。]{1,10}(?:很|挺|比较|特别|最)(?:熟|懂|专业)|"
        r"\bPOC\b|evaluat|review\w* the (?:security|api|integration|architecture|technical|design|data)|"
        r"architecture review|security review|technical|\bapi\b|\bSSO\b|single sign-on|"
        r"(?:check|test|vet|validate|assess)\w* (?:the )?(?:SSO|API|integration|security|architecture|data)"
    ),
    "procurement": (
        r"vendor contracts?|supplier contracts?|handles? (?:all )?(?:the )?contracts?|"
        r"审合同|合同(?:都)?(?:是)?(?:她|他)?(?:来)?审|(?:只|就|主要)?管(?:价格|条款|合同|商务)|"
        r"供应商评估|供应商管理|选供应商|负责供应商|负责采购|管采购|"
        r"采购(?:这块|那边)|比价|采购流程|走流程|招标|询价|供应商(?:准入|入库)|"
        r"压价|谈商务|商务谈判|对比(?:一下)?(?:两家|几家)?的?(?:方案|报价)|"
        r"procurement|vendor comparison|negotiate the contract|purchasing|sourcing|vendor management|"
        r"vendor selection|\bRF[PQI]s?\b|tender|(?:three|3|competing) quotes|招采|投标"
    ),
    "finance": (
        r"负责财务|管财务|管钱|管(?:这块的|这方面的)?钱|管预算|approv\w* .{0,30}(?:finance|budget|spend)|"
        r"财务(?:这块|那边)|审预算|管账期|账期|付款|预算(?:得|要)?过|对账|"
        r"卡预算|算成本|投资回报|财务审批|approve the budget|payment terms|\broi\b|budget approval|"
        r"accounts payable|invoic"
    ),
    "coach": (
        r"私下|偷偷|悄悄|透(?:了个|个)?底|透露|内部消息|帮(?:我们|你们|你)(?:说(?:说)?(?:好)?话|美言|争取)|"
        r"个人(?:是|也|很|挺|比较)*(?:支持|倾向|看好)(?:你们|贵司)|"
        r"站在(?:我们|你们)这边|提醒我们|告诉我(?:们)?(?:评标|内部)|"
        r"quietly|heads-up|(?:is|'s|are|been|be) (?:firmly |totally |definitely )?on (?:our|your) side|"
        r"inside info|pushing (?:hard )?for (?:this|you|us)|champion(?:ing|s)? (?:you|us|this|your)|"
        r"internal champion|advocat\w* for (?:you|us)|"
        r"off the record|between (?:you and me|us)|in (?:your|our) corner|rooting for (?:you|us)|"
        r"tip(?:ped)? you off|"
        r"behind the scenes|privately|confidentially|unofficially"
    ),
}
_CUE_RE = {role: re.compile(p, re.I) for role, p in ROLE_CUES.items()}
#: "技术上他说了算", "账期她说了算": a say limited to one side makes its evaluator, not the decision maker.
_SCOPED_SAY = (
    (
        re.compile(
            r"(?:技术|接口|安全|网络|架构)(?:上|这块|这边|方面|层面|的事)?[^，,。]{0,10}?(?:说了算|拍板|定)|"
            r"technical(?:ly| side)[^.;]{0,30}(?:final (?:say|call)|decides?)",
            re.I,
        ),
        "technical_evaluator",
    ),
    (re.compile(r"(?:账期|付款)(?:上|这块|这边|方面|的事)?[^，,。]{0,10}?(?:说了算|定)"), "finance"),
    (
        re.compile(
            r"sign(?:s|ed)?[- ]off on (?:the |any |all )?"
            r"(?:security|architecture|technical|integration|api|data)",
            re.I,
        ),
        "technical_evaluator",
    ),
    (
        re.compile(r"sign(?:s|ed)?[- ]off on (?:the |any |all )?(?:budget|spend|payment|invoice)", re.I),
        "finance",
    ),
)
#: Said not to decide: 他不拍板, 我们说了不算, 不是他说了算.
_NOT_DECIDING = re.compile(
    r"(?:不|不是|没法|不能|无法)(?:由)?(?:他|她|我)?(?:来)?(?:拍板|说了算|做主|决定|定夺)|"
    r"\b(?:doesn't|does not|don't|can't|cannot|won't) (?:make|have) the (?:final )?(?:call|say|decision)|"
    r"\bnot (?:the|a) (?:final )?(?:decision[- ]maker|one who (?:decides|signs))",
    re.I,
)
_BOSS = re.compile(r"总$|^(?:老板|领导|大老板|老总|一把手|董事长|总经理|CEO)$")
#: Clause cuts: commas, connectives, and (in ASR text without punctuation) a space between Chinese.
_SUB_CLAUSE = re.compile(r"[，,；;]|但是|不过|而且|另外|还有|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
#: "她那边没问题我就签": the one who must agree first is an influencer, the speaker decides.
_GATE = re.compile(
    r"(?<=没问题|同意了|认可了|点头了|通过了|[^了]同意|[^了]认可)\s*"
    r"(?=(?:我|我这边|我们这边)就(?:能|可以|会)?(?:签|批|定|拍板|下单))"
)
_SELF_ADV = (
    r"(?:已经|主要|就是|就|才|来|是|也|都|会|能|可以|先|只|还|再|亲自|一直|最后|这边|在内部|内部|尽量|"
    r"一个人|自己|个人)"
)
_FIRST_PERSON = re.compile(
    r"(?:^|最后|最终|都是|还是|得)(?:由)?(?:我|我这边|我们这边|我这里|本人)(?:主要|就是|来|是)?(?:负责|管|拍板|说了算|做决定|决定|评估|审|签字|签)|"
    rf"(?<![跟和给帮让叫对向替与同陪找问请诉])(?:我这边|我们这边|我这里|本人|我)(?!们){_SELF_ADV}*"
    r"(?:负责|管(?!不)|拍板|说了算(?!一半)|做决定|决定(?![不了])|评估|评审|审|签字|签(?![约收到])|批(?![评量次发下])|"
    r"私下|偷偷|悄悄|帮你们?(?:说|争取|美言)|核对|测试|把关|比价)|"
    r"\bI(?:'m|'ll|'d| am| will| would| can)?\s+(?:also\s+|personally\s+|just\s+)?"
    r"(?:the one who|responsible for|in charge of|sign\b|approve|make the (?:final )?(?:call|decision)|"
    r"own the (?:budget|decision)|evaluat|review the)|"
    r"\bmy (?:team|people|staff|group|department|guys)\b(?! (?:lead|manager|head))|"
    r"(?:私下|偷偷|悄悄)(?:地)?(?:跟|和|给|告诉)(?:你|您)|(?:跟|给)(?:你|您)(?:们)?透(?:个|了个)?底|"
    r"\bbetween you and me\b|\boff the record\b|"
    r"的?(?:是|还是|就是|得是|都是)(?:我|本人)(?:自己)?(?:来)?$",
    re.I,
)
_PRONOUN = re.compile(
    r"^(?:而且|并且|那)?(?:他|她|他们|她们|这位|此人)|的(?:就|都|也)?是(?:他|她)们?$|"
    r"^(?:and |but |so |also |plus )?(?:he|she|her|his|him|they|their|who|whose)\b",
    re.I,
)
#: The one an influencer sways is not the influencer: 她在老板面前说话管用, 他的意见老板都听,
#: "her opinion carries weight with our CEO".
_SWAYED_BEFORE = re.compile(
    r"(?:\b(?:weight|influence|sway|clout|pull|credibility)\b[^.;]{0,25}\b(?:with|over|on)|\bthe ear of|"
    r"\b(?:matters?|counts?|important)\b[^.;]{0,20}\bto|"
    r"\bclose to|\btrusted by|\brespected by)\s+(?:our|the|my|their)?\s*$",
    re.I,
)
_SWAYED_AFTER = re.compile(
    r"^(?:面前|跟前|眼里|心里)|^(?:基本上?|主要|都|很|也|会|一般|比较|特别|最|挺|还是)*"
    r"(?:听(?![说到见取了完课])|(?:信任|信|看重|器重|参考|采纳)(?:他|她|$))|"
    r"^\s+(?:really |always |usually |definitely |mostly |generally )?"
    r"(?:listens to|trusts|relies on|defers to|values)\b",
    re.I,
)
#: 我是采购部的 / "I'm the IT manager": the speaker's own post.
_SELF_POST = re.compile(
    r"(?:我是|我在|本人是|\bI'm|\bI am|\bI work in|\bI run|\bI head|\bI lead)"
    r"\s*(?:the|our|in)?\s*(?:咱们|我们)?(?:公司)?的?\s*$",
    re.I,
)
#: 他是我们的技术负责人 / "she's our IT manager": a post said of the one just named.
_THEIR_POST = re.compile(
    r"(?:他|她)(?:就)?是(?:我们|咱们)?(?:的)?$|\b(?:he|she)(?:'s| is)\s+(?:our|the|my)\s+$", re.I
)
#: 小彭是我们网络中心的 / "Jenny is our IT manager": a post said of a name earlier in the clause.
_IS_POST = re.compile(r"(?:就)?是(?:我们|咱们|公司)?(?:的)?$|(?:'s|\bis|\bwas)\s+(?:our|the|my)\s+$", re.I)
#: A clause ending in a verb of saying: the next clause is what was said.
_REPORTING = re.compile(
    r"(?:说|觉得|认为|提到|反馈|表示|讲|问|说过|提过)$|\b(?:says?|said|thinks?|mentioned|told me)$", re.I
)
#: A name alone before "我…/这个…" is someone spoken to (小李，我私下跟你说).
_AFTER_VOCATIVE = re.compile(
    r"^(?:我|你|您|咱|这|那|I\b|you\b|we\b|can\b|could\b|let|thanks\b|thank\b)", re.I
)
#: … and, in a question or after a greeting, "Hi Anna, is Dana…" / "Tom, who else…".
_AFTER_VOCATIVE_Q = re.compile(
    r"^(?:is|are|do|does|did|would|will|should|have|has|how|what|who|when|where|why|so)\b", re.I
)
_VOCATIVE_BEFORE = re.compile(r"[\s,，]*(?:hi|hello|hey|thanks|ok|okay|so|and|喂|嗯|好)?[\s,，]*", re.I)
_VOCATIVE_AFTER = re.compile(r"\s*(?:[,，、]|您好|你好)(?:\s*(?:您好|你好))?[\s,，]*")


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
    distinct: dict[str, Mention] = field(default_factory=dict)  # one mention per name key

    def __post_init__(self) -> None:
        self.distinct = {m.key: m for m in self.mentions}


def find_roles(segments: list, bundle: Bundle) -> list[FoundRole]:
    """Each person of the decision chain with the roles said of them (one entry per role)."""
    pending = _mentions_by_clause(segments)
    people: list[_Person] = []
    by_family: dict[str, list[_Person]] = {}
    for (_, sentence, mentions, idx, _, _), role in zip(pending, _classify(pending, bundle), strict=True):
        for mention in mentions:
            person = _person_for(people, mention, by_family)
            if role and role not in person.roles:
                person.roles[role] = (sentence, idx)
            if mention.implied_role and mention.implied_role not in person.implied:
                person.implied[mention.implied_role] = (sentence, idx)
    return _results(people)


def _mentions_by_clause(segments: list) -> list[tuple[str, str, list[Mention], int, str, str | None]]:
    """(clause, sentence, people the clause speaks of, segment idx, speaker, role the clause's shape
    gives) for the customer's clauses; people only spoken to (跟罗总汇报) come with an empty clause."""
    pending: list[tuple[str, str, list[Mention], int, str, str | None]] = []
    context = {"last": [], "addressee": _addressee(segments)}
    question = None
    for seg in segments:
        if seg.party != "customer":
            question = seg if _is_question(seg.text) else None
            continue  # the rep greets and asks; the customer tells who decides
        if question is not None and _AGREED.match(seg.text):
            pending += _confirmed(question, seg, context)
        question = None
        unowned = ""  # the last clause that named no one: "I'm not the decision maker here."
        for sent in sentences(seg.text):
            previous: list[Mention] = []
            parts = _sub_clauses(sent.text)
            for n, (clause, shaped) in enumerate(parts):
                following = parts[n + 1][0] if n + 1 < len(parts) else ""
                if unowned and not shaped and _THATS.match(clause):
                    shaped = _unowned_role(unowned, clause)
                if shaped == _AFTER_GATE:
                    if previous and all(_BOSS.search(m.name) for m in previous):
                        continue  # 老板点头了我就签: the boss decides, the speaker only signs
                    shaped = None
                mentions, objects = _clause_people(
                    clause, seg.speaker, previous, context, shaped, n == 0, following
                )
                pending += [("", sent.text, [m], seg.idx, seg.speaker, None) for m in objects]
                if mentions or objects:
                    context["last"] = previous = mentions or objects
                if _REPORTING.search(clause):
                    previous = []  # 老刘还说，你们的付款条件…: what one says is no cue about them
                if mentions:
                    pending.append((clause, sent.text, mentions, seg.idx, seg.speaker, shaped))
                unowned = "" if (mentions or objects) else clause
    return pending


#: "That's Helen, our COO." / 是我们老板: who holds the part the clause before spoke of.
_THATS = re.compile(
    r"^(?:that's|that is|that'd be|that would be|it's|it is|that's going to be)\s+"
    r"(?:our |the |my )?(?=[A-Z])|"
    r"^(?:那|这)?(?:就|得|要|还)?是(?:我们|咱们)?(?=[\u4e00-\u9fff]{1,6}$)",
    re.I,
)


def _unowned_role(before: str, clause: str) -> str | None:
    """The role a clause named no one for, given to the one the next clause names: only when
    the next clause is that name alone (That's Helen Brooks, our COO)."""
    found = find_mentions(clause)
    if len(found) != 1 or found[0].start != _THATS.match(clause).end():
        return None
    ruled = [role for role, rx in _CUE_RE.items() if rx.search(before)]
    return ruled[0] if len(ruled) == 1 else None


#: A customer turn that opens by agreeing with the rep's question (对 / 是的 / "Yes, …").
_AGREED = re.compile(
    r"^\s*(?:对(?!不)|是的|没错|嗯对|对对|是(?=[，,。 ]|$)|"
    r"yes\b|yeah\b|yep\b|right\b|exactly\b|correct\b|that's right)",
    re.I,
)
_CONFIRMABLE = ("decision_maker", "influencer", "user", "coach")
_YOU = re.compile(r"您|你(?!们)|\byou\b(?! guys)", re.I)


def _confirmed(question, answer, context: dict) -> list[tuple[str, str, list[Mention], int, str, str | None]]:
    """销售：最后是王总拍板吗？ 客户：对。: the role the rep asked about, confirmed. Only the
    relational roles (who decides, sways, uses, helps): the rep's topic words (接口, ROI) are no
    claim about anyone."""
    out = []
    for sent in sentences(question.text):
        if not _is_question(question.text[sent.start : sent.end + 2]):
            continue
        for clause, _ in _sub_clauses(sent.text):
            ruled = [r for r in _CONFIRMABLE if _CUE_RE[r].search(clause)]
            if len(ruled) != 1 or (ruled[0] == "decision_maker" and _NOT_DECIDING.search(clause)):
                continue
            found = [
                m
                for m in find_mentions(clause)
                if not _is_object(clause, m) and not _is_vocative(clause, m, question=True)
            ]
            if not found and _YOU.search(clause):
                found = _speaker_mention(answer.speaker, context["addressee"])  # 是您来拍板吗？
            if found:
                out.append((clause, sent.text, found, answer.idx, answer.speaker, ruled[0]))
    return out


def _clause_people(
    clause: str,
    speaker: str,
    previous: list[Mention],
    context: dict,
    shaped: str | None = None,
    first: bool = False,
    following: str = "",
) -> tuple[list, list]:
    found = find_mentions(clause)
    if first and len(found) == 1 and following and _is_vocative(clause, found[0], following):
        return [], found  # 小李，我私下跟你说: 小李 is spoken to
    objects = [m for m in found if _is_object(clause, m) or (first and _is_vocative(clause, m))]
    mentions: list[Mention] = []
    for m in found:
        if m in objects:
            continue
        if m.implied_role and _SELF_POST.search(clause[: m.start]):
            # 我是采购部的: the speaker, with the post's role
            mentions += [
                _with_role(s, m.implied_role) for s in _speaker_mention(speaker, context["addressee"])
            ]
        elif m.key.startswith("post:") and (
            (_THEIR_POST.search(clause[: m.start]) and (mentions or previous or context["last"]))
            or (mentions and _IS_POST.search(clause[: m.start]))
        ):
            # 张工，他是我们的技术负责人 / 小彭是我们网络中心的 / "Jenny, she's our IT manager":
            # the post is the named one's
            referent = (mentions or previous or context["last"])[-1]
            mentions.append(_with_role(referent, m.implied_role))
        else:
            mentions.append(m)
    if not mentions and _FIRST_PERSON.search(clause):
        # the speaker's own part (我就签): never someone named before, even when the speaker is unknown
        return _speaker_mention(speaker, context["addressee"]), objects
    if not mentions and _PRONOUN.search(clause) and context["last"]:
        mentions = context["last"][:1]  # 强哥跟老板关系很铁，他…: the subject, named first
    if not mentions and previous and (shaped or _cue_about_previous(clause)):
        mentions = previous  # 他要是认可了，基本就定了: the cue is about the one just named
    return mentions, objects


_RELATIONAL = ("decision_maker", "influencer", "user", "coach")
_HE_SHE = re.compile(r"[他她](?!们)|\b(?:he|she|him|her)\b", re.I)


def _cue_about_previous(clause: str) -> bool:
    """A clause naming no one speaks of the one named just before when it says who decides,
    sways, uses or helps (他要是认可了，基本就定了 / 以后主要是他们科室在用), or when it points
    back (技术评审是他负责); a topic alone (没问题的话就走流程) is no claim about them."""
    if any(_CUE_RE[r].search(clause) for r in _RELATIONAL):
        return True
    return bool(_HE_SHE.search(clause)) and any(rx.search(clause) for rx in _CUE_RE.values())


def _with_role(mention: Mention, role: str | None) -> Mention:
    return Mention(
        mention.text, mention.name, mention.key, mention.start, mention.end, role or mention.implied_role
    )


def _is_vocative(clause: str, mention: Mention, following: str = "", question: bool = False) -> bool:
    """小李，我私下跟你说 / "Hi Anna, is Dana the one…": the name of one spoken to."""
    rest = clause[: mention.start] + clause[mention.end :]
    if not re.sub(r"[\s啊呀哈嗯哦,，.!！:：]", "", rest):
        return bool(_AFTER_VOCATIVE.search(following))
    after = _VOCATIVE_AFTER.match(clause, mention.end)
    if not after or not _VOCATIVE_BEFORE.fullmatch(clause, 0, mention.start):
        return False
    rest = clause[after.end() :]
    greeted = bool(re.search(r"hi|hello|hey|喂", clause[: mention.start], re.I))
    return bool(_AFTER_VOCATIVE.search(rest) or ((question or greeted) and _AFTER_VOCATIVE_Q.search(rest)))


_EN_SUB_CLAUSE = re.compile(r";|\bbut\b|,\s+(?=(?:and|but|while|whereas|he|she|they|who|whose)\b)", re.I)


_AFTER_GATE = "after_gate"  # the 我就签 of 她那边没问题我就签


def _sub_clauses(sentence: str) -> list[tuple[str, str | None]]:
    """The clauses of a sentence, each with the role its shape alone gives (or None)."""
    splitter = _SUB_CLAUSE if re.search(r"[\u4e00-\u9fff]", sentence) else _EN_SUB_CLAUSE
    out: list[tuple[str, str | None]] = []
    for part in splitter.split(sentence):
        pieces = _GATE.split(part) if "我" in part else [part]
        for n, piece in enumerate(pieces):
            piece = piece.strip()
            if piece:
                out.append((piece, "influencer" if n + 1 < len(pieces) else (_AFTER_GATE if n else None)))
    return out


def _is_question(text: str) -> bool:
    return bool(re.search(r"[?？]|吗$|吗[。]?$|是不是|对吧|对不对", text))


def _speaker_mention(speaker: str, addressee: Mention | None) -> list[Mention]:
    if speaker.strip().lower() in ("客户", "customer", "client", "对方", "客户方"):
        return [addressee] if addressee else []
    found = find_mentions(speaker)
    return found[:1] or [Mention(speaker, speaker, "speaker:" + speaker, 0, len(speaker))]


_GREETED = re.compile(
    r"^(?:喂[，, ]*)?(?:您好[，, ]*)?(?:请问是)?(?P<name>.{1,24}?)(?:您好|你好|好|新年好|，|,|吗|[.!！。]|$)",
    re.I,
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
    """我评估完了再跟罗总汇报: 罗总 is spoken to, the cue is the speaker's. 她在老板面前说话管用:
    老板 is the one swayed. 陈总那边我帮你们说话: the speaker acts."""
    before, after = clause[: mention.start], clause[mention.end :]
    if _SWAYED_AFTER.search(after) or _SWAYED_BEFORE.search(before):
        return True
    if re.match(r"(?:那边|这边|那里|这里)[，, ]*我(?!们)", after):
        return True
    return bool(re.match(r"^(?:好|行|那|嗯|然后)?[，, ]*(?:我|你|i\b|you\b)", before, re.I)) and bool(
        _OBJECT_BEFORE.search(re.sub(r"(?:采购|财务|技术|信息|IT)?(?:部门|部|科|中心)?的?$", "", before))
    )


def _classify(pending: list, bundle: Bundle) -> list[str | None]:
    if not pending:
        return []
    labels, probs = bundle.predict("role", [p[0] for p in pending])
    out: list[str | None] = []
    for (clause, _, mentions, *_, shaped), label, p in zip(pending, labels, probs, strict=True):
        if not clause:
            out.append(None)
            continue
        if shaped:
            # 老板点头了我就签: the boss is no mere influencer
            boss = all(_BOSS.search(m.name) for m in mentions)
            out.append("decision_maker" if shaped == "influencer" and boss else shaped)
            continue
        ruled = [role for role, rx in _CUE_RE.items() if rx.search(clause)]
        not_deciding = bool(_NOT_DECIDING.search(clause))
        if not_deciding and "decision_maker" in ruled:
            ruled.remove("decision_maker")
        if "decision_maker" in ruled:
            scoped = next((role for rx, role in _SCOPED_SAY if rx.search(clause)), None)
            if scoped:
                ruled = [r for r in ruled if r != "decision_maker"] or [scoped]
        if len(ruled) == 1:
            out.append(ruled[0])
        elif ruled:
            out.append(label if label in ruled else ruled[0])
        elif (
            label != NONE_LABEL
            and p >= ROLE_MIN_PROBABILITY + 0.4
            and not (not_deciding and label == "decision_maker")
        ):
            out.append(label)  # no rule cue: the classifier alone must be surer
        else:
            out.append(None)
    return out


def _person_for(people: list[_Person], mention: Mention, by_family: dict[str, list[_Person]]) -> _Person:
    """The person a mention names, or a new one. Only mentions of one family can be one person
    (same_person: the same surname, the same English first name, else the same key)."""
    family = _family(mention.key)
    for person in by_family.get(family, ()):
        if mention.key in person.distinct or any(same_person(mention, m) for m in person.distinct.values()):
            person.mentions.append(mention)
            person.distinct.setdefault(mention.key, mention)
            return person
    person = _Person([mention])
    people.append(person)
    by_family.setdefault(family, []).append(person)
    return person


def _family(key: str) -> str:
    kind, _, rest = key.partition(":")
    return kind + ":" + rest.split(":")[0] if kind in ("name", "en") else key


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
