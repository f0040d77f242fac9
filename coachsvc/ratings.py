"""360 ratings: supervisors, peers and customers rate a rep on the twelve behaviours, 1-5 each.

Scale: 1 差 / 2 待提高 / 3 合格 / 4 良好 / 5 优秀; the radar maps it to 0-100 as (v - 1) * 25.
A customer rates through a signed, expiring, one-use link (itsdangerous URLSafeTimedSerializer)
without logging in. Anonymity: nothing shown to the rated rep names a rater; peer ratings are
shown and counted only once RATING_MIN_PEERS distinct peers have rated (coachsvc/radar/scores.py).
"""

from __future__ import annotations

import datetime as dt
import secrets

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from coachsvc.auth import can_see_user
from coachsvc.behaviours import BEHAVIOURS
from coachsvc.db.models import User, utcnow
from coachsvc.db.radar import Rating, RatingLink, RatingScore
from coachsvc.radar import settings

SALT = "coachsvc-customer-rating"
SCALE_LABELS = {1: "差", 2: "待提高", 3: "合格", 4: "良好", 5: "优秀"}


class RatingError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def rater_kind(rater: User, rep: User) -> str:
    """supervisor (the rep's trainer, or an admin), peer (a teammate), else RatingError 403."""
    if rater.id == rep.id:
        raise RatingError(403, "self_rating", "不能给自己评分")
    same_team = rep.team_id is not None and rater.team_id == rep.team_id
    if rater.role == "admin" or (rater.role == "trainer" and same_team):
        return "supervisor"
    if rater.role in ("rep", "new_hire") and same_team:
        return "peer"
    raise RatingError(403, "not_allowed", "只有该销售的主管或同组同事可以评分")


def rate(
    session: Session, rater: User, rep: User, scores: dict[str, int], comment: str | None = None
) -> Rating:
    """A supervisor's or a peer's rating of a rep (committed)."""
    kind = rater_kind(rater, rep)
    rating = _new_rating(rep.id, kind, scores, comment, rater_id=rater.id)
    session.add(rating)
    session.commit()
    return rating


def create_link(
    session: Session, creator: User, rep: User, customer_id: int | None = None
) -> tuple[RatingLink, str]:
    """A one-use rating link for a customer of `rep`; returns the row and the signed token."""
    if not can_see_user(creator, rep):
        raise RatingError(404, "not_found", "找不到该销售")
    days = settings.get("RATING_LINK_MAX_AGE_DAYS")
    link = RatingLink(
        rep_id=rep.id,
        created_by=creator.id,
        customer_id=customer_id,
        nonce=secrets.token_urlsafe(16),
        expires_at=utcnow() + dt.timedelta(days=days),
    )
    session.add(link)
    session.commit()
    return link, _serializer().dumps({"l": link.id, "n": link.nonce})


def open_link(session: Session, token: str) -> RatingLink:
    """The link a token names, or RatingError: invalid (bad signature), expired, used."""
    try:
        data = _serializer().loads(token, max_age=settings.get("RATING_LINK_MAX_AGE_DAYS") * 86400)
    except SignatureExpired:
        raise RatingError(410, "link_expired", "评价链接已过期") from None
    except BadSignature:
        raise RatingError(404, "link_invalid", "评价链接无效") from None
    link = session.get(RatingLink, data.get("l")) if isinstance(data, dict) else None
    if link is None or link.nonce != data.get("n"):
        raise RatingError(404, "link_invalid", "评价链接无效")
    if link.expires_at < utcnow():
        raise RatingError(410, "link_expired", "评价链接已过期")
    if link.used_at is not None:
        raise RatingError(409, "link_used", "该评价链接已使用过")
    return link


def rate_as_customer(
    session: Session, token: str, scores: dict[str, int], comment: str | None = None
) -> Rating:
    """A customer's rating through a link; the link is spent atomically (one use, also when raced)."""
    link = open_link(session, token)
    _check_scores(scores)
    spent = session.execute(
        update(RatingLink)
        .where(RatingLink.id == link.id, RatingLink.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if spent != 1:
        session.rollback()
        raise RatingError(409, "link_used", "该评价链接已使用过")
    rating = _new_rating(link.rep_id, "customer", scores, comment, link_id=link.id)
    session.add(rating)
    session.commit()
    return rating


def given_by(session: Session, rater: User) -> list[Rating]:
    """The ratings a user gave (their own history; never shown to the rated rep)."""
    return list(session.scalars(select(Rating).where(Rating.rater_id == rater.id).order_by(Rating.id.desc())))


def _new_rating(rep_id: int, kind: str, scores: dict[str, int], comment: str | None, **who) -> Rating:
    _check_scores(scores)
    today = utcnow().date()
    rating = Rating(rep_id=rep_id, rater_kind=kind, day=today, comment=(comment or None), **who)
    rating.scores = [RatingScore(behaviour=b, value=int(v)) for b, v in scores.items()]
    return rating


def _check_scores(scores: dict[str, int]) -> None:
    if not scores:
        raise RatingError(422, "no_scores", "至少给一项能力评分")
    lo, hi = settings.get("RATING_SCALE")
    for behaviour, value in scores.items():
        if behaviour not in BEHAVIOURS:
            raise RatingError(422, "invalid_behaviour", f"未知的能力项：{behaviour}")
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise RatingError(422, "invalid_score", f"{behaviour} 的评分必须是 {lo}–{hi} 的整数")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)
