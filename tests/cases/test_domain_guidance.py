"""What each score means in each wellbeing domain, in English and Khmer: seeded for the
standard domains, editable on the domain's page, shown beside each score in the assessment
form and on the assessment's page."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from phteah.accounts.roles import Role
from phteah.cases.domain_guidance import DEFAULT_GUIDANCE, GUIDANCE_FIELDS
from phteah.cases.models import Assessment, AssessmentDomain
from phteah.cases.services import DEFAULT_DOMAINS
from phteah.core.models import AuditEvent
from tests import factories
from tests.conftest import sign_in
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
KHMER = range(0x1780, 0x1800)


def _khmer(text):
    return any(ord(char) in KHMER for char in text)


def test_every_standard_domain_has_guidance_for_each_score_in_both_languages():
    assert set(DEFAULT_GUIDANCE) == {code for code, _en, _km in DEFAULT_DOMAINS}
    for code, texts in DEFAULT_GUIDANCE.items():
        assert len(texts) == 4, code
        for english, khmer in texts:
            assert english.strip() and not _khmer(english), (code, english)
            assert _khmer(khmer), (code, khmer)
            assert len(english) <= 500 and len(khmer) <= 500
        # Four different meanings, not one text repeated.
        assert len({english for english, _ in texts}) == 4, code


def test_a_new_organisation_gets_the_guidance_with_its_domains(organisation):
    factories.domains(organisation)  # assessment_domains_seed, as a new organisation gets
    domain = AssessmentDomain.objects.get(organisation=organisation, code="food_security")
    assert domain.guidance(1) == DEFAULT_GUIDANCE["food_security"][0][0]
    assert domain.guidance(4, "km") == DEFAULT_GUIDANCE["food_security"][3][1]
    assert domain.guidance(5) == ""


def test_khmer_guidance_falls_back_to_english(organisation):
    domain = AssessmentDomain.objects.create(
        organisation=organisation, code="faith", name_en="Faith", guidance_2="Rarely"
    )
    assert domain.guidance(2, "km") == "Rarely"
    assert domain.guidance(3, "km") == ""


def test_the_migration_fills_the_standard_domains_and_keeps_written_guidance(organisation):
    factories.domains(organisation)
    blank = dict.fromkeys(GUIDANCE_FIELDS, "")
    AssessmentDomain.objects.filter(organisation=organisation).update(**blank)
    AssessmentDomain.objects.filter(organisation=organisation, code="shelter").update(
        guidance_1="Our own words"
    )
    migration = importlib.import_module("phteah.cases.migrations.0008_seed_domain_score_guidance")
    migration.seed(django_apps, None)
    care = AssessmentDomain.objects.get(organisation=organisation, code="care")
    assert care.guidance_3 == DEFAULT_GUIDANCE["care"][2][0]
    assert care.guidance_3_km == DEFAULT_GUIDANCE["care"][2][1]
    shelter = AssessmentDomain.objects.get(organisation=organisation, code="shelter")
    assert shelter.guidance_1 == "Our own words" and shelter.guidance_2 == ""


def test_an_administrator_edits_the_guidance_on_the_domain_page(client, member, organisation):
    admin = member(Role.ORG_ADMIN)
    sign_in(client, admin.user)
    factories.domains(organisation)
    domain = AssessmentDomain.objects.get(organisation=organisation, code="shelter")
    url = reverse("cases:domain_edit", args=[domain.pk])
    page = client.get(url).content.decode()
    assert DEFAULT_GUIDANCE["shelter"][0][0] in page
    assert DEFAULT_GUIDANCE["shelter"][0][1] in page
    data = {"name_en": domain.name_en, "name_km": domain.name_km, "position": "10"}
    data |= {name: getattr(domain, name) for name in GUIDANCE_FIELDS}
    data |= {"guidance_2": " Roof leaks badly. ", "guidance_2_km": "ដំបូលលិចទឹកខ្លាំង។"}
    response = client.post(url, data | {"is_active": "on"})
    assert response.status_code == 302
    domain.refresh_from_db()
    assert domain.guidance_2 == "Roof leaks badly."
    assert domain.guidance(2, "km") == "ដំបូលលិចទឹកខ្លាំង។"
    assert domain.guidance_1 == DEFAULT_GUIDANCE["shelter"][0][0]
    event = AuditEvent.objects.filter(action="cases.domain.updated").latest("created_at")
    assert "guidance_2" in str(event.changes)


def test_guidance_too_long_is_refused(client, member, organisation):
    admin = member(Role.ORG_ADMIN)
    sign_in(client, admin.user)
    factories.domains(organisation)
    domain = AssessmentDomain.objects.get(organisation=organisation, code="shelter")
    response = client.post(
        reverse("cases:domain_edit", args=[domain.pk]),
        {"name_en": "Shelter", "position": "10", "guidance_1": "x" * 501},
    )
    assert response.status_code == 200
    assert 'href="#id_guidance_1"' in response.content.decode()
    domain.refresh_from_db()
    assert domain.guidance_1 == DEFAULT_GUIDANCE["shelter"][0][0]


@pytest.fixture
def scored_case(organisation, worker):
    return CaseFactory(organisation=organisation, workers=[worker.user])


def test_the_assessment_form_shows_what_each_score_means(client, worker, organisation, scored_case):
    domains = factories.domains(organisation)
    sign_in(client, worker.user)
    url = reverse("cases:assessment_add", args=[scored_case.pk])
    html = client.get(url).content.decode()
    food = next(domain for domain in domains if domain.code == "food_security")
    for score in (1, 2, 3, 4):
        assert f'name="score_{food.pk}" value="{score}"' in html
        assert DEFAULT_GUIDANCE["food_security"][score - 1][0] in html
    # Beside its own score: the guidance of 1 sits in the label of the radio for 1.
    label = html[html.index(f'name="score_{food.pk}" value="1"') :]
    label = label[: label.index("</label>")]
    assert DEFAULT_GUIDANCE["food_security"][0][0] in label
    # In Khmer, the Khmer text.
    client.post(reverse("accounts:set_language"), {"language": "km", "next": url})
    khmer = client.get(url).content.decode()
    assert DEFAULT_GUIDANCE["food_security"][0][1] in khmer


def test_the_assessment_page_shows_what_each_given_score_means(
    client, worker, organisation, scored_case
):
    domains = factories.domains(organisation)
    sign_in(client, worker.user)
    url = reverse("cases:assessment_add", args=[scored_case.pk])
    data = {"kind": "initial", "assessed_on": TODAY.isoformat(), "risk_level": "low"}
    data |= {f"score_{domain.pk}": "2" for domain in domains}
    assert client.post(url, data).status_code == 302
    assessment = Assessment.objects.get()
    page = client.get(reverse("cases:assessment_detail", args=[scored_case.pk, assessment.pk]))
    html = page.content.decode()
    assert DEFAULT_GUIDANCE["shelter"][1][0] in html
    assert DEFAULT_GUIDANCE["shelter"][0][0] not in html
