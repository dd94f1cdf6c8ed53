"""No input gives a 500: hostile values posted to every form of the project.

Every form a view renders is listed in FORMS below with the page that shows it, where it is
sent, and a member who may use it. Two tests keep the list complete: every form class of the
project is in it, and every page of the permission matrix's world that renders a form shows
only forms listed for that page (so a new form, or an old form on a new page, fails here
until it is added).

For each form, hypothesis posts generated values (hostile text, NUL characters, very long
strings, huge and negative numbers, Khmer digits, dates at and beyond 1900–2100, wrong types
for choices and ids, missing fields, uploads) signed in as the member, with the member's
language set to Khmer, and asserts:

- no 500 (the test client raises what a view raises);
- when the form is refused, nothing was written: no new, changed or deleted row in any table
  of the project, and no audit event other than access events (pending, outside the chain);
- every refusal message is on the page in the user's language: the Khmer text when the
  catalogue has one; otherwise the message must be one of the project's or Django's
  translatable messages, awaiting its translation (those are listed in a warning at the end
  of the run, for the translators).

Each example runs in a savepoint rolled back after it, so every example starts from the same
world, built once for the module. ``HYPOTHESIS_PROFILE=explore`` runs more examples, drawn
at random (the default profile is derandomized, for CI)."""

from __future__ import annotations

import ast
import datetime
import os
import re
import warnings
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

import django
import polib
import pytest
from django import forms
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.html import escape
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

import phteah
from phteah.accounts import forms as accounts_forms
from phteah.accounts.audit_erasure import AuditEraseForm
from phteah.care import forms as care_forms
from phteah.cases import forms as cases_forms
from phteah.core import limits, numerals
from phteah.geography import forms as geography_forms
from phteah.geography.forms import VillageField
from phteah.geography.models import Commune, District, Province, Village
from phteah.notifications import forms as notifications_forms
from phteah.people import forms as people_forms
from phteah.referrals import forms as referrals_forms
from phteah.referrals import letter_forms as referrals_letter_forms
from phteah.referrals import transfer_forms
from tests.factories import (
    PASSWORD,
    CaseFactory,
    ConsentFactory,
    PersonFactory,
    assessment,
    dated_placement,
)
from tests.matrix_support import (
    ADMIN,
    ANON,
    COLUMNS,
    GOV_SUPERVISOR,
    GOV_WORKER,
    OTHER_SUPERVISOR,
    SUPERVISOR,
    WORKER,
    resolved,
)

from .conftest import sign_in
from .test_permissions import MATRIX, build_world

