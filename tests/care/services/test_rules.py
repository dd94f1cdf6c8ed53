import pytest

from phteah.accounts.roles import Role
from phteah.care import services
from phteah.care.models import CareRule
from phteah.care.services import DEFAULT_RULES, care_rules_seed
from phteah.core.audit import audit_verify
from phteah.core.errors import ServiceError
from phteah.core.models import AuditEvent


@pytest.fixture
def admin(member, organisation):
    care_rules_seed(organisation=organisation)
    return member(Role.ORG_ADMIN)


def rules_of(organisation):
    return set(
        CareRule.objects.filter(organisation=organisation).values_list(
            "kind", "care_type", "risk_level", "value"
        )
    )


@pytest.mark.django_db
def test_seeding_creates_the_defaults_once(organisation):
    assert care_rules_seed(organisation=organisation) == len(DEFAULT_RULES) == 21
    assert ("max_stay", "temporary_centre", "", 180) in rules_of(organisation)
    assert ("visit_every", "", "high", 7) in rules_of(organisation)
    assert ("initial_limit", "", "", 48) in rules_of(organisation)
    assert care_rules_seed(organisation=organisation) == 0
    assert CareRule.objects.filter(organisation=organisation).count() == 21
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_adding_a_rule_is_audited(admin, organisation):
    rule = services.care_rule_add(
        actor=admin, kind="visit_every", care_type="pagoda", value=45, ip="10.0.0.1"
    )
    assert rule.organisation_id == organisation.pk
    event = AuditEvent.objects.get()
    assert event.action == "work.rule.created" and event.target_id == str(rule.pk)
    assert event.changes["value"] == [None, 45]
    assert event.changes["care_type"] == [None, "pagoda"]
    assert audit_verify().problems == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "values, field",
    [
        ({"kind": "visit_every", "care_type": "pagoda", "value": 0}, "value"),
        ({"kind": "max_stay", "value": 30}, "care_type"),  # needs a care type
        (
            {"kind": "max_stay", "care_type": "pagoda", "risk_level": "high", "value": 9},
            "risk_level",
        ),
        (
            {"kind": "visit_every", "care_type": "pagoda", "risk_level": "high", "value": 9},
            "risk_level",
        ),
        ({"kind": "initial_limit", "risk_level": "high", "value": 9}, "care_type"),
        ({"kind": "visit_every", "risk_level": "high", "value": 3}, "kind"),  # duplicate
        ({"kind": "max_stay", "care_type": "temporary_centre", "value": 3}, "kind"),
        ({"kind": "follow_up_after", "value": 90}, "kind"),  # same offset twice
        ({"kind": "nonsense", "value": 3}, "kind"),
    ],
)
def test_invalid_rules_are_refused_and_change_nothing(admin, organisation, values, field):
    before = rules_of(organisation)
    with pytest.raises(ServiceError) as error:
        services.care_rule_add(actor=admin, **values)
    assert error.value.field == field
    assert rules_of(organisation) == before
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_follow_up_offsets_may_repeat_with_other_values(admin, organisation):
    services.care_rule_add(actor=admin, kind="follow_up_after", value=14)
    assert CareRule.objects.filter(organisation=organisation, kind="follow_up_after").count() == 5


@pytest.mark.django_db
def test_changing_and_removing_a_rule_is_audited(admin, organisation):
    rule = CareRule.objects.get(organisation=organisation, kind="review_every")
    services.care_rule_update(actor=admin, rule_id=rule.pk, value=90)
    rule.refresh_from_db()
    assert rule.value == 90
    services.care_rule_update(actor=admin, rule_id=rule.pk, value=90)  # no change: no event
    event = AuditEvent.objects.get()
    assert event.action == "work.rule.updated" and event.changes == {"value": [180, 90]}

    with pytest.raises(ServiceError):
        services.care_rule_update(actor=admin, rule_id=rule.pk, value=0)
    follow_up = CareRule.objects.filter(organisation=organisation, kind="follow_up_after")
    with pytest.raises(ServiceError):  # would duplicate the 90-day follow-up
        services.care_rule_update(actor=admin, rule_id=follow_up.get(value=30).pk, value=90)

    services.care_rule_remove(actor=admin, rule_id=rule.pk)
    assert not CareRule.objects.filter(pk=rule.pk).exists()
    assert AuditEvent.objects.first().action == "work.rule.deleted"
    assert AuditEvent.objects.first().changes["value"] == [90, None]


@pytest.mark.django_db
def test_restoring_the_defaults(admin, organisation):
    CareRule.objects.filter(organisation=organisation, kind="visit_every").delete()
    services.care_rule_add(actor=admin, kind="max_stay", care_type="pagoda", value=20)
    assert services.care_rules_restore_defaults(actor=admin) == 21
    assert len(rules_of(organisation)) == 21
    event = AuditEvent.objects.first()
    assert event.action == "work.rules.restored"
    assert event.data == {"removed": 12, "created": 21}


@pytest.mark.django_db
def test_only_admins_of_the_organisation_change_rules(
    admin, member, organisation, other_organisation
):
    supervisor = member(Role.SUPERVISOR)
    with pytest.raises(PermissionError):
        services.care_rule_add(actor=supervisor, kind="visit_every", care_type="pagoda", value=3)
    with pytest.raises(PermissionError):
        services.care_rules_restore_defaults(actor=supervisor)
    outsider = member(Role.ORG_ADMIN, org=other_organisation)
    rule = CareRule.objects.filter(organisation=organisation).first()
    from phteah.core.errors import NotFound

    with pytest.raises(NotFound):
        services.care_rule_update(actor=outsider, rule_id=rule.pk, value=3)
    with pytest.raises(NotFound):
        services.care_rule_remove(actor=outsider, rule_id=rule.pk)
    assert CareRule.objects.filter(pk=rule.pk).exists()
