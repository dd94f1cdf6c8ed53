"""One-time submissions: a form that creates a record is saved once, however often it is sent.

Three taps on Save over a slow connection, or Back after saving and Save again, send the same
form again. Every form that creates something carries a one-time token (``OnceFormMixin``
adds it as the hidden field ``submission``): random, signed, bound to the user it was issued
to, valid for ``MAX_AGE``. The view passes the parsed token to the service as
``submission=``; the service (decorated with ``@once``) claims it in its own transaction,
before anything else, by inserting a row with the token's key, which is unique. Two
processes or two database connections racing with one token get one insert; the other waits
for the first transaction and then finds the key taken. A second submission creates nothing:
the service returns the record the first one created and the view says it was already saved.

The claim is rolled back with the service when a rule refuses the change, so the user can
correct the form and save again. Tokens are checked, not stored, when a form is shown:
showing a form writes nothing. ``submissions_purge`` removes claims older than ``MAX_AGE``
(a token that old is refused anyway, so it cannot be replayed once its claim is gone).
Callers that create without a form (commands, tasks, the demo data) pass no token."""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django import forms
from django.apps import apps
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit.writing import audited_atomic
from .errors import ServiceError

MAX_AGE = timedelta(days=2)
FIELD = "submission"
_SALT = "phteah.core.submission"

INVALID = _(
    "This form could not be checked, so nothing was saved. Check what you entered and save again."
)
EXPIRED = _(
    "This form was open for too long, so nothing was saved. Check what you entered and save again."
)
ALREADY_SAVED = _("This was already saved: sending the form again saved nothing more.")


@dataclass
class Submission:
    """A parsed one-time token: its key and the user it was issued to. After the service,
    ``replayed`` says whether the key had been claimed already (nothing was saved again)."""

    key: str
    user_id: str
    replayed: bool = field(default=False, compare=False)


def _user_id(actor) -> str:
    """The user acting: a membership's user, or the user for one's own account."""
    return str(getattr(actor, "user_id", None) or actor.pk)


def submission_issue(user) -> str:
    """A fresh token for a form shown to *user* (a User, a Membership, or a user's id)."""
    user_id = user if isinstance(user, str) else _user_id(user)
    return signing.dumps({"k": secrets.token_urlsafe(16), "u": str(user_id)}, salt=_SALT)


def submission_parse(value: str | None, *, user) -> Submission:
    """The token posted with a form, checked: signed by us, issued to *user*, not older
    than ``MAX_AGE``. Raises ``ValidationError`` (INVALID or EXPIRED) otherwise."""
    if not value or len(value) > 300:
        raise ValidationError(INVALID, code="invalid")
    try:
        payload = signing.loads(value, salt=_SALT, max_age=MAX_AGE)
    except signing.SignatureExpired as error:
        raise ValidationError(EXPIRED, code="expired") from error
    except signing.BadSignature as error:
        raise ValidationError(INVALID, code="invalid") from error
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("k"), str)
        or payload.get("u") != _user_id(user)
    ):
        raise ValidationError(INVALID, code="invalid")
    return Submission(key=payload["k"], user_id=payload["u"])


# --- the form side ------------------------------------------------------------------------


TOKEN_MAX_LENGTH = 200  # a signed token is well under this; longer is not one of ours