hypothesis_settings.register_profile(
    "default",
    max_examples=int(os.environ.get("PHTEAH_HOSTILE_EXAMPLES", "12")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
hypothesis_settings.register_profile(
    "explore",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = hypothesis_settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

KHMER_LETTERS = re.compile("[\u1780-\u17ff]")
LOGIN_WRITES = ("axes_accessattempt", "axes_accessfailurelog", "axes_accesslog")
DEVICE_WRITES = ("otp_totp_totpdevice",)  # django-otp counts wrong codes (throttling)


@dataclass(frozen=True)
class FormCase:
    """A form, where it is sent (*url*, with the world's object *obj*), who sends it, and
    how. *page*: the page that shows it, when it is not *url* itself; *shown_on*: other pages
    that show it too. *fixed*: values always sent along (not fields of the form). *tables*
    and *actions*: what a refused submission may write all the same (a failed sign-in is
    recorded, a wrong one-time code counted)."""

    url: str
    obj: str | None
    actor: str
    form: type
    method: str = "post"
    page: str | None = None
    page_obj: str | None = None  # the object of *page*, when it is not *url*
    shown_on: tuple[str, ...] = ()
    fixed: tuple[tuple[str, str], ...] = ()
    valid: tuple[tuple[str, object], ...] = ()  # values that pass (None: left out)
    tables: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    confirm_step: bool = False  # may show the valid form again to confirm (duplicates)
    invitation: bool = False  # opens the world's invitation link first
    never_taken: bool = False  # no value generated here can pass (a one-time code)

    @property
    def id(self) -> str:
        return f"{self.url}-{self.form.__name__}"


A, C, P, CA, G = accounts_forms, cases_forms, people_forms, care_forms, geography_forms
R = referrals_forms
RL = referrals_letter_forms
NEW_PASSWORD = "a-new-long-passphrase-2026"


def _in_30(world) -> str:
    return (timezone.localdate() + datetime.timedelta(days=30)).isoformat()


FORMS = [
    # accounts
    FormCase(
        "accounts:login",
        None,
        ANON,
        A.EmailAuthenticationForm,
        tables=LOGIN_WRITES,
        actions=("accounts.login.",),
        valid=(("password", PASSWORD),),
        never_taken=True,  # the address typed has no account
    ),
    FormCase("accounts:profile", None, WORKER, A.NumeralsForm),
    FormCase(
        "accounts:password_change",
        None,
        WORKER,
        A.PasswordChangeForm,
        valid=(
            ("current_password", PASSWORD),
            ("new_password", NEW_PASSWORD),
            ("new_password_again", NEW_PASSWORD),
        ),
    ),
    FormCase(
        "accounts:two_factor_setup",
        None,
        WORKER,
        A.TokenForm,
        tables=DEVICE_WRITES,
        never_taken=True,
    ),
    FormCase(
        "accounts:two_factor_verify",
        None,
        WORKER,
        A.TokenForm,
        tables=DEVICE_WRITES,
        actions=("accounts.two_factor.failed",),
        never_taken=True,
    ),
    FormCase("accounts:organisation_settings", None, ADMIN, A.OrganisationSettingsForm),
    FormCase("accounts:member_add", None, ADMIN, A.InvitationForm),
    FormCase("accounts:member_edit", "member", ADMIN, A.MemberEditForm),
    FormCase("accounts:office_add", None, ADMIN, A.OfficeForm),
    FormCase("accounts:office_edit", "office", ADMIN, A.OfficeEditForm),
    FormCase("accounts:audit_list", None, ADMIN, A.AuditFilterForm, method="get"),
    FormCase("accounts:audit_erase", "audit_event", ADMIN, AuditEraseForm, confirm_step=True),
    FormCase(
        "accounts:invitation_respond",
        None,
        ANON,
        A.InvitationAccountForm,
        invitation=True,
        valid=(("password", NEW_PASSWORD), ("password_again", NEW_PASSWORD)),
    ),
    # places
    FormCase("geography:search", None, WORKER, G.PlaceSearchForm, method="get"),
    # people
    FormCase("people:person_list", None, WORKER, P.PersonSearchForm, method="get"),
    FormCase(
        "people:register",
        None,
        WORKER,
        P.PersonRegisterForm,
        confirm_step=True,
        valid=(("age_years", None), ("family_name_latin", "Vuthy"), ("family_name_km", "វុទ្ធី")),
    ),
    FormCase(
        "people:person_edit", "person", WORKER, P.PersonEditForm, valid=(("age_years", None),)
    ),
    FormCase("people:document_edit", "document", WORKER, P.DocumentForm),
    FormCase("people:household_add", "person", WORKER, P.HouseholdForm),
    FormCase("people:household_member_add", "household", WORKER, P.PersonSearchForm, method="get"),
    FormCase(
        "people:household_member_add",
        "household",
        WORKER,
        P.MemberAddForm,
        valid=(("person", lambda world: world["fixed"]["new_person"]),),
    ),
    FormCase("people:consent_add", "person", WORKER, P.ConsentForm),
    FormCase("people:consent_withdraw", "consent", WORKER, P.ConsentWithdrawForm),
    # cases
    FormCase("cases:case_list", None, WORKER, C.CaseFilterForm, method="get"),
    FormCase("cases:case_add", None, WORKER, C.CaseForm, fixed=(("person", "new_person"),)),
    FormCase("cases:case_edit", "case", WORKER, C.CaseEditForm),
    FormCase("cases:assessment_add", "case", WORKER, C.AssessmentForm),
    FormCase("cases:domain_list", None, ADMIN, C.DomainForm),
    FormCase("cases:domain_edit", "assessment_domain", ADMIN, C.DomainEditForm),
    FormCase("cases:goal_add", "case", WORKER, C.GoalForm),
    FormCase("cases:goal_update", "case_goal", WORKER, C.GoalUpdateForm),
    FormCase("cases:action_add", "case_goal", WORKER, C.ActionForm, valid=(("owner_text", None),)),
    FormCase(
        "cases:action_update",
        "case_action",
        WORKER,
        C.ActionUpdateForm,
        valid=(("owner_text", None),),
    ),
    FormCase("cases:plan_review_add", "case", WORKER, C.PlanReviewForm),
    FormCase("cases:conference_add", "case", WORKER, C.ConferenceForm),
    FormCase("cases:closure_request", "closable_case", WORKER, C.ClosureRequestForm),
    FormCase("cases:closure_approve", "pending_case", SUPERVISOR, C.ClosureDecisionForm),
    FormCase("cases:case_reopen", "closed_case", WORKER, C.ReopenForm),
    FormCase("cases:visit_add", "case", WORKER, C.VisitForm, valid=(("next_visit_due", _in_30),)),
    FormCase("cases:visit_edit", "visit", WORKER, C.VisitForm, valid=(("next_visit_due", _in_30),)),
    FormCase("cases:service_add", "case", WORKER, C.ServiceForm),
    FormCase("cases:service_edit", "service", WORKER, C.ServiceForm),
    FormCase("cases:visit_void", "visit", WORKER, C.VoidForm),
    FormCase("cases:service_void", "service", WORKER, C.VoidForm),
    FormCase("cases:assessment_void", "case_assessment", WORKER, C.VoidForm),
    FormCase("care:placement_void", "placement", WORKER, C.VoidForm),
    FormCase("cases:service_type_add", None, ADMIN, C.ServiceTypeForm),
    FormCase("cases:service_type_edit", "service_type", ADMIN, C.ServiceTypeEditForm),
    # care
    FormCase("care:provider_add", None, WORKER, CA.ProviderForm),
    FormCase("care:provider_edit", "provider", WORKER, CA.ProviderEditForm),
    FormCase(
        "care:carer_add", "provider", WORKER, CA.CarerForm, shown_on=("care:provider_detail",)
    ),
    FormCase(
        "care:provider_care_type_set",
        "provider",
        WORKER,
        CA.ProviderCareTypeForm,
        shown_on=("care:provider_detail",),
    ),
    FormCase("care:placement_add", "case", WORKER, CA.PlacementForm, valid=(("provider", None),)),
    FormCase("care:placement_end", "placement", WORKER, CA.PlacementEndForm),
    FormCase("care:tracing_add", "case", WORKER, CA.TracingForm),
    FormCase("care:relative_add", "case", WORKER, CA.RelativeForm),
    FormCase("care:reunification_add", "case", WORKER, CA.ReunificationForm),
    # referrals
    FormCase("referrals:directory", None, WORKER, R.DirectorySearchForm, method="get"),
    FormCase(
        "referrals:profile_edit",
        None,
        ADMIN,
        R.ProfileForm,
        valid=(("telegram_chat_id", "-1001234567890"),),
    ),
    FormCase(
        "care:rule_add",
        None,
        ADMIN,
        CA.RuleAddForm,
        page="care:rules",
        valid=(("kind", "visit_every"), ("care_type", "pagoda"), ("risk_level", None)),
    ),
    FormCase("care:rule_edit", "care_rule", ADMIN, CA.RuleValueForm),
    # sharing with a government office
    FormCase(
        "cases:share_new", "case", SUPERVISOR, C.GovernmentShareForm, valid=(("valid_until", None),)
    ),
    FormCase("cases:authority_visit_add", "case", GOV_WORKER, C.AuthorityVisitForm),
    FormCase(
        "cases:grant_assign",
        "granted",
        GOV_SUPERVISOR,
        C.GrantAssignForm,
        page="cases:shared_with_us",
    ),
    # referrals
    FormCase(
        "referrals:referral_new",
        "case",
        WORKER,
        R.ReferralForm,
        valid=(("receivers", lambda world: [str(world["other"].pk)]),),
    ),
    FormCase("referrals:referral_accept", "referral", OTHER_SUPERVISOR, R.AcceptForm),
    FormCase("referrals:referral_decline", "referral", OTHER_SUPERVISOR, R.DeclineForm),
    *(
        FormCase(
            url,
            "accepted_referral",
            OTHER_SUPERVISOR,
            form,
            page="referrals:referral_detail",
            page_obj="accepted_referral",
        )
        for url, form in (
            ("referrals:referral_feedback", R.FeedbackForm),
            ("referrals:referral_complete", R.CompleteForm),
            ("referrals:referral_close", R.CloseForm),
        )
    ),
    # referral letters to partners not on Phteah
    FormCase("referrals:letter_new", "case", WORKER, RL.LetterForm),
    FormCase(
        "referrals:letter_answer",
        "letter",
        WORKER,
        RL.LetterAnswerForm,
        # Not before the letter was written (today), nor in the future.
        valid=(("answered_on", lambda world: timezone.localdate().isoformat()),),
    ),
    # transfers
    FormCase(
        "referrals:transfer_new",
        "transferable_case",
        SUPERVISOR,
        transfer_forms.TransferForm,
        valid=(("receiver", lambda world: str(world["other"].pk)),),
    ),
    FormCase("referrals:transfer_accept", "transfer", OTHER_SUPERVISOR, R.AcceptForm),
    FormCase(
        "referrals:transfer_decline",
        "transfer",
        OTHER_SUPERVISOR,
        transfer_forms.TransferDeclineForm,
    ),
    FormCase("referrals:contact_new", "match", WORKER, R.ContactRequestForm),
    FormCase("referrals:contact_detail", "contact_request", OTHER_SUPERVISOR, R.ContactAnswerForm),
    # notifications
    FormCase("notifications:preferences", None, WORKER, notifications_forms.PreferencesForm),
]

# Form classes no view renders themselves: bases of the forms above.
BASES = {P.PersonForm: "the fields the register and edit forms share"}


# --- the world -------------------------------------------------------------------------


def _places() -> dict:
    def names(km, en):
        return {"name_km": km, "name_en": en, "search_km": km, "search_en": en.lower()}

    province = Province.objects.create(code="02", **names("បាត់ដំបង", "Battambang"))
    district = District.objects.create(code="0201", province=province, **names("បាណន់", "Banan"))
    commune = Commune.objects.create(code="020101", district=district, **names("កន្ទឺ", "Kantueu"))
    village = Village.objects.create(code="02010101", commune=commune, **names("ថ្មី", "Thmei"))
    return {"province": province, "district": district, "commune": commune, "village": village}


def _other_ids(other) -> list[str]:
    """Ids of another organisation's rows, to post where an id of one's own is expected."""
    ids = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.get_fields()}
        if "organisation" in names and model._meta.app_label in ("people", "cases", "care"):
            ids += [
                str(pk)
                for pk in model._default_manager.filter(organisation=other).values_list(
                    "pk", flat=True
                )[:3]
            ]
    from phteah.accounts.models import Membership

    ids += [str(m.user_id) for m in Membership.objects.filter(organisation=other)]
    return ids + [str(other.pk)]


def _extend(world) -> dict:
    from phteah.accounts.services import invitation_create

    owner, actors = world["owner"], world["actors"]
    worker, supervisor = actors[WORKER].user, actors[SUPERVISOR].user
    for membership in actors.values():
        membership.user.language = "km"
        membership.user.save(update_fields=["language"])
    world["places"] = _places()
    closable = CaseFactory(organisation=owner, workers=[worker], supervisor=supervisor)
    assessment(closable, worker, kind="closure")
    # Back with the birth family: closing as reintegrated agrees with the last placement.
    back_home = timezone.localdate() - datetime.timedelta(days=30)
    dated_placement(closable, "birth_family", back_home, ended_on=timezone.localdate())
    pending = CaseFactory(
        organisation=owner,
        workers=[worker],
        supervisor=supervisor,
        closure_reason="reintegrated",
        closure_requested_by=worker,
        closure_requested_on=timezone.localdate(),
    )
    dated_placement(pending, "birth_family", back_home, ended_on=timezone.localdate())
    closed = CaseFactory(
        organisation=owner,
        workers=[worker],
        supervisor=supervisor,
        status="closed",
        stage="closed",
        closed_on=timezone.localdate(),
    )
    new_person = PersonFactory(organisation=owner, given_name_latin="Newcomer", created_by=worker)
    # A case its guardian agreed to transfer to the other organisation.
    transferable = CaseFactory(organisation=owner, workers=[worker], supervisor=supervisor)
    ConsentFactory(
        person=transferable.person,
        purpose="share_organisation",
        for_transfer=True,
        organisations=[world["other"]],
    )
    _invitation, token = invitation_create(
        actor=actors[ADMIN],
        email="newcomer@example.test",
        full_name="Chan Sreymom",
        role="viewer",
        site_url="http://testserver",
    )
    world["objects"].update(
        {
            "closable_case": {"case_id": closable.pk},
            "pending_case": {"case_id": pending.pk},
            "closed_case": {"case_id": closed.pk},
            "transferable_case": {"case_id": transferable.pk},
        }
    )
    world["fixed"] = {"new_person": str(new_person.pk)}
    world["invitation_token"] = token
    world["other_ids"] = _other_ids(world["other"])
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module and rolled back after it."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        scopes_disabled(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            MEDIA_ROOT=str(media),
        ),
        transaction.atomic(),
    ):
        name = str(connection.settings_dict["NAME"])
        assert "memory" in name or "test" in name, f"not a test database: {name}"
        yield _extend(build_world())
        transaction.set_rollback(True)


