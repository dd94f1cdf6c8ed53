"""Running a data migration in a test: migrate back to *before*, build old rows with the
historical models, migrate forward, read them with the new ones; the latest schema is always
restored for the other tests."""

from contextlib import contextmanager

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


class Migrated:
    def __init__(self, before):
        executor = MigrationExecutor(connection)
        self.leaves = executor.loader.graph.leaf_nodes()
        executor.migrate(before)
        self.old = executor.loader.project_state(before).apps

    def forward(self):
        """Migrate to the latest schema; its historical apps."""
        executor = MigrationExecutor(connection)
        executor.migrate(self.leaves)
        return executor.loader.project_state(self.leaves).apps


@contextmanager
def migrated_from(before):
    migration = Migrated(before)
    try:
        yield migration
    finally:
        MigrationExecutor(connection).migrate(migration.leaves)
