"""Login and upload through the pages, in Chromium."""

import pytest

from tests import factories

pytestmark = pytest.mark.browser


def test_rep_logs_in_uploads_a_transcript_and_sees_it_done(page, browser_login, rep, worker, tmp_path):
    browser_login(page, rep)
    assert "我的活动记录" in page.inner_text("h1")

    transcript = tmp_path / "visit.txt"
    transcript.write_text(factories.CHAT, encoding="utf-8")
    page.click("text=上传拜访录音/聊天记录")
    page.set_input_files("#file", str(transcript))
    page.fill("#customer", "华东精密")
    page.select_option("#stage", "diagnose")
    page.click("#upload-button")
    page.wait_for_selector("#record-link:not([hidden])")
    assert page.eval_on_selector("#upload-progress", "el => el.value") == 100

    worker()  # a real RQ worker drains the queue
    page.wait_for_function("document.getElementById('process-label').textContent.includes('已完成')")
    page.click("#record-link a")
    page.wait_for_selector("#transcript")
    assert page.inner_text("#record-status") == "已完成"
    texts = page.locator("#transcript .text").all_inner_texts()
    assert texts[-1] == "听起来不错，但是价格太贵了。"


def test_upload_page_shows_the_reason_of_a_rejected_file(page, browser_login, rep, tmp_path):
    browser_login(page, rep)
    bad = tmp_path / "note.txt"
    bad.write_text("这只是一段话，没有说话人。", encoding="utf-8")
    page.goto("/activities/new")
    page.set_input_files("#file", str(bad))
    page.click("#upload-button")
    page.wait_for_selector("#upload-error:not([hidden])")
    assert "无法识别的聊天记录格式" in page.inner_text("#upload-error")


def test_wrong_password_stays_on_login(page, rep):
    page.goto("/login")
    page.fill("#username", rep.username)
    page.fill("#password", "wrong")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.inner_text(".flash")