def _url(world, name, obj):
    return reverse(name, kwargs=world["objects"][obj]) if obj else reverse(name)


def _page_url(world, case: FormCase) -> str:
    """The page that shows *case*'s form (its own object when it is another page)."""
    if case.page is None:
        return _url(world, case.url, case.obj)
    return _url(world, case.page, case.page_obj)


def _client(world, case: FormCase) -> Client:
    client = Client()
    if case.actor != ANON:
        sign_in(client, world["actors"][case.actor].user)
    if case.invitation:
        opened = client.get(reverse("accounts:invitation_open", args=[world["invitation_token"]]))
        assert opened.status_code == 302
    return client


def _forms_in(response) -> list[forms.BaseForm]:
    found = []
    for context in response.context or []:
        for layer in context.dicts if hasattr(context, "dicts") else [context]:
            for value in layer.values() if hasattr(layer, "values") else []:
                if isinstance(value, forms.BaseForm) and value not in found:
                    found.append(value)
    return found


# --- generated values ------------------------------------------------------------------

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "<script>alert(1)</script>",
        "'; DROP TABLE people_person; --",
        "០១២៣៤៥៦៧៨៩",
        "សុខ\u200bដារ៉ា",
        "\u202eevil",
        "😀" * 10,
        "%(name)s %s {0}",
        "\r\n\t",
    ]
)
NUMBERS = st.sampled_from(
    [
        "-1",
        "0",
        "1",
        "2147483647",
        "2147483648",
        "9223372036854775807",
        "9223372036854775808",
        str(2**64),
        "99999999",
        "1e309",
        "1E+999999",
        "NaN",
        "inf",
        "-0",
        "1.5",
        "0.001",
        "១២៣",
        "៩៩៩៩៩៩៩៩៩៩៩៩",
        "0x10",
        "1_000",
        " 12 ",
        "9" * 5000,
    ]
)
DATES = st.sampled_from(
    [
        "0001-01-01",
        "9999-12-31",
        "1899-12-31",
        "1900-01-01",
        "2100-12-31",
        "2101-01-01",
        "31/12/9999",
        "01/01/0001",
        "29/02/2023",
        "2024-02-30",
        "២០២៤-០៣-១៥",
        "១៥/០៣/២០២៤",
        "0000-00-00",
        "10000-01-01",
    ]
)
ANY_DATE = st.one_of(
    DATES,
    st.dates().map(datetime.date.isoformat),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
)
TIMES = st.one_of(
    st.sampled_from(["24:00", "23:59", "00:00", "12:60", "១២:៣០", "-1:00", "noon"]),
    st.times().map(str),
)
IDS = st.one_of(
    st.uuids().map(str),
    st.sampled_from(["not-an-id", "0", "-1", str(2**64), "\x00", "1 OR 1=1"]),
)


