import pytest

from coachsvc.transcripts import TranscriptFormatError, parse_transcript, party_of


def test_plain_lines_with_full_width_and_ascii_colons():
    fmt, utts = parse_transcript("销售：您好\n客户: 太贵了\nRep: why?\n")
    assert fmt == "lines"
    assert [(u.speaker, u.text, u.line_no) for u in utts] == [
        ("销售", "您好", 1),
        ("客户", "太贵了", 2),
        ("Rep", "why?", 3),
    ]


def test_clock_timestamps_become_seconds_and_ends():
    _, utts = parse_transcript("[00:01:23] 客户：太贵了\n[00:01:30] 销售：理解\n")
    assert (utts[0].start, utts[0].end) == (83.0, 90.0)
    assert utts[1].start == 90.0


def test_date_timestamps_are_seconds_from_the_first():
    _, utts = parse_transcript("[2026-11-20 10:01] 客户：在吗\n[2026-11-20 10:03] 销售：在的\n")
    assert [u.start for u in utts] == [0.0, 120.0]


def test_wechat_export_joins_message_lines():
    text = "陈经理 2026-11-16 09:12:03\n第一行\n第二行\n销售 2026-11-16 09:30:11\n好的\n"
    fmt, utts = parse_transcript(text)
    assert fmt == "wechat"
    assert [(u.speaker, u.text, u.start) for u in utts] == [
        ("陈经理", "第一行\n第二行", 0.0),
        ("销售", "好的", 1088.0),
    ]


def test_json_transcript():
    fmt, utts = parse_transcript('[{"speaker": "客户", "text": "预算用完了", "start": 12.3}]')
    assert fmt == "json" and utts[0].start == 12.3 and utts[0].speaker == "客户"


@pytest.mark.parametrize(
    "text, where",
    [
        ("这是一篇文章，没有说话人。\n第二段。", "line 1"),
        ('[{"speaker": "客户"}]', "item 1"),
        ("", "no text"),
        ("销售：你好\n" + "随便写的一行\n" * 5, "most lines"),
    ],
)
def test_unknown_formats_name_the_problem(text, where):
    with pytest.raises(TranscriptFormatError, match=where):
        parse_transcript(text)


def test_party_uses_uploader_hint_before_defaults():
    assert party_of("销售") == "rep"
    assert party_of("客户") == "customer"
    assert party_of("小王", rep_speaker="小王") == "rep"
    assert party_of("销售", rep_speaker="小王") == "customer"
