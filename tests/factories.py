"""Small factories for test data."""

from __future__ import annotations

import io
import itertools

from sqlalchemy.orm import Session

from coachsvc.auth import hash_password, issue_token
from coachsvc.db.models import Team, User

PASSWORD = "secret-pass"
_seq = itertools.count(1)


def make_team(session: Session, name: str | None = None) -> Team:
    team = Team(name=name or f"team-{next(_seq)}")
    session.add(team)
    session.commit()
    return team


def make_user(
    session: Session, role: str = "rep", team: Team | None = None, username: str | None = None
) -> User:
    username = username or f"{role}-{next(_seq)}"
    user = User(
        username=username,
        display_name=username,
        role=role,
        team_id=team.id if team else None,
        password_hash=hash_password(PASSWORD),
    )
    session.add(user)
    session.commit()
    return user


def make_token(session: Session, user: User) -> str:
    token = issue_token(session, user)
    session.commit()
    return token


CHAT = (
    "销售：王经理您好，想先了解一下你们现在的审批流程？\n"
    "客户：现在主要靠邮件，经常找不到单子。\n"
    "销售：明白，我们的系统可以自动流转审批。\n"
    "客户：听起来不错，但是价格太贵了。\n"
)


def chat_file(text: str = CHAT, name: str = "visit.txt") -> tuple[io.BytesIO, str]:
    return io.BytesIO(text.encode("utf-8")), name