def _long(limit: int):
    return st.builds(
        lambda size, char: char * size,
        st.sampled_from(sorted({limit, limit + 1, 100_001})),
        st.sampled_from(["x", "ក", "\x00"]),
    )


def _hostile_text(limit: int):
    return st.one_of(NASTY, TEXT, _long(limit), NUMBERS)


def _anything():
    return st.one_of(NASTY, TEXT, NUMBERS, DATES, IDS)


@dataclass
class FieldValues:
    """What may be posted for one field: valid values, hostile values (each a dict of the
    keys the field's widget reads), and uploads."""

    valid: st.SearchStrategy
    hostile: st.SearchStrategy


def _text(value) -> str:
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return str(value)


def _choice_values(field) -> list[str]:
    values = []
    for key, label in field.choices:
        if isinstance(label, (list, tuple)):
            values += [str(k) for k, _l in label]
        else:
            values.append(str(getattr(key, "value", key)))
    return [v for v in values if v != ""]


def _plain(case: FormCase) -> FormCase:
    return FormCase(case.url, case.obj, case.actor, case.form)


def _values_for(name: str, field: forms.Field, initial, world, case: FormCase) -> FieldValues:
    single = lambda strategy: strategy.map(lambda v: {name: v})  # noqa: E731
    given_valid = dict(case.valid)
    other_ids = st.sampled_from(world["other_ids"])
    if name in given_valid and not isinstance(field, forms.CharField):
        wanted = given_valid[name]
        wanted = wanted(world) if callable(wanted) else wanted
        valid = st.just({} if wanted is None else {name: wanted})
        return FieldValues(valid, _values_for(name, field, initial, world, _plain(case)).hostile)
    if isinstance(field, VillageField):
        places = world["places"]
        chain = {
            f"{name}_province": places["province"].code,
            f"{name}_district": places["district"].code,
            f"{name}_commune": places["commune"].code,
            name: str(places["village"].pk),
        }
        hostile = st.fixed_dictionaries(
            {},
            optional={
                key: st.one_of(st.just(value), IDS, NUMBERS, NASTY) for key, value in chain.items()
            },
        )
        return FieldValues(st.just(chain), hostile)
    if isinstance(field, forms.FileField):
        uploads = st.builds(
            SimpleUploadedFile,
            st.sampled_from(["photo.png", "scan.pdf", "x.exe", "../../etc/passwd", "a" * 300]),
            st.sampled_from(
                [
                    b"",
                    b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
                    b"%PDF-1.4\n",
                    b"MZ\x90\x00",
                    b"\x00" * 10,
                ]
            ),
        )
        return FieldValues(st.just({}), uploads.map(lambda f: {name: f}))
    if isinstance(field, forms.BooleanField):
        return FieldValues(
            st.sampled_from([{name: "on"}, {}]), single(st.one_of(NASTY, NUMBERS, TEXT))
        )
    if isinstance(field, forms.ModelChoiceField):
        with scopes_disabled():
            own = [str(pk) for pk in field.queryset.values_list("pk", flat=True)[:20]]
        hostile = st.one_of(IDS, other_ids, NASTY, NUMBERS)
        if isinstance(field, forms.ModelMultipleChoiceField):
            valid = st.lists(st.sampled_from(own), unique=True) if own else st.just([])
            return FieldValues(
                valid.map(lambda v: {name: v}), single(st.lists(hostile, max_size=3))
            )
        valid = st.sampled_from(own).map(lambda v: {name: v}) if own else st.just({})
        return FieldValues(valid, single(hostile))
    if isinstance(field, forms.ChoiceField):  # TypedChoiceField too
        choices = _choice_values(field)
        valid = st.sampled_from(choices).map(lambda v: {name: v}) if choices else st.just({})
        return FieldValues(valid, single(st.one_of(_anything(), st.lists(TEXT, max_size=2))))
    if isinstance(field, forms.UUIDField):
        valid = st.just({name: str(world["case"].pk)})
        return FieldValues(valid, single(st.one_of(IDS, other_ids, NASTY)))
    if isinstance(field, (forms.DateField, forms.DateTimeField)):
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        valid = [yesterday.isoformat()]
        if initial:
            valid.append(_text(initial))
        return FieldValues(
            st.sampled_from(valid).map(lambda v: {name: v}), single(st.one_of(ANY_DATE, NASTY))
        )
    if isinstance(field, forms.TimeField):
        return FieldValues(st.just({name: "09:30"}), single(st.one_of(TIMES, NASTY)))
    if isinstance(field, (forms.IntegerField, forms.DecimalField)):
        low = field.min_value if field.min_value is not None else 0
        high = field.max_value if field.max_value is not None else 1000
        valid = [str(low), str(min(high, max(low, 1) * 10))]
        if initial is not None:
            valid.append(_text(initial))
        return FieldValues(
            st.sampled_from(valid).map(lambda v: {name: v}),
            single(st.one_of(NUMBERS, st.integers().map(str), st.decimals().map(str), NASTY)),
        )
    if isinstance(field, forms.CharField):  # EmailField, khmer.CharField
        limit = field.max_length or limits.NOTE_LENGTH
        if name in given_valid:
            wanted = given_valid[name]
            if wanted is None:
                return FieldValues(st.just({}), single(_hostile_text(limit)))
            valid = [wanted(world) if callable(wanted) else wanted]
        elif isinstance(field, forms.EmailField):
            valid = ["someone.new@example.test"]
        elif field.widget.is_hidden:
            valid = [_text(initial)] if initial not in (None, "") else [""]
        else:
            valid = ["Sok Dara", "សុខ ដារ៉ា"]
            if initial:
                valid.append(_text(initial))
        if name == "token":
            valid = ["123456", "១២៣៤៥៦"]
        return FieldValues(
            st.sampled_from(valid).map(lambda v: {name: v}), single(_hostile_text(limit))
        )
    if type(field) is forms.Field and field.widget.is_hidden:  # a page's own token
        valid = [_text(initial)] if initial not in (None, "") else [""]
        return FieldValues(
            st.sampled_from(valid).map(lambda v: {name: v}),
            single(_hostile_text(limits.NOTE_LENGTH)),
        )
    raise AssertionError(f"no values for {type(field).__name__} {name}: add them here")


