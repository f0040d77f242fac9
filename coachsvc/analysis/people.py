"""People named in a call: find mentions (王总, 采购部的刘经理, 老刘, 财务总监, "Mike from
procurement"), normalise them, and tell when two mentions are one person (刘经理 / 采购部刘经理 /
老刘 / the ASR's 流经理).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coachsvc.analysis.text import SURNAME_SET, SURNAMES, TITLES, pinyin_table

#: Departments whose people have a decision-chain role by their function.
DEPARTMENT_ROLES = {
    "采购": "procurement",
    "法务": "procurement",  # legal reviews the contract: a gatekeeper (采购/把关者)
    "财务": "finance",
    "技术": "technical_evaluator",
    "信息": "technical_evaluator",
    "IT": "technical_evaluator",
    "it": "technical_evaluator",
    "研发": "technical_evaluator",
    "科技": "technical_evaluator",
    "网络": "technical_evaluator",
    "计财": "finance",
    "招采": "procurement",
}
_DEPT = (
    r"(?P<dept>(?:采购|财务|技术|信息化?|IT|it|研发|科技|网络|计财|招采|法务|人事|行政|运营|生产|市场|质量|品质|仓储|物流|工程|"
    r"客服|业务)(?:部门|部|中心|处|科室|科|室|组|团队|口|这边|那边)?)"
)
_TITLE_ALT = "|".join(TITLES)
_NOT_AFTER_ZONG = "结体部额量数共之统和计是算得归"
#: 王总是最终决策人 (not 总是, "always"): 是 after 总 when a statement about the person follows.
_ZONG_SHI = re.compile(
    r"是(?:我们|咱们|公司|最终|最后|决策|拍板|负责|这个|那个|老板|董事长|总经理|一把手|主要|直接|大股东|创始人)"
)
_NOT_AFTER_GONG = "作程资具厂人业艺期时地位商单序种"
#: Given-name characters common in 小X / 阿X nicknames (小美, 阿伟) besides surnames (小刘).
_GIVEN = "美丽芳红艳娟婷敏静霞燕玲娜梅兰凤琴慧颖洁倩晶莹欣怡萍伟强军杰涛斌磊勇鹏飞辉亮波刚峰超华明东"
#: 小 + a surname that is mostly a word (小于, 小龙虾, 小车, 小康).
_XIAO_WORDS = frozenset("于龙车路康牛包钱毛")
#: Characters that often follow a name (老周会来, 小马上次说): no word with the surname then.
_AFTER_NAME = frozenset("会上说要也都就还在和跟是的了呢吧啊呀他她我你们这那去来让给把被对")
_NAMED = re.compile(
    rf"(?:{_DEPT}(?:的)?)?(?:(?P<name>(?P<sur>[\u4e00-\u9fff])(?P<title>{_TITLE_ALT}))"
    rf"|(?P<old>[老小阿](?P<sur2>[{SURNAMES}]))(?!{_TITLE_ALT}|[\u4e00-\u9fff]?(?:{_TITLE_ALT}))"
    rf"|(?P<nick>[小阿](?P<given>[{_GIVEN}]))(?!{_TITLE_ALT}))"
)
#: Titles said after a given name as often as after a surname (芳姐, 强哥): the character is kept
#: as said unless it is a word with the title (大姐, 表哥) or a pronoun/number/function character.
_NICK_TITLES = ("姐", "哥")
_NOT_NICK = frozenset(
    "的一是了我你他她它这那个大小老表堂师学空帅姐哥二三四五六七八九十几两们和跟与在有就也都还"
)
#: People named by their post alone; the department-like ones carry a role by themselves.
_POSTS = (
    "财务总监",
    "财务经理",
    "财务负责人",
    "财务主管",
    "财务部门",
    "财务部",
    "CFO",
    "采购总监",
    "采购经理",
    "采购负责人",
    "采购主管",
    "采购部门",
    "采购部",
    "技术部门",
    "技术部",
    "IT部门",
    "IT部",
    "信息部",
    "技术总监",
    "技术负责人",
    "技术主管",
    "IT负责人",
    "IT总监",
    "IT经理",
    "信息部经理",
    "CTO",
    "CIO",
    "CEO",
    "COO",
    "总经理",
    "董事长",
    "大老板",
    "老板",
    "老总",
    "一把手",
    "厂长",
    "院长",
    "校长",
    "副院长",
    "副校长",
    "副局长",
    "副厂长",
    "副总经理",
    "副总裁",
    "副行长",
    "局长",
    "处长",
    "科长",
    "部长",
    "行长",
    "所长",
    "副总",
    "法务",
    "一线员工",
    "一线同事",
    "一线的同事",
    "业务员",
    "操作员",
    "仓管",
    "车间主任",
    "信息中心",
    "网络中心",
    "信息科",
    "用户部门",
    "业务部门",
    "领导",
)
_BARE_POST_NEXT = "说|要|会|那边|这边|觉得|认为|负责|审|把关|同事|的人|也|还|一直|肯定|已经|不|得|可能|卡|盯"
_POST_RE = re.compile("|".join(re.escape(p) for p in sorted(_POSTS, key=len, reverse=True)))
_POST_ROLES = {
    "财务总监": "finance",
    "财务经理": "finance",
    "财务负责人": "finance",
    "财务主管": "finance",
    "财务": "finance",
    "CFO": "finance",
    "采购总监": "procurement",
    "采购经理": "procurement",
    "采购负责人": "procurement",
    "采购部门": "procurement",
    "采购部": "procurement",
    "财务部门": "finance",
    "财务部": "finance",
    "技术部门": "technical_evaluator",
    "技术部": "technical_evaluator",
    "IT部门": "technical_evaluator",
    "IT部": "technical_evaluator",
    "信息部": "technical_evaluator",
    "技术": "technical_evaluator",
    "采购主管": "procurement",
    "采购": "procurement",
    "技术总监": "technical_evaluator",
    "技术负责人": "technical_evaluator",
    "技术主管": "technical_evaluator",
    "IT负责人": "technical_evaluator",
    "IT总监": "technical_evaluator",
    "IT经理": "technical_evaluator",
    "信息部经理": "technical_evaluator",
    "CTO": "technical_evaluator",
    "CIO": "technical_evaluator",
    "信息中心": "technical_evaluator",
    "网络中心": "technical_evaluator",
    "信息科": "technical_evaluator",
    # people who will work with the product every day
    "车间主任": "user",
    "一线员工": "user",
    "一线同事": "user",
    "一线的同事": "user",
    "操作员": "user",
    "用户部门": "user",
    "业务部门": "user",
}
#: What a VP / head / director is "of": capitalised words (Customer Experience), or one lower-case
#: word with a known second one (sales ops, customer success).
_EN_ORG = (
    r"(?-i:[A-Z][\w&-]*(?:\s+(?:&\s+|and\s+)?[A-Z][\w-]*){0,3}|[a-z]+(?:\s+(?:ops|operations|success|"
    r"experience|engineering|services|relations|resources|management|development|planning|administration|"
    r"affairs|technology|systems|security|care))?)"
)
_EN_POST = re.compile(
    r"\b(?P<post>CFO|CTO|CEO|CIO|COO|CISO|CMO|CRO|"
    rf"(?:S?VP|EVP|vice president)(?: of {_EN_ORG})?|(?:head|director|chief) of {_EN_ORG}|"
    r"chief (?:[a-z]+ ){1,2}officer|"
    r"(?:IT|finance|procurement|purchasing|legal|operations|infosec|security|data|"
    r"engineering|sales ops)\s+(?:director|manager|head|"
    r"lead|team|department|people|guys)"
    r"|(?:my|our) boss|the board|end users|the warehouse team|the floor staff)\b",
    re.I,
)
#: "our plant director", "the IT manager", "my finance lead": a post said with our/the/my.
_EN_TITLE = re.compile(
    r"\b(?:our|my|the)\s+(?P<post>(?:[A-Za-z&-]+\s+){0,2}?"
    r"(?:director|manager|lead|supervisor|controller|administrator|admin|architect|officer|"
    r"president|engineer|coordinator|analyst|buyer|accountant|counsel|treasurer|superintendent|"
    r"foreman|owner|sponsor|champion))\b",
    re.I,
)
_EN_NOT_POST_WORD = frozenset("a an the our my their your and or of to for with who that this is was".split())
_EN_POST_ROLES = (
    ("cfo", "finance"),
    ("finance", "finance"),
    ("financial", "finance"),
    ("controller", "finance"),
    ("treasurer", "finance"),
    ("accountant", "finance"),
    ("accounting", "finance"),
    ("procurement", "procurement"),
    ("purchasing", "procurement"),
    ("sourcing", "procurement"),
    ("buyer", "procurement"),
    ("legal", "procurement"),
    ("counsel", "procurement"),
    ("cto", "technical_evaluator"),
    ("cio", "technical_evaluator"),
    ("ciso", "technical_evaluator"),
    ("it", "technical_evaluator"),
    ("engineering", "technical_evaluator"),
    ("engineer", "technical_evaluator"),
    ("architect", "technical_evaluator"),
    ("security", "technical_evaluator"),
    ("infosec", "technical_evaluator"),
    ("technology", "technical_evaluator"),
    ("technical", "technical_evaluator"),
    ("systems", "technical_evaluator"),
    ("data", "technical_evaluator"),
    ("administrator", "technical_evaluator"),
    ("tech", "technical_evaluator"),
    ("devops", "technical_evaluator"),
)
_EN_NAME = re.compile(r"\b(?:(?:Mr|Ms|Mrs|Dr)\.?\s+)?[A-Z][a-z]{2,}(?:\s+[A-Z][a-z]{2,})?\b")
_EN_NOT_NAMES = frozenset(
    "I We The Our Yes Yeah No Okay Sure Thanks Thank Hello Hi Well So And But Also Let That This What When "
    "Where Who Why How Great Good Right Fine Sounds Perfect "
    "Absolutely Honestly Actually Maybe Please Could "
    "Would Should Can Will Just Then There They You Your It Its Monday Tuesday Wednesday Thursday Friday "
    "Shall Let Lets Saturday Sunday January February March April "
    "May June July August September October November December "
    "Rep Customer Sales Client Understood Makes Got Look Sorry Frankly Plus Besides However Anyway Oh Ok "
    "Excel Salesforce Oracle Microsoft Google Amazon Slack Zoom China Chinese English ROI SaaS Even Since "
    "Before After Once Unless Until While Because If Though Not None Nothing Everyone Someone Nobody Lots "
    "Mostly Usually Probably Basically Currently Typically "
    "Normally Definitely Totally Exactly Really Only Still "
    "She He They It Her His Him Them Maybe Perhaps Sometimes Today Tomorrow "
    "Yesterday Next Last Great Nice Cool Awesome Right Done Thursday "
    "From For With In On At To By Of As Into About Over Under Between Through Without Within "
    "First Second Third Fourth Finally Another Other One Two Three Both Either Neither Each Every "
    "Any All Some Most Many Much More Less Few Several Hey Hmm Um Uh Ah Alright Agreed True Fair "
    "Happy Glad Sorry Welcome Morning Afternoon Evening Hope Hopefully Obviously Clearly Personally "
    "Again Also Otherwise Meanwhile Regarding Speaking Given Like Unfortunately Fortunately Overall "
    "Their My Your These Those Here Now Later Soon Never Always Often "
    "Talk Ask Send Call Check Loop Reach Email Contact Give Tell Get Keep Make Take Bring Put Set Go Come "
    "Run Meet Schedule Book See Try Note Remember Reply Ping Follow Share Forward Copy Add Include Invite "
    "Anything Everything Something Nothing Anyone Everybody Somebody Whoever Whatever "
    "Loved Love Thought Think Guess Wish Need Want Quick Side Small Big Short Long Real "
    "Fun Funny Good Bad Best Worst Biggest Main Key Important Interesting Bottom".split()
)


@dataclass(frozen=True)
class Mention:
    """A person as named in the text, where, and the role their post or department implies."""

    text: str  # as said: 采购部的刘经理
    name: str  # the core name: 刘经理 / 老刘 / 财务总监 / Mike
    key: str  # identity for merging: surname (+ title class) or post
    start: int
    end: int
    implied_role: str | None = None


_MAYBE_PERSON = re.compile(
    "[A-Z]|[" + "".join(sorted({t[-1] for t in TITLES})) + "老小阿板导部门务购监员任心科]"
)


def find_mentions(text: str) -> list[Mention]:
    """Every person mention in `text`, left to right, without overlaps."""
    if not _MAYBE_PERSON.search(text):
        return []  # no title, post or capital letter: nobody is named (the common case, and fast)
    found: list[Mention] = []
    for m in _NAMED.finditer(text):
        mention = _named_mention(text, m)
        if mention:
            found.append(mention)
    for m in _POST_RE.finditer(text):
        post = m.group(0)
        found.append(Mention(post, post, "post:" + post.lower(), m.start(), m.end(), _POST_ROLES.get(post)))
    found += _english_mentions(text)
    return _merge_appositions(_without_overlaps(found), text)


def _merge_appositions(mentions: list[Mention], text: str) -> list[Mention]:
    """ "our CFO, Mark" / "Mark, our CFO" / "procurement team, led by Julia": one person, named
    Mark (Julia), with the post's role."""
    out: list[Mention] = []
    for m in mentions:
        prev = out[-1] if out else None
        if prev and prev.end == m.start and prev.key.startswith("post:") and m.key.startswith("name:"):
            # 财务总监老王, 运营副总沈总: the post says who the named person is
            out[-1] = Mention(
                text[prev.start : m.end],
                m.name,
                m.key,
                prev.start,
                m.end,
                m.implied_role or prev.implied_role,
            )
            continue
        if prev and re.fullmatch(
            r"\s*,?\s*(?:our|the|my|led by|headed by|run by|managed by)?\s*", text[prev.end : m.start], re.I
        ):
            name, post = (m, prev) if m.key.startswith("en:") else (prev, m)
            if name.key.startswith("en:") and post.key.startswith("post:"):
                out[-1] = Mention(
                    text[prev.start : m.end], name.name, name.key, prev.start, m.end, post.implied_role
                )
                continue
        out.append(m)
    return out


