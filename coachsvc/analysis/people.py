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
}
_DEPT = (
    r"(?P<dept>(?:采购|财务|技术|信息化?|IT|it|研发|法务|人事|行政|运营|生产|市场|质量|品质|仓储|物流|工程|客服|业务)"
    r"(?:部门|部|中心|处|科|组|团队|口|这边|那边)?)"
)
_TITLE_ALT = "|".join(TITLES)
_NOT_AFTER_ZONG = "结体部额量数共之统和计是算得归"
_NOT_AFTER_GONG = "作程资具厂人业艺期时地位商单序种"
_NAMED = re.compile(
    rf"(?:{_DEPT}(?:的)?)?(?:(?P<name>(?P<sur>[\u4e00-\u9fff])(?P<title>{_TITLE_ALT}))"
    rf"|(?P<old>[老小](?P<sur2>[{SURNAMES}]))(?!{_TITLE_ALT}|[\u4e00-\u9fff]?(?:{_TITLE_ALT})))"
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
    "副总",
    "法务",
    "一线员工",
    "一线同事",
    "一线的同事",
    "业务员",
    "操作员",
    "仓管",
    "车间主任",
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
}
_EN_POST = re.compile(
    r"\b(?P<post>CFO|CTO|CEO|CIO|COO|VP(?: of [A-Z]?[a-z]+)?|"
    r"(?:IT|finance|procurement|purchasing|legal|operations|"
    r"engineering|security|sales ops)\s+(?:director|manager|head|"
    r"lead|team|department|people|guys)|head of [a-z]+"
    r"|(?:my|our) boss|the board|end users|the warehouse team|the floor staff)\b",
    re.I,
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
    "Yesterday Next Last Great Nice Cool Awesome Right Done Thursday".split()
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


_MAYBE_PERSON = re.compile("[A-Z]|[" + "".join(sorted({t[-1] for t in TITLES})) + "老小板导部门务购监员]")


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
        if title == "总" and after and after in _NOT_AFTER_ZONG:
            return None
        if title == "工" and after and after in _NOT_AFTER_GONG:
            return None
        before = "" if m["dept"] or not m.start("sur") else text[m.start("sur") - 1 : m.start("sur")]
        canon = canonical_surname(sur, before)
        if canon is None and (m["dept"] or text[max(0, m.start("sur") - 1) : m.start("sur")] == "的"):
            canon = sur if re.match(r"[\u4e00-\u9fff]", sur) and not _is_word(sur + title) else None
        if canon is None:
            return None
        name = canon + title
        key = "name:" + canon + ":" + _title_class(title)
    else:
        name, key = m["old"], "name:" + m["sur2"] + ":*"
    implied = next(
        (role for prefix, role in DEPARTMENT_ROLES.items() if dept and dept.startswith(prefix)), None
    )
    return Mention(m.group(0), name, key, m.start(), m.end(), implied)


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


def _english_mentions(text: str) -> list[Mention]:
    out = []
    for m in _EN_POST.finditer(text):
        post = m["post"]
        low = post.lower()
        role = next(
            (
                r
                for w, r in (
                    ("cfo", "finance"),
                    ("finance", "finance"),
                    ("procurement", "procurement"),
                    ("purchasing", "procurement"),
                    ("cto", "technical_evaluator"),
                    ("cio", "technical_evaluator"),
                    ("it ", "technical_evaluator"),
                    ("engineering", "technical_evaluator"),
                    ("security", "technical_evaluator"),
                )
                if low.startswith(w) or f" {w}" in f" {low}"
            ),
            None,
        )
        out.append(Mention(post, post, "post:" + low, m.start(), m.end(), role))
    for m in _EN_NAME.finditer(text):
        words = m.group(0).replace("Mr.", "").replace("Ms.", "").split()
        words = [w for w in words if w not in ("Mr", "Ms", "Mrs", "Dr")]
        if (
            not words
            or words[0] in _EN_NOT_NAMES
            or (m.start() == 0 and len(words) == 1 and words[0] in _EN_NOT_NAMES)
        ):
            continue
        dept = re.match(
            r"\s+(?:from|in|of)\s+(procurement|purchasing|finance|legal|IT|it|engineering)\b", text[m.end() :]
        )
        role = None
        if dept:
            role = {
                "procurement": "procurement",
                "purchasing": "procurement",
                "legal": "procurement",
                "finance": "finance",
            }.get(dept.group(1).lower(), "technical_evaluator")
        out.append(Mention(m.group(0), " ".join(words), "en:" + words[0].lower(), m.start(), m.end(), role))
    return out


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
