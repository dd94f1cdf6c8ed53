"""Roles and the capabilities each grants. The single source of truth for "who may do what"
inside an organisation; views and selectors ask for a capability, never for a role."""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", _("Organisation administrator")
    SUPERVISOR = "supervisor", _("Supervisor")
    CASE_WORKER = "case_worker", _("Case worker")
    ME_OFFICER = "me_officer", _("M&E officer")
    VIEWER = "viewer", _("Viewer")


class Capability(StrEnum):
    MANAGE_USERS = "manage_users"
    MANAGE_OFFICES = "manage_offices"
    MANAGE_SETTINGS = "manage_settings"
    VIEW_AUDIT = "view_audit"
    # phteah.core.audit.erasure.ERASE_AUDIT_VALUES (core takes it as a string)
    ERASE_AUDIT_VALUES = "erase_audit_values"
    VIEW_ALL_CASES = "view_all_cases"
    VIEW_OWN_CASES = "view_own_cases"
    EDIT_CASES = "edit_cases"
    APPROVE_CLOSURES = "approve_closures"
    RESTORE_VOIDED = "restore_voided"
    VIEW_TEAM_WORKLOAD = "view_team_workload"
    VIEW_AGGREGATES = "view_aggregates"
    EXPORT_REPORTS = "export_reports"
    # The referral network (docs/design/network.md §1)
    REFER_CASES = "refer_cases"
    TRANSFER_CASES = "transfer_cases"
    ANSWER_REFERRALS = "answer_referrals"
    MANAGE_NETWORK_PROFILE = "manage_network_profile"


CAPABILITY_LABELS = {
    Capability.MANAGE_USERS: _("Add staff, change their roles and deactivate them"),
    Capability.MANAGE_OFFICES: _("Add and edit the organisation's offices"),
    Capability.MANAGE_SETTINGS: _("Change the organisation's settings"),
    Capability.VIEW_AUDIT: _("Read the organisation's audit trail"),
    Capability.ERASE_AUDIT_VALUES: _(
        "Erase names and other values from the audit trail, with a reason"
    ),
    Capability.VIEW_ALL_CASES: _("See every case of the organisation"),
    Capability.VIEW_OWN_CASES: _("See the cases assigned to them and their team"),
    Capability.EDIT_CASES: _("Record and change case information"),
    Capability.APPROVE_CLOSURES: _("Approve case closures"),
    Capability.RESTORE_VOIDED: _("Restore case records that were voided by mistake"),
    Capability.VIEW_TEAM_WORKLOAD: _("See the team's caseload and overdue work"),
    Capability.VIEW_AGGREGATES: _("See aggregate figures and reports"),
    Capability.EXPORT_REPORTS: _("Export reports"),
    Capability.REFER_CASES: _(
        "Refer a case they may change to partner organisations and share it with government"
    ),
    Capability.TRANSFER_CASES: _("Transfer a case to another organisation"),
    Capability.ANSWER_REFERRALS: _(
        "Answer referrals and contact requests, and assign the cases shared with the organisation"
    ),
    Capability.MANAGE_NETWORK_PROFILE: _(
        "Publish the organisation's profile, places and services in the partner directory"
    ),
}

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ORG_ADMIN: frozenset(
        {
            Capability.MANAGE_USERS,
            Capability.MANAGE_OFFICES,
            Capability.MANAGE_SETTINGS,
            Capability.VIEW_AUDIT,
            Capability.ERASE_AUDIT_VALUES,
            Capability.VIEW_AGGREGATES,
            Capability.MANAGE_NETWORK_PROFILE,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            Capability.VIEW_ALL_CASES,
            Capability.VIEW_OWN_CASES,
            Capability.EDIT_CASES,
            Capability.APPROVE_CLOSURES,
            Capability.RESTORE_VOIDED,
            Capability.VIEW_TEAM_WORKLOAD,
            Capability.VIEW_AGGREGATES,
            Capability.VIEW_AUDIT,
            Capability.REFER_CASES,
            Capability.TRANSFER_CASES,
            Capability.ANSWER_REFERRALS,
        }
    ),
    Role.CASE_WORKER: frozenset(
        {Capability.VIEW_OWN_CASES, Capability.EDIT_CASES, Capability.REFER_CASES}
    ),
    Role.ME_OFFICER: frozenset({Capability.VIEW_AGGREGATES, Capability.EXPORT_REPORTS}),
    Role.VIEWER: frozenset({Capability.VIEW_OWN_CASES}),
}


def capabilities_of(role: str) -> frozenset[Capability]:
    return ROLE_CAPABILITIES.get(role, frozenset())
