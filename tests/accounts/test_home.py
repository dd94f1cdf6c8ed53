"""The home page and the language switch (accounts views)."""

import pytest
from django.urls import reverse

from phteah.accounts.roles import Role

from ..conftest import sign_in


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
def test_home_lists_what_the_role_can_do(client, member):
    sign_in(client, member(Role.ME_OFFICER).user)
    page = client.get(reverse("accounts:home")).content.decode()
    assert "Export reports" in page and "Add staff" not in page
