"""One-time submissions (phteah.core.submissions): every form that creates something is saved
once, however often it is sent — a second tap, Back and Save again, two processes racing.

- the token: signed, bound to its user, expiring, never accepted forged or missing;
- every create form, posted twice with the token its page gave: one record, and the second
  answer says it was saved already, with the redirect the first one had;
- a missing, forged, another user's or expired token: refused on the form with a message,
  nothing written, and the form shown again with a fresh token that works;
- the service side: the claim is rolled back with a refused change; callers without a form
  pass none; two connections racing with one token on PostgreSQL make one record;
- old claims are purged."""

from __future__ import annotations

import datetime
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.messages import get_messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from phteah.accounts.models import Invitation, Office
from phteah.accounts.roles import Role
from phteah.care.models import (
    CareProvider,
    Carer,
    CareRule,
    Placement,
    Relative,
    ReunificationAssessment,
    TracingAction,
)
from phteah.cases import services as cases_services
from phteah.cases.models import (
    Action,
    Assessment,
    AssessmentDomain,
    Case,
    CaseGrant,
    Conference,
    Goal,
    PlanReview,
    ServiceDelivery,
    ServiceType,
    Visit,
)
from phteah.core import submissions
from phteah.core.audit import writing
from phteah.core.errors import ServiceError
from phteah.core.models import SubmittedForm
from phteah.core.submissions import (
    ALREADY_SAVED,
    EXPIRED,
    INVALID,
    Submission,
    submission_issue,
    submission_parse,
    submissions_purge,
)
from phteah.people.models import Consent, Household, HouseholdMember, Person
from phteah.referrals.models import Referral, ReferralLetter, Transfer
from tests import factories
from tests.conftest import sign_in
from tests.factories import (
    CareProviderFactory,
    CaseFactory,
    ConsentFactory,
    HouseholdFactory,
    HouseholdMemberFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RelativeFactory,
    ServiceTypeFactory,
)

TODAY = datetime.date.today()
TOKEN = re.compile(r'name="submission" value="([^"]+)"')


# --- the token ---------------------------------------------------------------------------


def test_a_token_is_bound_to_its_user_and_unguessable(worker, supervisor):
    token = submission_issue(worker.user)
    parsed = submission_parse(token, user=worker)
    assert parsed.user_id == str(worker.user_id) and len(parsed.key) >= 22
    assert submission_parse(submission_issue(worker), user=worker.user).key != parsed.key
    for wrong in ("", None, "x" * 301, token[:-2] + "xx", token + "x"):
        with pytest.raises(ValidationError) as refused:
            submission_parse(wrong, user=worker)
        assert refused.value.messages == [str(INVALID)]
    with pytest.raises(ValidationError) as another:
        submission_parse(token, user=supervisor)
    assert another.value.messages == [str(INVALID)]
    forged = signing.dumps({"k": "mine", "u": str(worker.user_id)}, salt="another.salt")
    with pytest.raises(ValidationError) as bad:
        submission_parse(forged, user=worker)
    assert bad.value.messages == [str(INVALID)]


def test_a_token_expires(worker, monkeypatch):
    issued_at = time.time() - submissions.MAX_AGE.total_seconds() - 60
    monkeypatch.setattr(signing.time, "time", lambda: issued_at)
    old = submission_issue(worker)
    monkeypatch.undo()
    with pytest.raises(ValidationError) as refused:
        submission_parse(old, user=worker)
    assert refused.value.messages == [str(EXPIRED)]


def test_old_claims_are_purged(worker):
    fresh = SubmittedForm.objects.create(key="fresh", user=worker.user)
    old = SubmittedForm.objects.create(key="old", user=worker.user)
    SubmittedForm.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - submissions.MAX_AGE - datetime.timedelta(minutes=1)
    )
    # Never less than the tokens' lifetime: a purged claim's token must have expired.
    assert submissions_purge(older_than=datetime.timedelta(0)) == 1
    assert list(SubmittedForm.objects.values_list("key", flat=True)) == [fresh.key]


def test_the_purge_is_scheduled():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "phteah.core.submissions_purge" in tasks


# --- every create form --------------------------------------------------------------------


@dataclass
class Create:
    """A create form: the page that shows it, where it is sent, valid data, and how many
    records of its kind there are."""

    name: str
    role: str  # "worker" or "admin"
    setup: Callable  # (world) -> (page url, post url, data)
    count: Callable  # (world) -> int


def _case_page(world, name, *args):
    return reverse(name, args=[world.case.pk, *args])


