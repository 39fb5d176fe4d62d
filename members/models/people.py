"""One record per person, whatever their stage, with the national data items (DESIGN §9)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from members.models.org import OrgUnit


class Stage(models.TextChoices):
    APPLICANT = "applicant", _("applicant")
    ACTIVIST = "activist", _("activist")
    CANDIDATE = "candidate", _("development candidate")
    PROBATIONARY = "probationary", _("probationary member")
    FULL = "full", _("full member")
    TRANSFERRED_OUT = "transferred_out", _("transferred out")
    PROBATION_CANCELLED = "probation_cancelled", _("probation cancelled")
    LAPSED_REMOVED = "lapsed_removed", _("removed as lapsed")
    REMOVED = "removed", _("removed from the Party")
    SUSPENDED = "suspended", _("membership suspended")
    DECEASED = "deceased", _("deceased")
    WITHDRAWN = "withdrawn", _("application withdrawn")


PIPELINE_STAGES = (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY, Stage.FULL)
MEMBER_STAGES = (Stage.PROBATIONARY, Stage.FULL)


class PersonQuerySet(models.QuerySet):
    def restrict(self, user, perm: str = "view_people", *, include_removed: bool = False):
        """The one scoping method: every list, search, export, count and detail uses it."""
        from members.scoping import person_scope_q

        qs = self.filter(person_scope_q(user, perm))
        return qs if include_removed else qs.filter(removed_at__isnull=True)


class Person(models.Model):
    class Sex(models.TextChoices):
        MALE = "male", _("male")
        FEMALE = "female", _("female")

    class DegreeLevel(models.TextChoices):
        JUNIOR_COLLEGE = "junior_college", _("junior college")
        BACHELOR = "bachelor", _("undergraduate")
        MASTER = "master", _("master's student")
        DOCTOR = "doctor", _("doctoral student")
        STAFF = "staff", _("staff")

    class Whereabouts(models.TextChoices):
        ON_CAMPUS = "on_campus", _("on campus")
        AWAY = "away", _("away for internship or work")
        ABROAD = "abroad", _("abroad")
        GRADUATED = "graduated", _("left school")
        UNKNOWN = "unknown", _("unknown")

    # Identity (national data items).
    name = models.CharField(_("full name"), max_length=64)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=32, blank=True, default="汉族")
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    native_place = models.CharField(_("native place"), max_length=64, blank=True)
    education = models.CharField(_("education"), max_length=32, blank=True)
    # The ID number is never stored in clear: ciphertext, a keyed hash for exact search and
    # uniqueness, and the masked form lists show without decrypting anything.
    id_number_encrypted = models.BinaryField(null=True, blank=True, editable=False)
    id_number_index = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True, editable=False)

    # Party standing.
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="people", verbose_name=_("Party unit")
    )
    stage = models.CharField(
        _("stage"), max_length=24, choices=Stage.choices, default=Stage.APPLICANT, editable=False
    )
    stage_since = models.DateField(_("in this stage since"), null=True, blank=True, editable=False)
    applied_on = models.DateField(_("application date"), null=True, blank=True)
    joined_on = models.DateField(_("date joined the Party"), null=True, blank=True)
    full_member_on = models.DateField(_("date became full member"), null=True, blank=True)
    post = models.CharField(_("post"), max_length=64, blank=True)
    lost_contact = models.BooleanField(_("lost contact"), default=False)
    lost_contact_since = models.DateField(_("lost contact since"), null=True, blank=True)
    is_mobile_member = models.BooleanField(_("mobile member"), default=False)
    mobile_destination = models.CharField(
        _("mobile member destination"), max_length=128, blank=True
    )

    # The three counts of the six-month lapse rule (Party Constitution art. 9), kept current
    # by education/ (org life, assigned work) and dues, so the lapse job reads three indexed
    # columns instead of three histories.
    last_org_life_on = models.DateField(_("last organizational life"), null=True, blank=True)
    dues_paid_through = models.DateField(
        _("dues paid up to"), null=True, blank=True, help_text=_("first day of the month")
    )
    last_work_done_on = models.DateField(_("last assigned work done"), null=True, blank=True)

    # Contact.
    mobile = models.CharField(_("mobile phone"), max_length=20, blank=True)
    landline = models.CharField(_("landline"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    home_address = models.CharField(_("home address"), max_length=255, blank=True)
    emergency_contact = models.CharField(_("emergency contact"), max_length=64, blank=True)
    emergency_phone = models.CharField(_("emergency contact phone"), max_length=20, blank=True)

    # Student fields.
    student_number = models.CharField(
        _("student number"), max_length=32, null=True, blank=True, unique=True
    )
    college = models.CharField(_("college"), max_length=64, blank=True)
    major = models.CharField(_("major"), max_length=64, blank=True)
    class_name = models.CharField(_("class"), max_length=64, blank=True)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True, db_index=True)
    degree_level = models.CharField(
        _("degree level"), max_length=16, choices=DegreeLevel.choices, blank=True
    )
    dormitory = models.CharField(_("dormitory"), max_length=64, blank=True)
    household_registration = models.CharField(
        _("household registration place"), max_length=128, blank=True
    )
    expected_graduation = models.DateField(_("expected graduation"), null=True, blank=True)
    whereabouts = models.CharField(
        _("whereabouts"),
        max_length=16,
        choices=Whereabouts.choices,
        default=Whereabouts.ON_CAMPUS,
        blank=True,
    )
    whereabouts_detail = models.CharField(_("whereabouts detail"), max_length=255, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("account"),
    )

    # Soft removal: people are never hard-deleted.
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)
    removed_reason = models.CharField(max_length=255, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["unit__path", "name", "id"]
        indexes = [
            models.Index(fields=["unit", "stage"]),
            # The list's default order (name, id): a deep page walks this index instead of
            # sorting the whole scope.
            models.Index(fields=["name", "id"], name="person_name_id"),
            models.Index(fields=["expected_graduation"]),
            *(
                models.Index(
                    fields=[column],
                    name=f"member_{column}",
                    condition=models.Q(stage__in=MEMBER_STAGES, removed_at__isnull=True),
                )
                for column in ("last_org_life_on", "dues_paid_through", "last_work_done_on")
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def delete(self, *args, **kwargs):
        raise RuntimeError("people are never hard-deleted; use members.services.person_remove")

    @property
    def is_member(self) -> bool:
        return self.stage in MEMBER_STAGES

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class PersonChange(models.Model):
    """One entry of a person's history: who changed what, when, from what to what."""

    class Kind(models.TextChoices):
        CREATED = "created", _("created")
        UPDATED = "updated", _("changed")
        REMOVED = "removed", _("removed")
        RESTORED = "restored", _("restored")
        STAGE = "stage", _("stage changed")
        IMPORTED = "imported", _("imported")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="changes")
    at = models.DateTimeField(_("when"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # {"field": [before, after]}, values as displayed (ID numbers masked).
    changes = models.JSONField(_("changes"), default=dict)
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("change of a person")
        verbose_name_plural = _("changes of people")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "-at"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.at:%Y-%m-%d}"
