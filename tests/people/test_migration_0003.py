"""Migration people 0003 recomputes every person's name keys: the Latin key from the whole
name without spaces (it was made word by word), and the new Khmer key."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("people", "0002_search_trigram_indexes")]


@pytest.mark.django_db(transaction=True)
def test_existing_people_get_the_new_keys():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    try:
        apps = executor.loader.project_state(BEFORE).apps
        Organisation = apps.get_model("accounts", "Organisation")
        Person = apps.get_model("people", "Person")
        organisation = Organisation.objects.create(name="Old data", short_code="OLD")
        old = Person._base_manager.create(
            organisation=organisation,
            family_name_latin="Sim",
            given_name_latin="Srey Pov",
            family_name_km="ស៊ីម",
            given_name_km="ស្រី ពៅ",
            sex="female",
            name_key="p sm sr",  # the word-by-word key
        )
        executor = MigrationExecutor(connection)
        executor.migrate(leaves)
        apps = executor.loader.project_state(leaves).apps
        row = apps.get_model("people", "Person")._base_manager.get(pk=old.pk)
        assert row.name_key == "smsrp"
        assert row.name_key_km == "ស៊ីមស្រីពៅ"
    finally:
        MigrationExecutor(connection).migrate(leaves)  # the schema the other tests expect
