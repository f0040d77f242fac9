"""With the demo data, in Chromium: a trainer opens the heatmap, sees a weak cell, opens that rep's
radar and the evidence calls and sees the pushed course and slot; the rep sees the same and books
the slot; a customer rates through a link without logging in."""

import re

import pytest
from sqlalchemy import select

from coachsvc.db import session_scope
from coachsvc.db.models import User
from coachsvc.db.radar import ExpertSlot, SlotOffer
from coachsvc.demo import DEMO_PASSWORD, seed_demo, seed_demo_records

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app):
    with app.app_context(), session_scope() as session:
        seed_demo(session)
        seed_demo_records(session)
    with app.app_context(), session_scope() as session:
        return {u.username: u.id for u in session.scalars(select(User))}


def login(page, username):
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/activities")


def test_trainer_finds_the_weak_cell_radar_evidence_and_pushes(page, demo):
    login(page, "zhuguan")
    page.click("nav >> text=能力热力图")
    page.wait_for_selector("#heatmap")
    row = page.locator(f"#heatmap tr[data-rep='{demo['xiaoli']}']")
    weak = row.locator("td.cell.weak[data-behaviour='listening']")
    assert weak.count() == 1
    assert "hsl(2," in weak.get_attribute("style")  # red: below the team mean

    row.locator("th.rep-name a").click()
    page.wait_for_selector("#radar-chart")
    assert "李晓华 的能力雷达" in page.inner_text("#radar-title")
    assert page.locator("#rep-polygon").count() == 1 and page.locator("#team-polygon").count() == 1
    assert "短板" in page.inner_text("#radar-table tr[data-behaviour='listening']")
    assert "倾听的艺术" in page.inner_text("#assigned-courses")
    assert "吴老师" in page.inner_text("#slot-offers li[data-behaviour='listening']")

    page.click("#radar-chart a[data-behaviour='listening']")
    page.wait_for_selector("#evidence-title")
    assert "倾听与确认" in page.inner_text("#evidence-title")
    assert page.locator(".evidence-call").count() >= 1
    assert page.locator(".evidence-call ul.checks li.unmet blockquote").count() >= 1
    assert "同事" in page.inner_text("#axis-summary")  # three peers rated: their average shows
    page.locator(".evidence-call a").first.click()
    page.wait_for_selector("#transcript")


def test_heatmap_sorts_and_filters(page, demo):
    login(page, "zhuguan")
    page.goto("/radar/heatmap")
    page.click("a.sort[data-sort='listening']")
    page.wait_for_url(re.compile(r"sort=listening"))
    first = page.locator("#heatmap tbody tr").first.get_attribute("data-rep")
    assert int(first) == demo["xiaoli"]  # lowest listening first
    page.select_option("#window-select", "30")
    page.click("#heatmap-filters button[type=submit]")
    page.wait_for_url(re.compile(r"window=30"))
    assert page.locator("#heatmap td.cell.weak").count() >= 1


def test_rep_sees_the_push_and_books_the_slot(app, page, demo):
    login(page, "xiaoli")
    page.click("nav >> text=能力雷达")
    page.wait_for_selector("#radar-chart")
    offer = page.locator("#slot-offers li[data-behaviour='listening']")
    assert "倾听的艺术" in page.inner_text("#assigned-courses")
    offer.locator("button.book-button").click()
    page.wait_for_selector(".flash")
    assert "预约成功" in page.inner_text(".flash")
    assert "已预约" in page.inner_text("#slot-offers li[data-behaviour='listening']")
    with app.app_context(), session_scope() as session:
        offer_row = session.scalar(
            select(SlotOffer).where(SlotOffer.user_id == demo["xiaoli"], SlotOffer.behaviour == "listening")
        )
        assert offer_row.status == "booked"
        assert session.get(ExpertSlot, offer_row.slot_id).booked == 1
    page.goto(f"/radar/reps/{demo['xiaowang']}")  # another rep's radar: not found
    assert "404" in page.title() or "Not Found" in page.content()


def test_customer_rates_through_the_link_without_login(browser, live_server, page, demo):
    login(page, "xiaowang")
    page.click("nav >> text=360评价")
    page.click("#link-form button[type=submit]")
    link = page.inner_text("#customer-link").strip()
    customer = browser.new_context(base_url=live_server, locale="zh-CN")
    try:
        cpage = customer.new_page()
        cpage.goto(link)
        assert "王小明" in cpage.inner_text("h1")
        cpage.check("input[name=score_listening][value='5']")
        cpage.click("#customer-rating-form button[type=submit]")
        cpage.wait_for_selector("#customer-done")
        assert "感谢您的评价" in cpage.inner_text("#customer-done")
        cpage.goto(link)
        assert "已使用过" in cpage.inner_text("#customer-done")
    finally:
        customer.close()
