"""The Director: music-video montages made from a campaign's crowd material.

A `Montage` is the director's working copy: a track, a seed and the current plan (the edit
decision list as JSON, `studio.montage.plan.Plan`), plus the director's edits. Each
`MontageRender` renders one exact snapshot of the plan in one output shape; its
`MontageRenderUse` rows record which entries, assets and consent it used (provenance), so the
credits and a later withdrawal are exact.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TrackAnalysis(models.Model):
    """The music analysis of a track (tempo, beats, downbeats, energy, sections), cached:
    computed once by the worker, never in a web request."""

    track = models.OneToOneField("entries.Track", on_delete=models.CASCADE, related_name="analysis")
    version = models.PositiveSmallIntegerField(help_text=_("version of the analyser"))
    tempo = models.FloatField()
    data = models.JSONField(help_text=_("beats, downbeats, energy per beat, sections"))
    analysed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("track analysis")
        verbose_name_plural = _("track analyses")

    def __str__(self) -> str:
        return f"{self.track} ({self.tempo:.1f} BPM)"


class Montage(models.Model):
    """A music video in the making for one campaign and track."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="montages"
    )
    track = models.ForeignKey("entries.Track", on_delete=models.PROTECT, related_name="montages")
    title = models.CharField(_("title"), max_length=160)
    seed = models.PositiveIntegerField(_("seed"), default=0)
    fps = models.PositiveSmallIntegerField(_("frames per second"), default=30)
    plan = models.JSONField(
        null=True, blank=True, help_text=_("the current edit decision list (plan JSON)")
    )
    #: Bumped by every change of the plan; edits are conditional on the revision the director saw.
    plan_revision = models.PositiveIntegerField(default=0)
    #: The director's edits, kept apart from the plan so a re-plan (new seed, new entries) keeps
    #: them: pinned asset ids keep their slot, dropped asset ids never come back.
    pinned_assets = models.JSONField(default=list, blank=True)
    dropped_assets = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("montage")
        verbose_name_plural = _("montages")
        ordering = ["campaign", "-created_at"]

    def __str__(self) -> str:
        return self.title


class RenderShape(models.TextChoices):
    LANDSCAPE = "landscape", _("Landscape 16:9")
    VERTICAL = "vertical", _("Vertical 9:16")
    SQUARE = "square", _("Square 1:1")


class RenderStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Rendering")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class MontageRender(models.Model):
    """One render of an exact plan snapshot in one shape: a background job with progress, then
    a stored MP4 under an unguessable name in the private "works" storage."""

    montage = models.ForeignKey(Montage, on_delete=models.CASCADE, related_name="renders")
    shape = models.CharField(max_length=12, choices=RenderShape.choices)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    plan = models.JSONField(help_text=_("the exact plan rendered"))
    plan_revision = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=RenderStatus.choices, default=RenderStatus.QUEUED, db_index=True
    )
    stage = models.CharField(max_length=40, blank=True)
    percent = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    output_name = models.CharField(max_length=200, blank=True)
    output_size = models.PositiveBigIntegerField(null=True, blank=True)
    output_sha256 = models.CharField(max_length=64, blank=True)
    duration = models.FloatField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("montage render")
        verbose_name_plural = _("montage renders")
        ordering = ["montage", "-created_at"]

    def __str__(self) -> str:
        return f"{self.montage} · {self.get_shape_display()} · {self.get_status_display()}"


class MontageRenderUse(models.Model):
    """Provenance: one asset of one entry in one render, with the consent it was used under
    (the rights record and evidence for imported posts, the terms version for uploads) and the
    name it was credited as."""

    render = models.ForeignKey(MontageRender, on_delete=models.CASCADE, related_name="uses")
    entry = models.ForeignKey("entries.Entry", on_delete=models.PROTECT, related_name="+")
    asset = models.ForeignKey("entries.Asset", on_delete=models.PROTECT, related_name="+")
    rights_record = models.ForeignKey(
        "rights.RightsRecord", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consent_evidence = models.ForeignKey(
        "rights.ConsentEvidence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    terms_version = models.ForeignKey(
        "campaigns.TermsVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    credited_as = models.CharField(max_length=160)

    class Meta:
        verbose_name = _("render source")
        verbose_name_plural = _("render sources")
        constraints = [
            models.UniqueConstraint(fields=["render", "asset"], name="render_use_once_per_asset")
        ]

    def __str__(self) -> str:
        return f"{self.render_id}: entry {self.entry_id} as {self.credited_as}"
