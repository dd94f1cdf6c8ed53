"""Consent for the network: a consent may name several organisations (the field's forms name
every partner), a partner that is not on Phteah by name, what the sharing covers (referrals,
a transfer) and until when. The one organisation a consent named is copied over, and such a
consent covered the referral's sharing: it keeps covering it."""

from django.db import migrations, models


def copy_shared_with(apps, schema_editor):
    Consent = apps.get_model("people", "Consent")
    Link = Consent.organisations.through
    named = Consent._base_manager.filter(shared_with__isnull=False)
    Link.objects.bulk_create(
        [
            Link(consent_id=consent_id, organisation_id=organisation_id)
            for consent_id, organisation_id in named.values_list("pk", "shared_with_id")
        ],
        batch_size=2000,
    )
    named.update(for_referral=True)


def copy_back(apps, schema_editor):
    Consent = apps.get_model("people", "Consent")
    Link = Consent.organisations.through
    for link in Link.objects.order_by("consent_id", "organisation__name"):
        Consent._base_manager.filter(pk=link.consent_id, shared_with__isnull=True).update(
            shared_with_id=link.organisation_id
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_numerals"),
        ("people", "0004_person_global_id"),
    ]

    operations = [
        migrations.AddField(
            model_name="consent",
            name="for_referral",
            field=models.BooleanField(default=False, verbose_name="covers referrals"),
        ),
        migrations.AddField(
            model_name="consent",
            name="for_transfer",
            field=models.BooleanField(default=False, verbose_name="covers a transfer of the case"),
        ),
        migrations.AddField(
            model_name="consent",
            name="organisations",
            field=models.ManyToManyField(
                blank=True,
                related_name="+",
                to="accounts.organisation",
                verbose_name="organisations it may be shared with",
            ),
        ),
        migrations.AddField(
            model_name="consent",
            name="shared_with_name",
            field=models.CharField(
                blank=True, max_length=200, verbose_name="partner not on Phteah"
            ),
        ),
        migrations.AddField(
            model_name="consent",
            name="valid_until",
            field=models.DateField(blank=True, null=True, verbose_name="valid until"),
        ),
        migrations.RunPython(copy_shared_with, copy_back),
        migrations.RemoveField(model_name="consent", name="shared_with"),
    ]
