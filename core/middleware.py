"""Keeps the current request's client address where the audit log can read it."""

from contextvars import ContextVar

from django.conf import settings

current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)


def client_ip(request) -> str | None:
    # X-Forwarded-For is only trusted behind our own proxy; anyone can send it otherwise.
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")


class SchoolLocaleMiddleware:
    """Chinese unless the user chose English with the language switch.

    Django's LocaleMiddleware follows the browser's Accept-Language, so a secretary whose
    browser happens to be set to English would get an English interface she never asked for;
    the school's language is the default and only an explicit choice (the cookie) changes it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