def _submission(form: forms.BaseForm, world, case: FormCase):
    """A strategy of (data, files) for *form*: every field valid but one (hostile or
    missing), or every field valid, hostile or missing at random."""
    fields = [
        (name, _values_for(name, field, form[name].value(), world, case))
        for name, field in form.fields.items()
    ]
    fixed = {key: world["fixed"][value] for key, value in case.fixed}

    @st.composite
    def draw(draw_):
        mode = draw_(st.sampled_from(["one", "all"]))
        values = {}
        if mode == "one":
            wrong = draw_(st.integers(0, len(fields) - 1))
            for index, (_name, options) in enumerate(fields):
                if index == wrong:
                    values |= draw_(st.one_of(options.hostile, st.just({})))
                else:
                    values |= draw_(options.valid)
        else:
            for _name, options in fields:
                values |= draw_(st.one_of(options.valid, options.hostile, st.just({})))
        return values | fixed

    return draw()


# --- what may change -------------------------------------------------------------------


def _tables() -> list[tuple[str, str]]:
    seen, tables = set(), []
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if model._meta.managed and table not in seen and table != "django_session":
            seen.add(table)
            tables.append((table, model._meta.pk.column))
    return sorted(tables)


_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


class WrittenTables:
    """The tables a block of code sends INSERT, UPDATE or DELETE statements to (every write
    goes through the connection, raw SQL too)."""

    def __init__(self):
        self.tables: set[str] = set()

    def __call__(self, execute, sql, params, many, context):
        match = _WRITE.match(sql)
        if match:
            self.tables.add(match.group(1))
        return execute(sql, params, many, context)


