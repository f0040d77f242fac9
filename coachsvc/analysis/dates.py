"""Resolve the due date a speaker says (明天, 下周三之前, 月底, 11月30号, "by next Friday") against
the call date.

Conventions (the product's, stated in issue 4): weeks start on Monday; 下周X / "next X" is weekday X
of the next calendar week; 周X / "X" alone is the next such day after the call date; 本周X is
weekday X of the call's week. A period without a day resolves to its end: 月底 / 本月 the month's
last day, 本周 / 下周 the period's Friday (end of the working week), 年底 31 December. 月初 is the
first of the month. Vague words (年后, 过几天, 尽快, 明年) resolve to None.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable

__all__ = ["resolve_due_date", "find_due_date", "all_due_dates", "chinese_number"]

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "幺": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS.update({"六": 6, "七": 7, "八": 8, "九": 9})
_NUM = r"(?:\d{1,4}|[零〇一二两俩三四五六七八九十]{1,3})"
_WEEKDAYS = {"一": 0, "1": 0, "二": 1, "2": 1, "三": 2, "3": 2, "四": 3, "4": 3, "五": 4, "5": 4}
_WEEKDAYS.update({"六": 5, "6": 5, "日": 6, "天": 6, "末": 6, "7": 6})
_EN_WEEKDAYS = {
    "mon": 0,
    "tue": 1,
    "wed": 2,
    "thu": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
}
_EN_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_WEEK = r"(?:周|星期|礼拜|週)"
_WD = r"[一二三四五六日天1-7]"
_EN_WD = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\b\.?"
_EN_MON = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_SMALL_EN = {"one": 1, "a": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10}
_SMALL_EN.update({"couple of": 2, "a couple of": 2, "few": None, "several": None})


def chinese_number(token: str) -> int | None:
    """`30` → 30, `三十` → 30, `十一` → 11, `两` → 2; None when it is not a number."""
    if token.isdigit():
        return int(token)
    if not token or any(ch not in _CN_DIGITS and ch != "十" for ch in token):
        return None
    if "十" not in token:
        value = 0
        for ch in token:
            value = value * 10 + _CN_DIGITS[ch]
        return value
    tens, _, ones = token.partition("十")
    return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def resolve_due_date(text: str, call_date: dt.date) -> dt.date | None:
    """The first date expression in `text`, resolved against `call_date`; None when none is said."""
    found = find_due_date(text, call_date)
    return found[0] if found else None


def find_due_date(text: str, call_date: dt.date) -> tuple[dt.date | None, int, int] | None:
    """(date or None, start, end) of the first date expression in `text`, or None.

    A vague expression (年后, 过几天) is found but resolves to None, so the caller knows a time was
    said and that it cannot be pinned down.
    """
    if not _ANY_RULE.search(text):
        return None
    found: list[tuple[int, int, dt.date | None]] = []
    rules = _RULES if _LATIN.search(text) else _RULES[:_FIRST_ENGLISH_RULE]  # English rules need letters
    for pattern, handler in rules:
        m = pattern.search(text)  # the first match of each rule is enough to compete for the earliest
        if m:
            found.append((m.start(), -(m.end() - m.start()), handler(m, call_date)))
    if not found:
        return None
    resolved = [f for f in found if f[2] is not None]
    start, neg_len, day = min(resolved or found, key=lambda f: (f[0], f[1]))
    return day, start, start - neg_len


def all_due_dates(text: str, call_date: dt.date) -> list[tuple[dt.date | None, int, int]]:
    """Every date expression in `text`, in order (下周一我要开会，下周二下午吧: two)."""
    out, pos = [], 0
    while pos < len(text):
        found = find_due_date(text[pos:], call_date)
        if found is None:
            break
        day, start, end = found
        out.append((day, pos + start, pos + end))
        pos += max(end, start + 1)
    return out


# --- helpers ------------------------------------------------------------------------------------


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: dt.date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _next_weekday(day: dt.date, weekday: int) -> dt.date:
    """The next `weekday` strictly after `day`."""
    ahead = (weekday - day.weekday() - 1) % 7 + 1
    return day + dt.timedelta(days=ahead)


def _add_business_days(day: dt.date, n: int) -> dt.date:
    while n > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _month_day(month: int, day: int, call_date: dt.date) -> dt.date | None:
    """A month and day without a year: this year, or next year when it is well past."""
    candidate = _safe_date(call_date.year, month, day)
    if candidate is None:
        return None
    if candidate < call_date - dt.timedelta(days=31):
        return _safe_date(call_date.year + 1, month, day)
    return candidate


# --- Chinese handlers ---------------------------------------------------------------------------


def _relative_day(m: re.Match[str], call_date: dt.date) -> dt.date | None:
    offsets = {"今天": 0, "今日": 0, "当天": 0, "明天": 1, "明日": 1, "明儿": 1, "后天": 2, "大后天": 3}
    offsets |= {"今晚": 0, "明早": 1, "明晚": 1}
    return call_date + dt.timedelta(days=offsets[m.group(0)])


def _within_days(m: re.Match[str], call_date: dt.date) -> dt.date | None:
    if m["n"] == "半":
        return call_date + dt.timedelta(days=15 if "月" in m["unit"] else 3 if "周" in m["unit"] else 0)
    n = chinese_number(m["n"])
    if n is None or n > 366:
        return None
    unit = m["unit"]
    if "工作日" in unit:
        return _add_business_days(call_date, n)
    if unit in ("周", "个星期", "星期", "个礼拜", "礼拜"):
        return call_date + dt.timedelta(weeks=n)
    if unit in ("个月", "月"):
        year, month = _add_months(call_date, n)
        return _safe_date(year, month, min(call_date.day, calendar.monthrange(year, month)[1]))
    return call_date + dt.timedelta(days=n)


def _named_month_part(m: re.Match[str], call_date: dt.date) -> dt.date | None:
    month = chinese_number(m["mo"])
    if month is None or not 1 <= month <= 12:
        return None
    year = call_date.year + (1 if month < call_date.month - 1 else 0)
    if m["part"] == "初":
        return dt.date(year, month, 1)
    if m["part"] in ("中", "中旬"):
        return dt.date(year, month, 15)
    return _month_end(year, month)


def _week_day(m: re.Match[str], call_date: dt.date) -> dt.date | None:
    prefix, weekday = m["pre"] or "", _WEEKDAYS[m["wd"]]
    if prefix.startswith(("下下", "下个下")):
        return _monday(call_date) + dt.timedelta(weeks=2, days=weekday)
    if prefix.startswith("下"):
        return _monday(call_date) + dt.timedelta(weeks=1, days=weekday)
    if prefix.startswith(("本", "这", "今")):
        return _monday(call_date) + dt.timedelta(days=weekday)
    if prefix.startswith("上"):
        return _monday(call_date) - dt.timedelta(weeks=1) + dt.timedelta(days=weekday)
    return _next_weekday(call_date, weekday)


def _week_period(m: re.Match[str], call_date: dt.date) -> dt.date | None:
    prefix = m["pre"]
    weeks = 2 if prefix.startswith(("下下", "下个下")) else 1 if prefix.startswith("下") else 0
    return _monday(call_date) + dt.timedelta(weeks=weeks, days=4)


def _month_part(m: re.Match[str], call_date: dt.date) -> dt.date | None:
    prefix, part = m["pre"] or "", m["part"]
    months = 2 if prefix.startswith("下下") else 1 if prefix.startswith("下") else 0
    if part in ("初",) and not prefix:
        months = 1  # 月初 said during a month means the start of the next one
    year, month = _add_months(call_date, months)
    if part in ("底", "末", "尾", ""):
        return _month_end(year, month)
    if part == "初":
        return dt.date(year, month, 1)
    return dt.date(year, month, 15)  # 中, 中旬


def _year_end(m: re.Match[str], call_date: dt.date) -> dt.date | None:
    year = call_date.year + (1 if m["pre"] and m["pre"].startswith("明") else 0)
    return dt.date(year, 12, 31)


def _quarter_end(m: re.Match[str], call_date: dt.date) -> dt.date | None:
    quarter = (call_date.month - 1) // 3 + (1 if m["pre"].startswith("下") else 0)
    year = call_date.year + quarter // 4
    last_month = (quarter % 4) * 3 + 3
    return _month_end(year, last_month)


def _full_date(m: re.Match[str], call_date: dt.date) -> dt.date | None:
    return _safe_date(int(m["y"]), int(m["mo"]), int(m["d"]))


def _cn_month_day(m: re.Match[str], call_date: dt.date) -> dt.date | None:
    month, day = chinese_number(m["mo"]), chinese_number(m["d"])
    if month is None or day is None or not 1 <= month <= 12:
        return None
    prefix = m["pre"] or ""
    if prefix.startswith("明年"):
        return _safe_date(call_date.year + 1, month, day)
    if prefix.startswith(("今年", "本年")):
        return _safe_date(call_date.year, month, day)
    return _month_day(month, day, call_date)


def _day_of_month(m: re.Match[str], call_date: dt.date) -> dt.date | None:
    day = chinese_number(m["d"])
    if day is None or not 1 <= day <= 31:
        return None
    if m["pre"]:
        year, month = _add_months(call_date, 1 if m["pre"].startswith("下") else 0)
        return _safe_date(year, month, day)
    if day >= call_date.day:
        return _safe_date(call_date.year, call_date.month, day)
    year, month = _add_months(call_date, 1)
    return _safe_date(year, month, day)


def _slash_date(m: re.Match[str], call_date: dt.date) -> dt.date | None:
    return _month_day(int(m["mo"]), int(m["d"]), call_date)


def _vague(m: re.Match[str], call_date: dt.date) -> dt.date | None:
    return None


def _couple_days(m: re.Match[str], call_date: dt.date) -> dt.date | None:
    return call_date + dt.timedelta(days=2)


# --- English handlers ---------------------------------------------------------------------------


def _en_relative(m: re.Match[str], call_date: dt.date) -> dt.date | None:
    word = m.group(0).lower()
    if "after" in word:
        return call_date + dt.timedelta(days=2)
    if "tomorrow" in word:
        return call_date + dt.timedelta(days=1)
    return call_date  # today, tonight, end of day, EOD


def _en_weekday(m: re.Match[str], call_date: dt.date) -> dt.date | None:
    weekday = _EN_WEEKDAYS[m["wd"].lower()[:3]]
    prefix = (m["pre"] or "").lower()
    if prefix.startswith("next"):
        return _monday(call_date) + dt.timedelta(weeks=1, days=weekday)
    if prefix.startswith("this"):
        candidate = _monday(call_date) + dt.timedelta(days=weekday)
        return candidate if candidate >= call_date else _next_weekday(call_date, weekday)
    return _next_weekday(call_date, weekday)


def _en_period_end(m: re.Match[str], call_date: dt.date) -> dt.date | None:
    unit, nxt = m["unit"].lower(), bool(m["next"])
    if unit == "week":
        return _monday(call_date) + dt.timedelta(weeks=int(nxt), days=4)
    if unit == "month":
        year, month = _add_months(call_date, int(nxt))
        return _month_end(year, month)
    if unit == "quarter":
        quarter = (call_date.month - 1) // 3 + int(nxt)
        return _month_end(call_date.year + quarter // 4, (quarter % 4) * 3 + 3)
    return dt.date(call_date.year + int(nxt), 12, 31)


def _en_next_period(m: re.Match[str], call_date: dt.date) -> dt.date | None:
    unit, early = m["unit"].lower(), (m["early"] or "").lower()
    if unit == "week":
        return _monday(call_date) + dt.timedelta(weeks=1, days=0 if early else 4)
    year, month = _add_months(call_date, 1)
    if early:
        return dt.date(year, month, 1)
    if m["mid"]:
        return dt.date(year, month, 15)
    return _month_end(year, month)


def _en_within(m: re.Match[str], call_date: dt.date) -> dt.date | None:
    raw = m["n"].lower()
    n = int(raw) if raw.isdigit() else _SMALL_EN.get(raw.strip())
    if n is None:
        return None
    unit = m["unit"].lower()
    if unit.startswith("business") or unit.startswith("working"):
        return _add_business_days(call_date, n)
    if unit.startswith("week"):
        return call_date + dt.timedelta(weeks=n)
    if unit.startswith("month"):
        year, month = _add_months(call_date, n)
        return _safe_date(year, month, min(call_date.day, calendar.monthrange(year, month)[1]))
    return call_date + dt.timedelta(days=n)


def _en_month_day(m: re.Match[str], call_date: dt.date) -> dt.date | None:
    month = _EN_MONTHS.get((m["mon"] or m["mon2"]).lower()[:3])
    day = int(m["d"] or m["d2"])
    if month is None:
        return None
    return _month_day(month, day, call_date)


def _day_of_month_en(m: re.Match[str], call_date: dt.date) -> dt.date | None:
    return _day_of_month(_FakeMatch(d=m["d"], pre=None), call_date)


def _en_slash(m: re.Match[str], call_date: dt.date) -> dt.date | None:
    return _month_day(int(m["mo"]), int(m["d"]), call_date)


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str], dt.date], dt.date | None]]] = [
    # explicit dates
    (_rx(r"(?P<y>20\d{2})\s*[-/.年]\s*(?P<mo>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?"), _full_date),
    (_rx(rf"(?P<pre>明年|今年|本年)?(?P<mo>{_NUM})\s*月\s*(?P<d>{_NUM})\s*[日号]"), _cn_month_day),
    (_rx(rf"(?P<mo>{_NUM})\s*月\s*(?P<part>底|末|尾|初|中旬|中)"), _named_month_part),
    (_rx(r"(?<![\d.:/])(?P<mo>1[0-2]|0?[1-9])/(?P<d>3[01]|[12]\d|0?[1-9])(?![\d.:/%])"), _slash_date),
    (
        _rx(
            r"(?:(?P<pre>下个?月|本月|这个?月)|(?<![月\d]))(?P<d>3[01]|[12]?\d|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])\s*号(?!码)"
        ),
        _day_of_month,
    ),
    # days
    (_rx(r"大后天|后天|明天|明日|明儿|明早|明晚|今天|今日|今晚|当天"), _relative_day),
    (
        _rx(
            r"(?<![天日早晚周末号])(?:(?:上午|下午|中午|晚上)(?=就|前|之前|再|给|发|把|会)|待会儿?|一会儿|稍后|马上|立刻|下班前)"
        ),
        lambda m, d: d,
    ),
    (
        _rx(
            rf"(?P<n>{_NUM}|半)(?P<unit>个工作日|个?工作日|天|日|周|个星期|星期|个礼拜|礼拜|个月)(?:之内|以内|内|之后|以后|后)"
        ),
        _within_days,
    ),
    (_rx(r"过两天|这两天|一两天内?|两三天内?"), _couple_days),
    # weeks
    (_rx(rf"(?P<pre>下下个?|下个|下|本|这个?|今|上个?)?{_WEEK}(?P<wd>{_WD})(?!末)"), _week_day),
    (_rx(rf"(?P<pre>下下个?|下个|下|本|这个?)?{_WEEK}末"), lambda m, d: _week_day_end(m, d)),
    (_rx(rf"(?P<pre>下下个?|下个|下|本|这个?){_WEEK}(?:之内|以内|内|之前|以前|前)?"), _week_period),
    # months
    (_rx(r"(?P<pre>下下个?|下个|下|本|这个|这|当)?月(?P<part>底|末|尾|初|中旬|中)"), _month_part),
    (_rx(r"(?P<pre>下下个?|下个|下|本|这个)月(?P<part>)(?:之内|以内|内|之前|以前|前|里)?"), _month_part),
    (_rx(r"(?P<pre>今年|明年|本年)?(?:年底|年末|年终)"), _year_end),
    (_rx(r"(?P<pre>本|这个|下个?)季度(?:末|底)"), _quarter_end),
    (
        _rx(
            r"年后|年前|过几天|改天|回头|尽快|尽早|抽空|有空|近期|最近|"
            r"早点|晚点|明年|下半年|上半年|下个?季度"
        ),
        _vague,
    ),
    # English
    (
        _rx(
            r"\b(?:the\s+)?day\s+after\s+tomorrow\b|\btomorrow\b|\btoday\b|"
            r"\btonight\b|\b(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+)?day\b|\bEOD\b"
        ),
        _en_relative,
    ),
    (_rx(rf"\b(?P<pre>next\s+|this\s+|coming\s+)?(?P<wd>{_EN_WD})"), _en_weekday),
    (
        _rx(
            r"\b(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<next>next\s+)?(?P<unit>week|month|quarter|year)\b"
        ),
        _en_period_end,
    ),
    (
        _rx(r"\bEO(?P<unit>W|M)\b"),
        lambda m, d: _en_period_end(
            _FakeMatch(unit="week" if m["unit"].upper() == "W" else "month", next=""), d
        ),
    ),
    (
        _rx(
            r"\b(?:(?P<early>early|beginning\s+of|start\s+of)\s+|(?P<mid>mid|middle\s+of)[\s-]+)?next\s+(?P<unit>week|month)\b"
        ),
        _en_next_period,
    ),
    (
        _rx(
            r"\b(?:within|in)\s+(?:the\s+next\s+)?"
            r"(?P<n>\d+|one|two|three|four|five|six|seven|ten|a couple of|couple of|a|few|several)\s+"
            r"(?P<unit>business\s+days?|working\s+days?|days?|weeks?|months?)\b"
        ),
        _en_within,
    ),
    (
        _rx(
            rf"\b(?:(?P<mon>{_EN_MON})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon2>{_EN_MON}))\b"
        ),
        _en_month_day,
    ),
    (_rx(r"\b(?:by\s+|on\s+|before\s+)?the\s+(?P<d>\d{1,2})(?:st|nd|rd|th)\b"), _day_of_month_en),
    (_rx(r"\b(?:sometime|later|soon|asap|after\s+the\s+holidays|next\s+year|next\s+quarter)\b"), _vague),
]


_FIRST_ENGLISH_RULE = next(n for n, (p, _) in enumerate(_RULES) if "tomorrow" in p.pattern)
_LATIN = re.compile(r"[A-Za-z]")

#: Every rule at once, to skip the rules one by one when a text says no date at all.
_ANY_RULE = re.compile(
    "|".join("(?:" + re.sub(r"\(\?P<\w+>", "(?:", p.pattern) + ")" for p, _ in _RULES), re.IGNORECASE
)


class _FakeMatch(dict):
    """Lets a handler be reused with fixed groups (`m["unit"]`)."""


def _week_day_end(m: re.Match[str], call_date: dt.date) -> dt.date | None:
    prefix = m["pre"] or ""
    weeks = 2 if prefix.startswith(("下下", "下个下")) else 1 if prefix.startswith("下") else 0
    return _monday(call_date) + dt.timedelta(weeks=weeks, days=6)
