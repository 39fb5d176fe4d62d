"""The organization tree: school committee → committee → general branch → branch → group.

Each unit stores a materialized path (ids of its ancestors and itself, fixed width), so a
subtree is one indexed prefix range and scoping never walks the tree.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

PATH_STEP = 8  # digits per level: "00000001.00000042."


def path_step(pk: int) -> str:
    return f"{pk:0{PATH_STEP}d}."


class OrgUnitQuerySet(models.QuerySet):
    def subtree_of(self, unit: "OrgUnit") -> "OrgUnitQuerySet":
        return self.filter(path__startswith=unit.path)

    def restrict(self, user, perm: str = "view_people") -> "OrgUnitQuerySet":
        from members.scoping import scope_q

        return self.filter(scope_q(user, perm, field="path"))


class OrgUnit(models.Model):
    class Kind(models.TextChoices):
        SCHOOL = "school", _("school Party committee")
        COMMITTEE = "committee", _("college Party committee")
        GENERAL_BRANCH = "general_branch", _("general Party branch")
        BRANCH = "branch", _("Party branch")
        GROUP = "group", _("Party group")

    class BranchKind(models.TextChoices):
        NONE = "", _("—")
        UNDERGRADUATE = "undergraduate", _("undergraduate branch")
        GRADUATE = "graduate", _("graduate student branch")
        TEACHER = "teacher", _("teacher branch")
        RETAINED = "retained", _("retained-graduate branch")
        MOBILE = "mobile", _("mobile-member branch")

    # Which kinds may sit directly under which: the tree of DESIGN §2.
    ALLOWED_PARENTS = {
        Kind.SCHOOL: (),
        Kind.COMMITTEE: (Kind.SCHOOL,),
        Kind.GENERAL_BRANCH: (Kind.COMMITTEE,),
        Kind.BRANCH: (Kind.COMMITTEE, Kind.GENERAL_BRANCH),
        Kind.GROUP: (Kind.BRANCH,),
    }

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    branch_kind = models.CharField(
        _("branch type"), max_length=20, choices=BranchKind.choices, blank=True, default=""
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    has_approval_power = models.BooleanField(
        _("has approval power"),
        default=False,
        help_text=_("A committee with approval power pre-reviews and approves admissions."),
    )
    code = models.CharField(_("code"), max_length=32, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization unit")
        verbose_name_plural = _("organization units")
        ordering = ["path"]
        indexes = [
            # LIKE 'prefix%' on PostgreSQL needs pattern ops whatever the collation.
            models.Index(
                fields=["path"], name="orgunit_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]
        permissions = [
            ("view_people", _("See people in this subtree")),
            ("change_people", _("Edit people in this subtree")),
            ("view_id_number", _("See full ID numbers in this subtree")),
            ("import_people", _("Import rosters into this subtree")),
            ("export_people", _("Export people of this subtree")),
            ("manage_tree", _("Manage the organization tree below this unit")),
            ("manage_roles", _("Grant roles in this subtree")),
            ("record_meetings", _("Record meetings, attendance and leave in this subtree")),
            ("review_checkins", _("Review graduates' check-ins in this subtree")),
            ("manage_dues", _("Record Party dues in this subtree")),
            ("manage_transfers", _("Handle transfers and mobile members in this subtree")),
            ("decide_retention", _("Decide retention applications in this subtree")),
            ("issue_letters", _("Issue introduction letters in this subtree")),
            ("handle_lapses", _("Handle lapse cases in this subtree")),
            ("approve_removal", _("Approve removals of lapsed members in this subtree")),
            ("view_reports", _("See reports and inspections of this subtree")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(step) for step in self.path.split(".") if step]

    def is_within(self, other: "OrgUnit") -> bool:
        return self.path.startswith(other.path)


class BranchPost(models.Model):
    """A seat on a branch committee, held by one person for a term."""

    class Post(models.TextChoices):
        SECRETARY = "secretary", _("branch secretary")
        DEPUTY_SECRETARY = "deputy_secretary", _("deputy secretary")
        ORGANIZATION = "organization", _("organization committee member")
        PROPAGANDA = "propaganda", _("propaganda committee member")
        DISCIPLINE = "discipline", _("discipline inspection committee member")

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="posts", verbose_name=_("branch")
    )
    person = models.ForeignKey(
        "members.Person", on_delete=models.PROTECT, related_name="posts", verbose_name=_("person")
    )
    post = models.CharField(_("post"), max_length=20, choices=Post.choices)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"), null=True, blank=True)

    class Meta:
        verbose_name = _("branch committee post")
        verbose_name_plural = _("branch committee posts")
        ordering = ["unit", "post", "-term_start"]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_post_display()} {self.person}"
