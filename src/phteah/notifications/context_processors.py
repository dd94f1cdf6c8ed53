"""The bell in the page header: the member's unread count, read only when a page shows it
(one query on the partial index of unread rows)."""

from django.utils.functional import SimpleLazyObject
from django_scopes import scope

from .selectors import UNREAD_SHOWN_MAX, unread_count


class Bell:
    def __init__(self, user_id, organisation_id):
        self._user_id, self._organisation_id = user_id, organisation_id
        self._count = None

    @property
    def count(self) -> int:
        if self._count is None:
            with scope(organisation=self._organisation_id):
                self._count = unread_count(
                    user_id=self._user_id, organisation_id=self._organisation_id
                )
        return self._count

    @property
    def more(self) -> bool:
        """More than the bell shows ("99+")."""
        return self.count > UNREAD_SHOWN_MAX

    @property
    def shown(self) -> int:
        return min(self.count, UNREAD_SHOWN_MAX)


def bell(request):
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"bell": None}
    return {"bell": SimpleLazyObject(lambda: Bell(membership.user_id, membership.organisation_id))}
