"""Top-performer mining: who the top performers are, which calls and objections become clips, the
answer moves and pattern statistics, re-mining, the clips API with HTTP Range audio, and the drill
result's three playable clips."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import select

from coachsvc import mining
from coachsvc.api.clips import AUDIO_PART_BYTES
from coachsvc.db.drills import TopClip
from coachsvc.db.models import ActivityRecord, Customer, Deal, Objection, TranscriptSegment
from coachsvc.demo.drills import build_call
from tests import factories

BUDGET = (
    "budget",
    "今年的预算已经用完了。",
    ("明年的预算几月份开始报？", "如果明年初立项，今年可以先付首款，剩下的分期。"),
)
PRICE = (
    "price",
    "你们比别家贵了两成。",
    ("您对比的是哪一家？", "我们算一笔账，一年省下的返工费就超过差价。"),
)
AUTHORITY = (
    "authority",
    "这个要上会。",
    ("上会有哪几位领导参加？", "我帮您准备汇报材料，会后周五我再跟您确认。"),
)


_seq = itertools.count(1)


def make_deal(session, owner, outcome: str, amount: float = 100000.0, name: str | None = None) -> Deal:
    customer = Customer(name=name or f"客户-{next(_seq)}")
    deal = Deal(
        customer=customer, owner=owner, name=customer.name, stage="close", outcome=outcome, amount=amount
    )
    session.add(deal)
    session.commit()
    return deal


def chat_call(session, rep, deal, lines, objections) -> ActivityRecord:
    """A processed chat call (no audio): `lines` are (party, text); `objections` (idx, category)."""
    record = ActivityRecord(
        rep_id=rep.id,
        deal_id=deal.id,
        visit_date=dt.date(2026, 11, 1),
        source="chat",
        file_path="/nonexistent",
        file_name="chat.txt",
        file_sha256=f"{deal.id:064d}",
        file_size=1,
        file_format="chat-plain",
        status="done",
    )
    session.add(record)
    session.flush()
    for idx, (party, text) in enumerate(lines):
        session.add(
            TranscriptSegment(
                activity_id=record.id, idx=idx, speaker=party, party=party, text=text, line_no=idx + 1
            )
        )
    for idx, category in objections:
        session.add(
            Objection(
                activity_id=record.id, category=category, text=lines[idx][1], segment_idx=idx, handled=True
            )
        )
    session.commit()
    return record


@pytest.fixture
def star(session, team):
    return factories.make_user(session, "rep", team, username="star")


def test_top_performers_by_win_rate_or_revenue(session, team, star, rep, other_rep):
    for outcome in ("won", "won", "lost"):
        make_deal(session, star, outcome, 100000)  # 2/3, 200k
    for outcome in ("won", "lost", "lost", "lost"):
        make_deal(session, rep, outcome, 900000)  # 1/4, 900k
    make_deal(session, other_rep, "won", 50000)  # 1/1 but a single closed deal
    by_rate = mining.top_performers(session, 3, "win_rate")
    assert [p.user_id for p in by_rate] == [star.id, rep.id, other_rep.id]
    assert by_rate[0].win_rate == pytest.approx(2 / 3)
    by_revenue = mining.top_performers(session, 1, "revenue")
    assert [p.user_id for p in by_revenue] == [rep.id] and by_revenue[0].revenue == 900000
    with pytest.raises(ValueError):
        mining.top_performers(session, 1, "charm")


def test_won_calls_of_top_performers_become_clips_with_the_reps_answer(session, star, rep):
    won, lost = make_deal(session, star, "won"), make_deal(session, star, "lost")
    make_deal(session, star, "won")
    lines = [
        ("rep", "您好。"),
        ("customer", "今年预算已经用完了。"),  # 1: objection
        ("customer", "财务卡得很紧。"),  # the customer goes on
        ("rep", "明年的预算几月份开始报？"),
        ("rep", "我们可以分期，今年只付首款。"),
        ("customer", "你们比竞品贵。"),  # 5: objection with no rep answer after it
    ]
    record = chat_call(session, star, won, lines, [(1, "budget"), (5, "price")])
    chat_call(session, star, lost, lines, [(1, "budget")])  # a lost deal: not mined
    other_deal = make_deal(session, rep, "lost")
    chat_call(session, rep, other_deal, lines, [(1, "budget")])  # not a top performer's win

    report = mining.mine(session, top_n=1, by="win_rate")
    assert [p.user_id for p in report.performers] == [star.id]
    assert (report.records, report.created, report.skipped) == (1, 1, 1)
    [clip] = session.scalars(select(TopClip)).all()
    assert clip.activity_id == record.id and clip.category == "budget" and clip.rep_id == star.id
    assert clip.objection_text == "今年预算已经用完了。"
    assert clip.answer_text == "明年的预算几月份开始报？我们可以分期，今年只付首款。"
    assert clip.moves == ["confirm_timing", "instalments"] and clip.first_move == "confirm_timing"
    assert clip.has_audio is False  # a chat transcript has nothing to play


def test_re_mining_updates_in_place_and_drops_clips_that_no_longer_qualify(session, star):
    deal = make_deal(session, star, "won")
    make_deal(session, star, "won")
    chat_call(session, star, deal, [("customer", "太贵了。"), ("rep", "您对比的是哪一家？")], [(0, "price")])
    first = mining.mine(session, 1)
    clip_id = session.scalar(select(TopClip.id))
    again = mining.mine(session, 1)
    assert (first.created, again.created, again.updated) == (1, 0, 1)
    assert session.scalar(select(TopClip.id)) == clip_id
    deal.outcome = "lost"
    session.commit()
    assert mining.mine(session, 1).removed == 1
    assert session.scalars(select(TopClip)).all() == []


@pytest.mark.parametrize(
    ("answer", "moves"),
    [
        ("理解。明年的预算什么时候批？我们可以分期付款。", ["empathize", "confirm_timing", "instalments"]),
        ("您说的贵是和哪家比？我们算一笔账，回本只要半年。", ["clarify", "reframe_value"]),
        ("如果签三年，我可以去申请九折。", ["concession_trade"]),
        ("苏州有家同行客户，可以安排您去参观。下周二我来接您。", ["case_study", "next_step"]),
        ("今天天气不错。", []),
    ],
)
def test_answer_moves_are_tagged_in_the_order_they_are_made(answer, moves):
    assert mining.tag_moves(answer) == moves


def test_pattern_statistics_count_first_moves_and_move_order(session, star):
    make_deal(session, star, "won")
    answers = [
        "明年的预算什么时候批？今年可以先付首款，剩下分期。",
        "理解。下一轮预算什么时候编？我们可以分期付款。",
        "明年几月份报预算？项目可以分批付款。",
        "我们可以分期，首付很少。",
    ]
    for i, text in enumerate(answers):
        deal = make_deal(session, star, "won", name=f"预算客户{i}")
        chat_call(session, star, deal, [("customer", "预算用完了。"), ("rep", text)], [(0, "budget")])
    mining.mine(session, 1)
    budget = next(p for p in mining.pattern_stats(session) if p.category == "budget")
    assert budget.total == 4
    assert budget.first_moves[0] == ("confirm_timing", 3, 0.75)
    assert budget.top_order == ("confirm_timing", "instalments", 3, 0.75)
    assert budget.sentences == [
        "「预算不足」的 4 个成功回答中，75%（3/4）第一步是「确认采购时间」。",
        "75% 的成功回答先「确认采购时间」，再「分期付款」（3/4）。",
    ]
    price = next(p for p in mining.pattern_stats(session) if p.category == "price")
    assert price.total == 0 and "暂无" in price.sentences[0]


@pytest.fixture
def audio_clips(app, session, star):
    """Two spoken won calls of the top performer (espeak-ng), mined: clips with real audio."""
    make_deal(session, star, "won")
    with app.app_context():
        for exchanges in ((BUDGET, PRICE), (BUDGET, AUTHORITY)):
            deal = make_deal(session, star, "won", name=f"录音客户-{exchanges[1][0]}")
            build_call(session, star, deal, exchanges, app.config["UPLOAD_DIR"])
        mining.mine(session, 1)
    return session.scalars(select(TopClip).order_by(TopClip.id)).all()


def test_spoken_calls_give_clips_with_times_inside_the_recording(audio_clips):
    assert [c.category for c in audio_clips] == ["budget", "price", "budget", "authority"]
    for clip in audio_clips:
        assert clip.has_audio and 0 < clip.start < clip.end <= clip.activity.duration_seconds + 0.01
        assert mining.clip_audio_path(clip).is_file()


def test_clip_audio_is_served_with_http_range(audio_clips, api_client, session):
    new_hire = factories.make_user(session, "new_hire")
    client, headers = api_client(new_hire)
    clip = audio_clips[0]
    listed = client.get("/api/v1/clips?category=budget", headers=headers).json
    assert [c["id"] for c in listed] == [audio_clips[0].id, audio_clips[2].id]
    assert listed[0]["media_url"].endswith(f"#t={clip.start:.2f},{clip.end:.2f}")
    full = client.get(listed[0]["audio_url"], headers=headers)
    assert full.status_code == 200 and full.mimetype in ("audio/x-wav", "audio/wav")
    assert full.headers["Accept-Ranges"] == "bytes" and full.data[:4] == b"RIFF"
    part = client.get(listed[0]["audio_url"], headers={**headers, "Range": "bytes=1000-1999"})
    assert part.status_code == 206 and len(part.data) == 1000
    assert part.headers["Content-Range"] == f"bytes 1000-1999/{len(full.data)}"
    assert part.data == full.data[1000:2000]
    full.close()
    # a player's open-ended request gets a bounded first part and asks for the rest
    head = client.get(listed[0]["audio_url"], headers={**headers, "Range": "bytes=0-"})
    assert head.status_code == 206 and len(head.data) == min(AUDIO_PART_BYTES, len(full.data))
    assert head.headers["Content-Range"] == f"bytes 0-{len(head.data) - 1}/{len(full.data)}"
    beyond = client.get(listed[0]["audio_url"], headers={**headers, "Range": f"bytes={len(full.data) + 10}-"})
    assert beyond.status_code == 416 and beyond.headers["Content-Range"] == f"bytes */{len(full.data)}"


def test_only_mined_clips_are_served_and_only_to_signed_in_users(
    audio_clips, api_client, session, client, app
):
    user = factories.make_user(session, "new_hire")
    api, headers = api_client(user)
    assert client.get(f"/api/v1/clips/{audio_clips[0].id}/audio").status_code == 401
    missing = api.get("/api/v1/clips/999999/audio", headers=headers)
    assert missing.status_code == 404 and missing.json["error"] == "not_found"
    # a clip without audio (chat) is never served, and there is no URL that reads a record's file
    deal = make_deal(session, audio_clips[0].rep, "won", name="聊天客户")
    chat_call(
        session, audio_clips[0].rep, deal, [("customer", "太贵了。"), ("rep", "和哪家比的？")], [(0, "price")]
    )
    mining.mine(session, 1)
    chat_clip = session.scalar(select(TopClip).where(TopClip.has_audio.is_(False)))
    resp = api.get(f"/api/v1/clips/{chat_clip.id}/audio", headers=headers)
    assert resp.status_code == 404 and resp.json["error"] == "no_audio"


def test_a_drill_result_offers_three_playable_clips_of_the_same_category(
    audio_clips, api_client, session, app
):
    with app.app_context():
        extra = make_deal(session, audio_clips[0].rep, "won", name="第三个预算客户")
        build_call(session, audio_clips[0].rep, extra, (BUDGET,), app.config["UPLOAD_DIR"])
        mining.mine(session, 1)
    new_hire = factories.make_user(session, "new_hire")
    client, headers = api_client(new_hire)
    drill = client.post(
        "/api/v1/drills/sessions", json={"scenario_id": "budget-used-up"}, headers=headers
    ).json
    turn = client.post(
        f"/api/v1/drills/sessions/{drill['id']}/answers",
        json={"text": "明年的预算几月份报？"},
        headers=headers,
    ).json
    assert len(turn["clips"]) == 3
    assert {c["category"] for c in turn["clips"]} == {"budget"}
    assert all(c["has_audio"] and c["audio_url"] for c in turn["clips"])
    assert turn["score"] > 0


def test_patterns_endpoint_and_mine_job(app, session, star, api_client, trainer, rep, worker):
    deal = make_deal(session, star, "won")
    make_deal(session, star, "won")
    chat_call(
        session,
        star,
        deal,
        [("customer", "预算用完了。"), ("rep", "明年预算什么时候批？可以分期。")],
        [(0, "budget")],
    )
    rep_client, rep_headers = api_client(rep)
    refused = rep_client.post("/api/v1/clips/mine", json={}, headers=rep_headers)
    assert refused.status_code == 403
    client, headers = api_client(trainer)
    queued = client.post("/api/v1/clips/mine", json={"top_n": 1, "by": "win_rate"}, headers=headers)
    assert queued.status_code == 202 and queued.json["job_id"]
    worker()
    patterns = client.get("/api/v1/clips/patterns", headers=headers).json
    budget = next(p for p in patterns if p["category"] == "budget")
    assert budget["total"] == 1 and budget["first_moves"][0]["move"] == "confirm_timing"
    assert budget["first_moves"][0]["label"] == "确认采购时间"
    bad = client.post("/api/v1/clips/mine", json={"by": "charm"}, headers=headers)
    assert bad.status_code == 422 and bad.json["error"] == "invalid_input"


def test_mine_command_prints_the_summary(app, session, star, tmp_path, monkeypatch):
    deal = make_deal(session, star, "won")
    make_deal(session, star, "won")
    chat_call(session, star, deal, [("customer", "太贵了。"), ("rep", "您对比的是哪一家？")], [(0, "price")])
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("COACHSVC_INSTANCE", str(tmp_path))
    from coachsvc.cli import cli

    result = app.test_cli_runner().invoke(cli, ["mine", "--top", "1", "--by", "revenue"])
    assert result.exit_code == 0, result.output
    assert "销冠：star" in result.output and "新增 1" in result.output
