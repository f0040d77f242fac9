"""Drill pages server-side: the list, starting a drill, who may open a drill page, the library."""

from __future__ import annotations

import shutil

from coachsvc.drills import start_session
from coachsvc.scenarios import SCENARIO_DIR
from tests import factories


def test_list_page_groups_scenarios_and_starts_a_drill(login, session, team):
    new_hire = factories.make_user(session, "new_hire", team)
    client = login(new_hire)
    page = client.get("/drills").get_data(as_text=True)
    assert "情景训练" in page and "预算不足" in page and "今年预算已经用完了" in page
    resp = client.post("/drills/start/budget-used-up")
    assert resp.status_code == 302 and "/drills/sessions/" in resp.location
    drill_page = client.get(resp.location).get_data(as_text=True)
    assert 'data-answer-url="/api/v1/drills/sessions/' in drill_page and "客户画像" in drill_page
    again = client.get("/drills").get_data(as_text=True)
    assert "我最近的练习" in again


def test_unknown_scenario_is_flashed_not_a_crash(login, rep):
    client = login(rep)
    resp = client.post("/drills/start/no-such", follow_redirects=True)
    assert "情景 no-such 不存在" in resp.get_data(as_text=True)


def test_drill_page_visibility_follows_the_team(login, session, app, team, rep, other_rep, trainer):
    with app.app_context():
        drill = start_session(session, rep, "price-competitor-20pct")
    assert login(other_rep).get(f"/drills/sessions/{drill.id}").status_code == 404
    page = login(trainer).get(f"/drills/sessions/{drill.id}")
    assert page.status_code == 200 and 'data-can-answer="false"' in page.get_data(as_text=True)
    assert 'data-can-answer="true"' in login(rep).get(f"/drills/sessions/{drill.id}").get_data(as_text=True)


def test_trainers_see_rejected_scenario_files_on_the_list(login, app, tmp_path, trainer, rep):
    shutil.copy(SCENARIO_DIR / "budget-used-up.yaml", tmp_path / "budget-used-up.yaml")
    (tmp_path / "broken.yaml").write_text("id: broken\ntitle: 坏\n", encoding="utf-8")
    app.config["DRILL_SCENARIO_DIR"] = str(tmp_path)
    page = login(trainer).get("/drills").get_data(as_text=True)
    assert "未能加载的情景文件" in page and "broken.yaml" in page and "今年预算已经用完了" in page
    assert "broken.yaml" not in login(rep).get("/drills").get_data(as_text=True)


def test_pages_need_a_login(client):
    for url in ("/drills", "/drills/library", "/drills/sessions/1"):
        resp = client.get(url)
        assert resp.status_code == 302 and "/login" in resp.location


def test_library_without_clips_says_how_to_mine(login, rep):
    page = login(rep).get("/drills/library").get_data(as_text=True)
    assert "销冠话术库" in page and "python -m coachsvc mine" in page and "暂无片段" in page
