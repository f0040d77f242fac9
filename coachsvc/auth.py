"""Authentication (passwords, sessions, API tokens) and who may see what."""

from __future__ import annotations

import hashlib
import secrets

from flask import Flask, abort, g, request
from flask_login import LoginManager, current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from coachsvc.db import get_db
from coachsvc.db.models import ActivityRecord, ApiToken, User, utcnow

login_manager = LoginManager()
login_manager.login_view = "pages.login"
login_manager.login_message = "请先登录"


def hash_password(password: str) -> str:
    return generate_password_hash(password)  # scrypt, werkzeug's default


def verify_password(user: User | None, password: str) -> bool:
    return bool(user and user.active and check_password_hash(user.password_hash, password))


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username))
    return user if verify_password(user, password) else None


def issue_token(session: Session, user: User, name: str = "api") -> str:
    """Create an API token for `user`; the plain token is returned once and never stored."""
    token = "cs_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name, token_hash=_digest(token)))
    session.flush()
    return token


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.request_loader(_load_user_from_token)


def _load_user(user_id: str) -> User | None:
    user = get_db().get(User, int(user_id))
    return user if user and user.active else None


def _load_user_from_token(req) -> User | None:
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    token = get_db().scalar(
        select(ApiToken).where(
            ApiToken.token_hash == _digest(header[7:].strip()), ApiToken.revoked_at.is_(None)
        )
    )
    if token is None or not token.user.active:
        return None
    token.last_used_at = utcnow()
    get_db().commit()
    g.auth_via_token = True
    return token.user


def authenticated_via_token() -> bool:
    _ = current_user.is_authenticated  # make sure the loaders ran
    return bool(g.get("auth_via_token"))


# --- Authorization -----------------------------------------------------------------------------


def visible_rep_ids(user: User) -> Select | None:
    """A subquery of the user ids whose records `user` may see; None means everyone (admin)."""
    if user.role == "admin":
        return None
    if user.role == "trainer" and user.team_id is not None:
        return select(User.id).where(User.team_id == user.team_id)
    return select(User.id).where(User.id == user.id)


def scope_activities(query: Select, user: User) -> Select:
    """Restrict an ActivityRecord query to what `user` may see."""
    ids = visible_rep_ids(user)
    return query if ids is None else query.where(ActivityRecord.rep_id.in_(ids))


def can_see_user(viewer: User, rep: User) -> bool:
    if viewer.role == "admin" or viewer.id == rep.id:
        return True
    return viewer.role == "trainer" and viewer.team_id is not None and viewer.team_id == rep.team_id


def require_roles(*roles: str) -> None:
    if current_user.role not in roles:
        abort(403)


def client_ip() -> str:
    return request.remote_addr or "-"
