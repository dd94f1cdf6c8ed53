"""One choice of digits per user (phteah.core.numerals): Khmer or Latin digits in the visible
text of every page, codes and references kept in Latin digits, markup never changed."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from phteah.core.numerals import KHMER, LATIN, active, choosing, html_digits, numerals_for

from ..factories import CareProviderFactory, PlacementFactory, VisitFactory

LATIN_DIGIT = re.compile(r"[0-9]")
KHMER_DIGIT = re.compile(r"[០-៩]")
# A code or reference: digits in one word with Latin letters (FB-2026-0001, a@b1.test).
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_./@:+\-]*", re.ASCII)


class _VisibleText(HTMLParser):
    """The text a reader sees: not scripts, styles, inputs' values or translate="no"."""

    HIDDEN = {"script", "style", "textarea", "pre", "code", "kbd", "samp"}
    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "wbr", "area", "col"}

    def __init__(self):
        super().__init__()
        self.stack, self.parts = [], []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        hidden = tag in self.HIDDEN or dict(attrs).get("translate") == "no"
        self.stack.append((tag, hidden or any(h for _, h in self.stack)))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not (self.stack and self.stack[-1][1]):
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def latin_digits_outside_codes(text: str) -> list[str]:
    words = (m.group() for m in CODE.finditer(text))
    return [w for w in words if LATIN_DIGIT.search(w) and not re.search("[A-Za-z]", w)]


class TestTheChoice:
    def test_without_a_choice_the_digits_follow_the_language(self):
        assert numerals_for(choice="", language="km") == KHMER
        assert numerals_for(choice="", language="en") == LATIN

    def test_a_choice_wins_over_the_language(self):
        assert numerals_for(choice=LATIN, language="km") == LATIN
        assert numerals_for(choice=KHMER, language="en") == KHMER

    def test_the_active_system_is_the_choice_of_the_moment(self):
        with translation.override("km"):
            assert active() == KHMER
            with choosing(LATIN):
                assert active() == LATIN
            assert active() == KHMER


class TestHtmlDigits:
    def test_visible_numbers_take_khmer_digits(self):
        html = "<p>34 ករណី · 12 ឆ្នាំ · 98% · 2 MB · 2 ធ្នូ 2026 · 14:30</p>"
        assert html_digits(html, KHMER) == (
            "<p>៣៤ ករណី · ១២ ឆ្នាំ · ៩៨% · ២ MB · ២ ធ្នូ ២០២៦ · ១៤:៣០</p>"
        )

    def test_khmer_digits_of_translations_take_latin_digits(self):
        assert html_digits("<p>លេខកូដ ៦ ខ្ទង់ · ២ MB</p>", LATIN) == "<p>លេខកូដ 6 ខ្ទង់ · 2 MB</p>"

    def test_markup_and_attribute_values_are_kept(self):
        html = (
            '<a href="/cases/12/?page=2" data-n="3" aria-label="x">4</a>'
            '<input name="visited_on" value="02/12/2026"><img src="/a1.png" alt="">'
        )
        assert html_digits(html, KHMER) == (
            '<a href="/cases/12/?page=2" data-n="3" aria-label="x">៤</a>'
            '<input name="visited_on" value="02/12/2026"><img src="/a1.png" alt="">'
        )

    def test_scripts_styles_text_areas_and_marked_codes_are_kept(self):
        html = (
            "<script>var a = 1 < 2;</script><style>p{margin:0 1px}</style>"
            "<textarea>note 5</textarea><pre>7</pre><code>8</code>"
            '<span translate="no">0123 <b>9</b></span> <span translate="no">1</span>6'
        )
        assert html_digits(html, KHMER) == html.replace("</span>6", "</span>៦")

    def test_the_kept_element_ends_at_its_own_end_tag(self):
        html = '<div translate="no"><div>1</div>2</div>3'
        assert html_digits(html, KHMER) == '<div translate="no"><div>1</div>2</div>៣'

    def test_codes_references_and_character_references_are_kept(self):
        html = "<p>FB-2026-0001 · sok1@example.test · 3G · &#39;5&#x27; &amp; 6</p>"
        assert html_digits(html, KHMER) == (
            "<p>FB-2026-0001 · sok1@example.test · 3G · &#39;៥&#x27; &amp; ៦</p>"
        )

    def test_a_marked_void_element_keeps_nothing_after_it(self):
        html = '<input translate="no" value="1"><br translate="no"/>2'
        assert html_digits(html, KHMER) == '<input translate="no" value="1"><br translate="no"/>២'

    def test_an_unclosed_kept_element_keeps_the_rest(self):
        assert html_digits("1<code>2<p>3", KHMER) == "១<code>2<p>3"

    def test_khmer_digits_of_values_stay_in_latin_mode(self):
        html = '<input value="០២/១២/២០២៦" data-n="៣">៤'
        assert html_digits(html, LATIN) == '<input value="០២/១២/២០២៦" data-n="៣">4'

    def test_attributes_a_reader_sees_or_hears_follow_the_choice(self):
        html = (
            '<svg aria-label="ពិន្ទុ 4" data-n="4"><title>4</title></svg>'
            '<a title="FB-2026-0001 · 3 ថ្ងៃ" href="/a/3/">x</a><img alt="&#39;1">'
            '<input placeholder="ឧ. 2/12/2026" value="5">'
        )
        assert html_digits(html, KHMER) == (
            '<svg aria-label="ពិន្ទុ ៤" data-n="4"><title>៤</title></svg>'
            '<a title="FB-2026-0001 · ៣ ថ្ងៃ" href="/a/3/">x</a><img alt="&#39;១">'
            '<input placeholder="ឧ. ២/១២/២០២៦" value="5">'
        )
        assert html_digits('<b aria-label="ពិន្ទុ ៤">៤</b>', LATIN) == '<b aria-label="ពិន្ទុ 4">4</b>'

    def test_comments_and_doctype_are_kept(self):
        html = "<!doctype html><!-- 1 --><title>2</title>"
        assert html_digits(html, KHMER) == "<!doctype html><!-- 1 --><title>២</title>"


