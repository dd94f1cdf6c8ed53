"""The access layer's shared pieces.

Every record type has one access function (``office_get_for_user``, ``case_get_for_user``...)
that returns the object or raises ``phteah.core.errors.NotFound`` — the same answer for
"does not exist" and "not yours" — which the web layer answers with 404. Views only reach
objects through them. Capabilities are the names defined in ``phteah.accounts.roles``; core
knows nothing above itself and takes them as plain strings.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django_scopes import scopes_disabled

from .audit import audit_access
from .errors import NotFound


def require_capability(capability: str):
    """View decorator: the current membership must grant *capability*, else 404."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = getattr(request, "membership", None)
            if membership is None or not membership.can(capability):
                raise Http404
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability
        return wrapped

    return decorator


def membership_required(view):
    """View decorator: the user must belong to an organisation, else 404."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "membership", None) is None:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


# --- an organisation's own rows ----------------------------------------------------------


def organisation_row_get_for_user(
    queryset, *, actor, record_id, capability: str | None = None, lock: bool = False
):
    """The access function of a row that belongs to the actor's organisation itself (an
    office, a care provider, an assessment domain, a row of the service catalogue or of the
    rule table): the row of *queryset* with *record_id* if it is the actor's organisation's
    and the actor holds *capability*; else NotFound, with the refusal recorded. *lock* takes
    its row lock."""
    model = queryset.model
    if actor is not None and (capability is None or actor.can(capability)):
        rows = queryset.filter(organisation_id=actor.organisation_id)
        if lock:
            # FOR NO KEY UPDATE: a foreign key checked at commit must not wait for it.
            rows = rows.select_for_update(no_key=True)
        try:
            return rows.get(pk=record_id)
        except (model.DoesNotExist, ValueError, TypeError, ValidationError):
            pass
    access_denied(actor=actor, model=model, record_id=record_id)
    raise NotFound


# --- denied attempts ---------------------------------------------------------------------

# Denied attempts recorded per member and organisation in an hour; beyond it one event says
# that further attempts are not recorded one by one, so a scanner cannot flood the trail.
DENIED_PER_HOUR = 20
_WINDOW = 60 * 60


def _counted(user_id, organisation_id) -> int:
    """How many denied attempts of *user_id* against *organisation_id* this hour, this one
    included."""
    key = f"phteah:denied:{user_id}:{organisation_id}"
    if cache.add(key, 1, timeout=_WINDOW):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=_WINDOW)
        return 1


def _record(*, user, organisation_id, action, target, case_id=None) -> None:
    count = _counted(getattr(user, "pk", None), organisation_id)
    if count > DENIED_PER_HOUR + 1:
        return
    if count == DENIED_PER_HOUR + 1:
        action, target, case_id = "core.access.denied_suppressed", None, None
    audit_access(
        actor=user, action=action, organisation=organisation_id, target=target, case=case_id
    )


def access_denied(*, actor, model, record_id) -> None:
    """Record that *actor* (a membership) was refused the *model* row *record_id* — missing,
    another organisation's, or not theirs to see or change; the answer they got was the same
    404 in every case.

    - The actor's own organisation's trail always gets "asked for a record that does not
      exist or that they may not see" (saying nothing of whether it exists).
    - When the row exists in the actor's own organisation, that event names it.
    - When it belongs to another organisation, that organisation's trail also records that
      someone outside it tried to open it (shown to its administrators without naming who).

    Rate-limited per member and organisation (``DENIED_PER_HOUR``)."""
    user = getattr(actor, "user", None)
    own = getattr(actor, "organisation_id", None)
    label = model._meta.label_lower
    has_case = any(f.name == "case" for f in model._meta.fields)
    owner, case_id = None, None
    try:
        with scopes_disabled():
            fields = ["organisation_id", "case_id"] if has_case else ["organisation_id"]
            row = model.objects.filter(pk=record_id).values_list(*fields).first()
    except (ValueError, TypeError, ValidationError):
        row = None  # not even a well-formed id
    if row is not None:
        owner = row[0]
        case_id = row[1] if has_case else (record_id if label == "cases.case" else None)
    if owner is not None and owner == own:
        _record(
            user=user,
            organisation_id=own,
            action="core.access.denied",
            target=(label, record_id),
            case_id=case_id,
        )
        return
    if own is not None:
        _record(
            user=user, organisation_id=own, action="core.access.refused", target=(label, record_id)
        )
    if owner is not None:
        _record(
            user=user,
            organisation_id=owner,
            action="core.access.denied_outside",
            target=(label, record_id),
            case_id=case_id,
        )
