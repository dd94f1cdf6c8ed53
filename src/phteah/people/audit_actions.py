"""What the people app's audit events mean, and how their values are named (see
phteah.core.audit_actions). Choices (sex, kinds of document, consent) are labelled from the
models' own fields."""

from django.utils.translation import gettext_lazy as _

from phteah.core.audit.display import show_date
from phteah.core.audit_actions import Ref

ACTIONS = {
    "people.person.created": _("%(actor)s registered %(target)s."),
    "people.person.updated": _("%(actor)s changed the details of %(target)s."),
    "people.person.viewed": _("%(actor)s opened the record of %(target)s."),
    "people.person.photo_downloaded": _("%(actor)s downloaded the photo of %(person)s."),
    "people.document.scan_downloaded": _("%(actor)s downloaded a document scan of %(person)s."),
    "people.consent.scan_downloaded": _(
        "%(actor)s downloaded the signed consent form of %(person)s."
    ),
    "people.household.viewed": _("%(actor)s looked at the household %(target)s."),
    "people.document.created": _(
        "%(actor)s recorded the identity document “%(target)s” of %(person)s."
    ),
    "people.document.updated": _(
        "%(actor)s changed the identity document “%(target)s” of %(person)s."
    ),
    "people.household.created": _("%(actor)s added the household %(target)s."),
    "people.household_member.added": _("%(actor)s added %(person)s to the household %(target)s."),
    "people.household_member.removed": _(
        "%(actor)s removed %(person)s from the household %(target)s."
    ),
    "people.consent.created": _("%(actor)s recorded a consent of %(person)s: %(target)s."),
    "people.consent.withdrawn": _(
        "%(actor)s recorded that a consent of %(person)s was withdrawn: %(target)s."
    ),
    "people.linkage.checked": _(
        "%(actor)s checked whether other organisations may hold %(target)s."
    ),
    "people.linkage.matched_outside": _(
        "Another organisation's duplicate check found a possible match with %(target)s."
    ),
    "people.linkage.limited": _(
        "%(actor)s went over a limit of the duplicate check across organisations."
    ),
}

ACTION_GROUPS = {
    "people.person": _("People"),
    "people.document": _("Identity documents"),
    "people.household": _("Households"),
    "people.consent": _("Consent"),
    "people.linkage": _("Duplicate check across organisations"),
}

FIELD_LABELS = {
    "family_name_km": _("family name in Khmer"),
    "given_name_km": _("given name in Khmer"),
    "family_name_latin": _("family name in Latin letters"),
    "given_name_latin": _("given name in Latin letters"),
    "nickname": _("nickname"),
    "sex": _("sex"),
    "date_of_birth": _("date of birth"),
    "date_of_birth_estimated": _("date of birth is estimated"),
    "birth_province": _("province of birth"),
    "has_disability": _("has a disability"),
    "disability_notes": _("disability"),
    "photo": _("photo"),
    "status": _("status"),
    "number": _("number"),
    "obtained_on": _("date obtained"),
    "scan": _("scan"),
    "notes": _("notes"),
    "person": _("person"),
    "relationship": _("relationship"),
    "is_primary_carer": _("primary carer"),
    "given_as": _("given as"),
    "given_by_name": _("given by"),
    "given_on": _("date given"),
    "purpose": _("for"),
    "shared_with": _("organisation it may be shared with"),
    "method": _("how"),
    "witness_name": _("witness"),
    "withdrawn_on": _("withdrawn on"),
}


def _consent_name(consent, language) -> str:
    return _("%(purpose)s, given on %(date)s") % {
        "purpose": consent.get_purpose_display(),
        "date": show_date(consent.given_on),
    }


# The person an event is about, when the target is another record of theirs (a photo, a
# document, a household they joined).
VALUES = {"people": {"person": Ref("people.person")}}
# A member added to a household: the changes are the membership's fields.
CHANGES_MODELS = {"people.household_member": "people.householdmember"}
NAMES = {
    "people.identitydocument": lambda document, language: document.get_kind_display(),
    "people.consent": _consent_name,
    "people.householdmember": lambda member, language: member.person.display_name(language),
}
RELATED = {"people.householdmember": ("person",)}
