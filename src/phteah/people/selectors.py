"""Reads of people data that a user triggers. Each takes the acting Membership and returns
only what it may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

from phteah.accounts.models import GOVERNMENT_KINDS, Membership, Organisation
from phteah.core.audit import audit_access
from phteah.core.errors import NotFound
from phteah.core.khmer import to_ascii_digits
from phteah.core.limits import date_in_range

from .access import can_edit_person, household_get_for_user, person_get_for_user, persons_for
from .models import (
    Consent,
    Household,
    HouseholdMember,
    IdentityDocument,
    Person,
    SharingPurpose,
)
from .names import has_khmer, khmer_keys, khmer_search_form, latin_search_form, name_keys
from .page import sections as person_page_sections

PLACE = "village__commune__district__province"
# The places a person's page and sections show (select_related); the case page reads them
# with the case (phteah.cases.selectors.case_detail).
PERSON_PLACES = (PLACE, "birth_province")


def _today() -> datetime.date:
    return timezone.localdate()


def age_in_years(date_of_birth: datetime.date | None, today: datetime.date | None = None):
    if date_of_birth is None:
        return None
    today = today or _today()
    before_birthday = (today.month, today.day) < (date_of_birth.month, date_of_birth.day)
    return today.year - date_of_birth.year - before_birthday


def _href(name: str, **kwargs) -> str:
    """A URL of another area, or '' while that area has no such page."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


# --- one person ----------------------------------------------------------------------------


def person_get_detail(*, actor: Membership, person_id, record_view: bool = False) -> Person:
    """The person with their places loaded (NotFound as the access function answers),
    recording that *actor* looked at the record when *record_view*."""
    person_get_for_user(actor=actor, person_id=person_id)
    person = Person.objects.select_related(*PERSON_PLACES).get(pk=person_id)
    if record_view:
        audit_access(
            actor=actor.user,
            organisation=person.organisation_id,
            action="people.person.viewed",
            target=person,
        )
    return person


@dataclass
class DocumentRow:
    kind: str
    label: str
    document: IdentityDocument | None


def _documents(person: Person) -> list[DocumentRow]:
    stored = {d.kind: d for d in IdentityDocument.objects.filter(person=person)}
    return [
        DocumentRow(kind, label, stored.get(kind)) for kind, label in IdentityDocument.Kind.choices
    ]


def _households(actor: Membership, person: Person) -> list[Household]:
    visible = persons_for(actor).filter(pk=OuterRef("person_id"))
    members = (
        HouseholdMember.objects.select_related("person")
        .annotate(visible=Exists(visible))
        .order_by("-is_primary_carer", "person__family_name_latin", "person__given_name_latin")
    )
    return list(
        Household.objects.filter(members__person=person)
        .select_related(PLACE)
        .prefetch_related(Prefetch("members", queryset=members))
        .order_by("name")
    )


def _consents(person: Person) -> list[Consent]:
    return list(
        Consent.objects.filter(person=person)
        .prefetch_related("organisations")
        .order_by("-given_on")
    )


def _person_sections(actor: Membership, person: Person) -> dict:
    return {
        "person": person,
        "age": age_in_years(person.date_of_birth),
        "documents": _documents(person),
        "households": _households(actor, person),
        "consents": _consents(person),
        "can_edit": can_edit_person(actor, person),
    }


def person_page_context(*, actor: Membership, person: Person) -> dict:
    """Everything the person page shows, in a fixed number of queries: the person's own
    sections and those the apps above contribute (phteah.people.page)."""
    context = {
        "person": person,
        "person_sections": _person_sections(actor, person),
        "can_edit": can_edit_person(actor, person),
        "page_sections": person_page_sections(),
    }
    for section in context["page_sections"]:
        context |= section.context(actor=actor, person=person)
    return context


def person_case_context(*, actor, case) -> dict:
    """Context for people/case_sections.html on the case page (the case is one *actor* may
    see, so its person is too). One key, ``person_sections``, so that it never clashes with
    the case page's own context."""
    person = case.person
    if not Person.village.is_cached(person) or not Person.birth_province.is_cached(person):
        person = Person.objects.select_related(*PERSON_PLACES).get(pk=case.person_id)
    sections = _person_sections(actor, person)
    # Forms opened from the case page come back to it.
    sections["return_to"] = _href("cases:case_detail", case_id=case.pk)
    # The page of a closed case is read-only until it is reopened: the person's details are
    # changed from their own page meanwhile.
    if case.status != "open":
        sections["can_edit"] = False
    return {"person_sections": sections}


