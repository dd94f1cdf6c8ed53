"""Errors of the domain: what services and access functions raise. The web layer shows a
``ServiceError`` on its form and answers ``NotFound`` with 404 (``NotFoundMiddleware``); the
API and the command line do the same in their own way. Nothing here knows about HTTP."""

from django.utils.translation import gettext_lazy as _


class NotFound(LookupError):
    """The record does not exist, or the actor may not reach it: the same error for both, so
    nobody learns what exists elsewhere. Raised by the access functions."""

    def __init__(self, message=None):
        super().__init__(message or _("Not found."))


class ServiceError(Exception):
    """A rule refused a change. The message is translated and safe to show to the user;
    ``field`` names the form field it belongs to, if any."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def add_to_form(form, error: ServiceError) -> None:
    """Show a refused change on the form, next to its field when it names one."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def form_saved(request, form, save) -> bool:
    """The usual round of a form view: True once a posted, valid *form* went through *save*
    (a call of a service); a ServiceError it raises is shown on the form instead, and the
    view renders the form again."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        save()
    except ServiceError as error:
        add_to_form(form, error)
        return False
    return True
