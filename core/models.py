"""The append-only audit log: every change and every sensitive read."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the audit log cannot be changed")

    def delete(self):
        raise AppendOnlyError("the audit log cannot be deleted")


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        REMOVE = "remove", _("removed")
        RESTORE = "restore", _("restored")
        REVEAL = "reveal", _("viewed unmasked personal data")
        EXPORT = "export", _("exported personal data")
        IMPORT = "import", _("imported")
        GRANT = "grant", _("granted a role")
        REVOKE = "revoke", _("revoked a role")
        MOVE = "move", _("moved")
        LOGIN = "login", _("logged in")
        DOWNLOAD = "download", _("downloaded a document")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    target_type = models.CharField(_("object type"), max_length=64)
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    summary = models.CharField(_("what"), max_length=255, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("from where"), null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.summary}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("the audit log cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the audit log cannot be deleted")


class DocumentQuerySet(models.QuerySet):
    def restrict(self, user, perm: str = "view_people"):
        """Documents on units in the user's scope, plus those about the user themselves."""
        from members.scoping import scope_q

        q = scope_q(user, perm)
        if user is not None and user.is_authenticated:
            q |= models.Q(person__user_id=user.pk)
        return self.filter(q, removed_at__isnull=True)


class Document(models.Model):
    """An uploaded file kept as evidence: stored outside the web root under a name the server
    made, checked by content before it was kept, served only through a view that checks scope.
    `unit` decides who may see it (the unit's subtree); `person` is whom it is about."""

    class FileType(models.TextChoices):
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"
        WEBP = "webp", "WebP"
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word (.docx)"

    kind = models.CharField(_("kind of document"), max_length=32, db_index=True)
    unit = models.ForeignKey(
        "members.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("person"),
    )
    file_type = models.CharField(_("file type"), max_length=8, choices=FileType.choices)
    original_name = models.CharField(_("file name"), max_length=120)
    stored_name = models.CharField(max_length=80, unique=True, editable=False)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["person", "kind"])]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.file_type in (self.FileType.JPEG, self.FileType.PNG, self.FileType.WEBP)
