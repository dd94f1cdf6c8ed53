"""Optimistic concurrency: two people editing the same record never overwrite each other."""

from django.db import models
from django.utils.translation import gettext as _

from .errors import ServiceError


class EditConflict(ServiceError):
    """Someone else saved the record after this form was opened."""

    def __init__(self, obj):
        super().__init__(
            _(
                "Someone else saved this record after you opened it. Your changes were not "
                "saved: look at the current version below, then make your changes again."
            )
        )
        self.obj = obj


def save_versioned(obj: models.Model, *, expected_version: int, fields: list[str]) -> None:
    """Save *fields* of *obj* only if its stored version is still *expected_version*, and
    bump the version. Raises EditConflict otherwise. Call inside the service's transaction."""
    model = type(obj)
    values = {name: getattr(obj, name) for name in fields}
    updated = model._base_manager.filter(pk=obj.pk, version=expected_version).update(
        version=models.F("version") + 1, **values
    )
    if not updated:
        raise EditConflict(model._base_manager.get(pk=obj.pk))
    obj.version = expected_version + 1