def _named_mention(text: str, m: re.Match[str]) -> Mention | None:
    dept = m["dept"]
    if m["name"]:
        sur, title = m["sur"], m["title"]
        after = text[m.end() : m.end() + 1]
        if title == "总" and after and after in _NOT_AFTER_ZONG and not _ZONG_SHI.match(text, m.end()):
            return None
        if title == "工" and after and after in _NOT_AFTER_GONG:
            return None
        if sur + title in _TITLE_SET or sur in "副正代":
            return None  # 运营副总, 分管副院长: 副 is part of the title, no surname
        before = "" if m["dept"] or not m.start("sur") else text[m.start("sur") - 1 : m.start("sur")]
        canon = canonical_surname(sur, before)
        if canon is None and (m["dept"] or text[max(0, m.start("sur") - 1) : m.start("sur")] == "的"):
            canon = sur if re.match(r"[\u4e00-\u9fff]", sur) and not _is_word(sur + title) else None
        name = (canon or "") + title
        if title in _NICK_TITLES and sur not in SURNAME_SET:
            # 芳姐, 强哥: a given name, kept as said (its sound still merges 芳姐 / 方姐)
            if sur in _NOT_NICK or _is_word(sur + title) or (before and _is_word(before + sur)):
                return None
            name, canon = sur + title, canon or sur
        if canon is None:
            return None
        key = "name:" + canon + ":" + _title_class(title)
    elif m["old"]:
        old, nxt = m["old"], text[m.end("old") : m.end("old") + 1]
        if (old[0] == "小" and old[1] in _XIAO_WORDS) or (
            nxt and nxt not in _AFTER_NAME and _is_word(old[1] + nxt)
        ):
            return None  # 小程序, 老江湖, 小于: words, not 小程 / 老江 / 小于
        name, key = old, "name:" + m["sur2"] + ":*"
    else:
        nick = m["nick"]
        if (
            _is_word(nick)
            or _is_word(text[m.start("nick") : m.end("nick") + 1])
            or (m.start("nick") and _is_word(text[m.start("nick") - 1 : m.end("nick")]))
        ):
            return None  # 小龙虾, 阿拉, 大小强: no one's name
        name, key = nick, "nick:" + nick
    implied = next(
        (role for prefix, role in DEPARTMENT_ROLES.items() if dept and dept.startswith(prefix)), None
    )
    return Mention(m.group(0), name, key, m.start(), m.end(), implied)