def _same(url, data):
    return url, url, data


def _closure(world):
    factories.assessment(world.case, world.worker.user, kind="closure")
    url = _case_page(world, "cases:closure_request")
    return _same(url, {"reason": "moved_away", "notes": "The family moved to Thailand."})


def _goal(world):
    return factories.goal(world.case)


CREATES = [
    Create(
        "people:register",
        "worker",
        lambda w: _same(
            reverse("people:register"),
            {
                "family_name_km": "សុខ",
                "given_name_km": "សុភា",
                "family_name_latin": "Sok",
                "given_name_latin": "Sophea",
                "sex": "female",
                "date_of_birth": "2014-06-15",
            },
        ),
        lambda w: Person.objects.count(),
    ),
    Create(
        "people:household_add",
        "worker",
        lambda w: _same(
            reverse("people:household_add", args=[w.case.person_id]),
            {"name": "Sok family", "relationship": "child"},
        ),
        lambda w: Household.objects.count(),
    ),
    Create(
        "people:household_member_add",
        "worker",
        lambda w: _member_add(w),
        lambda w: HouseholdMember.objects.count(),
    ),
    Create(
        "people:consent_add",
        "worker",
        lambda w: _same(
            reverse("people:consent_add", args=[w.case.person_id]),
            {
                "given_as": "guardian",
                "given_by_name": "Chan Sreymom",
                "given_on": TODAY.isoformat(),
                "purpose": "services",
                "method": "signed_form",
            },
        ),
        lambda w: Consent.objects.count(),
    ),
    Create(
        "cases:case_add",
        "worker",
        lambda w: _case_add(w),
        lambda w: Case.objects.count(),
    ),
    Create(
        "cases:assessment_add",
        "worker",
        lambda w: _assessment(w),
        lambda w: Assessment.objects.count(),
    ),
    Create(
        "cases:domain_list",
        "admin",
        lambda w: _same(reverse("cases:domain_list"), {"name_en": "Play", "name_km": "លេង"}),
        lambda w: AssessmentDomain.objects.count(),
    ),
    Create(
        "cases:goal_add",
        "worker",
        lambda w: _same(_case_page(w, "cases:goal_add"), {"description": "Back to school"}),
        lambda w: Goal.objects.count(),
    ),
    Create(
        "cases:action_add",
        "worker",
        lambda w: _same(
            _case_page(w, "cases:action_add", _goal(w).pk),
            {"description": "Call", "owner": w.worker.user_id},
        ),
        lambda w: Action.objects.count(),
    ),
    Create(
        "cases:plan_review_add",
        "worker",
        lambda w: _same(
            _case_page(w, "cases:plan_review_add"),
            {"reviewed_on": TODAY.isoformat(), "notes": "Going well"},
        ),
        lambda w: PlanReview.objects.count(),
    ),
    Create(
        "cases:conference_add",
        "worker",
        lambda w: _same(
            _case_page(w, "cases:conference_add"),
            {
                "held_on": TODAY.isoformat(),
                "participants": "Sok",
                "child_views": "Home",
                "decisions": "Assess the aunt",
            },
        ),
        lambda w: Conference.objects.count(),
    ),
    Create(
        "cases:closure_request",
        "worker",
        _closure,
        lambda w: Case.objects.filter(closure_requested_on__isnull=False).count(),
    ),
    Create(
        "cases:visit_add",
        "worker",
        lambda w: _same(
            _case_page(w, "cases:visit_add"),
            {
                "visited_on": TODAY.isoformat(),
                "kind": "home",
                "people_seen": "the grandmother",
                "next_visit_due": (TODAY + datetime.timedelta(days=30)).isoformat(),
            },
        ),
        lambda w: Visit.objects.count(),
    ),
    Create(
        "cases:service_add",
        "worker",
        lambda w: _same(
            _case_page(w, "cases:service_add"),
            {
                "service_type": ServiceTypeFactory(organisation=w.organisation).pk,
                "delivered_on": TODAY.isoformat(),
                "provided_by": "us",
                "recipient": "child",
                "quantity": "1",
                "currency": "USD",
            },
        ),
        lambda w: ServiceDelivery.objects.count(),
    ),
    Create(
        "cases:service_type_add",
        "admin",
        lambda w: _same(reverse("cases:service_type_add"), {"name_en": "Bicycle", "name_km": "កង់"}),
        lambda w: ServiceType.objects.count(),
    ),
    Create(
        "care:provider_add",
        "worker",
        lambda w: _same(
            reverse("care:provider_add"),
            {"kind": "temporary_centre", "name": "Safe House", "capacity": "12"},
        ),
        lambda w: CareProvider.objects.count(),
    ),
    Create(
        "care:carer_add",
        "worker",
        lambda w: _carer(w),
        lambda w: Carer.objects.count(),
    ),
    Create(
        "care:placement_add",
        "worker",
        lambda w: _same(
            _case_page(w, "care:placement_add"),
            {"care_type": "kinship", "started_on": TODAY.isoformat(), "reason": "No safe home."},
        ),
        lambda w: Placement.objects.count(),
    ),
    Create(
        "care:tracing_add",
        "worker",
        lambda w: _same(
            _case_page(w, "care:tracing_add"),
            {
                "done_on": TODAY.isoformat(),
                "where_searched": "Market",
                "done_by": "Staff",
                "outcome": "Found.",
            },
        ),
        lambda w: TracingAction.objects.count(),
    ),
    Create(
        "care:relative_add",
        "worker",
        lambda w: _same(
            _case_page(w, "care:relative_add"),
            {"name": "Chan Srey", "relationship": "aunt", "found_on": TODAY.isoformat()},
        ),
        lambda w: Relative.objects.count(),
    ),
    Create(
        "care:reunification_add",
        "worker",
        lambda w: _same(
            _case_page(w, "care:reunification_add"),
            {
                "assessed_on": TODAY.isoformat(),
                "relative": RelativeFactory(case=w.case).pk,
                "recommendation": "not_yet",
                "notes": "More support first.",
            },
        ),
        lambda w: ReunificationAssessment.objects.count(),
    ),
    Create(
        "care:rule_add",
        "admin",
        lambda w: (
            reverse("care:rules"),
            reverse("care:rule_add"),
            {"kind": "visit_every", "care_type": "pagoda", "risk_level": "", "value": "20"},
        ),
        lambda w: CareRule.objects.count(),
    ),
    Create(
        "accounts:member_add",
        "admin",
        lambda w: _same(
            reverse("accounts:member_add"),
            {"email": "new.member@example.test", "full_name": "Chan Sreymom", "role": "viewer"},
        ),
        lambda w: Invitation.objects.count(),
    ),
    Create(
        "accounts:office_add",
        "admin",
        lambda w: _same(reverse("accounts:office_add"), {"name": "Battambang", "phone": "099"}),
        lambda w: Office.objects.count(),
    ),
    Create(
        "referrals:referral_new",
        "worker",
        lambda w: _referral(w),
        lambda w: Referral.objects.count(),
    ),
    Create(
        "referrals:transfer_new",
        "supervisor",
        lambda w: _transfer(w),
        lambda w: Transfer.objects.count(),
    ),
    Create(
        "cases:authority_visit_add",
        "officer",
        lambda w: _authority_visit(w),
        lambda w: Visit.objects.count(),
    ),
    Create(
        "referrals:letter_new",
        "worker",
        lambda w: _letter(w),
        lambda w: ReferralLetter.objects.count(),
    ),
    Create(
        "referrals:contact_new",
        "worker",
        lambda w: _contact_request(w),
        lambda w: _contact_requests(),
    ),
]


