"""The language of a page: Khmer on a first visit whatever the browser asks for, the choice
made on the login page before sign-in, and the account's language after it."""

import pytest
from django.urls import reverse

from ..factories import PASSWORD

LOGIN = reverse("accounts:login")
COOKIE = "phteah_language"


def _sign_in(client, user):
    return client.post(
        LOGIN, {"username": user.email, "password": PASSWORD}, REMOTE_ADDR="10.3.3.3"
    )


@pytest.mark.django_db
class TestLoginPageLanguage:
    def test_a_first_visit_from_an_english_phone_gets_the_khmer_login_page(self, client):
        page = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        html = page.content.decode()
        assert 'lang="km"' in html.split(">", 2)[1]
        assert "Sign in" not in html
        assert 'value="en" lang="en">English</button>' in html

    def test_the_choice_on_the_login_page_is_kept(self, client):
        response = client.post(reverse("accounts:set_language"), {"language": "en", "next": LOGIN})
        assert response.status_code == 302 and response.cookies[COOKIE].value == "en"
        html = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="km").content.decode()
        assert "Sign in" in html

    def test_an_unknown_cookie_value_falls_back_to_khmer(self, client):
        client.cookies[COOKIE] = "fr"
        assert "Sign in" not in client.get(LOGIN).content.decode()


@pytest.mark.django_db
class TestLanguageAfterSignIn:
    def test_the_account_language_wins_over_the_login_page_choice(self, client, worker):
        worker.user.language = "km"
        worker.user.save()
        client.cookies[COOKIE] = "en"
        response = _sign_in(client, worker.user)
        assert response.status_code == 302
        assert response.cookies[COOKIE].value == "km"
        home = client.get(response.url, follow=True).content.decode()
        assert 'lang="km"' in home.split(">", 2)[1]

    def test_an_english_account_gets_english_after_a_khmer_login_page(self, client, worker):
        worker.user.language = "en"
        worker.user.save()
        response = _sign_in(client, worker.user)
        assert response.cookies[COOKIE].value == "en"
        home = client.get(response.url, follow=True).content.decode()
        assert 'lang="en"' in home.split(">", 2)[1]

    def test_the_login_page_after_sign_out_keeps_the_account_language(self, client, worker):
        worker.user.language = "en"
        worker.user.save()
        _sign_in(client, worker.user)
        client.post(reverse("accounts:logout"))
        assert "Sign in" in client.get(LOGIN).content.decode()
