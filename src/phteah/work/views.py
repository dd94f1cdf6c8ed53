from django.shortcuts import render

from phteah.accounts.roles import Capability
from phteah.cases.due import CATEGORIES, CATEGORY_LABELS
from phteah.core.access import require_capability
from phteah.referrals.selectors import contact_counts, referral_counts, transfer_counts

from . import selectors

HEADINGS = CATEGORY_LABELS


def _sections(lists):
    """The lists in display order, with their headings."""
    return [(key, HEADINGS[key], lists[key]) for key in CATEGORIES if key in lists]


@require_capability(Capability.VIEW_OWN_CASES)
def my_work(request):
    lists = selectors.my_work(actor=request.membership)
    return render(
        request,
        "work/my_work.html",
        {
            "sections": _sections(lists),
            "total": sum(item.count for item in lists.values()),
            "referrals": referral_counts(actor=request.membership),
            "transfers": transfer_counts(actor=request.membership),
            "contacts": contact_counts(actor=request.membership),
        },
    )


@require_capability(Capability.VIEW_TEAM_WORKLOAD)
def team(request):
    table, totals = selectors.team_workload(actor=request.membership)
    keys = CATEGORIES
    rows = [
        {
            "member": row["member"],
            "total": row["total"],
            "cells": [(HEADINGS[key], row["counts"][key]) for key in keys],
        }
        for row in table
    ]
    return render(
        request,
        "work/team.html",
        {
            "rows": rows,
            "columns": [HEADINGS[key] for key in keys],
            "totals": [(HEADINGS[key], totals[key]) for key in keys],
            "grand_total": sum(totals.values()),
        },
    )


@require_capability(Capability.VIEW_TEAM_WORKLOAD)
def member_work(request, membership_id):
    member = selectors.team_member_get(actor=request.membership, membership_id=membership_id)
    lists = selectors.member_work(actor=request.membership, member=member)
    return render(
        request,
        "work/member_work.html",
        {
            "member": member,
            "sections": _sections(lists),
            "total": sum(item.count for item in lists.values()),
        },
    )
