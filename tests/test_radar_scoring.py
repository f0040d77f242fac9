"""Per-call behaviour scores: every check met or not, evidence quoted, formulas from one table;
the daily aggregates follow incrementally (add, replace, remove) and match a full rebuild."""

import datetime as dt

import pytest
from sqlalchemy import select

from coachsvc import radar
from coachsvc.behaviours import BEHAVIOURS
from coachsvc.db.radar import DrillScore, RadarCallDaily, RadarCallMonthly, RadarCallScore
from coachsvc.radar.checks import CHECKS, CallFacts
from coachsvc.radar.scoring import score_call
from tests import radar_factories as rf


def facts(signals, stage="diagnose", segments=None, **rows):
    segs = segments if segments is not None else rf.GOOD_SEGMENTS
    return CallFacts(stage, signals, {i: s for i, s in enumerate(segs)}, **rows)


def test_every_behaviour_has_a_formula_in_the_one_table():
    assert tuple(CHECKS) == BEHAVIOURS
    assert all(CHECKS[b] for b in BEHAVIOURS)


def test_good_call_scores_full_marks_with_quoted_evidence():
    scores, checks = score_call(facts(rf.GOOD_SIGNALS, **rf.good_rows()))
    assert scores == {b: 100.0 for b in BEHAVIOURS}
    greeting = next(c for c in checks["rapport"] if c["check"] == "greeting")
    assert greeting["met"] is True
    assert greeting["evidence"] == [{"idx": 0, "party": "rep", "text": rf.GOOD_SEGMENTS[0][1]}]
    dm = next(c for c in checks["decision_mapping"] if c["check"] == "decision_maker")
    assert "张总" in dm["detail"] and dm["evidence"][0]["idx"] == 3


def test_poor_call_fails_the_checks_and_quotes_what_went_wrong():
    scores, checks = score_call(
        facts(
            rf.POOR_SIGNALS,
            objections=[{"category": "price", "text": "贵", "handled": False, "segment_idx": 5}],
        )
    )
    assert scores["listening"] == 0.0
    assert scores["competitor_handling"] == 0.0
    disparage = next(c for c in checks["competitor_handling"] if c["check"] == "no_disparaging")
    assert disparage["met"] is False and disparage["evidence"][0]["idx"] == 6
    unhandled = next(c for c in checks["objection_handling"] if c["check"] == "all_handled")
    assert unhandled["met"] is False and unhandled["evidence"][0]["text"] == rf.GOOD_SEGMENTS[5][1]
    assert scores["next_step_commitment"] == 0.0


@pytest.mark.parametrize(
    ("ratio", "below_drop", "like_top"),
    [(0.43, True, True), (0.50, True, True), (0.60, True, False), (0.70, False, False)],
)
def test_talk_ratio_reference_points(ratio, below_drop, like_top):
    _, checks = score_call(facts({**rf.GOOD_SIGNALS, "talk_ratio": ratio}))
    by_id = {c["check"]: c["met"] for c in checks["listening"]}
    assert by_id["talk_below_drop"] is below_drop
    assert by_id["talk_like_top"] is like_top


def test_gong_question_band_applies_to_discovery_calls_only():
    few = {**rf.GOOD_SIGNALS, "questions": 8, "open_questions": 6}
    _, diagnose = score_call(facts(few, stage="diagnose"))
    _, negotiate = score_call(facts(few, stage="negotiate"))
    assert {c["check"]: c["met"] for c in diagnose["questioning"]}["discovery_count"] is False
    assert "discovery_count" not in {c["check"] for c in negotiate["questioning"]}


def test_behaviour_with_no_applicable_check_is_not_scored():
    quiet = {k: v for k, v in rf.GOOD_SIGNALS.items() if k not in ("objections", "objections_handled")}
    quiet.update(
        competitor_objections=0,
        response_gap_seconds=None,
        price_before_value=None,
        concession_given_free=None,
    )
    scores, checks = score_call(facts(quiet))
    assert scores["objection_handling"] is None and checks["objection_handling"] == []
    assert scores["competitor_handling"] is None
    assert scores["responsiveness"] is None
    assert scores["price_negotiation"] is None