def _letter(world):
    from tests.factories import OffSystemConsentFactory

    ServiceTypeFactory(organisation=world.organisation, code="health", name_en="Health care")
    consent = OffSystemConsentFactory(person=world.case.person)
    return _same(
        _case_page(world, "referrals:letter_new"),
        {
            "consent": str(consent.pk),
            "partner_kind": "hospital",
            "services": ["health"],
            "urgency": "urgent",
            "reason": "A fall; needs an X-ray.",
            "language": "en",
        },
    )


def _contact_request(world):
    """A possible match of the case's child in another organisation (network.md §7)."""
    from phteah.people.models import NetworkCheck, NetworkMatch

    elsewhere = OrganisationFactory(name="Elsewhere for the token test")
    theirs = factories.PersonFactory(organisation=elsewhere)
    person = world.case.person
    check = NetworkCheck.objects.create(
        organisation=world.organisation, person=person, by=world.worker.user
    )
    match = NetworkMatch.objects.create(
        organisation=world.organisation,
        network_check=check,
        person=person,
        candidate_organisation=elsewhere,
        candidate_person_id=theirs.pk,
        band=90,
        kinds=["name", "date_of_birth", "sex"],
        expires_at=timezone.now() + datetime.timedelta(hours=24),
    )
    return _same(
        reverse("referrals:contact_new", args=[match.pk]),
        {"message": "Do you know this child?", "contact": "Sok Dara, 012 345 678"},
    )


