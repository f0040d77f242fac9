"""Activity records: queries scoped to who is asking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from coachsvc.auth import scope_activities
from coachsvc.db.models import ActivityRecord, Customer, User


@dataclass
class ActivityFilters:
    rep_id: int | None = None
    customer_id: int | None = None
    customer: str | None = None
    stage: str | None = None
    status: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass
class Page:
    items: list[ActivityRecord]
    total: int
    page: int
    per_page: int


def get_activity(session: Session, viewer: User, activity_id: int) -> ActivityRecord | None:
    """The record, or None when it does not exist or `viewer` may not see it."""
    query = scope_activities(select(ActivityRecord), viewer).where(ActivityRecord.id == activity_id)
    query = query.options(
        selectinload(ActivityRecord.segments),
        selectinload(ActivityRecord.objections),
        selectinload(ActivityRecord.roles),
        selectinload(ActivityRecord.next_steps),
    )
    return session.scalar(query)


def list_activities(
    session: Session, viewer: User, filters: ActivityFilters, page: int = 1, per_page: int = 20
) -> Page:
    query = scope_activities(select(ActivityRecord), viewer)
    query = _apply_filters(query, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(
        query.options(selectinload(ActivityRecord.rep), selectinload(ActivityRecord.customer))
        .order_by(ActivityRecord.visit_date.desc(), ActivityRecord.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(list(items), total, page, per_page)


def _apply_filters(query, f: ActivityFilters):
    if f.rep_id is not None:
        query = query.where(ActivityRecord.rep_id == f.rep_id)
    if f.customer_id is not None:
        query = query.where(ActivityRecord.customer_id == f.customer_id)
    if f.customer:
        query = query.join(Customer, ActivityRecord.customer_id == Customer.id).where(
            Customer.name.contains(f.customer)
        )
    if f.stage:
        query = query.where(ActivityRecord.stage == f.stage)
    if f.status:
        query = query.where(ActivityRecord.status == f.status)
    if f.date_from:
        query = query.where(ActivityRecord.visit_date >= f.date_from)
    if f.date_to:
        query = query.where(ActivityRecord.visit_date <= f.date_to)
    return query