def _snapshot(only: set[str] | None = None, base: dict | None = None) -> dict:
    """Every row of every table of the project (or, with *only*, of those tables, the
    others taken from *base*)."""
    state = dict(base or {})
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, pk in _tables():
            if only is not None and table not in only:
                continue
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 - model tables
            columns = [column[0] for column in cursor.description]
            at = columns.index(pk)
            state[table] = (columns, {row[at]: row for row in cursor.fetchall()})
    return state


SEAL_COLUMNS = {"sequence", "prev_hash", "hash", "key_id"}


def _writes(before: dict, after: dict, case: FormCase) -> list[str]:
    """What changed between two snapshots, less what the case may write: access events
    (pending, outside the chain) always; its *tables*; with *actions*, events of those actions
    appended to the chain (which also seals pending access events)."""
    found = []
    for table, (columns, rows) in after.items():
        old_rows = before[table][1]
        if table in case.tables:
            continue
        for pk, row in rows.items():
            values = dict(zip(columns, row, strict=True))
            if pk not in old_rows:
                if table == "core_auditevent" and (
                    values["sequence"] is None
                    or (case.actions and values["action"].startswith(case.actions))
                ):
                    continue
                if table == "core_auditchain" and case.actions:
                    continue
                found.append(f"new {table} {values}")
            elif old_rows[pk] != row:
                old = dict(zip(columns, old_rows[pk], strict=True))
                changed = {k for k in columns if old[k] != values[k]}
                if case.actions and (
                    table == "core_auditchain"
                    or (table == "core_auditevent" and changed <= SEAL_COLUMNS)
                ):
                    continue
                found.append(f"changed {table} {pk}: {sorted(changed)}")
        found += [f"deleted {table} {pk}" for pk in old_rows.keys() - rows.keys()]
    return found


def _models_by_table() -> dict:
    return {
        model._meta.db_table: model
        for model in apps.get_models()
        if model.__module__.startswith("phteah.") and model._meta.db_table != "core_auditevent"
    }


def _as_date(value):
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    return value


def _beyond_bounds(before: dict, after: dict) -> list[str]:
    """Values of new or changed rows of the project's tables beyond their bounds: texts
    longer than their limit or with NUL characters, dates outside 1900–2100."""
    from django.db import models as db

    found = []
    for table, model in _models_by_table().items():
        columns, rows = after[table]
        old_rows = before[table][1]
        fields = {f.column: f for f in model._meta.concrete_fields}
        for pk, row in rows.items():
            if old_rows.get(pk) == row:
                continue
            for column, value in zip(columns, row, strict=True):
                model_field = fields.get(column)
                if value is None or model_field is None:
                    continue
                if isinstance(model_field, (db.CharField, db.TextField)) and isinstance(value, str):
                    limit = model_field.max_length or limits.NOTE_LENGTH
                    if len(value) > limit or "\x00" in value:
                        found.append(f"{table}.{column}: {len(value)} characters")
                elif isinstance(model_field, db.DateField) and not limits.date_in_range(
                    _as_date(value)
                ):
                    found.append(f"{table}.{column}: {value}")
    return found


# --- messages in the user's language -----------------------------------------------------

_CALLS = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}