def _contact_requests() -> int:
    from phteah.referrals.models import ContactRequest

    return ContactRequest.objects.count()


def _referral(world):
    from tests.referrals.support import published_organisation

    partner = published_organisation("Partner for the token test")
    ServiceTypeFactory(organisation=world.organisation, code="counselling", name_en="Counselling")
    ConsentFactory(
        person=world.case.person,
        purpose="share_organisation",
        for_referral=True,
        organisations=[partner],
    )
    return _same(
        _case_page(world, "referrals:referral_new"),
        {
            "receivers": [str(partner.pk)],
            "services": ["counselling"],
            "urgency": "routine",
            "reason": "Counselling after the fire.",
        },
    )


def _transfer(world):
    from tests.referrals.support import published_organisation

    partner = published_organisation("Partner for the transfer token test")
    ConsentFactory(
        person=world.case.person,
        purpose="share_organisation",
        for_transfer=True,
        organisations=[partner],
    )
    return _same(
        _case_page(world, "referrals:transfer_new"),
        {"receiver": str(partner.pk), "reason": "The family moved to Battambang."},
    )


def _authority_visit(world):
    consent = ConsentFactory(person=world.case.person, purpose="share_government")
    now = timezone.now()
    CaseGrant.objects.create(
        organisation=world.organisation,
        case=world.case,
        grantee=world.officer.organisation,
        level="view",
        purpose="government_share",
        consent=consent,
        granted_by=world.supervisor.user,
        granted_at=now - datetime.timedelta(days=3),
        valid_until=now + datetime.timedelta(days=30),
        handled_by=world.officer.user,
    )
    return _same(
        _case_page(world, "cases:authority_visit_add"),
        {"visited_on": TODAY.isoformat(), "people_seen": "The child"},
    )


def _member_add(world):
    household = HouseholdFactory(organisation=world.organisation)
    HouseholdMemberFactory(household=household, person=world.case.person)
    mother = PersonFactory(
        organisation=world.organisation,
        created_by=world.worker.user,
        given_name_latin="Sreymom",
    )
    url = reverse("people:household_member_add", args=[household.pk]) + "?q=Sreymom"
    return url, url, {"person": str(mother.pk), "relationship": "mother"}


def _case_add(world):
    person = PersonFactory(organisation=world.organisation, created_by=world.worker.user)
    page = reverse("cases:case_add") + f"?person={person.pk}"
    data = {
        "person": person.pk,
        "case_type": "foster_care",
        "referral_source": "hotline",
        "referral_reason": "Left at the hospital.",
        # Yesterday: at 09:30 today may still be in the future in Phnom Penh.
        "identified_on": (TODAY - datetime.timedelta(days=1)).isoformat(),
        "identified_time": "09:30",
        "risk_level": "high",
        "supervisor": world.supervisor.user_id,
        "main_worker": world.worker.user_id,
    }
    return page, reverse("cases:case_add"), data


def _assessment(world):
    domains = factories.domains(world.organisation)
    data = {"kind": "initial", "assessed_on": TODAY.isoformat(), "risk_level": "low"}
    data |= {f"score_{domain.pk}": "3" for domain in domains}
    return _same(_case_page(world, "cases:assessment_add"), data)


def _carer(world):
    provider = CareProviderFactory(organisation=world.organisation)
    return (
        reverse("care:provider_detail", args=[provider.pk]),
        reverse("care:carer_add", args=[provider.pk]),
        {"name": "Sok Mealea", "phone": "012"},
    )


def test_every_create_form_is_listed():
    """Every form class with the one-time token is one of CREATES (or a form of theirs)."""
    from tests.test_forms_hostile import FORMS

    with_token = {
        case.url
        for case in FORMS
        if issubclass(case.form, submissions.OnceFormMixin) and case.method == "post"
    }
    # Edit forms share a class with an add form, but are shown without a token.
    edits = {
        "accounts:office_edit",
        "cases:domain_edit",
        "cases:goal_update",
        "cases:action_update",
        "cases:visit_edit",
        "cases:service_edit",
        "cases:service_type_edit",
        "care:provider_edit",
    }
    assert with_token - edits == {create.name for create in CREATES}


@dataclass
class World:
    organisation: object
    worker: object
    supervisor: object
    admin: object
    case: object
    officer: object  # of the ministry, for a case shared with it