class SubmissionField(forms.CharField):
    """The hidden token. Shown again (after a refusal) with a fresh token, not the one
    posted: ``bound_data`` gives the initial value, which the form sets to a new token."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", TOKEN_MAX_LENGTH)
        super().__init__(required=False, strip=True, **kwargs)

    def bound_data(self, data, initial):
        return initial


class OnceFormMixin:
    """For a form that creates a record: ``Form(data, submitter=request.user)`` adds the
    hidden one-time token and parses it into ``cleaned_data["submission"]`` (a
    ``Submission``). Without ``submitter`` (the same form used to change a record) the form
    has no token. A missing, forged, another user's or expired token is a form error."""

    def __init__(self, *args, submitter=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.submitter = submitter
        if submitter is not None:
            self.fields[FIELD] = SubmissionField()
            self.initial[FIELD] = submission_issue(submitter)

    def clean_submission(self):
        return submission_parse(self.data.get(self.add_prefix(FIELD)), user=self.submitter)

    def full_clean(self):
        super().full_clean()
        # The field is hidden: show its refusal at the top of the form.
        errors = getattr(self, "_errors", None)
        if errors and FIELD in errors:
            self.add_error(None, errors.pop(FIELD).as_data())

    def submitted(self) -> dict:
        """``{"submission": ...}`` for the service's keyword arguments (empty without a token)."""
        submission = getattr(self, "cleaned_data", {}).get(FIELD)
        return {FIELD: submission} if submission is not None else {}

    @property
    def replayed(self) -> bool:
        """After saving: the form had been saved before, and nothing was saved again."""
        submission = getattr(self, "cleaned_data", {}).get(FIELD)
        return bool(submission and submission.replayed)


def saved_message(request, form, message) -> None:
    """The message after saving *form*: *message*, or that it had been saved already."""
    if getattr(form, "replayed", False):
        messages.info(request, ALREADY_SAVED)
    else:
        messages.success(request, message)


# --- the service side ---------------------------------------------------------------------


class Claim:
    """The claim of one token in the service's transaction."""

    def __init__(self, row=None, *, earlier: Any = None, replayed: bool = False):
        self.row, self.earlier, self.replayed = row, earlier, replayed

    def made(self, record) -> None:
        """Remember the record the submission created, for a second submission to answer."""
        if self.row is None or not isinstance(record, models.Model) or record.pk is None:
            return
        self.row.record_type = record._meta.label_lower
        self.row.record_id = str(record.pk)
        self.row.save(update_fields=["record_type", "record_id"])


def _earlier(row):
    if not row.record_type:
        return None
    try:
        model = apps.get_model(row.record_type)
    except LookupError:
        return None
    return model._base_manager.filter(pk=row.record_id).first()


def submission_claimed(submission: Submission | None) -> bool:
    """Whether *submission* was saved already: for a view that asks something before it
    calls the service (the register page's look for duplicates), to let the service answer
    a second submission at once instead."""
    from .models import SubmittedForm

    if submission is None:
        return False
    return SubmittedForm.objects.filter(key=submission.key, user_id=submission.user_id).exists()


def submission_claim(submission: Submission | None, *, actor) -> Claim:
    """Claim *submission* for *actor*, inside the service's transaction (call it first,
    before any lock: only a duplicate of the same submission ever waits for its key, and it
    holds nothing yet). ``replayed`` when it had been claimed: ``earlier`` is then the record
    the first submission created (None if it is gone)."""
    from .models import SubmittedForm

    if submission is None:
        return Claim()
    if submission.user_id != _user_id(actor):
        raise ServiceError(INVALID)
    organisation_id = getattr(actor, "organisation_id", None)
    try:
        with transaction.atomic():  # a savepoint: a taken key must not end the transaction
            row = SubmittedForm.objects.create(
                key=submission.key, user_id=submission.user_id, organisation_id=organisation_id
            )
    except IntegrityError:
        row = SubmittedForm.objects.filter(key=submission.key).first()
        if row is None or str(row.user_id) != submission.user_id:
            raise ServiceError(INVALID) from None
        if row.organisation_id != organisation_id:
            raise ServiceError(INVALID) from None
        submission.replayed = True
        return Claim(row, earlier=_earlier(row), replayed=True)
    return Claim(row)


def once(service=None, *, record=None, replay=None):
    """Make a creating service idempotent: it takes ``submission=`` (None: no check), claims
    it first in its transaction, and on a second submission returns without doing anything.

    *record* picks the created record from the service's result (default: the result);
    *replay* makes the result of a second submission from the earlier record (default: the
    record itself). When that record is gone, the second submission is refused with a
    message that it was saved already."""

    def wrap(function):
        @functools.wraps(function)
        def service_once(*args, submission: Submission | None = None, **kwargs):
            if submission is None:
                return function(*args, **kwargs)
            with audited_atomic():
                claim = submission_claim(submission, actor=kwargs.get("actor"))
                if claim.replayed:
                    if claim.earlier is None:  # saved once, and gone since
                        raise ServiceError(ALREADY_SAVED)
                    return replay(claim.earlier) if replay else claim.earlier
                result = function(*args, **kwargs)
                claim.made(record(result) if record else result)
                return result

        return service_once

    return wrap(service) if service is not None else wrap


def submissions_purge(*, older_than: timedelta = MAX_AGE) -> int:
    """Remove claims older than *older_than* (their tokens have expired). Returns how many."""
    from .models import SubmittedForm

    cutoff = timezone.now() - max(older_than, MAX_AGE)
    deleted, _by_model = SubmittedForm.objects.filter(created_at__lt=cutoff).delete()
    return deleted
