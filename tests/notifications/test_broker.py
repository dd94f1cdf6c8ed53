"""Notifications through a real broker: Redis on 127.0.0.1:6379 and a real
``celery -A phteah worker --pool=solo`` process started here, on PostgreSQL (the worker
reads the committed rows through its own connection).

Run by `.ci/run` (``PHTEAH_BROKER_TESTS=1 pytest -m broker`` on PostgreSQL); skipped
otherwise, so `make test` needs no Redis. Each notification is delivered exactly once after
commit — the e-mail (the console backend, in the worker's output) and the Telegram message
(to a fake Bot API on loopback) — however often its task is enqueued again, and never after a
rollback."""

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django_scopes import scopes_disabled

import phteah
from phteah.accounts.roles import Role
from phteah.notifications.models import NotificationDelivery
from tests.factories import CaseFactory, MembershipFactory, OrganisationFactory

from .conftest import grant_event, publish
from .test_sending import TOKEN, FakeTelegram

BROKER = os.environ.get("PHTEAH_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(
        os.environ.get("PHTEAH_BROKER_TESTS") != "1",
        reason="needs Redis and PostgreSQL: PHTEAH_BROKER_TESTS=1 (run by .ci/run)",
    ),
]


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


def _wait(condition, *, seconds=60, what="the worker"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def fake_telegram():
    server = FakeTelegram()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def worker(tmp_path, fake_telegram, settings):
    """A Celery worker process on a queue of its own; this process sends to it."""
    if connection.vendor != "postgresql":
        pytest.skip("the broker test runs on PostgreSQL")
    import redis

    client = redis.Redis.from_url(BROKER)
    client.ping()
    queue = f"phteah-test-{uuid.uuid4().hex[:8]}"
    settings.TELEGRAM_BOT_TOKEN = TOKEN
    settings.TELEGRAM_CHAT_ID = "-1001"
    settings.TELEGRAM_API_BASE = fake_telegram.base
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(Path(phteah.__file__).parents[1]), *sys.path]),
        "DATABASE_URL": _database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": BROKER,
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_CHAT_ID": "-1001",
        "TELEGRAM_API_BASE": fake_telegram.base,
        "PHTEAH_SITE_URL": "https://phteah.example.org",
        "LOG_LEVEL": "INFO",
    }
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "phteah",
                "worker",
                "--pool=solo",
                "-Q",
                queue,
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    app = phteah.celery_app
    keys = ("task_always_eager", "broker_url", "task_default_queue")
    before = {key: app.conf[key] for key in keys}
    app.conf.update(task_always_eager=False, broker_url=BROKER, task_default_queue=queue)
    try:
        _wait(lambda: " ready." in log.read_text() or process.poll() is not None, what="start")
        assert process.poll() is None, log.read_text()
        yield {"log": log, "queue": queue, "redis": client}
    finally:
        app.conf.update(before)
        app.pool.force_close_all()
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        client.delete(queue)


def _drained(worker, *, settle=2.0) -> None:
    """Wait until the worker's queue is empty and the task it took is done."""
    _wait(lambda: worker["redis"].llen(worker["queue"]) == 0, what="the queue")
    time.sleep(settle)


@pytest.mark.django_db(transaction=True)
def test_each_notification_is_delivered_once_after_commit_and_never_after_rollback(
    worker, fake_telegram
):
    from phteah.notifications import tasks

    with scopes_disabled():
        owner = OrganisationFactory(name="Family Bridge", short_code="FB")
        grantee = OrganisationFactory(name="Battambang DoSVY", short_code="DSV")
        officers = [MembershipFactory(organisation=grantee, role=Role.SUPERVISOR) for _ in "ab"]
        case = CaseFactory(organisation=owner)
        rolled_back_case = CaseFactory(organisation=owner)

    publish(grant_event(rolled_back_case, grantee), fail=True)
    publish(grant_event(case, grantee))  # commits: two e-mails and one Telegram message

    def all_sent():
        return NotificationDelivery.objects.filter(status="sent").count() == 3

    _wait(all_sent, what="the deliveries")
    deliveries = list(NotificationDelivery.objects.all())
    assert len(deliveries) == 3  # nothing of the rolled-back transaction
    # Enqueued again, and the retry on top: nothing is sent a second time.
    for delivery in deliveries:
        tasks.delivery_send.delay(str(delivery.pk))
    tasks.deliveries_retry.delay()
    _drained(worker)

    assert [d.attempts for d in NotificationDelivery.objects.all()] == [1, 1, 1]
    assert len(fake_telegram.requests) == 1
    output = worker["log"].read_text()
    assert output.count("Task phteah.notifications.delivery_send[") >= 6  # in the worker
    for officer in officers:
        assert output.count(f"To: {officer.user.email}") == 1
    assert rolled_back_case.reference not in output
    assert output.count(case.reference) == 2  # in the two e-mails; never on Telegram
