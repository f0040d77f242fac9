"""Drill pages in Chromium: a new hire runs a drill by text and by voice (an uploaded clip, and a
clip recorded in the page with MediaRecorder), sees the score, the missed points, the customer's
follow-up and three playable top-performer clips; the library shows patterns and clips."""

from __future__ import annotations

import wave
from pathlib import Path

import av
import numpy as np
import pytest

from coachsvc import mining
from coachsvc.db.models import Customer, Deal
from coachsvc.demo.drills import build_call
from tests import factories
from tests.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

DATA = Path(__file__).parent.parent / "data"
SPOKEN = DATA / "aishell1_BAC009S0764W0121.opus"  # 甚至出现交易几乎停滞的情况
BUDGET_EXCHANGES = (
    (
        "budget",
        "今年的预算已经用完了。",
        ("明年的预算几月份开始报？", "如果明年初立项，今年先付首款，剩下分期。"),
    ),
    ("budget", "没预算了。", ("下一轮预算什么时候编？", "项目可以分两期，今年只付一小部分。")),
    ("budget", "钱不够。", ("这个预算是今年一次性的吗？", "一期先做核心模块，二期放到明年。")),
)
ANSWER = "理解。想确认一下明年的预算几月份开始报？如果明年初能立项，今年只付一小部分首款，剩下的分期。"


@pytest.fixture
def new_hire(session, team):
    return factories.make_user(session, "new_hire", team, username="xinren-test")


@pytest.fixture
def budget_clips(app, session, team):
    """A top performer's spoken won calls (espeak-ng), mined into three budget clips."""
    star = factories.make_user(session, "rep", team, username="star-rep")
    with app.app_context():
        for i, exchange in enumerate(BUDGET_EXCHANGES):
            deal = Deal(customer=Customer(name=f"赢单客户{i}"), owner=star, name=f"项目{i}", outcome="won")
            session.add(deal)
            session.commit()
            build_call(session, star, deal, (exchange,), app.config["UPLOAD_DIR"])
        mining.mine(session, 1)
    return mining.list_clips(session, "budget")


def _start_budget_drill(page):
    page.click("nav >> text=情景训练")
    page.wait_for_url("**/drills")
    page.click("article[data-scenario=budget-used-up] button[type=submit]")
    page.wait_for_selector("#conversation .bubble.current")


def _wait_audio_loaded(page, selector: str, count: int) -> list[dict]:
    page.wait_for_function(
        "([sel, n]) => { const a = [...document.querySelectorAll(sel)];"
        " return a.length === n && a.every(x => x.readyState >= 1 && x.duration > 0); }",
        arg=[selector, count],
    )
    return page.eval_on_selector_all(
        selector,
        "els => els.map(a => ({ready: a.readyState, duration: a.duration, time: a.currentTime,"
        " start: parseFloat(a.dataset.start), end: parseFloat(a.dataset.end)}))",
    )


def test_new_hire_runs_a_drill_by_text_and_sees_score_missed_points_and_three_clips(
    page, browser_login, new_hire, budget_clips
):
    browser_login(page, new_hire)
    _start_budget_drill(page)
    assert page.inner_text("#drill-title") == "今年预算已经用完了"

    page.fill("#answer-text", ANSWER)
    page.click("#send-answer")
    # the first answer of a process builds the scorer (jieba's dictionary): allow for a busy machine
    page.wait_for_selector("#result:not([hidden])", timeout=60000)
    score = int(page.inner_text("#score"))
    assert 40 <= score <= 100
    hits = page.locator("#hits li").all_inner_texts()
    missed = page.locator("#missed li").all_inner_texts()
    assert any("采购时间" in h for h in hits) and missed
    assert any("预算来源" in m for m in missed)
    # the customer presses on a missed point: that is the next line of the conversation
    follow_up = page.inner_text("#follow-up")
    assert follow_up in {"损失是有，可没预算就是没预算。", "其他部门的钱我可调不动。"}
    assert page.inner_text("#conversation .bubble.current .text") == follow_up

    clips = _wait_audio_loaded(page, "#clips audio", 3)
    for clip in clips:
        assert clip["ready"] >= 1 and clip["duration"] > clip["end"] > clip["start"] >= 0
        assert clip["start"] - 0.1 <= clip["time"] <= clip["end"]  # the player starts at the clip
    texts = page.locator("#clips .clip .answer").all_inner_texts()
    assert {t.removeprefix("销冠：") for t in texts} == {c.answer_text for c in budget_clips}


