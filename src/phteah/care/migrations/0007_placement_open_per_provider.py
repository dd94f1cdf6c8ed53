"""The open placements of each provider, in a partial index: the partner directory and the
capacity board count them in one aggregate grouped by provider at each request
(phteah.referrals.selectors.directory), which then reads only the open (not ended), valid
(not voided) placements that have a provider (14,752 of 144,241 at 100,000 children), from
the index alone, instead of every placement.

Written in SQL (the same on SQLite and PostgreSQL), outside the migration state: it is not
declared in ``Placement.Meta.indexes`` (a ``models.Index(fields=["provider"],
condition=...)`` there, with an ``AddIndex`` here, would be the usual form)."""

from django.db import migrations

CREATE = (
    "CREATE INDEX placement_open_per_provider ON care_placement (provider_id)"
    " WHERE ended_on IS NULL AND voided_at IS NULL AND provider_id IS NOT NULL"
)


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0006_provider_care_types"),
    ]

    operations = [
        migrations.RunSQL(CREATE, reverse_sql="DROP INDEX placement_open_per_provider"),
    ]
