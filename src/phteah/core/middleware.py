from django.conf import settings
from django.http import Http404
from django.middleware import locale as django_locale
from django.utils import translation

from .errors import NotFound


class SecureHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            response.setdefault("Cache-Control", "no-store, private")
        return response


class NotFoundMiddleware:
    """Answers a domain ``NotFound`` (raised by an access function, in a view or a service)
    with the 404 page, like ``Http404``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound):
            raise Http404 from exception
        return None


class LocaleMiddleware(django_locale.LocaleMiddleware):
    """Chooses the language of a request from the language cookie (set by the language
    switch, on the login page too, and at sign-in from the account), never from the
    browser's Accept-Language: Phteah is Khmer-first, so a first visit from a phone set to
    English still gets the Khmer login page, with English one press away. A signed-in
    user's saved language is applied after authentication (accounts.UserLanguageMiddleware).
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
