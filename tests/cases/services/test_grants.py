"""Grants: sharing a case with a government office on consent, what the grantee may then see
and do, and how a share ends (revoked, expired, consent withdrawn)."""

import datetime

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from phteah.accounts.models import Organisation
from phteah.accounts.roles import Role
from phteah.cases import services
from phteah.cases.access import (
    Shared,
    case_get_for_user,
    cases_shared_with,
    grant_scope,
    visit_get_for_user,
)
from phteah.cases.events import GrantCreated, GrantRevoked
from phteah.cases.models import CaseGrant, Visit
from phteah.cases.services.grants import grants_expire
from phteah.core import events as domain_events
from phteah.core.audit import audit_verify
from phteah.core.errors import NotFound, ServiceError
from phteah.core.models import AuditEvent
from phteah.people.models import Consent
from phteah.people.services import consent_withdraw
from tests.cases.test_list import village
from tests.factories import (
    CaseFactory,
    ConsentFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def gov_supervisor(dosvy):
    return MembershipFactory(organisation=dosvy, role=Role.SUPERVISOR)


@pytest.fixture
def gov_worker(dosvy):
    return MembershipFactory(organisation=dosvy, role=Role.CASE_WORKER)


@pytest.fixture
def child_case(organisation, worker, supervisor, place):
    person = PersonFactory(organisation=organisation, village=place)
    return CaseFactory(
        organisation=organisation, person=person, workers=[worker.user], supervisor=supervisor.user
    )


@pytest.fixture
def gov_consent(child_case):
    return ConsentFactory(
        person=child_case.person,
        purpose=Consent.Purpose.SHARE_GOVERNMENT,
        method=Consent.Method.SIGNED_FORM,
    )


def share(supervisor, case, office, **kwargs):
    return services.case_share_with_government(
        actor=supervisor, case_id=case.pk, grantee_id=office.pk, **kwargs
    )


def actions(organisation):
    with scopes_disabled():
        return list(
            AuditEvent.all_chains.filter(organisation=organisation)
            .order_by("id")
            .values_list("action", flat=True)
        )


def test_a_case_is_shared_with_the_provincial_office_on_consent(
    supervisor, child_case, gov_consent, dosvy, organisation
):
    published = []
    domain_events.subscribe(GrantCreated, published.append)
    grant = share(supervisor, child_case, dosvy)
    assert grant.level == CaseGrant.Level.VIEW and grant.purpose == "government_share"
    assert grant.consent == gov_consent and grant.granted_by == supervisor.user
    days = (grant.valid_until - grant.granted_at).days
    assert 179 <= days <= 180
    assert "cases.grant.created" in actions(organisation)
    assert [e.grant_id for e in published] == [grant.pk]


def test_without_a_government_consent_nothing_is_shared(supervisor, child_case, dosvy):
    ConsentFactory(person=child_case.person, purpose=Consent.Purpose.SERVICES)
    with pytest.raises(ServiceError, match="No consent on record"):
        share(supervisor, child_case, dosvy)
    with scopes_disabled():
        assert not CaseGrant.objects.exists()


def test_an_assent_alone_or_a_withdrawn_consent_does_not_cover(supervisor, child_case, dosvy):
    ConsentFactory(
        person=child_case.person,
        purpose=Consent.Purpose.SHARE_GOVERNMENT,
        given_as=Consent.GivenAs.CHILD_ASSENT,
    )
    ConsentFactory(
        person=child_case.person,
        purpose=Consent.Purpose.SHARE_GOVERNMENT,
        withdrawn_on=TODAY,
    )
    with pytest.raises(ServiceError, match="No consent on record"):
        share(supervisor, child_case, dosvy)


def test_only_an_office_serving_the_child_may_receive_the_share(
    supervisor, child_case, gov_consent
):
    ngo = OrganisationFactory(name="Partner NGO")
    elsewhere = OrganisationFactory(name="Kampot DoSVY", kind=Organisation.Kind.PROVINCIAL_OFFICE)
    elsewhere.provinces.add(village("07").commune.district.province)
    council = OrganisationFactory(name="CCWC", kind=Organisation.Kind.COMMUNE_COUNCIL)
    with pytest.raises(ServiceError, match="government office"):
        share(supervisor, child_case, ngo)
    with pytest.raises(ServiceError, match="does not serve"):
        share(supervisor, child_case, elsewhere)
    with pytest.raises(ServiceError, match="does not serve"):
        share(supervisor, child_case, council)
    council.communes.add(child_case.person.village.commune)
    assert share(supervisor, child_case, council).grantee == council
    ministry = OrganisationFactory(name="MoSVY", kind=Organisation.Kind.NATIONAL_GOVERNMENT)
    assert share(supervisor, child_case, ministry).grantee == ministry


def test_the_end_date_is_after_today_within_the_limit_and_the_consent(
    supervisor, child_case, gov_consent, dosvy
):
    with pytest.raises(ServiceError, match="after today"):
        share(supervisor, child_case, dosvy, valid_until=TODAY)
    with pytest.raises(ServiceError, match="at most"):
        share(supervisor, child_case, dosvy, valid_until=TODAY + datetime.timedelta(days=400))
    gov_consent.valid_until = TODAY + datetime.timedelta(days=20)
    gov_consent.save()
    with pytest.raises(ServiceError, match="only until"):
        share(supervisor, child_case, dosvy, valid_until=TODAY + datetime.timedelta(days=30))
    grant = share(supervisor, child_case, dosvy)  # the default ends with the consent
    assert timezone.localtime(grant.valid_until).date() == gov_consent.valid_until


def test_a_second_active_share_is_refused_and_an_expired_one_is_replaced(
    supervisor, child_case, gov_consent, dosvy
):
    first = share(supervisor, child_case, dosvy)
    with pytest.raises(ServiceError, match="already shared"):
        share(supervisor, child_case, dosvy)
    CaseGrant.objects.filter(pk=first.pk).update(
        granted_at=timezone.now() - datetime.timedelta(days=200),
        valid_until=timezone.now() - datetime.timedelta(minutes=1),
    )
    second = share(supervisor, child_case, dosvy)
    first.refresh_from_db()
    assert first.revoke_reason == "expired" and second.revoked_at is None


def test_a_case_worker_may_not_share_a_case_they_cannot_see(member, child_case, gov_consent, dosvy):
    stranger = member(Role.CASE_WORKER)
    with pytest.raises(NotFound):
        share(stranger, child_case, dosvy)


# --- what the grantee sees ------------------------------------------------------------


@pytest.fixture
def grant(supervisor, child_case, gov_consent, dosvy):
    return share(supervisor, child_case, dosvy)


def read_as(actor, case_id, **kwargs):
    with scope(organisation=actor.organisation_id):
        return case_get_for_user(actor=actor, case_id=case_id, **kwargs)


def test_the_office_supervisor_reads_the_shared_case_only_when_asking_for_it(
    grant, gov_supervisor, child_case
):
    case = read_as(gov_supervisor, child_case.pk, shared=Shared.READ)
    assert case.pk == child_case.pk and case.grant.pk == grant.pk
    with pytest.raises(NotFound):
        read_as(gov_supervisor, child_case.pk)  # every other caller: own cases only
    with pytest.raises(NotFound):
        read_as(gov_supervisor, child_case.pk, shared=Shared.READ, edit=True)


def test_an_officer_sees_it_once_it_is_given_to_them(grant, gov_supervisor, gov_worker, child_case):
    with pytest.raises(NotFound):
        read_as(gov_worker, child_case.pk, shared=Shared.READ)
    with scope(organisation=gov_supervisor.organisation_id):
        services.case_grant_assign(
            actor=gov_supervisor, grant_id=grant.pk, handled_by_id=gov_worker.user_id
        )
    assert read_as(gov_worker, child_case.pk, shared=Shared.READ).grant.pk == grant.pk
    with scope(organisation=gov_worker.organisation_id):
        assert list(cases_shared_with(gov_worker)) == [child_case]


def test_assigning_is_audited_in_both_trails_without_values_in_the_mirror(
    grant, gov_supervisor, gov_worker, organisation, dosvy
):
    with scope(organisation=dosvy.pk):
        services.case_grant_assign(
            actor=gov_supervisor, grant_id=grant.pk, handled_by_id=gov_worker.user_id
        )
    with scopes_disabled():
        owner = AuditEvent.all_chains.get(organisation=organisation, action="cases.grant.assigned")
        mirror = AuditEvent.all_chains.get(organisation=dosvy, action="cases.grant.assigned")
    assert owner.changes and not mirror.changes
    assert mirror.data["recorded_in"] == str(organisation.pk)
    assert mirror.case_id == owner.case_id == grant.case_id
    assert audit_verify().ok


def test_assigning_to_someone_outside_the_office_is_refused(grant, gov_supervisor, worker, dosvy):
    with scope(organisation=dosvy.pk), pytest.raises(ServiceError, match="Choose a member"):
        services.case_grant_assign(
            actor=gov_supervisor, grant_id=grant.pk, handled_by_id=worker.user_id
        )
    with scope(organisation=dosvy.pk), pytest.raises(ServiceError, match="Choose a member"):
        services.case_grant_assign(actor=gov_supervisor, grant_id=grant.pk, handled_by_id="x")


def test_another_organisation_holding_no_grant_gets_404(grant, child_case, other_organisation):
    outsider = MembershipFactory(organisation=other_organisation, role=Role.SUPERVISOR)
    with pytest.raises(NotFound):
        read_as(outsider, child_case.pk, shared=Shared.READ)


def test_revoked_expired_and_withdrawn_all_give_404(
    grant, gov_supervisor, supervisor, child_case, gov_consent, organisation
):
    services.case_grant_revoke(actor=supervisor, case_id=child_case.pk, grant_id=grant.pk)
    with pytest.raises(NotFound):
        read_as(gov_supervisor, child_case.pk, shared=Shared.READ)
    with pytest.raises(ServiceError, match="already ended"):
        services.case_grant_revoke(actor=supervisor, case_id=child_case.pk, grant_id=grant.pk)
    # A new share, then its end passes: no access from that moment, before any task runs.
    again = share(supervisor, child_case, gov_supervisor.organisation)
    CaseGrant.objects.filter(pk=again.pk).update(
        granted_at=timezone.now() - datetime.timedelta(days=1),
        valid_until=timezone.now() - datetime.timedelta(seconds=1),
    )
    with pytest.raises(NotFound):
        read_as(gov_supervisor, child_case.pk, shared=Shared.READ)
    assert "core.access.denied_beyond_grant" in actions(organisation)


def test_the_expiry_task_marks_ended_grants_and_tells(grant):
    published = []
    domain_events.subscribe(GrantRevoked, published.append)
    assert grants_expire() == 0
    assert grants_expire(now=grant.valid_until + datetime.timedelta(seconds=1)) == 1
    grant.refresh_from_db()
    assert grant.revoke_reason == "expired"
    assert [(e.grant_id, e.reason) for e in published] == [(grant.pk, "expired")]


def test_withdrawing_the_consent_ends_its_grants_in_the_same_transaction(
    grant, worker, child_case, gov_consent, gov_supervisor
):
    published = []
    domain_events.subscribe(GrantRevoked, published.append)
    consent_withdraw(
        actor=worker,
        person_id=child_case.person_id,
        consent_id=gov_consent.pk,
        withdrawn_on=TODAY,
    )
    grant.refresh_from_db()
    assert grant.revoke_reason == "consent_withdrawn" and grant.revoked_by == worker.user
    assert [e.reason for e in published] == ["consent_withdrawn"]
    with pytest.raises(NotFound):
        read_as(gov_supervisor, child_case.pk, shared=Shared.READ)


def test_renewing_extends_on_a_consent_that_still_covers(grant, supervisor, child_case):
    with pytest.raises(ServiceError, match="after the current one"):
        services.case_grant_renew(
            actor=supervisor,
            case_id=child_case.pk,
            grant_id=grant.pk,
            valid_until=TODAY + datetime.timedelta(days=10),
        )
    CaseGrant.objects.filter(pk=grant.pk).update(
        valid_until=timezone.now() + datetime.timedelta(days=5)
    )
    renewed = services.case_grant_renew(actor=supervisor, case_id=child_case.pk, grant_id=grant.pk)
    assert (renewed.valid_until - timezone.now()).days >= 179


def test_records_of_a_shared_case_are_read_in_the_owners_scope(
    grant, gov_supervisor, child_case, worker
):
    visit = Visit.objects.create(
        organisation=child_case.organisation,
        case=child_case,
        visited_on=TODAY,
        kind="home",
        recorded_by=worker.user,
    )
    with scope(organisation=gov_supervisor.organisation_id):
        found = visit_get_for_user(
            actor=gov_supervisor, case_id=child_case.pk, visit_id=visit.pk, shared=Shared.READ
        )
        assert found.pk == visit.pk
        with pytest.raises(NotFound):
            visit_get_for_user(actor=gov_supervisor, case_id=child_case.pk, visit_id=visit.pk)


def test_grant_scope_refuses_an_ended_grant(grant, gov_supervisor, child_case, supervisor):
    case = read_as(gov_supervisor, child_case.pk, shared=Shared.READ)
    services.case_grant_revoke(actor=supervisor, case_id=child_case.pk, grant_id=grant.pk)
    case.grant.refresh_from_db()
    with pytest.raises(NotFound), grant_scope(case):
        pass


# --- the authority's visit ------------------------------------------------------------


def record_visit(actor, case, **kwargs):
    values = {"visited_on": TODAY, "people_seen": "The child and her aunt"} | kwargs
    with scope(organisation=actor.organisation_id):
        return services.authority_visit_record(actor=actor, case_id=case.pk, **values)


def test_the_officer_records_a_visit_that_the_owner_sees_as_made_by_the_authority(
    grant, gov_supervisor, child_case, organisation, dosvy
):
    visit = record_visit(gov_supervisor, child_case, wellbeing_notes="Going to school again.")
    with scopes_disabled():
        visit = Visit.objects.get(pk=visit.pk)
        owner = AuditEvent.all_chains.get(
            organisation=organisation, action="cases.visit.authority_recorded"
        )
        mirror = AuditEvent.all_chains.get(
            organisation=dosvy, action="cases.visit.authority_recorded"
        )
    assert visit.organisation == organisation and visit.kind == Visit.Kind.AUTHORITIES
    assert visit.recorded_by == gov_supervisor.user and visit.recorded_by_organisation == dosvy
    assert owner.changes["wellbeing_notes"] and not mirror.changes
    assert audit_verify().ok


def test_the_visit_is_refused_without_an_active_government_grant(
    grant, gov_supervisor, supervisor, child_case
):
    services.case_grant_revoke(actor=supervisor, case_id=child_case.pk, grant_id=grant.pk)
    with pytest.raises(NotFound):
        record_visit(gov_supervisor, child_case)
    with scopes_disabled():
        assert not Visit.objects.exists()


def test_the_visit_date_is_checked(grant, gov_supervisor, child_case):
    with pytest.raises(ServiceError):
        record_visit(gov_supervisor, child_case, visited_on=TODAY + datetime.timedelta(days=1))
    with pytest.raises(ServiceError, match="before the case was shared"):
        record_visit(gov_supervisor, child_case, visited_on=TODAY - datetime.timedelta(days=3))


def test_the_owners_own_staff_use_the_ordinary_visit_form(grant, worker, child_case):
    with pytest.raises(NotFound):
        record_visit(worker, child_case)


def test_every_other_case_service_refuses_the_office(grant, gov_supervisor, child_case):
    with scope(organisation=gov_supervisor.organisation_id):
        with pytest.raises(NotFound):
            services.visit_record(
                actor=gov_supervisor, case_id=child_case.pk, visited_on=TODAY, kind="home"
            )
        with pytest.raises(NotFound):
            services.case_grant_revoke(
                actor=gov_supervisor, case_id=child_case.pk, grant_id=grant.pk
            )
        with pytest.raises(NotFound):
            services.closure_request(
                actor=gov_supervisor,
                case_id=child_case.pk,
                reason="reintegrated",
                notes="",
            )
