"""The drill scorer: strong answers outrank weak and off-topic ones (pairs per category, written
apart from the key points' examples), paraphrases hit key points, pitfalls cost points, and the
evaluation command prints the pairwise ranking accuracy."""

from __future__ import annotations

from collections import defaultdict

import pytest

from coachsvc import drills
from coachsvc.cli import cli
from coachsvc.scenarios import CATEGORIES, load_scenarios

PAIRS = drills.load_pairs()


@pytest.fixture(scope="module")
def scorer():
    return drills.AnswerScorer(load_scenarios())


def _by_category(scorer):
    groups = defaultdict(list)
    for row in PAIRS:
        groups[scorer.scenarios.get(row["scenario"]).category].append(row)
    return groups


def test_pairs_cover_every_category_with_weak_and_off_topic_answers(scorer):
    groups = _by_category(scorer)
    assert set(groups) == set(CATEGORIES)
    assert all(len(rows) >= 4 for rows in groups.values())
    assert {r["kind"] for r in PAIRS} == {"vague", "pitfall", "off_topic"}


def test_pairs_are_not_copies_of_the_key_point_examples(scorer):
    examples = {e for s in scorer.scenarios for p in s.key_points for e in p.examples}
    assert not any(r["strong"] in examples or r["weak"] in examples for r in PAIRS)


@pytest.mark.parametrize("category", CATEGORIES)
def test_strong_answers_outrank_weak_ones_in_each_category(scorer, category):
    rows = _by_category(scorer)[category]
    evaluation = drills.evaluate_pairs(rows, scorer)
    wrong = [(r.scenario_id, r.kind, r.strong, r.weak) for r in evaluation.results if not r.correct]
    assert evaluation.accuracy >= 0.75, wrong


def test_overall_pairwise_accuracy_meets_the_target(scorer):
    assert drills.evaluate_pairs(PAIRS, scorer).accuracy >= 0.9


@pytest.mark.parametrize(
    ("scenario", "point", "paraphrase"),
    [
        ("budget-used-up", "confirm_timing", "请问贵公司下一年的经费大概哪个月份开始规划？"),
        ("budget-used-up", "instalments", "能不能先交一部分定金，余款明年再付？"),
        (
            "price-competitor-20pct",
            "clarify_basis",
            "您拿来比较的是哪个厂家？他们那个价格里有没有包括上线服务？",
        ),
        ("authority-board-meeting", "access_decision_maker", "开会的时候我们能不能派人去现场讲一讲？"),
        (
            "service-who-responsible",
            "sla_commitment",
            "严重问题我们保证一刻钟内回复，四个钟头修好，合同里白纸黑字写着。",
        ),
        ("competitor-already-using", "probe_gaps", "这两年用下来，有哪些地方您觉得还可以更好？"),
    ],
)
def test_paraphrases_hit_the_key_point(scorer, scenario, point, paraphrase):
    result = scorer.score(scorer.scenarios.get(scenario), paraphrase)
    assert point in {p.id for p in result.hits}, [(p.id, p.similarity, p.threshold) for p in result.points]


def test_echoing_the_objection_is_not_making_a_point(scorer):
    result = scorer.score(scorer.scenarios.get("authority-ask-boss"), "那您问问老板吧，有消息通知我。")
    assert result.hits == [] and result.score < 20


def test_a_question_about_timing_does_not_count_as_offering_instalments(scorer):
    result = scorer.score(scorer.scenarios.get("budget-used-up"), "明年的预算几月份开始报？")
    assert {p.id for p in result.hits} == {"confirm_timing"}


def test_off_topic_answers_are_flagged_and_penalised(scorer):
    result = scorer.score(scorer.scenarios.get("price-competitor-20pct"), "周末一起去爬山吧，天气很好。")
    assert result.off_topic and result.score < 5


def test_a_concession_given_away_is_a_pitfall_but_a_traded_one_is_not(scorer):
    scenario = scorer.scenarios.get("price-discount-demand")
    given = scorer.score(scenario, "行，那就打八折，今天签。")
    traded = scorer.score(scenario, "八折给不了，如果签两年合同，我可以去申请九折。")
    assert [p.id for p in given.pitfalls] == ["unconditional_concession"]
    assert traded.pitfalls == [] and traded.score > given.score


def test_disparaging_the_competitor_costs_points(scorer):
    scenario = scorer.scenarios.get("competitor-cheaper-quote")
    result = scorer.score(scenario, "他们那家公司都是骗人的，口碑很差。")
    assert "disparage_competitor" in {p.id for p in result.pitfalls}


def test_likeness_to_top_performers_answers_adds_to_the_score(scorer):
    scenario = scorer.scenarios.get("budget-used-up")
    answer = "想问下明年预算什么时候批？"
    top = ["理解，明年的预算一般几月份报？如果明年初立项，今年可以先付一小部分。"]
    unrelated_top = ["我们的工程师七乘二十四小时值班，十五分钟响应。"]
    with_top = scorer.score(scenario, answer, top_answers=top)
    with_unrelated = scorer.score(scenario, answer, top_answers=unrelated_top)
    assert with_top.top_similarity > with_unrelated.top_similarity
    assert with_top.score > with_unrelated.score


def test_thresholds_are_calibrated_per_key_point_within_bounds(scorer):
    values = [t for points in scorer.thresholds.values() for t in points.values()]
    assert all(drills.THRESHOLD_MIN <= t <= drills.THRESHOLD_MAX for t in values)
    assert len(set(values)) > 10  # calibrated, not one constant


def test_drill_eval_command_prints_the_accuracy(app, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("COACHSVC_INSTANCE", str(tmp_path))
    result = app.test_cli_runner().invoke(cli, ["drill-eval"])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("pairwise ranking accuracy: ")
    assert float(last.split(": ")[1].split()[0]) >= 0.9
    assert "budget" in result.output


def test_drill_eval_reads_a_pairs_file_and_reports_misranked_pairs(app, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("COACHSVC_INSTANCE", str(tmp_path))
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(
        '{"scenario": "budget-used-up", "kind": "swapped", "strong": "好的，那您有预算再联系我。", '
        '"weak": "明年的预算几月份开始编？我们可以分期，今年只付一小部分首款。"}\n',
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(cli, ["drill-eval", str(pairs)])
    assert result.exit_code == 0, result.output
    assert "misranked: budget-used-up (swapped)" in result.output
    assert "pairwise ranking accuracy: 0.000 (1 pairs)" in result.output