def _source_msgids() -> set[str]:
    msgids = set()
    for path in Path(phteah.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in _CALLS:
                for arg in node.args[:2]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        msgids.add(arg.value)
    return msgids


def _django_msgids() -> set[str]:
    root = Path(django.__file__).parent
    msgids = set()
    for path in root.glob("**/locale/en/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(path)):
            msgids.add(entry.msgid)
            if entry.msgid_plural:
                msgids.add(entry.msgid_plural)
    return msgids


_PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sd]")
_PATTERNS: list[tuple[re.Pattern, str]] = []


def _patterns():
    if not _PATTERNS:
        for msgid in _source_msgids() | _django_msgids():
            parts = _PLACEHOLDER.split(msgid)
            regex = "(?s)" + ".+?".join(re.escape(part) for part in parts)
            _PATTERNS.append((re.compile(regex + r"\Z"), msgid))
    return _PATTERNS


AWAITING: set[str] = set()


def _translated(msgid: str) -> bool:
    with translation.override("km"):
        return translation.gettext(msgid) != msgid


def _render(message, params, language: str) -> str:
    with translation.override(language):
        return str(message % params) if params else str(message)


def _msgid(message: Promise) -> str:
    args, kwargs = getattr(message, "_args", ()), getattr(message, "_kw", {})
    return str(args[0] if args else kwargs.get("singular", message))


def _check_message(message, params, html: str) -> None:
    """*message* (with *params*) is shown on the page in Khmer, or awaits its translation."""
    text = _render(message, params, "km")
    # The page shows numbers in the user's digits (Khmer here): compare whatever the digits.
    shown = numerals.digits(escape(text), numerals.LATIN)
    assert shown in numerals.digits(html, numerals.LATIN), (
        f"refusal not shown in the user's language: {text!r}"
    )
    if KHMER_LETTERS.search(text):
        return
    if isinstance(message, Promise):  # a translatable message without its Khmer yet
        AWAITING.add(_msgid(message))
        return
    matches = [msgid for regex, msgid in _patterns() if regex.match(text)]
    assert matches, f"a refusal that cannot be translated: {text!r}"
    assert not any(_translated(msgid) for msgid in matches), f"shown in English: {text!r}"
    AWAITING.update(matches)


def _check_refusal_messages(form: forms.BaseForm, html: str) -> None:
    for errors in form.errors.as_data().values():
        for error in errors:
            for item in error.error_list:
                _check_message(item.message, item.params, html)


@pytest.fixture(scope="module", autouse=True)
def _report_awaiting():
    yield
    if AWAITING:
        warnings.warn(
            "refusal messages awaiting a Khmer translation:\n"
            + "\n".join(f"  {msgid!r}" for msgid in sorted(AWAITING)),
            stacklevel=1,
        )


# --- the tests -------------------------------------------------------------------------


def _project_form_classes() -> set[type]:
    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    reverse("accounts:home")  # every view (and so every form) imported
    return {cls for cls in walk(forms.BaseForm) if cls.__module__.startswith("phteah.")}


def test_every_form_class_is_covered():
    covered = {case.form for case in FORMS} | set(BASES)
    missing = sorted(c.__qualname__ for c in _project_form_classes() - covered)
    assert not missing, f"add these forms to FORMS: {missing}"


def _shown_on(route: str) -> set[type]:
    return {
        case.form for case in FORMS if route in (case.page or case.url, case.url, *case.shown_on)
    }


@pytest.mark.django_db
def test_every_page_with_a_form_is_covered(world):
    """Every page of the permission matrix that renders a form, as a member who may open it,
    renders only forms listed for it here."""
    uncovered, checked = [], 0
    for name, builder, method, data, expected in MATRIX:
        if method != "get":
            continue
        table = resolved(expected, has_object=builder is not None)
        actor = next((column for column in COLUMNS if table[column] == 200), None)
        if actor is None:
            continue
        client = Client()
        if actor != ANON:
            sign_in(client, world["actors"][actor].user)
        response = client.get(_url(world, name, builder), data or {})
        checked += 1
        for form in _forms_in(response):
            if type(form) not in _shown_on(name):
                uncovered.append(f"{name}: {type(form).__qualname__}")
    assert checked > 40
    assert not uncovered, f"pages whose forms are not in FORMS: {sorted(set(uncovered))}"


@pytest.mark.django_db
def test_every_form_case_shows_its_form(world):
    """The list is right: each page shows the form the case posts (and the form's text
    fields all have a maximum length)."""
    for case in FORMS:
        client = _client(world, case)
        page = client.get(_page_url(world, case))
        assert page.status_code == 200, case.id
        shown = [f for f in _forms_in(page) if type(f) is case.form]
        assert shown, f"{case.id}: the page does not show the form"
        for name, form_field in shown[0].fields.items():
            if isinstance(form_field, forms.CharField) and not isinstance(
                form_field, forms.UUIDField
            ):
                assert form_field.max_length, f"{case.id}: {name} has no maximum length"


class Submitter:
    """Posts values to a case's form as its member, each submission in a savepoint rolled
    back after it, and checks the answer (see the module docstring)."""

    def __init__(self, world, case: FormCase):
        self.case = case
        self.client = _client(world, case)
        page = self.client.get(_page_url(world, case))
        assert page.status_code == 200
        self.form = next(f for f in _forms_in(page) if type(f) is case.form)
        self.url = _url(world, case.url, case.obj)
        self.cookies = SimpleCookie()
        self.cookies.update(self.client.cookies)
        self.before = _snapshot()
        self.gates = tuple(
            reverse(name)
            for name in (
                "accounts:login",
                "accounts:two_factor_verify",
                "accounts:two_factor_setup",
            )
        )

    def __call__(self, values: dict) -> None:
        self.client.cookies = SimpleCookie()
        self.client.cookies.update(self.cookies)
        for upload in values.values():
            if isinstance(upload, SimpleUploadedFile):
                upload.seek(0)
        with transaction.atomic():
            try:
                written = WrittenTables()
                with connection.execute_wrapper(written):
                    response = getattr(self.client, self.case.method)(self.url, values)
                    confirming = self._confirmation(response)
                    if confirming is not None:  # asked to confirm: confirm what was shown
                        values = {**values, **confirming}
                        response = self.client.post(self.url, values)
                self._check(values, response, written.tables)
            finally:
                transaction.set_rollback(True)
        return self.taken

    def _confirmation(self, response) -> dict | None:
        """The values a confirmation step added, when *response* asks to confirm."""
        if not self.case.confirm_step or response.status_code != 200:
            return None
        posted = [f for f in _forms_in(response) if type(f) is self.case.form and f.is_bound]
        if not posted or posted[0].errors:
            return None
        added = {
            key: value
            for key, value in posted[0].data.items()
            if posted[0].fields.get(key) is not None and posted[0].fields[key].widget.is_hidden
        }
        return added or None

    def _check(self, values, response, tables) -> None:
        case = self.case
        assert response.status_code != 500
        posted = [f for f in _forms_in(response) if type(f) is case.form and f.is_bound]
        taken = response.status_code in (301, 302, 303) or (
            # the answer to a taken form may be a page of its own (an invitation sent)
            response.status_code == 200 and case.method == "post" and values and not posted
        )
        self.taken = taken
        self.errors = [dict(f.errors) for f in posted] or response.status_code
        after = _snapshot(only=tables, base=self.before)
        if taken:
            if case.actor != ANON and response.status_code != 200:
                assert not response["Location"].startswith(self.gates), "signed out"
            beyond = _beyond_bounds(self.before, after)
            assert not beyond, f"taken and stored beyond its bounds: {beyond}"
            return
        written = _writes(self.before, after, case)
        assert not written, f"refused, yet written: {written}"
        html = response.content.decode()
        for shown in posted:
            _check_refusal_messages(shown, html)
        if posted and case.method == "post" and not case.confirm_step:
            assert any(f.errors for f in posted), "refused without a message"


def _edges(name: str, field: forms.Field, world) -> list:
    """The values at and beyond a field's bounds, each posted alone in the sweep."""
    if isinstance(field, VillageField):
        return [{f"{name}_province": world["places"]["province"].code}, {name: "99999999"}]
    if isinstance(field, forms.FileField):
        return [{name: SimpleUploadedFile("x.png", b"MZ\x90\x00")}]
    if isinstance(field, forms.BooleanField):
        return [{name: "\x00"}]
    if isinstance(field, forms.ModelChoiceField):
        values = [world["other_ids"][0], "not-an-id", "\x00", str(2**64)]
        if isinstance(field, forms.ModelMultipleChoiceField):
            return [{name: [value]} for value in values]
        return [{name: value} for value in values]
    if isinstance(field, forms.ChoiceField):
        return [{name: "not-a-choice"}, {name: "\x00"}, {name: ["a", "b"]}]
    if isinstance(field, forms.UUIDField):
        return [{name: "not-a-uuid"}, {name: world["other_ids"][0]}]
    if isinstance(field, (forms.DateField, forms.DateTimeField)):
        dates = ["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01", "31/12/9999"]
        return [{name: value} for value in dates + ["១៥/០៣/២០២៤", "\x00"]]
    if isinstance(field, forms.TimeField):
        return [{name: "24:00"}, {name: "១២:៣០"}, {name: "\x00"}]
    if isinstance(field, (forms.IntegerField, forms.DecimalField)):
        numbers = ["-1", "0", "99999999", "2147483648", "9223372036854775808", "1e309", "NaN"]
        if field.max_value is not None:
            numbers.append(str(field.max_value + 1))
        return [{name: value} for value in numbers + ["៤២", "\x00"]]
    if isinstance(field, forms.CharField):
        limit = field.max_length or limits.NOTE_LENGTH
        return [{name: "x" * (limit + 1)}, {name: "ក" * 100_001}, {name: "a\x00b"}]
    if type(field) is forms.Field and field.widget.is_hidden:  # a page's own token
        return [{name: "x" * 100_001}, {name: "a\x00b"}, {name: ["a", "b"]}]
    raise AssertionError(f"no edge values for {type(field).__name__} {name}: add them here")


def _valid_parts(form, world, case) -> dict[str, dict]:
    """For every field, the keys and values of its simplest valid value."""
    from hypothesis import find

    return {
        name: find(_values_for(name, field, form[name].value(), world, case).valid, lambda _v: True)
        if not isinstance(field, (forms.FileField, forms.BooleanField))
        else {}
        for name, field in form.fields.items()
    }


@pytest.mark.django_db
@pytest.mark.parametrize("case", FORMS, ids=[case.id for case in FORMS])
def test_values_at_and_beyond_the_bounds(world, case):
    """Every field alone at and beyond its bounds, the others valid, and each field missing."""
    submit = Submitter(world, case)
    parts = _valid_parts(submit.form, world, case)
    fixed = {key: world["fixed"][value] for key, value in case.fixed}

    def others(name):
        return {k: v for other, part in parts.items() if other != name for k, v in part.items()}

    taken = submit(others(None) | fixed)
    if case.method == "post" and not case.never_taken:
        assert taken, f"the valid values were refused: {submit.errors}"
    for name, form_field in submit.form.fields.items():
        for edge in _edges(name, form_field, world):
            submit(others(name) | edge | fixed)
        submit(others(name) | fixed)


@pytest.mark.django_db
@pytest.mark.parametrize("case", FORMS, ids=[case.id for case in FORMS])
def test_hostile_values_never_give_a_500(world, case):
    submit = Submitter(world, case)

    @PROFILE
    @given(values=_submission(submit.form, world, case))
    def run(values):
        submit(values)

    run()
