"""Screenplay projects, their immutable versions with lineage, review comments anchored to
elements, table reads and test movies.

A `Screenplay` is a project: in a script contest it is the writer's entry (`entry`), and every
change is a new `ScriptVersion` (content-addressed, never edited or replaced) with one or more
parents. The collaboration setting decides who may post revisions; a stricter setting only
blocks new revisions.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Collaboration(models.TextChoices):
    OPEN = "open", _("Open: anyone signed in may post a revision")
    BY_PERMISSION = "permission", _("By permission: the writer approves each reviser")
    CLOSED = "closed", _("Closed: only the writer posts revisions")


class SourceFormat(models.TextChoices):
    FOUNTAIN = "fountain", "Fountain"
    FDX = "fdx", "Final Draft (FDX)"
    PDF = "pdf", _("PDF (for reading only)")


class Screenplay(models.Model):
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="screenplays",
    )
    entry = models.OneToOneField(
        "entries.Entry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="screenplay",
        help_text=_("the contest entry this screenplay is"),
    )
    title = models.CharField(_("title"), max_length=200)
    logline = models.TextField(_("logline"), blank=True, max_length=1000)
    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="screenplays"
    )
    collaboration = models.CharField(
        _("collaboration"),
        max_length=12,
        choices=Collaboration.choices,
        default=Collaboration.BY_PERMISSION,
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("screenplay")
        verbose_name_plural = _("screenplays")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class AccessStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    REVOKED = "revoked", _("Revoked")


class CollaboratorAccess(models.Model):
    """A reader's request to revise a by-permission screenplay, and the writer's answer."""

    screenplay = models.ForeignKey(Screenplay, on_delete=models.CASCADE, related_name="access")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=AccessStatus.choices)
    message = models.TextField(blank=True, max_length=2000)
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("collaborator access")
        verbose_name_plural = _("collaborator access")
        constraints = [
            models.UniqueConstraint(fields=["screenplay", "user"], name="one_access_per_reviser")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.screenplay}: {self.status}"


class ScriptVersion(models.Model):
    """An immutable version. `source` is the canonical Fountain text (an FDX upload is converted
    to it; the file as uploaded stays in `original`); `content_hash` is its sha256. A PDF-only
    version has no source and no elements: it is for reading."""

    screenplay = models.ForeignKey(Screenplay, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="script_versions"
    )
    message = models.CharField(_("message"), max_length=500, blank=True)
    source_format = models.CharField(max_length=10, choices=SourceFormat.choices)
    source = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64)
    original = models.ForeignKey(
        "entries.OriginalFile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    original_name = models.CharField(max_length=255, blank=True)
    elements = models.JSONField(default=list, help_text=_("the parsed document (JSON list)"))
    page_count = models.PositiveIntegerField(default=0)
    parents: models.ManyToManyField[ScriptVersion, VersionParent] = models.ManyToManyField(
        "self", through="VersionParent", symmetrical=False, related_name="children"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("script version")
        verbose_name_plural = _("script versions")
        ordering = ["screenplay", "number"]
        constraints = [
            models.UniqueConstraint(fields=["screenplay", "number"], name="version_number_once"),
            models.UniqueConstraint(
                fields=["screenplay", "content_hash"], name="version_content_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.screenplay} v{self.number}"


class VersionParent(models.Model):
    """ "Based on": a version's parents, in the order the reviser gave them."""

    child = models.ForeignKey(ScriptVersion, on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(ScriptVersion, on_delete=models.PROTECT, related_name="child_links")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("version parent")
        verbose_name_plural = _("version parents")
        ordering = ["child", "position"]
        constraints = [
            models.UniqueConstraint(fields=["child", "parent"], name="parent_once_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.child} ← {self.parent}"


class ElementComment(models.Model):
    """A review comment anchored to one element of one version. A note `[[ ]]` in the source
    becomes one of these (from_note=True, authored by the version's author)."""

    version = models.ForeignKey(ScriptVersion, on_delete=models.CASCADE, related_name="comments")
    element_index = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=4000)
    from_note = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("script comment")
        verbose_name_plural = _("script comments")
        ordering = ["version", "element_index", "created_at"]

    def __str__(self) -> str:
        return f"{self.version} #{self.element_index}"


class TableReadStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Rendering")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class TableRead(models.Model):
    """An offline table read of one version: a voice per speaking character and a narrator,
    rendered by the worker to one mastered audio file with a chapter per scene."""

    version = models.ForeignKey(ScriptVersion, on_delete=models.PROTECT, related_name="table_reads")
    casting = models.JSONField(help_text=_("character → voice id; the narrator under NARRATOR"))
    engine = models.CharField(max_length=40)
    status = models.CharField(
        max_length=10,
        choices=TableReadStatus.choices,
        default=TableReadStatus.QUEUED,
        db_index=True,
    )
    stage = models.CharField(max_length=40, blank=True)
    percent = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    output_name = models.CharField(max_length=200, blank=True)
    output_mime = models.CharField(max_length=60, blank=True)
    duration = models.FloatField(null=True, blank=True)
    loudness_lufs = models.FloatField(null=True, blank=True)
    true_peak_dbtp = models.FloatField(null=True, blank=True)
    chapters = models.JSONField(default=list, blank=True, help_text=_("[{title, start}] per scene"))
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("table read")
        verbose_name_plural = _("table reads")
        ordering = ["version", "-created_at"]

    def __str__(self) -> str:
        return f"{self.version} · {self.get_status_display()}"


class TestMovie(models.Model):
    """A film entry declared a test movie of a script version."""

    __test__ = False  # not a pytest test class, whatever its name

    entry = models.OneToOneField(
        "entries.Entry", on_delete=models.PROTECT, related_name="test_movie"
    )
    version = models.ForeignKey(ScriptVersion, on_delete=models.PROTECT, related_name="test_movies")
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("test movie")
        verbose_name_plural = _("test movies")

    def __str__(self) -> str:
        return f"{self.entry} → {self.version}"
