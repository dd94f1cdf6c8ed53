"""Permission matrix rows for the notifications app (tests/test_permissions.py): any member
reads their own notifications and settings; a notification is its recipient's alone (the case
worker's here: everyone else, at home or elsewhere, gets 404)."""

from django.db import transaction

from phteah.notifications.models import Kind
from phteah.notifications.services import notifications_fan_out
from tests.matrix_support import WORKER, expect

ROWS = [
    ("notifications:list", None, "get", None, expect(200)),
    ("notifications:preferences", None, "get", None, expect(200)),
    ("notifications:preferences", None, "post", {}, expect(302)),
    ("notifications:mark_all_read", None, "post", None, expect(302)),
    ("notifications:mark_read", "notification", "post", None, expect(404, worker=302)),
]


def objects(world) -> dict[str, dict]:
    worker = world["actors"][WORKER]
    with transaction.atomic():
        (notification,) = notifications_fan_out(
            kind=Kind.REFERRAL_ACCEPTED,
            organisation_id=world["owner"].pk,
            recipients=[worker.user_id],
            data={"organisation": str(world["other"].pk), "reference": "ELS-2026-0001"},
        )
    return {"notification": {"notification_id": notification.pk}}
