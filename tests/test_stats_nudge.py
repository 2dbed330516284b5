"""The statistics' warm-up is queued a few seconds after a commit that changed a table they
read (app.stats.nudge), once per burst of commits, only when a worker runs the jobs; a
commit of other tables, a rolled-back change and immediate mode queue nothing."""

from datetime import date
from decimal import Decimal

import pytest

from app.aid.models import Disbursement
from app.aid.states import AidStatus
from app.stats import nudge
from app.transfer import jobs


@pytest.fixture
def queued(monkeypatch):
    """The delays of the warm-ups queued (as if a worker ran the jobs)."""
    delays = []
    monkeypatch.setattr(jobs, "warm_statistics_soon", lambda delay: delays.append(delay) or True)
    monkeypatch.setattr(nudge, "_queued_until", [0.0])
    return delays


def disbursement(item, day=date(2025, 4, 10)) -> Disbursement:
    return Disbursement(
        aid_item_id=item.id,
        disbursed_on=day,
        amount=Decimal(1_000_000),
        currency="VND",
        value_vnd=1_000_000,
    )


def test_a_disbursement_posted_through_the_form_queues_one_warm_up(login, make_item, queued):
    item = make_item("NUDGE-1", status=AidStatus.DANG_THUC_HIEN)
    queued.clear()
    nudge._queued_until[0] = 0.0  # the item's own warm-up has run
    planner = login("planning.officer")
    assert queued == []  # signing in changes no table the statistics read
    response = planner.post(
        f"/vien-tro/{item.id}/ghi-nhan/giai-ngan",
        {
            "disbursed_on": "01/06/2025",
            "amount": "3.000.000",
            "currency": "VND",
            "source": "Sao kê",
        },
    )
    assert response.status_code == 302
    assert queued == [nudge.DELAY]
    planner.get(f"/vien-tro/{item.id}")  # reading commits nothing that counts
    assert queued == [nudge.DELAY]


def test_a_burst_of_commits_queues_one_warm_up_then_another(app_ctx, db, make_item, queued):
    item = make_item("NUDGE-2", status=AidStatus.DANG_THUC_HIEN)
    for day in (date(2025, 5, 1), date(2025, 5, 2)):
        db.session.add(disbursement(item, day))
        db.session.commit()
    assert queued == [nudge.DELAY]  # the second is covered by the first's warm-up, later
    nudge._queued_until[0] = 0.0  # that warm-up has run
    db.session.add(disbursement(item, date(2025, 5, 3)))
    db.session.commit()
    assert queued == [nudge.DELAY, nudge.DELAY]


def test_a_rolled_back_change_queues_nothing(app_ctx, db, make_item, queued):
    item = make_item("NUDGE-3", status=AidStatus.DANG_THUC_HIEN)
    queued.clear()
    nudge._queued_until[0] = 0.0
    db.session.add(disbursement(item))
    db.session.flush()
    db.session.rollback()
    db.session.commit()  # nothing left to commit
    assert queued == []


def test_without_a_worker_nothing_is_queued(monkeypatch):
    """Immediate mode (development without a worker, the tests): the warm-up would run in
    the writing request, so warm_statistics_soon queues nothing; with a worker it schedules
    the warm-up task with the delay."""

    class Task:
        def __init__(self):
            self.delays = []

        def schedule(self, delay):
            self.delays.append(delay)

    class Queue:
        immediate = True

    task = Task()
    monkeypatch.setattr(jobs, "_queue", lambda: (Queue, None, task))
    assert jobs.warm_statistics_soon(3.0) is False and task.delays == []
    Queue.immediate = False
    assert jobs.warm_statistics_soon(3.0) is True and task.delays == [3.0]


def test_the_worker_has_the_warm_up_task():
    _, _, warm_now = jobs._queue()
    assert warm_now.name == "warm_statistics_now"
