"""A rep uploads a visit recording through the page and watches it being transcribed, in Chromium,
with a real worker process and the real Whisper model."""

import pytest

from tests.test_asr import DATA
from tests.test_transcription_pipeline import _start_worker

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MOVING = """() => {
  const bar = document.getElementById('process-progress');
  return !bar.hidden && bar.value > 0 && bar.value < 90;
}"""


def test_rep_uploads_a_recording_and_the_bar_follows_the_transcription(
    page, browser_login, rep, app, database_url, redis_url, tmp_path
):
    browser_login(page, rep)
    page.click("text=上传拜访录音/聊天记录")
    page.set_input_files("#file", str(DATA / "visit_mono.opus"))
    page.fill("#customer", "华东精密")
    page.click("#upload-button")
    page.wait_for_selector("#record-link:not([hidden])")

    proc = _start_worker(app, database_url, redis_url, tmp_path, "--burst")
    try:
        page.wait_for_function(MOVING, timeout=120_000)  # the share of audio transcribed so far
        page.wait_for_function(
            "document.getElementById('process-label').textContent.includes('已完成')", timeout=240_000
        )
    finally:
        proc.kill()
        proc.wait(timeout=30)
        proc.stdout.close()
    page.click("#record-link a")
    page.wait_for_selector("#transcript")
    assert page.inner_text("#record-status") == "已完成"
    speakers = page.locator("#transcript .who").all_inner_texts()
    assert speakers[:4] == ["销售", "客户", "销售", "客户"]
    assert "预算" in "".join(page.locator("#transcript .text").all_inner_texts())
