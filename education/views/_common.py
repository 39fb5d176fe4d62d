"""What the education pages share: 404 outside scope, service errors onto forms."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from members.forms import add_service_errors
from members.scoping import has_any_grant


def require_grant(user, perm: str) -> None:
    """Staff pages exist only for users holding `perm` somewhere; others get 404."""
    if not has_any_grant(user, perm):
        raise Http404


def run(form, call):
    """Run a service call; its refusals land on the form. Out of scope: 404."""
    try:
        return call()
    except ValidationError as exc:
        add_service_errors(form, exc)
    except PermissionDenied:
        raise Http404 from None
    return None


__all__ = ["require_grant", "run"]
