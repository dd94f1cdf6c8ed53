"""Who receives an organisation's audit checkpoint (``AUDIT_ANCHOR_EMAIL``): its active
administrators, each in their own language. Registered with core's anchoring in
``AccountsConfig.ready()`` — core knows nothing of memberships."""

from django_scopes import scope

from .models import Membership
from .roles import Role


def organisation_admin_addresses(organisation_id) -> list[tuple[str, str]]:
    with scope(organisation=organisation_id):
        members = Membership.objects.filter(
            organisation_id=organisation_id,
            role=Role.ORG_ADMIN,
            is_active=True,
            user__is_active=True,
        ).values_list("user__email", "user__language")
        return sorted(members)
