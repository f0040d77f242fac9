"""Mentoring-credit pages with the test client: what each role sees and may do, the form that logs
a session, the checklist of what is missing, and refusals shown as messages."""

from __future__ import annotations

import io

import pytest

from coachsvc.credits import redemptions
from coachsvc.pages.credits import parse_clock
from tests import factories
from tests.credits_support import give_credits, log_session, recording


@pytest.fixture
def new_hire(session, team):
    return factories.make_user(session, "new_hire", team)


def _text(resp) -> str:
    return resp.get_data(as_text=True)


def test_parse_clock():
    assert parse_clock("1:05") == 65 and parse_clock("0:01:05.5") == 65.5 and parse_clock("12") == 12
    with pytest.raises(Exception, match="分:秒"):
        parse_clock("1分05秒")


def test_mentor_logs_a_session_through_the_form(app, login, rep, new_hire):
    client = login(rep)
    page = client.get("/credits/sessions/new")
    assert page.status_code == 200 and new_hire.display_name in _text(page)
    resp = client.post(
        "/credits/sessions/new",
        data={
            "mentee_id": str(new_hire.id),
            "session_date": "2026-11-20",
            "topic": "预算异议复盘",
            "recording": (io.BytesIO(recording()), "session.wav"),
            "ann_time": ["0:00", "0:01", "0:02", ""],
            "ann_text": ["先确认采购时间", "再谈分期", "约定下周演示", ""],
            "ann_behaviour": ["needs_discovery", "", "next_step_commitment", ""],
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    detail = client.get(resp.headers["Location"])
    html = _text(detail)
    assert "预算异议复盘" in html and 'id="player"' in html
    assert "已有 3 条" in html and "尚未提交审核" in html
    assert 'id="submit-session" disabled' not in html


def test_form_errors_keep_the_input_and_say_why(app, login, rep, new_hire):
    client = login(rep)
    resp = client.post(
        "/credits/sessions/new",
        data={
            "mentee_id": str(new_hire.id),
            "session_date": "2026-11-20",
            "topic": "预算异议复盘",
            "ann_time": ["1分"],
            "ann_text": ["先确认采购时间"],
            "ann_behaviour": [""],
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422
    html = _text(resp)
    assert (
        "时间点格式应为 分:秒" in html and 'value="预算异议复盘"' in html and 'value="先确认采购时间"' in html
    )


def test_session_page_lists_what_is_missing_and_blocks_submission(app, session, login, rep, new_hire):
    with app.app_context():
        ms = log_session(session, rep, new_hire, n_annotations=1, with_recording=False)
    client = login(rep)
    html = _text(client.get(f"/credits/sessions/{ms.id}"))
    assert "缺少带教录音：请上传本次带教的录音" in html
    assert "已有 1 条，还差 2 条要点标注" in html
    assert 'id="submit-session" disabled' in html
    resp = client.post(f"/credits/sessions/{ms.id}/submit", headers={"Referer": f"/credits/sessions/{ms.id}"})
    assert resp.status_code == 302
    assert "带教记录未达标" in _text(client.get(f"/credits/sessions/{ms.id}"))


def test_reps_cannot_reach_the_approval_queue_nor_approve(
    app, session, login, rep, other_rep, new_hire, trainer
):
    with app.app_context():
        ms = log_session(session, rep, new_hire)
    client = login(other_rep)
    assert client.get("/credits/approvals").status_code == 403
    assert client.get(f"/credits/sessions/{ms.id}").status_code == 404
    assert client.post(f"/credits/sessions/{ms.id}/approve").status_code == 404
    mentor = login(rep)
    mentor.post(f"/credits/sessions/{ms.id}/submit")
    resp = mentor.post(f"/credits/sessions/{ms.id}/approve", headers={"Referer": "/credits"})
    assert resp.status_code == 302
    assert "只有带教人所在团队的主管或管理员可以审核" in _text(mentor.get("/credits"))
    tclient = login(trainer)
    queue = _text(tclient.get("/credits/approvals"))
    assert f'data-id="{ms.id}"' in queue


def test_trainer_approves_from_the_queue_and_the_mentor_sees_the_credits(
    app, session, login, rep, new_hire, trainer
):
    with app.app_context():
        ms = log_session(session, rep, new_hire)
    mentor = login(rep)
    mentor.post(f"/credits/sessions/{ms.id}/submit")
    tclient = login(trainer)
    resp = tclient.post(f"/credits/sessions/{ms.id}/approve", data={"next": "/credits/approvals"})
    assert resp.headers["Location"] == "/credits/approvals"
    assert "没有待审核的带教记录" in _text(tclient.get("/credits/approvals"))
    html = _text(mentor.get("/credits"))
    assert 'id="balance">10<' in html and "已达标，+10 积分" in html
    detail = _text(mentor.get(f"/credits/sessions/{ms.id}"))
    assert "已获得 10 积分" in detail


def test_redeem_and_decide_through_the_pages(app, session, login, rep, trainer):
    with app.app_context():
        give_credits(session, rep.id, 30)
    mentor = login(rep)
    resp = mentor.post("/credits/redemptions", data={"kind": "leave", "credits": "20", "note": "周五下午"})
    assert resp.status_code == 302
    html = _text(mentor.get("/credits"))
    assert "2 小时调休" in html and 'id="balance">10<' in html
    too_much = mentor.post("/credits/redemptions", data={"kind": "leave", "credits": "20"})
    assert too_much.status_code == 302
    assert "积分不足：当前余额 10，需要 20" in _text(mentor.get("/credits"))
    tclient = login(trainer)
    queue = _text(tclient.get("/credits/approvals"))
    assert "周五下午" in queue
    rid = redemptions.list_redemptions(session, trainer)[0].id
    tclient.post(f"/credits/redemptions/{rid}/reject", data={"comment": "项目冲刺期"})
    html = _text(mentor.get("/credits"))
    assert 'id="balance">30<' in html and "项目冲刺期" in html


def test_ledger_page_filters_and_links_the_export(app, session, login, rep, other_rep, trainer, admin):
    with app.app_context():
        give_credits(session, rep.id, 10)
        give_credits(session, other_rep.id, 20)
    html = _text(login(rep).get("/credits/ledger"))
    assert "+10" in html and "+20" not in html and "冲正原因" not in html
    tclient = login(trainer)
    html = _text(tclient.get(f"/credits/ledger?user_id={other_rep.id}&kind=award"))
    assert "+20" in html and "+10" not in html and "冲正原因" in html
    assert "/api/v1/credits/export.csv?user_id=" in html
    html = _text(tclient.get("/credits/ledger?month=2001-01"))
    assert "没有符合条件的积分流水" in html
    assert "HR 同步" not in html
    assert "未配置 HR 接口" in _text(login(admin).get("/credits/ledger"))
    export = tclient.get("/api/v1/credits/export.csv")
    assert export.status_code == 200 and export.data.startswith(b"\xef\xbb\xbf")


def test_forms_only_return_to_pages_of_this_site(app, session, login, rep):
    with app.app_context():
        give_credits(session, rep.id, 10)
    client = login(rep)
    client.post("/credits/redemptions", data={"kind": "bonus", "credits": "1"})
    rid = redemptions.list_redemptions(session, rep)[0].id
    resp = client.post(f"/credits/redemptions/{rid}/cancel", data={"next": "//evil.example/x"})
    assert resp.headers["Location"] == "/credits"