_TITLE_SET = frozenset(TITLES)
_NAME_BEFORE = set("，,。.！!？?、 :：的和跟与找问约请让给把被是我您你他她下去到由叫等及或")


def canonical_surname(char: str, before: str = "") -> str | None:
    """A surname, or the surname the ASR misheard (流 → 刘); None when `char` is no name (as in
    客户经理, 实施工程师: the character belongs to the word before it)."""
    if before and before not in _NAME_BEFORE and _is_word(before + char):
        return None
    if char in SURNAME_SET:
        return char
    sound = pinyin_table().get(char)
    return _SURNAME_BY_SOUND.get(sound) if sound else None


def _is_word(text: str) -> bool:
    from coachsvc.analysis.text import tokenizer

    return tokenizer().FREQ.get(text, 0) > 0


def _surnames_by_sound() -> dict[str, str]:
    table, out = pinyin_table(), {}
    for ch in SURNAMES:  # most frequent first: 刘 wins "liu" over 柳
        out.setdefault(table.get(ch, ""), ch)
    out.pop("", None)
    return out


class _LazySurnames(dict):
    def get(self, key, default=None):  # type: ignore[override]
        if not self:
            self.update(_surnames_by_sound())
        return super().get(key, default)


_SURNAME_BY_SOUND = _LazySurnames()


