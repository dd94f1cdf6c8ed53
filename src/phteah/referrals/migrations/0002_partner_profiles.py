"""Every organisation that exists gets its partner profile, unpublished (new organisations
get theirs when they are created: phteah.referrals.apps)."""

from django.db import migrations

BATCH = 500


def create_profiles(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    PartnerProfile = apps.get_model("referrals", "PartnerProfile")
    missing = (
        Organisation.objects.filter(partner_profile__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    ids = list(missing)
    for start in range(0, len(ids), BATCH):
        PartnerProfile.objects.bulk_create(
            [
                PartnerProfile(organisation_id=pk, published=False)
                for pk in ids[start : start + BATCH]
            ],
            ignore_conflicts=True,
        )


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]

    operations = [migrations.RunPython(create_profiles, migrations.RunPython.noop)]