@pytest.fixture
def world(organisation, worker, supervisor, admin):
    case = CaseFactory(organisation=organisation, workers=[worker.user], supervisor=supervisor.user)
    ministry = OrganisationFactory(name="Ministry", kind="national_government")
    officer = MembershipFactory(organisation=ministry, role="case_worker")
    return World(organisation, worker, supervisor, admin, case, officer)


def _signed_in(client, world, create):
    return sign_in(client, getattr(world, create.role).user)


def _token(client, page) -> str:
    response = client.get(page)
    assert response.status_code == 200, page
    found = TOKEN.findall(response.content.decode())
    assert len(found) == 1, f"{page}: {len(found)} one-time tokens on the page"
    return found[0]


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("create", CREATES, ids=lambda create: create.name)
def test_a_form_sent_twice_creates_one_record(client, world, create):
    _signed_in(client, world, create)
    page, url, data = create.setup(world)
    before = create.count(world)
    token = _token(client, page)
    first = client.post(url, data | {"submission": token})
    assert first.status_code in (200, 302), first.content.decode()[:2000]
    assert create.count(world) == before + 1, "the first submission saved nothing"
    if first.status_code == 200:  # the invitation page answers the first with a page
        assert "form" not in first.context or not first.context["form"].errors
    if first.status_code == 302:
        client.get(first["Location"])  # shows (and so takes) its message
    second = client.post(url, data | {"submission": token})
    assert create.count(world) == before + 1, "the second submission saved again"
    assert second.status_code == 302
    if first.status_code == 302:
        assert second["Location"] == first["Location"]
    assert _messages(second) == [str(ALREADY_SAVED)]


@pytest.mark.parametrize("create", CREATES, ids=lambda create: create.name)
@pytest.mark.parametrize("token", ["missing", "forged", "another user's", "expired"])
def test_a_bad_token_is_refused_on_the_form(client, world, create, token, monkeypatch):
    _signed_in(client, world, create)
    page, url, data = create.setup(world)
    before = create.count(world)
    good = _token(client, page)
    if token == "missing":
        sent = ""
    elif token == "forged":
        sent = good[:-3] + ("abc" if not good.endswith("abc") else "xyz")
    elif token == "another user's":
        other = world.worker if create.role in ("admin", "supervisor") else world.supervisor
        sent = submission_issue(other)
    else:
        issued_at = time.time() - submissions.MAX_AGE.total_seconds() - 60
        with monkeypatch.context() as patched:
            patched.setattr(signing.time, "time", lambda: issued_at)
            sent = submission_issue(getattr(world, create.role))
    response = client.post(url, data | {"submission": sent})
    assert response.status_code == 200
    text = response.content.decode()
    message = EXPIRED if token == "expired" else INVALID
    assert str(message) in text.replace("&#x27;", "'")
    assert create.count(world) == before
    # Shown again with a fresh token, which saves.
    fresh = TOKEN.findall(text)
    assert len(fresh) == 1 and fresh[0] not in (sent, good)
    again = client.post(url, data | {"submission": fresh[0]})
    assert again.status_code in (200, 302)
    assert create.count(world) == before + 1


def test_a_refused_change_frees_the_token(client, world):
    """A rule refuses the visit (its next visit before it): nothing claimed, the form shown
    again (with a fresh token), and the corrected form saves."""
    sign_in(client, world.worker.user)
    url = _case_page(world, "cases:visit_add")
    token = _token(client, url)
    data = {"visited_on": TODAY.isoformat(), "kind": "home", "next_visit_due": "2020-01-01"}
    refused = client.post(url, data | {"submission": token})
    assert refused.status_code == 200 and not Visit.objects.exists()
    assert not SubmittedForm.objects.exists()
    assert TOKEN.findall(refused.content.decode())[0] != token
    data["next_visit_due"] = (TODAY + datetime.timedelta(days=3)).isoformat()
    assert client.post(url, data | {"submission": token}).status_code == 302
    assert Visit.objects.count() == 1 and SubmittedForm.objects.count() == 1


# --- the service side ---------------------------------------------------------------------


def _visit(world, submission=None):
    return cases_services.visit_record(
        actor=world.worker,
        case_id=world.case.pk,
        visited_on=TODAY,
        kind="home",
        people_seen="",
        schooling="",
        wellbeing_notes="",
        next_visit_due=None,
        submission=submission,
    )


def _submission(world):
    return submission_parse(submission_issue(world.worker), user=world.worker)


