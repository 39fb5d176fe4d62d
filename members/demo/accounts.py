"""One demo login per role, granted on a fitting unit through the services, plus a member
and a retained graduate whose accounts are linked to their person records.

Passwords are derived from the installation's SECRET_KEY (HMAC), so each installation has
its own, a second run can print them again without storing them anywhere, and nobody can
guess them from this source code.
"""

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone, translation

from members.models import BranchPost, OrgUnit, Person, Role, RoleGrant, Stage, User
from members.selectors import current_posts
from members.services.access import role_grant
from members.services.people import person_link_account


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str  # a Role value, or "member" / "graduate" for accounts without a grant
    title_zh: str
    title_en: str  # empty: the role's own label in English
    staff_name: tuple[str, str] = ("", "")  # (surname, given name) of staff without a record


ACCOUNTS = (
    DemoAccount("demo_school", Role.SCHOOL_ADMIN, "党委组织部", "", ("周", "建华")),
    DemoAccount("demo_office", Role.COMMITTEE_OFFICE, "学院党委办公室", "", ("林", "晓燕")),
    DemoAccount("demo_organizer", Role.ORGANIZER, "组织员", "", ("何", "志刚")),
    DemoAccount("demo_secretary", Role.BRANCH_SECRETARY, "党支部书记", ""),
    DemoAccount("demo_committee", Role.BRANCH_COMMITTEE, "支部委员", ""),
    DemoAccount("demo_member", "member", "党员", "Party member"),
    DemoAccount("demo_graduate", "graduate", "留校毕业生党员", "retained graduate"),
)


def english_title(account: DemoAccount) -> str:
    if account.title_en:
        return account.title_en
    with translation.override("en"):
        return str(Role(account.role).label)


@dataclass(frozen=True)
class Login:
    account: DemoAccount
    password: str | None  # None: the account's password was changed after seeding
    unit: str


def demo_password(username: str) -> str:
    """A strong password (upper, lower, digits, a symbol; 15 characters) from SECRET_KEY."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"partyadmin-demo:{username}".encode(), hashlib.sha256
    ).digest()
    upper, lower = "ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnpqrstuvwxyz"  # no I, l, O, o
    head = upper[digest[0] % len(upper)] + "".join(lower[b % len(lower)] for b in digest[1:6])
    digits = "".join(str(b % 10) for b in digest[6:10])
    tail = "".join(lower[b % len(lower)] for b in digest[10:13])
    return f"{head}-{digits}-{tail}"


@dataclass(frozen=True)
class Places:
    """Where each demo login belongs."""

    school: OrgUnit
    college: OrgUnit
    branch: OrgUnit
    retained: OrgUnit


def _holder(branch: OrgUnit, posts: tuple[str, ...]) -> Person | None:
    seat = (
        current_posts([branch], timezone.localdate())
        .filter(post__in=posts)
        .order_by("post", "id")
        .first()
    )
    return seat.person if seat else None


def _person_for(account: DemoAccount, places: Places) -> Person | None:
    people = Person.objects.filter(removed_at__isnull=True).order_by("id")
    if account.role == Role.BRANCH_SECRETARY:
        return _holder(places.branch, (BranchPost.Post.SECRETARY,))
    if account.role == Role.BRANCH_COMMITTEE:
        return _holder(
            places.branch,
            (BranchPost.Post.ORGANIZATION, BranchPost.Post.PROPAGANDA, BranchPost.Post.DISCIPLINE),
        )
    if account.role == "member":
        return people.filter(unit=places.branch, stage=Stage.PROBATIONARY).first()
    if account.role == "graduate":
        return people.filter(unit=places.retained, stage=Stage.FULL).first()
    return None


def _unit_for(account: DemoAccount, places: Places) -> OrgUnit:
    return {
        Role.SCHOOL_ADMIN: places.school,
        Role.COMMITTEE_OFFICE: places.college,
        Role.ORGANIZER: places.college,
        Role.BRANCH_SECRETARY: places.branch,
        Role.BRANCH_COMMITTEE: places.branch,
        "member": places.branch,
        "graduate": places.retained,
    }[account.role]


@transaction.atomic
def ensure_accounts(places: Places) -> list[Login]:
    """Create what is missing (accounts, grants, links to people); never reset a password."""
    logins = []
    for account in ACCOUNTS:
        unit = _unit_for(account, places)
        person = _person_for(account, places)
        user = User.objects.filter(username=account.username).first()
        password = demo_password(account.username)
        if user is None:
            user = User(username=account.username, email=f"{account.username}@example.com")
            user.last_name, user.first_name = account.staff_name
            if person is not None:
                user.last_name, user.first_name = person.name[:1], person.name[1:]
            validate_password(password, user)
            user.set_password(password)
            user.save()
        if account.role in Role.values:
            role_grant(user=user, unit=unit, role=account.role, actor=None)
        if (
            person is not None
            and person.user_id is None
            and not Person.objects.filter(user=user).exists()
        ):
            person_link_account(person=person, user=user, actor=None)
        logins.append(Login(account, password, unit.name))
    return logins


def existing_logins(check_passwords: bool = True) -> list[Login]:
    """The demo logins present in the database, for printing on a later run."""
    names = [a.username for a in ACCOUNTS]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    logins = []
    for account in ACCOUNTS:
        user = users.get(account.username)
        if user is None:
            continue
        password: str | None = demo_password(account.username)
        if check_passwords and not user.check_password(password):
            password = None
        grant = RoleGrant.objects.filter(user=user, revoked_at__isnull=True).select_related("unit")
        first = grant.order_by("id").first()
        if first is not None:
            unit = first.unit.name
        else:
            person = Person.objects.filter(user=user).select_related("unit").first()
            unit = person.unit.name if person else ""
        logins.append(Login(account, password, unit))
    return logins