@pytest.fixture
def world(organisation, worker, case):
    provider = CareProviderFactory(organisation=organisation, capacity=12)
    PlacementFactory(case=case, provider=provider, recorded_by=worker.user)
    VisitFactory(case=case, recorded_by=worker.user)
    return {"case": case, "provider": provider}


def _pages(world):
    return [
        reverse("cases:case_list"),
        reverse("cases:case_detail", args=[world["case"].pk]),
        reverse("work:my_work"),
        reverse("care:provider_list"),
        reverse("care:provider_detail", args=[world["provider"].pk]),
        reverse("accounts:profile"),
    ]


@pytest.mark.django_db
class TestPages:
    def _visible(self, client, url):
        response = client.get(url)
        assert response.status_code == 200, url
        return visible_text(response.content.decode())

    def test_a_khmer_user_sees_khmer_digits_and_latin_codes(self, client, signed_in, worker, world):
        worker.user.language, worker.user.numerals = "km", ""
        worker.user.save()
        signed_in(worker)
        for url in _pages(world):
            text = self._visible(client, url)
            assert latin_digits_outside_codes(text) == [], url
            assert KHMER_DIGIT.search(text), url
        assert world["case"].reference in self._visible(client, _pages(world)[0])

    def test_a_khmer_user_who_chose_latin_digits_sees_no_khmer_digit(
        self, client, signed_in, worker, world
    ):
        worker.user.language, worker.user.numerals = "km", LATIN
        worker.user.save()
        signed_in(worker)
        for url in _pages(world):
            text = self._visible(client, url)
            assert not KHMER_DIGIT.search(text), (url, KHMER_DIGIT.findall(text))
            assert LATIN_DIGIT.search(text), url

    def test_an_english_user_gets_latin_digits(self, client, signed_in, worker, world):
        worker.user.language, worker.user.numerals = "en", ""
        worker.user.save()
        signed_in(worker)
        for url in _pages(world):
            assert not KHMER_DIGIT.search(self._visible(client, url)), url

    def test_an_english_user_may_choose_khmer_digits(self, client, signed_in, worker, world):
        worker.user.language, worker.user.numerals = "en", KHMER
        worker.user.save()
        signed_in(worker)
        text = self._visible(client, _pages(world)[0])
        assert latin_digits_outside_codes(text) == [] and KHMER_DIGIT.search(text)


@pytest.mark.django_db
class TestChoosingOnTheAccountPage:
    def test_the_choice_is_saved_audited_and_applied(self, client, signed_in, worker):
        worker.user.language = "km"
        worker.user.save()
        signed_in(worker)
        page = client.get(reverse("accounts:profile")).content.decode()
        assert 'name="numerals"' in page and "០១២៣" in page and "0123" in page
        response = client.post(reverse("accounts:profile"), {"numerals": LATIN})
        assert response.status_code == 302
        worker.user.refresh_from_db()
        assert worker.user.numerals == LATIN
        from phteah.core.models import AuditEvent

        assert AuditEvent.objects.filter(action="accounts.user.numerals_changed").count() == 1
        page = client.get(reverse("accounts:profile")).content.decode()
        assert not KHMER_DIGIT.search(visible_text(page).replace("០១២៣", ""))

    def test_an_unknown_choice_is_refused(self, client, signed_in, worker):
        signed_in(worker)
        response = client.post(reverse("accounts:profile"), {"numerals": "roman"})
        assert response.status_code == 200
        worker.user.refresh_from_db()
        assert worker.user.numerals == ""


@pytest.mark.django_db
def test_a_document_number_is_a_code_kept_in_latin_digits(client, signed_in, worker, case):
    from ..factories import IdentityDocumentFactory

    IdentityDocumentFactory(person=case.person, number="010203040")
    worker.user.language = "km"
    worker.user.save()
    signed_in(worker)
    page = client.get(reverse("people:person_detail", args=[case.person.pk])).content.decode()
    assert 'translate="no">010203040<' in page and "០១០២០៣០៤០" not in page