def household_detail_context(*, actor: Membership, household_id) -> dict:
    """The household page: its members (names only of those *actor* may see), recording
    that *actor* looked at it."""
    household = household_get_for_user(actor=actor, household_id=household_id)
    audit_access(
        actor=actor.user,
        organisation=household.organisation_id,
        action="people.household.viewed",
        target=household,
    )
    visible = persons_for(actor).filter(pk=OuterRef("person_id"))
    members = list(
        HouseholdMember.objects.filter(household=household)
        .select_related("person")
        .annotate(visible=Exists(visible))
        .order_by("-is_primary_carer", "person__family_name_latin", "person__given_name_latin")
    )
    for member in members:
        member.age = age_in_years(member.person.date_of_birth)
    return {"household": household, "members": members}


def household_member_get(*, household: Household, member_id) -> HouseholdMember:
    try:
        return HouseholdMember.objects.select_related("person", "household").get(
            pk=member_id, household=household
        )
    except (HouseholdMember.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound from error


def consent_get(*, person: Person, consent_id) -> Consent:
    try:
        return Consent.objects.select_related("person").get(pk=consent_id, person=person)
    except (Consent.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound from error


def identity_document_get(*, person: Person, kind: str) -> IdentityDocument | None:
    if kind not in IdentityDocument.Kind.values:
        raise NotFound
    return IdentityDocument.objects.filter(person=person, kind=kind).first()


def organisations_for_sharing(*, actor: Membership) -> QuerySet:
    """Organisations a consent may name: every active one but the actor's own."""
    return Organisation.objects.filter(is_active=True).exclude(pk=actor.organisation_id)


def consent_for_sharing(
    *, person: Person, organisation: Organisation, purpose: str
) -> Consent | None:
    """The consent that lets *person*'s organisation share them with *organisation* for
    *purpose* (a ``SharingPurpose``), the one lasting longest when several do; None if none
    does. It must be given by an adult or a guardian (a child's assent alone never covers
    sharing), dated by today, neither withdrawn nor expired, and:

    - for a referral or a transfer: a consent for sharing with named organisations that names
      *organisation* and covers that purpose;
    - for a government share, or a referral to a government office: a consent for sharing
      with government social services that names *organisation* if it names anyone, and
      *organisation* must be a government office."""
    today = _today()
    government = organisation.kind in GOVERNMENT_KINDS
    if purpose == SharingPurpose.GOVERNMENT_SHARE or (
        government and purpose == SharingPurpose.REFERRAL
    ):
        if not government:
            return None
        covering = Q(purpose=Consent.Purpose.SHARE_GOVERNMENT) & (
            Q(organisations=organisation) | Q(organisations__isnull=True)
        )
    elif purpose in (SharingPurpose.REFERRAL, SharingPurpose.TRANSFER):
        flag = "for_referral" if purpose == SharingPurpose.REFERRAL else "for_transfer"
        covering = Q(purpose=Consent.Purpose.SHARE_ORGANISATION, organisations=organisation) & Q(
            **{flag: True}
        )
    else:
        return None
    return (
        Consent.objects.filter(
            person=person,
            organisation_id=person.organisation_id,
            given_as__in=[Consent.GivenAs.ADULT, Consent.GivenAs.GUARDIAN],
            given_on__lte=today,
        )
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .filter(covering)
        .order_by(F("valid_until").desc(nulls_first=True), "-given_on")
        .first()
    )


# --- search --------------------------------------------------------------------------------


def person_search(*, actor: Membership, query: str, limit: int = 20) -> QuerySet:
    """Persons *actor* may see whose names (either script, any part, any case) contain every
    word of *query*. Digits play no part."""
    words = [word for word in to_ascii_digits(query or "").split() if not word.isdigit()][:6]
    persons = persons_for(actor)
    conditions = Q()
    for word in words:
        if has_khmer(word):
            form = khmer_search_form(word)
            if form:
                conditions &= Q(search_km__contains=form)
        else:
            form = latin_search_form(word)
            if form:
                conditions &= Q(search_latin__contains=form)
    if not conditions:
        return persons.none()
    return (
        persons.filter(conditions)
        .select_related(PLACE)
        .order_by("family_name_latin", "given_name_latin", "family_name_km")[:limit]
    )


# --- duplicate check -----------------------------------------------------------------------

DOB_TOLERANCE = datetime.timedelta(days=365)
CANDIDATE_LIMIT = 50
MIN_SCORE = 50
WEIGHTS = {"latin": 35, "khmer": 25, "dob": 20, "sex": 10, "place": 10}
FIELD_LABELS = {
    "latin": _("name in Latin letters"),
    "khmer": _("name in Khmer"),
    "dob": _("date of birth"),
    "sex": _("sex"),
    "village": _("village"),
    "commune": _("commune"),
}


def _ratio(a: str, b: str) -> float:
    """Similarity of two names, 0–1, ignoring word order."""
    if not a or not b:
        return 0.0
    return fuzz.token_sort_ratio(a, b) / 100


@dataclass
class DuplicateMatch:
    """A likely duplicate. ``person`` is None when the actor may not see it: then nothing
    about the match is shown but that it exists."""

    score: int
    person: Person | None = None
    fields: list = field(default_factory=list)
    age: int | None = None

    @property
    def visible(self) -> bool:
        return self.person is not None


@dataclass
class _Wanted:
    latin: str
    khmer: str
    keys: set[str]  # the phonetic keys of the Latin name, either name first
    khmer_keys: set[str]  # the Khmer name without spaces, either name first
    sex: str
    dob: datetime.date | None
    village_id: int | None
    commune_id: str | None

    @classmethod
    def from_data(cls, data: dict) -> _Wanted:
        dob = data.get("date_of_birth")
        if dob is None and data.get("age_years") is not None:
            from .services import date_of_birth_from_age

            dob = date_of_birth_from_age(int(data["age_years"]))
        if dob is not None and not date_in_range(dob):
            dob = None  # not a date of birth (the form and the services refuse it)
        village = data.get("village")
        return cls(
            latin=latin_search_form(data.get("family_name_latin"), data.get("given_name_latin")),
            khmer=khmer_search_form(data.get("family_name_km"), data.get("given_name_km")),
            keys=name_keys(data.get("family_name_latin"), data.get("given_name_latin")),
            khmer_keys=khmer_keys(data.get("family_name_km"), data.get("given_name_km")),
            sex=data.get("sex") or "",
            dob=dob,
            village_id=getattr(village, "pk", None),
            commune_id=getattr(village, "commune_id", None),
        )


def _score(wanted: _Wanted, person: Person) -> tuple[int, list[str]]:
    parts: dict[str, float] = {}
    matched: list[str] = []
    latin = latin_search_form(person.family_name_latin, person.given_name_latin)
    if wanted.latin and latin:
        similarity = _ratio(wanted.latin, latin)
        if person.name_key in wanted.keys:  # the same sounds, however spelt and spaced
            similarity = max(similarity, 0.9)
        parts["latin"] = similarity
        if similarity >= 0.8:
            matched.append("latin")
    khmer = khmer_search_form(person.family_name_km, person.given_name_km)
    if wanted.khmer and khmer:
        similarity = _ratio(wanted.khmer, khmer)
        if person.name_key_km in wanted.khmer_keys:  # the same letters, however spaced
            similarity = 1.0
        parts["khmer"] = similarity
        if similarity >= 0.8:
            matched.append("khmer")
    if wanted.dob and person.date_of_birth:
        days = abs((wanted.dob - person.date_of_birth).days)
        parts["dob"] = 0.0 if days > DOB_TOLERANCE.days else 1 - days / (2 * DOB_TOLERANCE.days)
        if days <= DOB_TOLERANCE.days:
            matched.append("dob")
    if wanted.sex and person.sex:
        parts["sex"] = 1.0 if wanted.sex == person.sex else 0.0
        if wanted.sex == person.sex:
            matched.append("sex")
    if wanted.commune_id and person.village_id:
        if wanted.village_id == person.village_id:
            parts["place"] = 1.0
            matched.append("village")
        elif wanted.commune_id == person.village.commune_id:
            parts["place"] = 0.8
            matched.append("commune")
        else:
            parts["place"] = 0.0
    if "latin" not in parts and "khmer" not in parts:
        return 0, []
    total = sum(WEIGHTS[name] for name in parts)
    score = round(100 * sum(WEIGHTS[name] * value for name, value in parts.items()) / total)
    return score, matched


def person_duplicates(
    *, actor: Membership, data: dict, limit: int = 10, exclude=None
) -> list[DuplicateMatch]:
    """Likely duplicates of the person described by *data* (a register form's cleaned data)
    in the actor's organisation, best first. Candidates are chosen in SQL (same phonetic key
    of the Latin name or the same Khmer letters, spacing ignored and either name first, or the
    same commune, sex and near date of birth), within a year of the date of birth when both
    are known; each is then scored 0–100."""
    wanted = _Wanted.from_data(data)
    found = Q()
    if wanted.keys:
        found |= Q(name_key__in=wanted.keys)
    if wanted.khmer_keys:
        found |= Q(name_key_km__in=wanted.khmer_keys)
    if wanted.khmer:
        found |= Q(search_km=wanted.khmer) | Q(search_km__startswith=wanted.khmer + " ")
    window = None
    if wanted.dob:
        window = (wanted.dob - DOB_TOLERANCE, wanted.dob + DOB_TOLERANCE)
        if wanted.commune_id and wanted.sex:
            found |= Q(
                village__commune_id=wanted.commune_id,
                sex=wanted.sex,
                date_of_birth__range=window,
            )
    if not found:
        return []
    candidates = Person.objects.filter(organisation_id=actor.organisation_id).filter(found)
    if window:
        candidates = candidates.filter(
            Q(date_of_birth__isnull=True) | Q(date_of_birth__range=window)
        )
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    candidates = list(candidates.select_related(PLACE).order_by("-created_at")[:CANDIDATE_LIMIT])
    scored = []
    for person in candidates:
        score, matched = _score(wanted, person)
        if score >= MIN_SCORE:
            scored.append((score, person, matched))
    scored.sort(key=lambda item: -item[0])
    scored = scored[:limit]
    if not scored:
        return []
    visible = set(
        persons_for(actor)
        .filter(pk__in=[person.pk for _score_, person, _m in scored])
        .values_list("pk", flat=True)
    )
    return [
        DuplicateMatch(
            score=score,
            person=person,
            fields=[FIELD_LABELS[name] for name in matched],
            age=age_in_years(person.date_of_birth),
        )
        if person.pk in visible
        else DuplicateMatch(score=score)
        for score, person, matched in scored
    ]


# --- downloads -----------------------------------------------------------------------------


def _downloaded(actor: Membership, record, action: str, person: Person) -> None:
    audit_access(
        actor=actor.user,
        organisation=person.organisation_id,
        action=action,
        target=record,
        data={"person": str(person.pk)},
    )


def person_photo(*, actor: Membership, person_id):
    """The person's photo (a stored file, possibly empty), recording the download."""
    person = person_get_for_user(actor=actor, person_id=person_id)
    if person.photo:
        _downloaded(actor, person, "people.person.photo_downloaded", person)
    return person.photo


def document_scan(*, actor: Membership, person_id, kind: str):
    """The scan of one of the person's identity documents, recording the download."""
    person = person_get_for_user(actor=actor, person_id=person_id)
    document = identity_document_get(person=person, kind=kind)
    if document is None or not document.scan:
        raise NotFound
    _downloaded(actor, document, "people.document.scan_downloaded", person)
    return document.scan


def consent_scan(*, actor: Membership, person_id, consent_id):
    """The signed consent form of one of the person's consents, recording the download."""
    person = person_get_for_user(actor=actor, person_id=person_id)
    consent = consent_get(person=person, consent_id=consent_id)
    if not consent.scan:
        raise NotFound
    _downloaded(actor, consent, "people.consent.scan_downloaded", person)
    return consent.scan