def test_partial_score_is_share_of_points_met():
    half = {**rf.GOOD_SIGNALS, "value_evidence": 1}  # one proof: any yes, several no
    scores, _ = score_call(facts(half))
    assert scores["value_articulation"] == 50.0


def test_monologue_limit_follows_its_unit():
    chars = {**rf.GOOD_SIGNALS, "longest_rep_monologue": 250, "longest_rep_monologue_unit": "chars"}
    secs = {**rf.GOOD_SIGNALS, "longest_rep_monologue": 250, "longest_rep_monologue_unit": "seconds"}
    assert {c["check"]: c["met"] for c in score_call(facts(chars))[1]["listening"]}["monologue"] is True
    assert {c["check"]: c["met"] for c in score_call(facts(secs))[1]["listening"]}["monologue"] is False


def _daily(session, rep_id, day):
    session.expire_all()
    return session.get(RadarCallDaily, (day, rep_id))


def test_update_for_record_adds_replaces_and_is_idempotent(app, session, rep):
    day = dt.date.today()
    with app.app_context():
        good = rf.make_record(session, rep, rf.GOOD_SIGNALS, day, **rf.good_rows())
        poor = rf.make_record(session, rep, rf.POOR_SIGNALS, day)
        radar.update_for_record(session, good.id)
        radar.update_for_record(session, poor.id)
        session.commit()
        row = _daily(session, rep.id, day)
        assert row.calls == 2
        assert row.listening_n == 2 and row.listening_sum == 100.0
        radar.update_for_record(session, poor.id)  # re-run: same contribution, not doubled
        session.commit()
        row = _daily(session, rep.id, day)
        assert row.calls == 2 and row.listening_sum == 100.0
        poor.signals = {**rf.POOR_SIGNALS, "talk_ratio": 0.40}  # re-analysed: replaces its old score
        session.commit()
        radar.update_for_record(session, poor.id)
        session.commit()
        row = _daily(session, rep.id, day)
        assert row.calls == 2 and row.listening_sum == 150.0


def test_unanalysed_record_has_no_scores_and_leaves_aggregates(app, session, rep):
    with app.app_context():
        record = rf.make_record(session, rep, rf.GOOD_SIGNALS)
        radar.update_for_record(session, record.id)
        session.commit()
        record.signals = None
        session.commit()
        assert radar.update_for_record(session, record.id) is None
        session.commit()
        assert session.get(RadarCallScore, record.id) is None
        assert _daily(session, rep.id, record.visit_date).calls == 0


def test_rebuild_matches_incremental_aggregates(app, session, rep, other_rep):
    today = dt.date.today()
    with app.app_context():
        for i, (who, signals) in enumerate(
            [
                (rep, rf.GOOD_SIGNALS),
                (rep, rf.POOR_SIGNALS),
                (other_rep, rf.POOR_SIGNALS),
                (rep, rf.GOOD_SIGNALS),
            ]
        ):
            rec = rf.make_record(session, who, signals, today - dt.timedelta(days=i % 2))
            radar.update_for_record(session, rec.id)
        session.commit()
        cols = [c for c in RadarCallDaily.__table__.c.keys()]
        tables = (RadarCallDaily.__table__, RadarCallMonthly.__table__)
        before = [sorted(tuple(r) for r in session.execute(select(*t.c))) for t in tables]
        radar.rebuild_aggregates(session)
        session.commit()
        after = [sorted(tuple(r) for r in session.execute(select(*t.c))) for t in tables]
        assert len(cols) == 3 + 2 * len(BEHAVIOURS)
        assert before == after and after[1]


