from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phteah.accounts.roles import Capability
from phteah.core.access import require_capability
from phteah.core.errors import ServiceError, add_to_form, form_saved
from phteah.core.net import client_ip

from . import selectors, services
from .forms import RuleAddForm, RuleValueForm

HEADINGS = selectors.CATEGORY_LABELS


def _sections(lists):
    """The lists in display order, with their headings."""
    return [(key, HEADINGS[key], lists[key]) for key in selectors.CATEGORIES if key in lists]


@require_capability(Capability.VIEW_OWN_CASES)
def my_work(request):
    lists = selectors.my_work(actor=request.membership)
    return render(
        request,
        "work/my_work.html",
        {"sections": _sections(lists), "total": sum(item.count for item in lists.values())},
    )


@require_capability(Capability.VIEW_TEAM_WORKLOAD)
def team(request):
    table, totals = selectors.team_workload(actor=request.membership)
    keys = selectors.CATEGORIES
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


def _rules_page(request, add_form, status=200):
    table = selectors.care_rule_table(actor=request.membership)
    return render(request, "work/rules.html", {"table": table, "add_form": add_form}, status=status)


@require_capability(Capability.MANAGE_SETTINGS)
def rules(request):
    return _rules_page(request, RuleAddForm())


@require_capability(Capability.MANAGE_SETTINGS)
@require_POST
def rule_add(request):
    form = RuleAddForm(request.POST)
    if form.is_valid():
        try:
            services.care_rule_add(
                actor=request.membership, ip=client_ip(request), **form.cleaned_data
            )
        except ServiceError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("The rule was added."))
            return redirect("work:rules")
    return _rules_page(request, form)


@require_capability(Capability.MANAGE_SETTINGS)
def rule_edit(request, rule_id):
    rule = selectors.care_rule_get(actor=request.membership, rule_id=rule_id)
    form = RuleValueForm(request.POST or None, initial={"value": rule.value})
    if form_saved(
        request,
        form,
        lambda: services.care_rule_update(
            actor=request.membership,
            rule=rule,
            value=form.cleaned_data["value"],
            ip=client_ip(request),
        ),
    ):
        messages.success(request, _("The rule was changed."))
        return redirect("work:rules")
    return render(request, "work/rule_edit.html", {"form": form, "rule": rule})


@require_capability(Capability.MANAGE_SETTINGS)
@require_POST
def rule_delete(request, rule_id):
    rule = selectors.care_rule_get(actor=request.membership, rule_id=rule_id)
    services.care_rule_remove(actor=request.membership, rule=rule, ip=client_ip(request))
    messages.success(request, _("The rule was removed."))
    return redirect("work:rules")


@require_capability(Capability.MANAGE_SETTINGS)
@require_POST
def rules_restore(request):
    services.care_rules_restore_defaults(actor=request.membership, ip=client_ip(request))
    messages.success(request, _("The default rules were restored."))
    return redirect("work:rules")
