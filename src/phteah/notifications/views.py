from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phteah.core.access import membership_required
from phteah.core.errors import form_saved
from phteah.core.net import client_ip

from . import selectors, services
from .display import notification_link, notifications_shown
from .forms import PreferencesForm

PER_PAGE = 25


@membership_required
def notification_list(request):
    """The member's notifications, newest first; opening one marks it read (a POST)."""
    page = Paginator(selectors.notification_list(actor=request.membership), PER_PAGE).get_page(
        request.GET.get("page")
    )
    shown = notifications_shown(page.object_list, language=get_language())
    return render(request, "notifications/list.html", {"page": page, "shown": shown})


@membership_required
@require_POST
def mark_read(request, notification_id):
    """Mark the notification read, then open what it is about."""
    notification = services.notification_mark_read(
        actor=request.membership, notification_id=notification_id
    )
    return redirect(notification_link(notification))


@membership_required
@require_POST
def mark_all_read(request):
    if services.notifications_mark_all_read(actor=request.membership):
        messages.success(request, _("Every notification is marked read."))
    return redirect("notifications:list")


@membership_required
def preferences(request):
    """How the member is told of each kind of event: in Phteah, by e-mail."""
    current = selectors.preferences_of(actor=request.membership)
    form = PreferencesForm(request.POST if request.method == "POST" else None, current=current)
    if form_saved(
        request,
        form,
        lambda: services.notification_preferences_set(
            actor=request.membership, choices=form.choices(), ip=client_ip(request)
        ),
    ):
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
