"""The duplicate check across organisations, as a member sees it (network.md §7): after a
member registers a person with the full register form, the check looks for the same child in
the other organisations (``phteah.people.linkage``) and keeps what it found as
``NetworkMatch`` rows of the checking organisation, for 24 hours. A match says only "a
possible match exists at organisation X", a similarity in tens and the kinds of fields that
matched; the other organisation's person stays in the row, never shown.

**Limits.** 30 checks per member and hour, 300 per organisation and day: over them the check
is refused, recorded as ``people.linkage.limited``, and the member told. The contact requests
that follow a match have their own limit (10 per member and day, in the referrals app), recorded
the same way (``linkage_limited``).

**Audit.** ``people.linkage.checked`` (counts only) goes to the checker's chain;
``people.linkage.matched_outside`` to each matched organisation's chain, naming its own person
and not the checker. An organisation that does not take part (``linkage.opted_out``) neither
checks nor is found."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from phteah.accounts.models import Membership
from phteah.accounts.roles import Capability
from phteah.core.access import access_denied
from phteah.core.audit import audit_log, audited_atomic
from phteah.core.errors import NotFound, ServiceError

from .access import person_get_for_user, persons_for
from .linkage import LinkageFields, candidates_for, encode, opted_out
from .models import NetworkCheck, NetworkMatch, Person

MATCH_LIFETIME = datetime.timedelta(hours=24)
CHECKS_PER_MEMBER_HOUR = 30
CHECKS_PER_ORGANISATION_DAY = 300
MAX_MATCHES = 10  # shown per check, best first


class LinkageLimited(ServiceError):
    """Over a limit of the duplicate check (the message says which)."""


def linkage_limited(*, actor: Membership, limit: str, ip: str | None = None) -> None:
    """Record that *actor* went over *limit* (``checks_member``, ``checks_organisation``,
    ``contact_requests``), in their organisation's chain, in a transaction of its own: the
    refusal that follows rolls nothing of it back."""
    with audited_atomic():
        audit_log(
            actor=actor.user,
            organisation=actor.organisation_id,
            action="people.linkage.limited",
            data={"limit": limit},
            ip=ip,
        )


def _over_limit(actor: Membership, now) -> str | None:
    checks = NetworkCheck.objects.filter(organisation_id=actor.organisation_id)
    if checks.filter(
        by_id=actor.user_id, created_at__gt=now - datetime.timedelta(hours=1)
    ).count() >= (CHECKS_PER_MEMBER_HOUR):
        return "checks_member"
    if checks.filter(created_at__gt=now - datetime.timedelta(days=1)).count() >= (
        CHECKS_PER_ORGANISATION_DAY
    ):
        return "checks_organisation"
    return None


def network_check(*, actor: Membership, person_id, ip: str | None = None) -> list[NetworkMatch]:
    """Check the network for the person *actor* just registered, and keep what it found (the
    matches still current when the same person was checked in the last 24 hours: a form sent
    twice checks once). Raises ``LinkageLimited`` over a limit."""
    if not actor.can(Capability.EDIT_CASES):
        raise ServiceError(_("You may not register people."))
    person = person_get_for_user(actor=actor, person_id=person_id)
    organisation_id = str(actor.organisation_id)
    excluded = opted_out()
    if organisation_id in excluded:
        return []
    now = timezone.now()
    current = NetworkMatch.objects.filter(
        organisation_id=actor.organisation_id, person=person, expires_at__gt=now
    )
    if NetworkCheck.objects.filter(
        organisation_id=actor.organisation_id,
        person=person,
        created_at__gt=now - MATCH_LIFETIME,
    ).exists():
        return list(current.select_related("candidate_organisation"))
    limit = _over_limit(actor, now)
    if limit:
        linkage_limited(actor=actor, limit=limit, ip=ip)
        if limit == "checks_member":
            raise LinkageLimited(
                _(
                    "The person was registered, but the check for the same child in other "
                    "organisations was not made: you made %(count)s checks in the last hour. "
                    "Try again later."
                )
                % {"count": CHECKS_PER_MEMBER_HOUR}
            )
        raise LinkageLimited(
            _(
                "The person was registered, but the check for the same child in other "
                "organisations was not made: your organisation made %(count)s checks today. "
                "Try again tomorrow."
            )
            % {"count": CHECKS_PER_ORGANISATION_DAY}
        )
    person = Person.objects.select_related("village").get(pk=person.pk)
    encoding = encode(LinkageFields.of(person))
    candidates = candidates_for(
        encoding, exclude_organisation_id=organisation_id, excluded_organisation_ids=excluded
    )
    # One match per organisation (its best): the checker learns that X may hold the child,
    # not how many of X's records look alike.
    best: dict = {}
    for candidate in candidates:
        best.setdefault(str(candidate.organisation_id), candidate)
    found = list(best.values())[:MAX_MATCHES]
    with audited_atomic():
        check = NetworkCheck.objects.create(
            organisation_id=actor.organisation_id,
            person=person,
            by_id=actor.user_id,
            candidates=len(candidates),
            matches=len(found),
        )
        matches = NetworkMatch.objects.bulk_create(
            NetworkMatch(
                organisation_id=actor.organisation_id,
                network_check=check,
                person=person,
                candidate_organisation_id=candidate.organisation_id,
                candidate_person_id=candidate.person_id,
                band=candidate.band,
                kinds=list(candidate.kinds),
                expires_at=now + MATCH_LIFETIME,
            )
            for candidate in found
        )
        audit_log(
            actor=actor.user,
            organisation=actor.organisation_id,
            action="people.linkage.checked",
            target=person,
            data={"candidates": len(candidates), "matches": len(found)},
            ip=ip,
        )
        for candidate in found:
            audit_log(
                actor=None,
                organisation=candidate.organisation_id,
                action="people.linkage.matched_outside",
                target=("people.person", candidate.person_id),
                data={"band": candidate.band, "kinds": list(candidate.kinds)},
            )
    return sorted(matches, key=lambda m: -m.band)


def network_matches(*, actor: Membership, person: Person):
    """The current matches of *person* (one *actor* may see), best first, each with its
    organisation: a selector for the person page."""
    if str(actor.organisation_id) != str(person.organisation_id):
        return NetworkMatch.objects.none()
    return NetworkMatch.objects.filter(
        organisation_id=actor.organisation_id, person=person, expires_at__gt=timezone.now()
    ).select_related("candidate_organisation")


def network_match_get(*, actor: Membership, match_id) -> NetworkMatch:
    """A current match of *actor*'s organisation, of a person *actor* may see, for a contact
    request; NotFound otherwise."""
    try:
        return NetworkMatch.objects.select_related("candidate_organisation", "person").get(
            pk=match_id,
            organisation_id=actor.organisation_id,
            person__in=persons_for(actor),
            expires_at__gt=timezone.now(),
        )
    except (NetworkMatch.DoesNotExist, ValueError, ValidationError):
        access_denied(actor=actor, model=NetworkMatch, record_id=match_id)
        raise NotFound from None


def network_matches_purge(*, now=None) -> int:
    """Remove the matches past their 24 hours, in every organisation (a task): the other
    organisation's person id they hold is kept no longer than they are shown. The checks stay
    two days, for the limits. Returns how many matches were removed."""
    now = now or timezone.now()
    with scopes_disabled():
        removed, _ = NetworkMatch.objects.filter(expires_at__lte=now).delete()
        NetworkCheck.objects.filter(created_at__lt=now - 2 * MATCH_LIFETIME).delete()
    return removed
