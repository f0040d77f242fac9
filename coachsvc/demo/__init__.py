"""Demo data: a team, reps, a trainer, customers and a few processed records."""

from __future__ import annotations

import datetime as dt
import io
import logging
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from coachsvc.auth import hash_password
from coachsvc.db.models import Customer, Deal, Team, User
from coachsvc.demo.radar import seed_radar_demo

log = logging.getLogger(__name__)

DEMO_PASSWORD = "demo1234"
DEMO_USERS = [
    # username, display name, role, team
    ("admin", "系统管理员", "admin", None),
    ("zhuguan", "周主管", "trainer", "华东一组"),
    ("xiaowang", "王小明", "rep", "华东一组"),
    ("xiaoli", "李晓华", "rep", "华东一组"),
    ("xinren", "陈新", "new_hire", "华东一组"),
    ("zhaoqiang", "赵强", "rep", "华南二组"),
]
DEMO_CUSTOMERS = [("华东精密制造", "制造"), ("信达物流", "物流"), ("开元连锁", "零售")]
DEMO_RECORDS = [
    # file, username, customer, stage, visit date
    ("visit_huadong.txt", "xiaowang", "华东精密制造", "diagnose", dt.date(2026, 11, 18)),
    ("visit_xinda.txt", "xiaoli", "信达物流", "propose", dt.date(2026, 11, 19)),
    ("wechat_kaiyuan.txt", "xiaowang", "开元连锁", "negotiate", dt.date(2026, 11, 16)),
]


def seed_demo(session: Session) -> bool:
    """Create the demo data once; returns False when it was already there."""
    if session.scalar(select(User).where(User.username == "admin")) is not None:
        return False
    teams = {name: Team(name=name) for name in {t for *_, t in DEMO_USERS if t}}
    session.add_all(teams.values())
    users = {}
    for username, display, role, team in DEMO_USERS:
        users[username] = User(
            username=username,
            display_name=display,
            role=role,
            team=teams.get(team),
            password_hash=hash_password(DEMO_PASSWORD),
        )
    session.add_all(users.values())
    customers = {name: Customer(name=name, industry=industry) for name, industry in DEMO_CUSTOMERS}
    session.add_all(customers.values())
    session.add(
        Deal(customer=customers["华东精密制造"], owner=users["xiaowang"], name="审批系统", stage="diagnose")
    )
    session.commit()
    seed_radar_demo(session, DEMO_PASSWORD)  # radar, 360 ratings, courses and slots (issue 5)
    seed_demo_drills(session)
    return True


def seed_demo_records(session: Session) -> list[int]:
    """Upload the demo transcripts and process them in this process (no queue needed)."""
    from coachsvc.ingest import UploadMeta, create_activity
    from coachsvc.jobs import process_activity

    ids = []
    for filename, username, customer, stage, visit_date in DEMO_RECORDS:
        user = session.scalar(select(User).where(User.username == username))
        data = (Path(__file__).parent / filename).read_bytes()
        meta = UploadMeta(customer=customer, stage=stage, visit_date=visit_date)
        record = create_activity(session, user, filename, io.BytesIO(data), meta)
        process_activity(record.id)
        ids.append(record.id)
    return ids


def seed_demo_drills(session: Session) -> int:
    """Drills (issue 6): top performers' won calls with spoken audio, mined into playable clips."""
    from flask import current_app

    from coachsvc.demo.drills import seed_demo_drills as seed

    return seed(session, DEMO_PASSWORD, current_app.config["UPLOAD_DIR"])
