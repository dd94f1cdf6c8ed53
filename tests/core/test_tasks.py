"""The scheduled audit tasks and their beat schedule."""

import json
import os
import subprocess
import sys

import pytest

from phteah.core import tasks
from phteah.core.models import AuditEvent

from .audit.conftest import access, log_events, raw


def test_the_beat_schedule_seals_every_minute_and_anchors_hourly(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["audit-seal"] == {"task": "phteah.core.audit_seal", "schedule": 60.0}
    assert schedule["audit-anchor"] == {"task": "phteah.core.audit_anchor", "schedule": 3600.0}
    from phteah.celery import app

    app.loader.import_default_modules()  # what a worker does: every app's tasks module
    assert {"phteah.core.audit_seal", "phteah.core.audit_anchor"} <= set(app.tasks)
    assert "phteah.people.network_matches_purge" in app.tasks
    assert app.conf.beat_schedule == schedule


def test_the_schedule_comes_from_the_environment(tmp_path):
    environment = {
        **os.environ,
        "PHTEAH_DATA_DIR": str(tmp_path),
        "AUDIT_SEAL_EVERY": "30",
        "AUDIT_ANCHOR_EVERY": "0",  # anchored by cron instead
    }
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, phteah.settings as s; print(json.dumps(s.CELERY_BEAT_SCHEDULE))",
        ],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(shown) == {
        "audit-seal": {"task": "phteah.core.audit_seal", "schedule": 30.0},
        "submissions-purge": {"task": "phteah.core.submissions_purge", "schedule": 86400.0},
        "grants-expire": {"task": "phteah.cases.grants_expire", "schedule": 3600.0},
        "referrals-overdue": {"task": "phteah.referrals.overdue_notify", "schedule": 3600.0},
        "referrals-erase": {"task": "phteah.referrals.groups_erase", "schedule": 86400.0},
        "network-matches-purge": {
            "task": "phteah.people.network_matches_purge",
            "schedule": 3600.0,
        },
        "notifications-retry": {
            "task": "phteah.notifications.deliveries_retry",
            "schedule": 300.0,
        },
    }


@pytest.mark.django_db
def test_the_seal_task_seals(organisation):
    access(organisation)
    assert tasks.audit_seal_task.delay().get() == 1
    assert not AuditEvent.all_chains.filter(sequence__isnull=True).exists()


@pytest.mark.django_db
def test_the_anchor_task_writes_a_checkpoint(organisation, settings):
    log_events(organisation, 2)
    path = tasks.audit_anchor_task.delay().get()
    assert json.loads(open(path).read())["chains"][0]["length"] == 2


@pytest.mark.django_db
def test_the_anchor_task_fails_loudly_when_the_trail_was_cut(organisation):
    events = log_events(organisation, 2)
    tasks.audit_anchor_task.delay().get()
    raw("DELETE FROM core_auditevent WHERE id = %s", [events[-1].pk])
    raw("UPDATE core_auditchain SET length = 1, head_hash = %s", [events[0].hash])
    with pytest.raises(RuntimeError, match="No audit checkpoint written"):
        tasks.audit_anchor_task.delay().get()