def _title_class(title: str) -> str:
    if title in ("总", "总经理", "董事长", "老板", "总裁", "董", "副总"):
        return "boss"
    if title in ("工", "总工", "博士"):
        return "engineer"
    if title in ("经理", "主管", "组长", "主任", "处长", "科长", "部长", "局长", "厂长", "院长", "校长"):
        return "manager"
    return title


def _english_role(post: str) -> str | None:
    words = post.lower().replace("-", " ").split()
    if words[0] in ("the", "our", "my", "their"):
        words = words[1:]
    return next((r for w, r in _EN_POST_ROLES if w in words), None)


def _english_mentions(text: str) -> list[Mention]:
    out = []
    for rx in (_EN_POST, _EN_TITLE):
        for m in rx.finditer(text):
            post = m["post"]
            words = post.split()
            if rx is _EN_TITLE and (words[0].lower() in _EN_NOT_POST_WORD or words[0] in ("I",)):
                continue
            low = post.lower()
            out.append(
                Mention(post, post, "post:" + low, m.start("post"), m.end("post"), _english_role(post))
            )
    for m in _EN_NAME.finditer(text):
        words = m.group(0).replace("Mr.", "").replace("Ms.", "").split()
        words = [w for w in words if w not in ("Mr", "Ms", "Mrs", "Dr")]
        start = m.start()
        if len(words) == 2 and _not_a_name(words[0]) and not _not_a_name(words[1]):
            start = m.start() + m.group(0).rindex(words[1])  # "And Marcus": the name is Marcus
            words = words[1:]
        if (
            not words
            or re.match(r"\s*\d", text[m.end() : m.end() + 3])  # Ward 5, Building 2
            or _not_a_name(words[0])
        ):
            continue
        dept = _EN_NAME_DEPT.match(text, m.end())
        role = None
        if dept:
            role = _english_role(dept["dept"])
        out.append(
            Mention(text[start : m.end()], " ".join(words), "en:" + words[0].lower(), start, m.end(), role)
        )
    return out


