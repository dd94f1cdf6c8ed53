"""The administrator's page that erases values from one audit event."""

import pytest
from django.db import connection
from django.urls import reverse

from phteah.accounts.roles import Role
from phteah.core.audit import audit_log, audit_verify, audited_atomic
from phteah.core.models import AuditEvent

from ..conftest import sign_in


@pytest.fixture
def admin(member, client):
    membership = member(Role.ORG_ADMIN)
    sign_in(client, membership.user)
    return membership


def _event(organisation):
    with audited_atomic():
        return audit_log(
            actor=None,
            organisation=organisation,
            action="people.person.updated",
            changes={"full_name": ["Sok Dara", "Sok Dary"]},
            data={"note": "typed on the wrong child"},
            ip="10.1.1.1",
        )


def _url(event):
    return reverse("accounts:audit_erase", kwargs={"event_id": event.pk})


def _stored(event):
    return AuditEvent.all_chains.get(pk=event.pk)


@pytest.mark.django_db
class TestAuditErasePage:
    def test_it_shows_the_events_values_with_a_checkbox_each(self, client, admin):
        event = _event(admin.organisation)
        page = client.get(_url(event)).content.decode()
        for path in ("changes.full_name", "data.note", "ip"):
            assert f'value="{path}"' in page
        assert "Sok Dara → Sok Dary" in page and "typed on the wrong child" in page
        assert 'name="reason"' in page

    def test_it_asks_to_confirm_then_erases(self, client, admin):
        event = _event(admin.organisation)
        chosen = {"paths": ["changes.full_name", "data.note"], "reason": "Court order 7/2026"}
        response = client.post(_url(event), chosen)
        assert response.status_code == 200 and response.context["confirming"]
        page = response.content.decode()
        assert "will be erased from the event for good" in page and "Court order 7/2026" in page
        assert _stored(event).erased == {}  # nothing erased before the confirmation
        confirmed = chosen | {"confirmed": response.context["form"]["confirmed"].value()}
        response = client.post(_url(event), confirmed)
        assert response.status_code == 302 and response.url == _url(event)
        after = _stored(event)
        assert set(after.erased) == {"changes.full_name", "data.note"}
        assert "full_name" not in after.changes and after.ip == "10.1.1.1"
        assert audit_verify().ok
        erasure = AuditEvent.all_chains.get(action="core.audit.values_erased")
        assert erasure.actor_id == admin.user.pk and erasure.data["reason"] == "Court order 7/2026"
        assert erasure.ip == "127.0.0.1"
        page = client.get(_url(event)).content.decode()
        assert "The values were erased" in page
        assert "erased on" in page and admin.user.full_name in page
        assert "Sok Dary" not in page

    def test_a_confirmation_counts_only_for_what_was_shown(self, client, admin):
        event = _event(admin.organisation)
        response = client.post(_url(event), {"paths": ["ip"], "reason": "Retention"})
        token = response.context["form"]["confirmed"].value()
        response = client.post(
            _url(event), {"paths": ["ip", "data.note"], "reason": "Retention", "confirmed": token}
        )
        assert response.status_code == 200 and response.context["confirming"]
        assert _stored(event).erased == {}

    @pytest.mark.parametrize(
        "posted",
        [
            {"paths": ["ip"], "reason": ""},
            {"paths": ["ip"], "reason": "x" * 1001},
            {"paths": [], "reason": "Court order"},
            {"paths": ["data.not_there"], "reason": "Court order"},
            {"paths": ["ip"], "reason": "Court order\x00"},
        ],
    )
    def test_bad_input_is_refused_with_a_message_and_nothing_erased(self, client, admin, posted):
        event = _event(admin.organisation)
        response = client.post(_url(event), posted | {"confirmed": "whatever"})
        assert response.status_code == 200
        assert response.context["form"].errors
        assert _stored(event).erased == {}

    def test_a_value_erased_meanwhile_is_a_message_not_an_error(self, client, admin):
        event = _event(admin.organisation)
        chosen = {"paths": ["ip"], "reason": "Retention"}
        response = client.post(_url(event), chosen)
        token = response.context["form"]["confirmed"].value()
        client.post(_url(event), chosen | {"confirmed": token})
        response = client.post(_url(event), chosen | {"confirmed": token})
        assert response.status_code == 200 and response.context["form"].errors
        assert AuditEvent.all_chains.filter(action="core.audit.values_erased").count() == 1

    @pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.CASE_WORKER, Role.ME_OFFICER])
    def test_it_is_404_for_everyone_but_administrators(self, client, member, role):
        someone = member(role)
        event = _event(someone.organisation)
        sign_in(client, someone.user)
        assert client.get(_url(event)).status_code == 404
        response = client.post(_url(event), {"paths": ["ip"], "reason": "x", "confirmed": "x"})
        assert response.status_code == 404
        assert _stored(event).erased == {}

    def test_it_is_404_for_another_organisations_event(self, client, admin, other_organisation):
        event = _event(other_organisation)
        assert client.get(_url(event)).status_code == 404
        assert client.post(_url(event), {"paths": ["ip"], "reason": "x"}).status_code == 404
        assert _stored(event).erased == {}
        assert AuditEvent.all_chains.filter(
            organisation=other_organisation, action="core.access.denied_outside"
        ).exists()

    def test_it_is_404_for_an_event_that_does_not_exist(self, client, admin):
        url = reverse("accounts:audit_erase", kwargs={"event_id": 10**15})
        assert client.get(url).status_code == 404

    def test_a_marker_phteah_did_not_write_does_not_break_the_page(self, client, admin):
        event = _event(admin.organisation)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE core_auditevent SET erased = %s WHERE id = %s",
                [
                    AuditEvent._meta.get_field("erased").get_db_prep_save(
                        {"ip": {"at": "yesterday", "by": "someone"}, "data.x": "junk"},
                        connection,
                    ),
                    event.pk,
                ],
            )
        assert client.get(_url(event)).status_code == 200
