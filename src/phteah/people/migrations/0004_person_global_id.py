"""Every person gets a global id (a ULID), shared by the same child in every organisation
that takes them on. Added empty, filled in batches, then required: a callable default in
AddField would give every existing row the same value."""

from django.db import migrations, models
from ulid import ULID

import phteah.core.models

BATCH = 2000


def fill(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    rows = Person._base_manager.filter(global_id__isnull=True).only("pk")
    while True:
        batch = list(rows[:BATCH])
        if not batch:
            break
        for person in batch:
            person.global_id = str(ULID())
        Person._base_manager.bulk_update(batch, ["global_id"])


class Migration(migrations.Migration):
    dependencies = [("people", "0003_person_name_keys_spacing")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="global_id",
            field=models.CharField(editable=False, max_length=26, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="person",
            name="global_id",
            field=models.CharField(
                default=phteah.core.models.new_global_id, editable=False, max_length=26
            ),
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.UniqueConstraint(
                fields=("organisation", "global_id"), name="person_org_global_id"
            ),
        ),
    ]
