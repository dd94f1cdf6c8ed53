"""What the people app's audit action codes mean (see phteah.core.audit_actions)."""

from django.utils.translation import gettext_lazy as _

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
    "people.document.created": _("%(actor)s recorded the %(target)s of %(person)s."),
    "people.document.updated": _("%(actor)s changed the %(target)s of %(person)s."),
    "people.household.created": _("%(actor)s added the household %(target)s."),
    "people.household_member.added": _("%(actor)s added %(person)s to the household %(target)s."),
    "people.household_member.removed": _(
        "%(actor)s removed %(person)s from the household %(target)s."
    ),
    "people.consent.created": _("%(actor)s recorded a consent of %(person)s: %(target)s."),
    "people.consent.withdrawn": _(
        "%(actor)s recorded that a consent of %(person)s was withdrawn: %(target)s."
    ),
}

ACTION_GROUPS = {
    "people.person": _("People"),
    "people.document": _("Identity documents"),
    "people.household": _("Households"),
    "people.consent": _("Consent"),
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


def _labels():
    from phteah.people.models import Consent, HouseholdMember, IdentityDocument, Sex

    return {
        "people.person": {"sex": dict(Sex.choices)},
        "people.document": {
            "kind": dict(IdentityDocument.Kind.choices),
            "status": dict(IdentityDocument.Status.choices),
        },
        "people.household_member": {"relationship": dict(HouseholdMember.Relationship.choices)},
        "people.consent": {
            "given_as": dict(Consent.GivenAs.choices),
            "purpose": dict(Consent.Purpose.choices),
            "method": dict(Consent.Method.choices),
        },
    }


VALUE_LABELS = _labels()
