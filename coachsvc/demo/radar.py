"""Demo data of the radar and coaching: more reps in 华东一组, their calls run through the real
pipeline, 360 ratings (supervisor, three peers, a customer through a link), drill scores, a course
per behaviour and experts' 1:1 slots; then the weakness rule pushes courses and slots.

With it a trainer (zhuguan) sees 李晓华 (xiaoli) weak on listening and more, opens her radar and
the evidence calls, and sees the course and slot pushed; xiaoli sees the same and can book.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from coachsvc import coaching, radar, ratings
from coachsvc.auth import hash_password
from coachsvc.behaviours import BEHAVIOURS
from coachsvc.db.models import Team, User, utcnow
from coachsvc.db.radar import Course, CourseBehaviour, ExpertSlot

CALLS_DIR = Path(__file__).parent / "radar_calls"
TEAM = "华东一组"
EXTRA_REPS = (("sunli", "孙丽"), ("liuyang", "刘洋"))
EXPERT = ("wulaoshi", "吴老师（销售教练）")
#: (transcript, rep, customer, stage, days before today)
CALLS = (
    ("good_cangchu.txt", "xiaowang", "通达仓储", "diagnose", 3),
    ("good_lengleng.txt", "sunli", "华冷物流", "diagnose", 5),
    ("good_lingshou.txt", "liuyang", "优品连锁", "diagnose", 6),
    ("good_lingshou.txt", "sunli", "万家超市", "diagnose", 9),
    ("good_lengleng.txt", "liuyang", "康达医药", "diagnose", 12),
    ("poor_cangchu.txt", "xiaoli", "通达仓储二期", "diagnose", 4),
    ("poor_lingshou.txt", "xiaoli", "优品连锁华南", "diagnose", 10),
)
COURSES = {
    "rapport": ("开场三分钟：破冰与议程", 25),
    "questioning": ("SPIN 提问法实战", 60),
    "needs_discovery": ("需求挖掘：预算、时间、决策流程、痛点", 45),
    "listening": ("倾听的艺术：少说多问，复述确认", 40),
    "solution_tailoring": ("用客户的话讲方案", 35),
    "value_articulation": ("价值呈现与 ROI 测算", 50),
    "objection_handling": ("异议处理：先澄清，再回应", 45),
    "competitor_handling": ("竞品应对：不贬低，讲差异", 30),
    "price_negotiation": ("价格谈判：先价值后价格，让步要交换", 50),
    "decision_mapping": ("画出决策链：找到拍板人", 40),
    "next_step_commitment": ("推进与促成：每次拜访都约定下一步", 30),
    "responsiveness": ("客户响应时效管理", 20),
}
#: supervisor's 1-5 ratings: xiaoli low on listening and questioning, the others good
SUPERVISOR = {"xiaoli": 2, "xiaowang": 4, "sunli": 5, "liuyang": 4}
RATED = ("listening", "questioning", "objection_handling", "rapport", "next_step_commitment")


def seed_radar_demo(session: Session, password: str) -> None:
    """Seed the radar demo (needs an app context: the pipeline and the rating links use it)."""
    team = session.scalar(select(Team).where(Team.name == TEAM))
    if team is None:
        return
    users = _users(session, team, password)
    _library(session, users)
    _ratings(session, users)
    _drills(session, users)
    session.commit()
    _calls(session, users)
    coaching.apply_weakness_rule(session, team.id)
    session.commit()


def _users(session: Session, team: Team, password: str) -> dict[str, User]:
    for username, display in (*EXTRA_REPS, EXPERT):
        if session.scalar(select(User).where(User.username == username)) is None:
            session.add(
                User(
                    username=username,
                    display_name=display,
                    role="rep" if username != EXPERT[0] else "trainer",
                    team=team if username != EXPERT[0] else None,
                    password_hash=hash_password(password),
                )
            )
    session.commit()
    names = ("xiaowang", "xiaoli", "xinren", "zhuguan", *(u for u, _ in EXTRA_REPS), EXPERT[0])
    return {u.username: u for u in session.scalars(select(User).where(User.username.in_(names)))}


def _library(session: Session, users: dict[str, User]) -> None:
    for behaviour in BEHAVIOURS:
        title, minutes = COURSES[behaviour]
        session.add(
            Course(
                title=title,
                description=f"针对「{behaviour}」的专项课程：讲解、示范录音与练习。",
                duration_minutes=minutes,
                created_by=users["zhuguan"].id,
                tags=[CourseBehaviour(behaviour=behaviour)],
            )
        )
    day = utcnow().replace(hour=6, minute=0, second=0, microsecond=0)
    for days, behaviour, capacity, expert in (
        (2, "listening", 2, EXPERT[0]),
        (3, "questioning", 2, EXPERT[0]),
        (4, None, 3, "zhuguan"),
        (6, "competitor_handling", 1, EXPERT[0]),
    ):
        session.add(
            ExpertSlot(
                expert_id=users[expert].id,
                starts_at=day + dt.timedelta(days=days),
                duration_minutes=45,
                capacity=capacity,
                behaviour=behaviour,
                location="线上会议",
                created_by=users["zhuguan"].id,
            )
        )
    session.commit()


def _ratings(session: Session, users: dict[str, User]) -> None:
    for username, value in SUPERVISOR.items():
        ratings.rate(session, users["zhuguan"], users[username], dict.fromkeys(RATED, value))
    for peer in ("xiaowang", "sunli", "liuyang"):  # three peers: their average shows
        ratings.rate(session, users[peer], users["xiaoli"], {"listening": 2, "questioning": 3})
    _, token = ratings.create_link(session, users["xiaowang"], users["xiaowang"])
    ratings.rate_as_customer(session, token, {"listening": 5, "value_articulation": 4}, "很专业")


def _drills(session: Session, users: dict[str, User]) -> None:
    now = utcnow()
    for n, (username, score) in enumerate((("xiaoli", 55), ("xinren", 70), ("xiaowang", 88))):
        radar.add_drill_score(
            session,
            users[username].id,
            "objection_handling",
            score,
            now - dt.timedelta(days=n + 1),
            f"demo-drill:{username}",
        )


def _calls(session: Session, users: dict[str, User]) -> None:
    """Upload the demo transcripts and run the real pipeline (parse, analyse, score) on them."""
    from coachsvc.ingest import UploadMeta, create_activity
    from coachsvc.jobs import process_activity

    for filename, username, customer, stage, days in CALLS:
        meta = UploadMeta(
            customer=customer, stage=stage, visit_date=dt.date.today() - dt.timedelta(days=days)
        )
        data = (CALLS_DIR / filename).read_bytes()
        record = create_activity(session, users[username], f"{customer}-{filename}", io.BytesIO(data), meta)
        process_activity(record.id)
