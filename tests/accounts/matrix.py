"""The accounts views added with invitations, in the permission matrix (see
tests/test_permissions.py and tests/matrix_support.py).

The invitation built here belongs to the owning organisation and is addressed to someone who
is none of the actors: nobody in the matrix may accept or decline it, the owner's
administrator alone may send it again or cancel it, and its link opens for anyone (the
token is the credential; what follows checks who answers)."""

from tests.matrix_support import ADMIN, VIEWER, expect, only_admin

ROWS = [
    ("accounts:member_add", None, "post", {"email": ""}, only_admin()),
    ("accounts:invitation_resend", "invitation", "post", None, only_admin()),
    ("accounts:invitation_cancel", "invitation", "post", None, only_admin(ok=302)),
    ("accounts:invitation_accept", "invitation", "post", None, expect(404)),
    ("accounts:invitation_decline", "invitation", "post", None, expect(404)),
    ("accounts:invitation_open", "invitation_token", "get", None, expect(302, anon=302, other=302)),
    ("accounts:audit_event", "audit_event", "get", None, expect(404, admin=200, supervisor=200)),
    # without a link opened in this browser there is nothing to answer
    ("accounts:invitation_respond", None, "get", None, expect(404, anon=404)),
]


def objects(world) -> dict[str, dict]:
    from phteah.accounts.services import invitation_create

    invitation, token = invitation_create(
        actor=world["actors"][ADMIN],
        email="invitee@example.test",
        full_name="Keo Vannak",
        role=VIEWER,
        site_url="http://testserver",
    )
    from phteah.core.audit import audit_log, audited_atomic

    with audited_atomic():
        event = audit_log(
            actor=world["actors"][ADMIN].user,
            organisation=world["owner"],
            action="accounts.office.updated",
            changes={"phone": ["", "012 345 678"]},
        )
    return {
        "audit_event": {"event_id": event.pk},
        "invitation": {"invitation_id": invitation.pk},
        "invitation_token": {"token": token},
    }
