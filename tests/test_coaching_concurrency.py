"""Parallel bookers never overbook a slot: threads with their own sessions race for the seats
(on SQLite by default, on PostgreSQL when DATABASE_URL is set)."""

import threading

from sqlalchemy import func, select

from coachsvc import coaching
from coachsvc.db.models import User
from coachsvc.db.radar import ExpertSlot, SlotBooking
from tests import factories
from tests import radar_factories as rf

BOOKERS = 12
CAPACITY = 3
ROUNDS = 3


def race(app, slot_id, users):
    barrier = threading.Barrier(len(users))
    outcomes, errors = [], []

    def book(user_id):
        db = app.extensions["coachsvc.db"]
        with db.sessionmaker() as session:
            user = session.get(User, user_id)
            barrier.wait()
            try:
                coaching.book_slot(session, slot_id, user)
                outcomes.append("booked")
            except coaching.CoachingError as exc:
                outcomes.append(exc.code)
            except Exception as exc:  # noqa: BLE001 - reported below, never swallowed
                errors.append(exc)

    threads = [threading.Thread(target=book, args=(u.id,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return outcomes


def test_parallel_bookers_never_exceed_capacity(app, session, team, trainer):
    users = [factories.make_user(session, "rep", team) for _ in range(BOOKERS)]
    for _ in range(ROUNDS):
        slot = rf.make_slot(session, trainer, capacity=CAPACITY)
        outcomes = race(app, slot.id, users)
        assert sorted(outcomes) == sorted(["booked"] * CAPACITY + ["slot_full"] * (BOOKERS - CAPACITY))
        session.expire_all()
        assert session.get(ExpertSlot, slot.id).booked == CAPACITY
        count = session.scalar(
            select(func.count()).select_from(SlotBooking).where(SlotBooking.slot_id == slot.id)
        )
        assert count == CAPACITY


def test_one_user_racing_for_the_same_slot_gets_one_seat(app, session, team, trainer):
    user = factories.make_user(session, "rep", team)
    slot = rf.make_slot(session, trainer, capacity=5)
    outcomes = race(app, slot.id, [user] * 6)
    assert outcomes.count("booked") == 1
    assert set(outcomes) <= {"booked", "already_booked"}
    session.expire_all()
    assert session.get(ExpertSlot, slot.id).booked == 1