def test_new_hire_answers_by_uploading_a_voice_clip(page, browser_login, new_hire, budget_clips, worker):
    browser_login(page, new_hire)
    _start_budget_drill(page)
    page.set_input_files("#voice-file", str(SPOKEN))
    page.click("#upload-voice")
    page.wait_for_selector("#conversation .badge.status-transcribing")
    worker()  # the real worker transcribes with Whisper and scores the answer
    page.wait_for_selector("#conversation .badge.status-scored", timeout=60000)
    answer = page.locator("#conversation .bubble.me .text").first.inner_text()
    assert "交易" in answer
    page.wait_for_selector("#result:not([hidden])")
    assert page.inner_text("#score").isdigit()
    _wait_audio_loaded(page, "#clips audio", 3)


@pytest.fixture
def fake_mic_page(browser, live_server, tmp_path):
    """A Chromium whose fake microphone plays a real Mandarin clip (MediaRecorder records it);
    launched through the session's Playwright, with Chromium's fake media stream flags."""
    wav = tmp_path / "mic.wav"
    _decode_to_wav(SPOKEN, wav)
    args = CHROMIUM_ARGS + [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}",
    ]
    mic_browser = browser.browser_type.launch(executable_path=CHROMIUM, args=args, headless=True)
    context = mic_browser.new_context(base_url=live_server, locale="zh-CN", permissions=["microphone"])
    context.set_default_timeout(15000)
    yield context.new_page()
    context.close()
    mic_browser.close()


def _decode_to_wav(src: Path, dst: Path, rate: int = 48000) -> None:
    with av.open(str(src)) as inp:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
        frames = [f for frame in inp.decode(audio=0) for f in resampler.resample(frame)]
        frames += resampler.resample(None)
    samples = np.concatenate([f.to_ndarray().reshape(-1) for f in frames]).astype("<i2")
    with wave.open(str(dst), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())


def test_new_hire_records_an_answer_in_the_browser(
    fake_mic_page, browser_login, new_hire, budget_clips, worker
):
    page = fake_mic_page
    browser_login(page, new_hire)
    _start_budget_drill(page)
    page.click("#record-button")
    page.wait_for_selector("#record-button[data-state=recording]")
    page.wait_for_timeout(5000)  # the fake microphone plays the 4.2 s clip
    page.click("#record-button")
    page.wait_for_selector("#conversation .badge.status-transcribing")
    worker()
    page.wait_for_selector(
        "#conversation .badge.status-scored, #conversation .badge.status-failed", timeout=60000
    )
    badge = page.locator("#conversation .badge").first.inner_text()
    answer = page.locator("#conversation .bubble.me .text").first.inner_text()
    assert badge.endswith("分"), badge
    assert "交易" in answer


def test_library_shows_patterns_and_playable_clips(page, browser_login, new_hire, budget_clips):
    browser_login(page, new_hire)
    page.goto("/drills")
    page.click("#library-link")
    page.wait_for_selector("#patterns .pattern[data-category=budget]")
    sentences = page.locator("#patterns .pattern[data-category=budget] .sentence").all_inner_texts()
    assert sentences[0].startswith("「预算不足」的 3 个成功回答中")
    page.click("#category-filter >> text=预算不足")
    clips = _wait_audio_loaded(page, "#clip-list audio", 3)
    assert all(c["duration"] > 0 for c in clips)


def test_a_rep_cannot_open_another_users_drill(page, browser_login, new_hire, other_rep, app, session):
    from coachsvc.drills import start_session

    with app.app_context():
        drill = start_session(session, new_hire, "budget-used-up")
    browser_login(page, other_rep)
    response = page.goto(f"/drills/sessions/{drill.id}")
    assert response.status == 404
