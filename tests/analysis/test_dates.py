"""resolve_due_date: relative and absolute dates against the call date (weeks start on Monday)."""

import datetime as dt

import pytest

from coachsvc.analysis.dates import chinese_number, find_due_date, resolve_due_date

WED = dt.date(2026, 11, 18)  # the demo call: a Wednesday


@pytest.mark.parametrize(
    "text, expected",
    [
        ("我明天把报价单发给您", "2026-11-19"),
        ("后天上午给您回复", "2026-11-20"),
        ("大后天", "2026-11-21"),
        ("今天下班前发您", "2026-11-18"),
        ("下周三之前给您答复", "2026-11-25"),
        ("下周二下午吧", "2026-11-24"),
        ("下个星期一碰一下", "2026-11-23"),
        ("下礼拜五", "2026-11-27"),
        ("本周五前把合同给我", "2026-11-20"),
        ("这周四再聊", "2026-11-19"),
        ("周五之前发过来", "2026-11-20"),
        ("星期一之前把方案发过来", "2026-11-23"),
        ("周三再约", "2026-11-25"),  # 周X alone: the next such day after the call date
        ("周日", "2026-11-22"),
        ("月底前签合同", "2026-11-30"),
        ("这个月底", "2026-11-30"),
        ("下个月初安排上线", "2026-12-01"),
        ("下月底", "2026-12-31"),
        ("11月30号之前", "2026-11-30"),
        ("十一月三十号", "2026-11-30"),
        ("12月5日前", "2026-12-05"),
        ("两天内给您回复", "2026-11-20"),
        ("三天之内", "2026-11-21"),
        ("3个工作日内", "2026-11-23"),
        ("一周内", "2026-11-25"),
        ("一个月内", "2026-12-18"),
        ("25号之前", "2026-11-25"),
        ("5号", "2026-12-05"),  # a day already past this month: next month
        ("年底前上线", "2026-12-31"),
        ("下周给您答复", "2026-11-27"),
        ("2026年12月3日", "2026-12-03"),
        ("2026-12-03", "2026-12-03"),
        ("12月中旬", "2026-12-15"),
        ("I'll send it tomorrow", "2026-11-19"),
        ("by next Friday", "2026-11-27"),
        ("by Friday", "2026-11-20"),
        ("this Friday", "2026-11-20"),
        ("by the end of the month", "2026-11-30"),
        ("end of next month", "2026-12-31"),
        ("within two days", "2026-11-20"),
        ("in 3 business days", "2026-11-23"),
        ("by November 30th", "2026-11-30"),
        ("by 30 Nov", "2026-11-30"),
        ("early next month", "2026-12-01"),
        ("next week", "2026-11-27"),
        ("by the 25th", "2026-11-25"),
        ("the day after tomorrow", "2026-11-20"),
    ],
)
def test_resolves_against_a_wednesday_call(text, expected):
    assert resolve_due_date(text, WED) == dt.date.fromisoformat(expected)


@pytest.mark.parametrize(
    "text",
    [
        "年后再说",
        "过几天再联系",
        "尽快发给您",
        "我们内部再商量一下",
        "明年再看",
        "sometime soon",
        "价格3.5万",
        "",
    ],
)
def test_no_date_or_an_unresolvable_one_is_none(text):
    assert resolve_due_date(text, WED) is None


@pytest.mark.parametrize(
    "call_date, text, expected",
    [
        ("2026-12-28", "下周三", "2027-01-06"),  # across the year end
        ("2026-12-28", "周五", "2027-01-01"),
        ("2026-12-28", "两天内", "2026-12-30"),
        ("2026-12-30", "后天", "2027-01-01"),
        ("2026-12-20", "下个月初", "2027-01-01"),
        ("2026-12-20", "月底", "2026-12-31"),
        ("2026-12-20", "1月5号", "2027-01-05"),  # a month already past: next year
        ("2026-12-30", "next Friday", "2027-01-08"),
        ("2026-12-20", "end of next month", "2027-01-31"),
        ("2027-01-30", "月底", "2027-01-31"),
        ("2027-01-30", "后天", "2027-02-01"),  # across a month end
        ("2027-01-30", "下个月底", "2027-02-28"),
        ("2028-01-30", "下个月底", "2028-02-29"),  # leap year
        ("2026-11-29", "下周一", "2026-11-30"),  # a Sunday call: next week starts tomorrow
        ("2026-11-29", "周一", "2026-11-30"),
        ("2026-11-23", "下周一", "2026-11-30"),  # a Monday call
        ("2026-11-23", "周一", "2026-11-30"),  # 周X alone is after the call date, never the day itself
        ("2026-11-23", "本周五", "2026-11-27"),
        ("2026-11-27", "下下周三", "2026-12-09"),
    ],
)
def test_month_and_year_ends(call_date, text, expected):
    assert resolve_due_date(text, dt.date.fromisoformat(call_date)) == dt.date.fromisoformat(expected)


def test_first_resolvable_expression_wins_and_its_span_is_reported():
    day, start, end = find_due_date("回头我明天把方案发给您，下周三再约", WED)
    assert day == dt.date(2026, 11, 19)
    assert "回头我明天把方案发给您"[start:end] == "明天"


def test_vague_expression_is_found_but_unresolved():
    assert find_due_date("年后再说吧", WED) == (None, 0, 2)


@pytest.mark.parametrize(
    "token, value", [("30", 30), ("三十", 30), ("十一", 11), ("两", 2), ("十", 10), ("二十五", 25)]
)
def test_chinese_numbers(token, value):
    assert chinese_number(token) == value