def test_the_service_claims_the_token_in_its_transaction(world):
    submission = _submission(world)
    first = _visit(world, submission)
    claim = SubmittedForm.objects.get(key=submission.key)
    assert (claim.record_type, claim.record_id) == ("cases.visit", str(first.pk))
    assert claim.organisation_id == world.organisation.pk and not submission.replayed
    again = Submission(submission.key, submission.user_id)
    assert _visit(world, again) == first and again.replayed
    assert Visit.objects.count() == 1
    # Without a form (a command, a task, the demo data): no token, no claim.
    _visit(world)
    assert Visit.objects.count() == 2 and SubmittedForm.objects.count() == 1


def test_a_token_is_the_users_and_the_organisations(world, other_organisation):
    submission = _submission(world)
    with pytest.raises(ServiceError) as refused:
        cases_services.goal_add(
            actor=world.supervisor,
            case_id=world.case.pk,
            description="x",
            domain=None,
            submission=submission,
        )
    assert refused.value.message == INVALID
    _visit(world, submission)
    # The same user in another organisation cannot replay it there.
    elsewhere = factories.MembershipFactory(
        organisation=other_organisation, user=world.worker.user, role=Role.CASE_WORKER
    )
    other_case = CaseFactory(organisation=other_organisation, workers=[world.worker.user])
    with scope(organisation=other_organisation.pk), pytest.raises(ServiceError) as taken:
        cases_services.visit_record(
            actor=elsewhere,
            case_id=other_case.pk,
            visited_on=TODAY,
            kind="home",
            submission=Submission(submission.key, submission.user_id),
        )
    assert taken.value.message == INVALID


def test_a_record_gone_since_is_answered_with_the_message(world):
    submission = _submission(world)
    goal = cases_services.goal_add(
        actor=world.worker, case_id=world.case.pk, description="x", submission=submission
    )
    with scopes_disabled():
        Goal.objects.filter(pk=goal.pk).delete()
    with pytest.raises(ServiceError) as refused:
        cases_services.goal_add(
            actor=world.worker,
            case_id=world.case.pk,
            description="x",
            submission=Submission(submission.key, submission.user_id),
        )
    assert refused.value.message == ALREADY_SAVED
    assert not Goal.objects.exists()


# --- two connections racing (PostgreSQL) ----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_connections_racing_with_one_token_make_one_record(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite runs one writing transaction at a time: the second submission waits for "
            "the first and finds its claim (test_a_form_sent_twice_creates_one_record)"
        )
    with scopes_disabled():
        organisation = factories.OrganisationFactory()
        worker = factories.MembershipFactory(organisation=organisation, role=Role.CASE_WORKER)
        case = CaseFactory(organisation=organisation, workers=[worker.user])
    world = World(organisation, worker, None, None, case, None)
    submission = _submission(world)

    # The first is held just before it appends its events (its claim and visit written,
    # not committed); the second starts then and must wait for the first's key.
    reached, release = threading.Event(), threading.Event()
    real_append = writing._append
    holding = threading.local()

    def append(events):
        if getattr(holding, "hold", False):
            holding.hold = False
            reached.set()
            assert release.wait(15), "never released"
        return real_append(events)

    monkeypatch.setattr(writing, "_append", append)
    results, pids = {}, {}

    def side(name, hold):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids[name] = cursor.fetchone()[0]
                cursor.execute("SET lock_timeout = '10s'")
            holding.hold = hold
            with scope(organisation=organisation.pk):
                mine = Submission(submission.key, submission.user_id)
                results[name] = (_visit(world, mine).pk, mine.replayed)
        except Exception as error:  # noqa: BLE001 - reported below
            results[name] = error
        finally:
            connection.close()

    first = threading.Thread(target=side, args=("first", True))
    first.start()
    assert reached.wait(15), results
    second = threading.Thread(target=side, args=("second", False))
    second.start()
    waited = False
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and second.is_alive():
        pid = pids.get("second")
        if pid is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
                row = cursor.fetchone()
            if row and row[0] == "Lock":
                waited = True
                break
        time.sleep(0.005)
    release.set()
    first.join(20)
    second.join(20)
    assert waited, f"the second never waited for the first's claim: {results}"
    (visit_id, replayed), (again_id, again_replayed) = results["first"], results["second"]
    assert not replayed and again_replayed and again_id == visit_id
    with scopes_disabled():
        assert Visit.objects.filter(case=case).count() == 1
        assert SubmittedForm.objects.filter(key=submission.key).count() == 1
