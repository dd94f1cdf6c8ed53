import pytest
from django.core.management import call_command

from phteah.accounts.models import Membership, Organisation, User
from phteah.accounts.roles import Role
from phteah.core.audit import audit_verify
from phteah.demo.network import DEMO_PASSWORD, ORGANISATIONS


@pytest.mark.django_db
def test_the_demo_network_has_every_kind_and_every_role(capsys):
    call_command("demo")
    output = capsys.readouterr().out
    assert DEMO_PASSWORD in output and "caseworker@fbc.test" in output

    organisations = Organisation.objects.all()
    assert organisations.count() == len(ORGANISATIONS) == 6
    assert set(organisations.values_list("kind", flat=True)) == {
        Organisation.Kind.NGO,
        Organisation.Kind.PROVINCIAL_OFFICE,
        Organisation.Kind.COMMUNE_COUNCIL,
    }
    for organisation in organisations:
        roles = set(
            Membership.objects.filter(organisation=organisation).values_list("role", flat=True)
        )
        assert roles == set(Role.values), organisation.name
        assert organisation.offices.exists()

    two_offices = Organisation.objects.get(short_code="FBC")
    assert sorted(two_offices.offices.values_list("name", flat=True)) == [
        "Battambang",
        "Phnom Penh",
    ]
    assert all(office.village_id for office in two_offices.offices.all())
    worker = User.objects.get(email="caseworker@fbc.test")
    assert worker.check_password(DEMO_PASSWORD) and worker.full_name_km

    # Letters to partners not on Phteah: one to the provincial referral hospital, answered,
    # and one waiting.
    from django_scopes import scopes_disabled

    from phteah.demo.letters import HOSPITAL
    from phteah.referrals.models import ReferralLetter

    with scopes_disabled():
        letters = dict(ReferralLetter.objects.values_list("partner_name", "state"))
    assert letters[HOSPITAL] == "accepted" and "pending" in letters.values()
    assert "Referral letters to partners not on Phteah: 2." in output

    users = User.objects.count()
    call_command("demo")  # running it again changes nothing
    assert Organisation.objects.count() == 6 and User.objects.count() == users
    with scopes_disabled():
        assert ReferralLetter.objects.count() == 2
    assert audit_verify().problems == []
