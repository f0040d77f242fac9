"""`python -m coachsvc analyze | eval`, the committed artifacts and their manifest."""

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coachsvc.analysis import corpus
from coachsvc.analysis.evaluate import evaluate_calls, texts_overlap
from coachsvc.analysis.model import ARTIFACT_DIR, CORPUS_DIR, DEVSET_PATH, load_bundle
from coachsvc.cli import cli

VISIT = Path(__file__).parent / "data" / "visit.txt"


def test_analyze_prints_json_for_a_chat_transcript():
    result = CliRunner().invoke(
        cli, ["analyze", str(VISIT), "--call-date", "2026-11-18", "--rep", "销售", "--stage", "negotiate"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert [o["category"] for o in out["objections"]] == ["price", "budget"]
    assert sorted(n["due"] for n in out["next_steps"]) == ["2026-11-23", "2026-11-24"]
    assert [g["topic"] for g in out["coverage_gaps"]] == ["delivery_time", "payment_terms"]
    assert out["signals"]["dated_next_step"] is True


def test_analyze_rejects_what_is_not_a_transcript(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("随便写的几行字\n没有说话人\n也没有冒号\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["analyze", str(bad)])
    assert result.exit_code != 0 and "不是" in result.output


def _call(expected, transcript):
    return {
        "id": "c1",
        "lang": "zh",
        "call_date": "2026-11-18",
        "rep_speaker": "销售",
        "transcript": transcript,
        "expected": expected,
    }


def test_eval_scores_a_dataset(tmp_path):
    transcript = (
        "销售：您觉得怎么样？\n客户：你们太贵了，而且今年预算用完了。\n销售：理解，我明天把分期方案发给您。\n"
    )
    expected = {
        "objections": [
            {"category": "price", "text": "你们太贵了"},
            {"category": "timing", "text": "明年再说"},
        ],
        "roles": [],
        "next_steps": [{"action": "发送分期方案", "owner": "rep", "due": "2026-11-19"}],
    }
    path = tmp_path / "set.jsonl"
    path.write_text(json.dumps(_call(expected, transcript), ensure_ascii=False) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    obj = summary["objections"]
    assert obj["per_label"]["price"]["f1"] == 1.0
    assert obj["per_label"]["budget"] == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "predicted": 1,
        "expected": 0,
    }
    assert obj["per_label"]["timing"]["recall"] == 0.0
    assert obj["micro"]["precision"] == 0.5 and obj["micro"]["recall"] == 0.5
    assert summary["next_steps"] == {"expected": 1, "due_correct": 1, "due_accuracy": 1.0}
    text = CliRunner().invoke(cli, ["eval", str(path)]).output
    assert "micro" in text and "macro" in text and "due-date accuracy 1.000" in text


def test_role_names_match_after_normalisation():
    call = _call(
        {"objections": [], "roles": [{"person": "采购部刘经理", "role": "procurement"}], "next_steps": []},
        "客户：我们采购部的刘经理负责比价。\n",
    )
    assert evaluate_calls([call])["summary"]["roles"]["micro"]["f1"] == 1.0


def test_text_overlap():
    assert texts_overlap("今年的预算已经用完了", "而且今年的预算已经用完了")
    assert not texts_overlap("价格太贵了", "今年预算用完了")
    # annotators cut long objections at different clauses: a long shared run is enough
    assert texts_overlap(
        "就是你们的付款节点我们接受不了，签约付七成，上线付三成",
        "签约付七成，上线付三成，我们的规矩是上线验收后才付大头",
    )
    assert not texts_overlap("我们的规矩是上线验收后才付大头", "上线以后谁来维护")


def test_the_dev_set_is_large_enough_and_well_formed():
    calls = [json.loads(line) for line in DEVSET_PATH.read_text(encoding="utf-8").splitlines()]
    assert len(calls) >= 60 and {c["lang"] for c in calls} == {"zh", "en"}
    for c in calls:
        assert set(c) == {"id", "lang", "call_date", "rep_speaker", "transcript", "expected"}


def test_corpus_generation_is_deterministic_and_matches_the_manifest():
    assert corpus.generate() == corpus.generate()
    manifest = json.loads((ARTIFACT_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["data_sha256"] == corpus.corpus_hash(CORPUS_DIR)
    for name, digest in manifest["artifacts"].items():
        assert hashlib.sha256((ARTIFACT_DIR / name).read_bytes()).hexdigest() == digest


def test_corpus_covers_every_category_with_enough_examples():
    examples = corpus.generate() + corpus.read_handwritten(CORPUS_DIR / "handwritten.tsv")
    objections = [e for e in examples if e["task"] == "objection"]
    assert len(objections) >= 1500
    counts = {lab: sum(e["label"] == lab for e in objections) for lab in {e["label"] for e in objections}}
    assert set(counts) == {
        "price",
        "budget",
        "competitor",
        "timing",
        "authority",
        "trust",
        "need",
        "delivery",
        "service",
        "terms",
        "none",
    }
    assert min(counts.values()) >= 50
    assert any(e["source"].endswith("+asr") for e in examples)
    assert {e["label"] for e in examples if e["task"] == "role"} >= {
        "decision_maker",
        "procurement",
        "finance",
        "coach",
        "none",
    }


def test_artifacts_are_small_and_load():
    size = sum(p.stat().st_size for p in ARTIFACT_DIR.iterdir())
    assert size < 5 * 1024 * 1024
    bundle = load_bundle()
    assert set(bundle.heads) == {"objection", "role", "next_step"}


@pytest.mark.slow
def test_analyze_transcribes_a_recording_first():
    """The demo visit as a stereo recording: real Whisper, then the analysis copes with its noise."""
    audio = Path(__file__).parents[1] / "data" / "visit_stereo.opus"
    result = CliRunner().invoke(cli, ["analyze", str(audio), "--call-date", "2026-11-18", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert [o["category"] for o in out["objections"]] == ["price", "budget"]
    assert all(isinstance(o["start"], float) for o in out["objections"])  # seconds, not line numbers
    assert ("张总", "decision_maker") in [(r["person"], r["role"]) for r in out["roles"]]
    assert sorted(n["due"] for n in out["next_steps"]) == ["2026-11-23", "2026-11-24"]
    assert (
        out["signals"]["duration_seconds"] > 30 and out["signals"]["longest_rep_monologue_unit"] == "seconds"
    )
