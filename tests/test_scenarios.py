"""Drill scenarios: the shipped YAML files load and cover the domain; a malformed file is rejected
with an error naming the file, the field and the problem, and the other files still load."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from coachsvc.scenarios import CATEGORIES, SCENARIO_DIR, ScenarioError, load_scenario, load_scenarios

GOOD = SCENARIO_DIR / "budget-used-up.yaml"


def test_shipped_scenarios_all_load_and_cover_every_category():
    scenarios = load_scenarios()
    assert scenarios.errors == []
    assert len(scenarios) >= 20
    assert set(Counter(s.category for s in scenarios)) == set(CATEGORIES)
    assert len({s.industry for s in scenarios}) >= 5
    titles = {s.title for s in scenarios}
    assert {"你们比竞品贵20%", "今年预算已经用完了", "我们做不了主，要上会"} <= titles


def test_every_key_point_has_examples_and_a_follow_up():
    for s in load_scenarios():
        assert s.opening and s.course and s.behaviours
        for point in s.key_points:
            assert len(point.examples) >= 2 and point.follow_up, (s.id, point.id)


@pytest.fixture
def folder(tmp_path) -> Path:
    for name in ("budget-used-up.yaml", "price-competitor-20pct.yaml", "authority-board-meeting.yaml"):
        shutil.copy(SCENARIO_DIR / name, tmp_path / name)
    return tmp_path


def _write_variant(folder: Path, name: str, change) -> None:
    data = yaml.safe_load(GOOD.read_text(encoding="utf-8"))
    data["id"] = Path(name).stem
    change(data)
    (folder / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_a_malformed_file_is_rejected_and_the_others_still_load(folder):
    _write_variant(folder, "bad-category.yaml", lambda d: d.update(category="weather"))
    scenarios = load_scenarios(folder)
    assert set(scenarios.scenarios) == {"budget-used-up", "price-competitor-20pct", "authority-board-meeting"}
    [error] = scenarios.errors
    assert error.file == "bad-category.yaml" and error.field == "category"
    assert "Must be one of" in error.problem and "budget" in error.problem
    assert str(error).startswith("bad-category.yaml: category: ")


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        (lambda d: d.pop("opening"), "opening", "Missing data for required field."),
        (lambda d: d.update(stage="closing"), "stage", "Must be one of"),
        (
            lambda d: d["key_points"][1].update(examples=["只有一个例子"]),
            "key_points.1.examples",
            "at least 2",
        ),
        (lambda d: d["key_points"][0].pop("follow_up"), "key_points.0.follow_up", "Missing data"),
        (lambda d: d.update(behaviours=["charm"]), "behaviours.0", "Must be one of"),
        (lambda d: d.update(colour="red"), "colour", "Unknown field."),
        (
            lambda d: d["key_points"][1].update(id=d["key_points"][0]["id"]),
            "key_points",
            "duplicate key point id",
        ),
        (lambda d: d.update(key_points=d["key_points"][:1]), "key_points", "needs 2 to 6 key points"),
        (lambda d: d.update(id="another-id"), "id", "must match the file name"),
    ],
)
def test_errors_name_the_file_the_field_and_the_problem(tmp_path, change, field, problem):
    _write_variant(tmp_path, "broken.yaml", change)
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "broken.yaml")
    assert err.value.file == "broken.yaml"
    assert err.value.field == field
    assert problem in err.value.problem


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "syntax.yaml"
    path.write_text("id: syntax\ntitle: [unclosed\nindustry: 制造\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert err.value.file == "syntax.yaml" and err.value.field.startswith("line ")
    assert "invalid YAML" in err.value.problem


def test_a_file_that_is_not_a_mapping_or_not_utf8_is_rejected(tmp_path):
    (tmp_path / "list.yaml").write_text("- a\n- b\n", encoding="utf-8")
    (tmp_path / "latin.yaml").write_bytes("id: 预算".encode("gbk"))
    errors = {e.file: e for e in load_scenarios(tmp_path).errors}
    assert "must be a YAML mapping" in errors["list.yaml"].problem
    assert "not valid UTF-8" in errors["latin.yaml"].problem


def test_api_lists_the_good_scenarios_and_shows_trainers_the_rejected_file(
    app, folder, api_client, trainer, rep
):
    _write_variant(folder, "bad-category.yaml", lambda d: d.update(category="weather"))
    app.config["DRILL_SCENARIO_DIR"] = str(folder)
    client, headers = api_client(trainer)
    body = client.get("/api/v1/drills/scenarios", headers=headers).json
    assert len(body["items"]) == 3
    assert body["errors"] == [
        {"file": "bad-category.yaml", "field": "category", "problem": body["errors"][0]["problem"]}
    ]
    rep_client, rep_headers = api_client(rep)
    assert rep_client.get("/api/v1/drills/scenarios", headers=rep_headers).json["errors"] == []
    # a drill of a good scenario still starts
    resp = rep_client.post(
        "/api/v1/drills/sessions", json={"scenario_id": "budget-used-up"}, headers=rep_headers
    )
    assert resp.status_code == 201