_EN_NAME_DEPT = re.compile(
    r"\s+(?:from|in|of|on|at|over in|who runs|who heads|who leads)\s+(?:the\s+)?"
    r"(?P<dept>procurement|purchasing|sourcing|finance|accounting|legal|IT|it|engineering|infosec|security|"
    r"data|technology|tech|devops)\b"
)


_ADVERB = re.compile(r"(?:ally|ately|ously|ively|ently|antly|estly|ibly|ably|fully|lessly|arily)$")


def _not_a_name(word: str) -> bool:
    return word in _EN_NOT_NAMES or bool(_ADVERB.search(word))


def _without_overlaps(mentions: list[Mention]) -> list[Mention]:
    mentions.sort(key=lambda x: (x.start, -(x.end - x.start)))
    out: list[Mention] = []
    for m in mentions:
        if out and m.start < out[-1].end:
            continue
        out.append(m)
    return out


# --- identity -------------------------------------------------------------------------------------


def same_person(a: Mention | str, b: Mention | str) -> bool:
    """True when two mentions (or names) are one person: same surname with compatible titles
    (老刘 matches any 刘), or the same post."""
    ka = a.key if isinstance(a, Mention) else person_key(a)
    kb = b.key if isinstance(b, Mention) else person_key(b)
    if ka == kb:
        return True
    pa, pb = ka.split(":"), kb.split(":")
    if pa[0] == pb[0] == "name" and pa[1] == pb[1]:
        return "*" in (pa[2], pb[2])
    if pa[0] == pb[0] == "en":
        return pa[1] == pb[1]
    return False


def person_key(name: str) -> str:
    """The identity key of a name as written by anyone (an annotator, a rep)."""
    name = normalize_person(name)
    mentions = find_mentions(name)
    if mentions:
        return mentions[0].key
    return "post:" + name.lower()


def normalize_person(name: str) -> str:
    """Strip what does not identify a person: spaces, 我们/贵司/the, the department, 的."""
    name = re.sub(r"\s+", " ", name).strip()
    name = re.sub(r"^(?:我们|咱们|他们|你们|贵司|贵公司|公司|对方|客户)(?:的)?", "", name)
    name = re.sub(r"^(?:our|their|the|your|my)\s+", "", name, flags=re.I)
    return name


def display_name(mentions: list[Mention]) -> str:
    """The name a manager would use: the core name said most often (刘经理 over 采购部的刘经理
    over 老刘), the first one on a tie."""
    counts: dict[str, int] = {}
    for m in mentions:
        counts[m.name] = counts.get(m.name, 0) + (
            0 if m.name.startswith(("老", "小")) and len(m.name) == 2 else 1
        )
    return max(counts, key=lambda n: (counts[n], -[m.name for m in mentions].index(n)))
