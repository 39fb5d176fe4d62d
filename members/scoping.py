"""Scope: every role is granted on an org unit and holds for that unit's whole subtree.

A user's scope for a permission is the set of paths of the units they hold it on, read
once per request from guardian's direct permission table (indexed by user and permission)
and cached on the user object. Any queryset is then restricted by an indexed prefix range
on the unit path, so the tree is never walked and the cost does not grow with its size.
Global (model-level) permissions and the superuser flag never widen scope.
"""

from django.db.models import Q

from members.models.access import OrgUnitUserObjectPermission

_CACHE_ATTR = "_partyadmin_scope_cache"


def granted_paths(user, perm: str) -> tuple[str, ...]:
    """Top-most paths where the user holds `perm`; nested grants collapse into their parent.

    The first call of a request reads every permission the user holds, on every unit, in one
    query; later calls, for any permission, are answered from that cache, so a page that asks
    about many permissions (the menu does) still costs one query for scope."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ()
    cache: dict[str, tuple[str, ...]] | None = user.__dict__.get(_CACHE_ATTR)
    if cache is None:
        cache = user.__dict__[_CACHE_ATTR] = _load_scope(user.pk)
    return cache.get(perm, ())


def _load_scope(user_id: int) -> dict[str, tuple[str, ...]]:
    rows = (
        OrgUnitUserObjectPermission.objects.filter(
            user_id=user_id,
            permission__content_type__app_label="members",
            content_object__is_active=True,
        )
        .values_list("permission__codename", "content_object__path")
        .order_by("permission__codename", "content_object__path")
    )
    paths: dict[str, list[str]] = {}
    for codename, path in rows:
        kept = paths.setdefault(codename, [])
        # Sorted by path, a parent comes before its descendants.
        if not any(path.startswith(parent) for parent in kept):
            kept.append(path)
    return {codename: tuple(kept) for codename, kept in paths.items()}


def forget_scope(user) -> None:
    user.__dict__.pop(_CACHE_ATTR, None)


def scope_q(user, perm: str, *, field: str = "unit__path") -> Q:
    paths = granted_paths(user, perm)
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def person_scope_q(user, perm: str) -> Q:
    """People in the user's granted subtrees, plus the user's own record (read only)."""
    q = scope_q(user, perm)
    if perm == "view_people" and user is not None and user.is_authenticated:
        q |= Q(user_id=user.pk)
    return q


def has_unit_perm(user, perm: str, unit) -> bool:
    return unit is not None and any(unit.path.startswith(p) for p in granted_paths(user, perm))


def has_any_grant(user, perm: str = "view_people") -> bool:
    return bool(granted_paths(user, perm))
