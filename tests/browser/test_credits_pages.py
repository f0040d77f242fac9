"""The mentoring approval flow in Chromium: a mentor logs a session with a recording and annotations,
the trainer approves it, the credits appear for the mentor, who redeems some."""

import pytest

from tests import factories
from tests.credits_support import recording

pytestmark = pytest.mark.browser


def _logout(page):
    page.click("button:has-text('退出')")
    page.wait_for_url("**/login")


def test_mentor_logs_session_trainer_approves_credits_appear(
    page, browser_login, session, rep, trainer, tmp_path
):
    new_hire = factories.make_user(session, "new_hire", rep.team)
    wav = tmp_path / "带教录音.wav"
    wav.write_bytes(recording(seconds=4.0))

    # the mentor logs the session: recording and three annotations
    browser_login(page, rep)
    page.click("nav >> text=带教积分")
    assert page.inner_text("#balance") == "0"
    page.click("#new-session")
    page.select_option("#mentee_id", str(new_hire.id))
    page.fill("#topic", "预算异议复盘")
    page.set_input_files("#recording", str(wav))
    rows = page.locator("#annotation-rows .annotation-row")
    notes = [
        ("0:00", "先确认采购时间", "needs_discovery"),
        ("0:01", "再谈分期方案", ""),
        ("0:03", "约定演示日期", ""),
    ]
    for i, (at, text, behaviour) in enumerate(notes):
        rows.nth(i).locator(".ann-time").fill(at)
        rows.nth(i).locator(".ann-text").fill(text)
        if behaviour:
            rows.nth(i).locator(".ann-behaviour").select_option(behaviour)
    page.click("#save-session")
    page.wait_for_selector("#standard")
    assert page.locator("#standard li.ok").count() == 2
    assert page.inner_text("#standard li[data-code=approval] .detail") == "尚未提交审核"
    assert page.locator("#annotations li .text").all_inner_texts() == [t for _, t, _ in notes]
    # the recording replays in the page (served with HTTP Range)
    page.wait_for_function("document.getElementById('player').duration > 3.9")
    page.click("#annotations li:nth-child(2) button.seek")
    page.wait_for_function("document.getElementById('player').currentTime >= 1")
    page.click("#submit-session")
    page.wait_for_selector("#session-status:has-text('待审核')")
    _logout(page)

    # the trainer approves it from the queue
    browser_login(page, trainer)
    page.goto("/credits/approvals")
    row = page.locator("#session-queue tr", has_text="预算异议复盘")
    assert row.locator("td").nth(5).inner_text() == "3"
    row.locator("button.approve-session").click()
    page.wait_for_selector("#no-sessions")
    assert "已通过带教记录" in page.inner_text(".flash")
    _logout(page)

    # the credits appear for the mentor, who redeems one hour of leave
    browser_login(page, rep)
    page.goto("/credits")
    assert page.inner_text("#balance") == "10"
    assert page.inner_text("#session-table tbody tr td.check") == "已达标，+10 积分"
    page.select_option("#redeem-kind", "leave")
    page.fill("#redeem-credits", "10")
    page.click("#redeem-button")
    page.wait_for_selector("#redemption-table")
    assert page.inner_text("#balance") == "0"
    assert "1 小时调休" in page.inner_text("#redemption-table")
    page.goto("/credits/ledger")
    amounts = page.locator("#ledger-table td.amount").all_inner_texts()
    assert amounts == ["-10", "+10"]


def test_mentor_sees_what_is_missing_before_submitting(page, browser_login, session, rep):
    new_hire = factories.make_user(session, "new_hire", rep.team)
    browser_login(page, rep)
    page.goto("/credits/sessions/new")
    page.select_option("#mentee_id", str(new_hire.id))
    page.fill("#topic", "开场破冰练习")
    page.locator("#annotation-rows .ann-text").first.fill("寒暄太长")
    page.click("#save-session")  # no time given: refused, the input is kept
    assert "时间点格式应为 分:秒" in page.inner_text(".flash.error")
    assert page.locator("#annotation-rows .ann-text").first.input_value() == "寒暄太长"
    page.locator("#annotation-rows .ann-time").first.fill("0:30")
    page.click("#save-session")
    page.wait_for_selector("#standard")
    assert (
        page.inner_text("#standard li[data-code=recording] .detail") == "缺少带教录音：请上传本次带教的录音"
    )
    assert page.inner_text("#standard li[data-code=annotations] .detail") == "已有 1 条，还差 2 条要点标注"
    assert page.is_disabled("#submit-session")
    assert "还不能提交" in page.inner_text("#not-ready")
