"""Personal data never leaks: masked in stored segments, analysis output, API JSON, pages, logs."""

import io
import logging

import pytest
from sqlalchemy import select

from coachsvc.db.models import DecisionRole, NextStep, Objection, TranscriptSegment
from coachsvc.privacy import mask_pii, mask_words

PII = {
    "mobile": "13812345678",
    "mobile_spaced": "139 1234 5678",
    "landline": "021-62345678",
    "id_card": "11010519491231002X",
    "bank_card": "6222 0212 3456 7890 128",
    "email": "wang.lei@huadong-jm.com",
}
CHAT_WITH_PII = (
    "销售：王经理您好，我是小李，我的手机是13812345678，有事随时打。\n"
    "客户：好的，我座机021-62345678，邮箱wang.lei@huadong-jm.com，但是你们价格太贵了。\n"
    "销售：理解，我们可以分期。开票需要您的身份证号吗？\n"
    "客户：开票用这个：11010519491231002X，付款卡号6222 0212 3456 7890 128，采购部刘经理负责比价。\n"
    "销售：好的，我明天把报价单发到您邮箱，另一个号码139 1234 5678也能找到我。\n"
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("电话13812345678找我", "电话[手机号]找我"),
        ("+86 138-1234-5678", "[手机号]"),
        ("座机021-62345678转8001", "座机[电话]转8001"),
        ("(010)12345678", "[电话]"),
        ("热线400-820-8820", "热线[电话]"),
        ("身份证11010519491231002X", "身份证[身份证号]"),
        ("卡号6222021234567890128", "卡号[银行卡号]"),
        ("卡号6222 0212 3456 7890", "卡号[银行卡号]"),
        ("mail me: a.b-c@example.co.uk", "mail me: [邮箱]"),
        ("幺三八一二三四五六七八", "[手机号]"),
    ],
)
def test_each_kind_is_masked(text, expected):
    assert mask_pii(text, force=True) == expected


@pytest.mark.parametrize(
    "text",
    [
        "预算五十万，20%的折扣",
        "2026-11-18 10:01:02",
        "订单号A13812345678B",
        "价格12000元",
        "下周三之前",
        "sha 3f8a13812345678cd",
    ],
)
def test_ordinary_numbers_are_left_alone(text):
    assert mask_pii(text, force=True) == text


def test_masking_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("MASK_PII", "0")
    assert mask_pii("13812345678") == "13812345678"
    monkeypatch.setenv("MASK_PII", "1")
    assert mask_pii("13812345678") == "[手机号]"


def test_a_number_spread_over_asr_words_is_masked():
    words = [
        {"word": "电话", "start": 0.0},
        {"word": "138", "start": 0.5},
        {"word": "1234", "start": 0.9},
        {"word": "5678", "start": 1.3},
    ]
    out = mask_words(words)
    assert [w["word"] for w in out] == ["电话", "[手机号]", "", ""]
    assert out[1]["start"] == 0.5 and words[1]["word"] == "138"  # input untouched


def _assert_clean(text: str) -> None:
    for value in PII.values():
        assert value not in text
    assert "13812345678" not in text.replace(" ", "").replace("-", "")


def test_no_pii_in_db_api_page_or_logs(app, api_client, login, rep, worker, session, caplog):
    caplog.set_level(logging.DEBUG)
    client, headers = api_client(rep)
    form = {"file": (io.BytesIO(CHAT_WITH_PII.encode()), "pii.txt"), "visit_date": "2026-11-18"}
    resp = client.post("/api/v1/activities", data=form, headers=headers, content_type="multipart/form-data")
    assert resp.status_code == 202
    rid = resp.json["id"]
    worker()
    logging.getLogger("coachsvc.test").warning("customer said %s and mailed %s", PII["mobile"], PII["email"])

    texts = [
        s.text for s in session.scalars(select(TranscriptSegment).where(TranscriptSegment.activity_id == rid))
    ]
    assert (
        len(texts) == 5 and "[手机号]" in texts[0] and "[身份证号]" in texts[3] and "[银行卡号]" in texts[3]
    )
    rows = [o.text for o in session.scalars(select(Objection).where(Objection.activity_id == rid))]
    rows += [r.evidence for r in session.scalars(select(DecisionRole).where(DecisionRole.activity_id == rid))]
    rows += [n.evidence for n in session.scalars(select(NextStep).where(NextStep.activity_id == rid))]
    assert rows, "the analysis found objections, roles and next steps"
    _assert_clean("\n".join(texts + rows))

    body = client.get(f"/api/v1/activities/{rid}", headers=headers)
    assert body.json["status"] == "done"
    _assert_clean(body.get_data(as_text=True))
    page = login(rep).get(f"/activities/{rid}")
    assert page.status_code == 200 and "[邮箱]" in page.get_data(as_text=True)
    _assert_clean(page.get_data(as_text=True))
    assert "[手机号]" in caplog.text
    _assert_clean(caplog.text)