def test_add_drill_score_is_idempotent_per_ref_and_validated(app, session, rep):
    at = dt.datetime(2026, 11, 20, 9, 30)
    radar.add_drill_score(session, rep.id, "objection_handling", 70, at, "drill-session:1")
    radar.add_drill_score(session, rep.id, "objection_handling", 85, at, "drill-session:1")
    session.commit()
    rows = session.scalars(select(DrillScore).where(DrillScore.user_id == rep.id)).all()
    assert [(r.score, r.day) for r in rows] == [(85.0, dt.date(2026, 11, 20))]
    with pytest.raises(ValueError, match="unknown behaviour"):
        radar.add_drill_score(session, rep.id, "charisma", 50, at, "x")
    with pytest.raises(ValueError, match="outside"):
        radar.add_drill_score(session, rep.id, "rapport", 101, at, "y")


def test_price_checks_apply_only_when_price_is_discussed():
    no_price = [("rep", "您好，今天想了解一下流程。"), ("customer", "好的，主要靠邮件。")]
    flags = {**rf.GOOD_SIGNALS, "price_before_value": False, "concession_given_free": False}
    scores, _ = score_call(facts(flags, segments=no_price))
    assert scores["price_negotiation"] is None
    scores, _ = score_call(facts({**flags, "price_before_value": True}))  # GOOD_SEGMENTS talk price
    assert scores["price_negotiation"] == 50.0


@pytest.mark.parametrize(
    ("start", "end", "days", "months"),
    [
        ("2026-11-10", "2026-11-24", [("2026-11-10", "2026-11-24")], None),
        ("2026-09-01", "2026-11-30", [], ("2026-09-01", "2026-11-01")),
        (
            "2026-08-27",
            "2026-11-24",
            [("2026-08-27", "2026-08-31"), ("2026-11-01", "2026-11-24")],
            ("2026-09-01", "2026-10-01"),
        ),
        (
            "2025-11-25",
            "2026-11-24",
            [("2025-11-25", "2025-11-30"), ("2026-11-01", "2026-11-24")],
            ("2025-12-01", "2026-10-01"),
        ),
        ("2026-02-01", "2026-02-28", [], ("2026-02-01", "2026-02-01")),
    ],
)
def test_windows_split_into_whole_months_and_edge_days(start, end, days, months):
    from coachsvc.radar.scores import Window, split_window

    d = dt.date.fromisoformat
    got_days, got_months = split_window(Window(d(start), d(end), "custom"))
    assert got_days == [(d(a), d(b)) for a, b in days]
    assert got_months == ((d(months[0]), d(months[1])) if months else None)


def test_window_sums_match_the_calls_for_any_window(app, session, rep):
    import random

    from coachsvc.radar.scores import Window, load_stats

    rng = random.Random(5)
    today = dt.date(2026, 11, 24)
    days = [today - dt.timedelta(days=rng.randrange(200)) for _ in range(40)]
    with app.app_context():
        for day in days:
            signals = {**rf.GOOD_SIGNALS, "talk_ratio": rng.choice([0.4, 0.6, 0.8])}
            radar.update_for_record(session, rf.make_record(session, rep, signals, day).id, apply_rule=False)
        session.commit()
        rows = session.scalars(select(RadarCallScore).where(RadarCallScore.rep_id == rep.id)).all()
        for _ in range(25):
            a, b = sorted(today - dt.timedelta(days=rng.randrange(220)) for _ in range(2))
            stats = load_stats(session, [rep.id], Window(a, b, "custom"))
            inside = [r.scores["listening"] for r in rows if a <= r.day <= b]
            expected = (pytest.approx(sum(inside)), len(inside)) if inside else None
            got = stats.calls.get((rep.id, "listening"))
            assert (got if got is None else (got[0], got[1])) == expected, (a, b)
            assert stats.call_counts.get(rep.id, 0) == len(inside)


def test_rescore_all_command_rebuilds_scores_and_sums(app, session, runner, rep):
    from coachsvc.cli import cli

    with app.app_context():
        record = rf.make_record(session, rep, rf.GOOD_SIGNALS)
    result = runner.invoke(cli, ["radar-rescore"], env={"DATABASE_URL": app.config["DATABASE_URL"]})
    assert result.exit_code == 0, result.output
    assert "1 records scored" in result.output
    session.expire_all()
    assert session.get(RadarCallScore, record.id).scores["listening"] == 100.0
    assert _daily(session, rep.id, record.visit_date).calls == 1
