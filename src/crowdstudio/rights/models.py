"""Rights to use entries: requests, consent evidence, releases, withdrawal.

Uploads carry their rights with them (the terms accepted at submission, Entry.terms_version), so
they have no RightsRecord until something happens to those rights (a withdrawal). Imported posts
get a record in "awaiting rights" the moment they are imported (services.rights_open_import).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RightsStatus(models.TextChoices):
    AWAITING = "awaiting_rights", _("Awaiting rights")
    REQUESTED = "requested", _("Rights requested")
    GRANTED = "granted", _("Rights granted")
    DECLINED = "declined", _("Rights declined")
    EXPIRED = "expired", _("Request expired")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")


#: The allowed transitions; services change a record's status only along these edges.
TRANSITIONS: dict[str, frozenset[str]] = {
    RightsStatus.AWAITING: frozenset(
        {RightsStatus.REQUESTED, RightsStatus.GRANTED, RightsStatus.DECLINED}
    ),
    RightsStatus.REQUESTED: frozenset(
        {RightsStatus.GRANTED, RightsStatus.DECLINED, RightsStatus.EXPIRED}
    ),
    RightsStatus.EXPIRED: frozenset(
        {RightsStatus.REQUESTED, RightsStatus.GRANTED, RightsStatus.DECLINED}
    ),
    RightsStatus.GRANTED: frozenset({RightsStatus.WITHDRAWN}),
    RightsStatus.DECLINED: frozenset(),
    RightsStatus.WITHDRAWN: frozenset(),
}


class GrantedHow(models.TextChoices):
    UPLOAD = "upload", _("Terms accepted with the upload")
    REPLY = "reply", _("Consent reply on the network")
    SITE = "site", _("Accepted on our site")


class RightsRecord(models.Model):
    """The rights status of one entry, with where it came from on the network."""

    entry = models.OneToOneField(
        "entries.Entry", on_delete=models.PROTECT, related_name="rights_record"
    )
    status = models.CharField(
        _("rights status"),
        max_length=16,
        choices=RightsStatus.choices,
        default=RightsStatus.AWAITING,
        db_index=True,
    )
    # The post the entry was imported from (empty for uploads): consent replies must answer it.
    network = models.CharField(max_length=12, blank=True)
    post_id = models.CharField(max_length=300, blank=True, db_index=True)
    post_author_id = models.CharField(max_length=300, blank=True)
    post_author_handle = models.CharField(max_length=300, blank=True)

    terms_version = models.ForeignKey(
        "campaigns.TermsVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The terms version the rights were granted under."),
    )
    granted_at = models.DateTimeField(null=True, blank=True)
    how = models.CharField(max_length=8, choices=GrantedHow.choices, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rights record")
        verbose_name_plural = _("rights records")
        indexes = [models.Index(fields=["network", "post_id"], name="rights_by_post")]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.status}"


class RequestChannel(models.TextChoices):
    LINK = "link", _("Link for the organiser to send")
    REPLY = "reply", _("Public reply on the network")


class RequestOutcome(models.TextChoices):
    GRANTED = "granted", _("Granted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")


def new_token() -> str:
    return secrets.token_urlsafe(32)


class RightsRequest(models.Model):
    """One request to an entry's author to grant the rights, with its unique link."""

    entry = models.ForeignKey(
        "entries.Entry", on_delete=models.PROTECT, related_name="rights_requests"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    channel = models.CharField(
        max_length=8, choices=RequestChannel.choices, default=RequestChannel.LINK
    )
    terms_version = models.ForeignKey(
        "campaigns.TermsVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the reply was posted or the link delivered.")
    )
    expires_at = models.DateTimeField(db_index=True)
    reply_text = models.TextField(blank=True)
    reply_post_id = models.CharField(max_length=300, blank=True)
    reply_post_url = models.URLField(max_length=500, blank=True)
    send_error = models.CharField(max_length=300, blank=True)
    # Proof of the handle (see docs/rights.md): a one-time code the signed-in visitor posts from
    # the account; the poller sees it and sets proved_at.
    proof_code = models.CharField(max_length=16, blank=True, db_index=True)
    proof_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    proved_at = models.DateTimeField(null=True, blank=True)
    proof_post_url = models.URLField(max_length=500, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=8, choices=RequestOutcome.choices, blank=True)

    class Meta:
        verbose_name = _("rights request")
        verbose_name_plural = _("rights requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            # An entry is never asked twice at once (batch sends are idempotent).
            models.UniqueConstraint(
                fields=["entry"],
                condition=models.Q(closed_at__isnull=True),
                name="one_open_rights_request_per_entry",
            )
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} · {self.created_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class EvidenceKind(models.TextChoices):
    REPLY = "reply", _("Consent reply")
    SITE = "site", _("Accepted on the site")
    UPLOAD = "upload", _("Terms accepted with the upload")


class ConsentEvidence(models.Model):
    """What proves a grant, kept as it was seen (append-only)."""

    entry = models.ForeignKey("entries.Entry", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=EvidenceKind.choices)
    text = models.TextField(blank=True, help_text=_("The reply's text."))
    link = models.URLField(max_length=500, blank=True)
    post_id = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(help_text=_("When the consent was given."))
    terms_version = models.ForeignKey(
        "campaigns.TermsVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    snapshot = models.JSONField(default=dict, blank=True)
    request = models.ForeignKey(
        RightsRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who accepted on the site."),
    )
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("consent evidence")
        verbose_name_plural = _("consent evidence")
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "post_id"],
                condition=~models.Q(post_id=""),
                name="one_evidence_per_reply",
            )
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.kind} {self.at:%Y-%m-%d}"


class ReleaseKind(models.TextChoices):
    PEOPLE = "people", _("Release of a person shown")
    MINOR_GUARDIAN = "minor_guardian", _("Guardian's release for a minor shown")
    MUSIC = "music", _("Music release")


class Release(models.Model):
    entry = models.ForeignKey("entries.Entry", on_delete=models.PROTECT, related_name="releases")
    kind = models.CharField(_("kind"), max_length=16, choices=ReleaseKind.choices)
    person_name = models.CharField(
        _("person or guardian"),
        max_length=200,
        help_text=_("The person shown, the guardian who signed, or the rights holder."),
    )
    signed_at = models.DateField(_("signed on"))
    # Kept like an original: private storage, content-addressed, never served publicly.
    document = models.ForeignKey(
        "entries.OriginalFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    document_name = models.CharField(max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        ordering = ["entry", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.person_name}"


class Eligibility(models.Model):
    """What a creator declared when claiming an entry on the site (age, guardian, country)."""

    request = models.OneToOneField(RightsRequest, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    date_of_birth = models.DateField(null=True, blank=True)
    country = models.CharField(max_length=2, blank=True)
    guardian_name = models.CharField(max_length=200, blank=True)
    guardian_confirmed = models.BooleanField(default=False)
    code_used = models.BooleanField(default=False)
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("eligibility declaration")
        verbose_name_plural = _("eligibility declarations")

    def __str__(self) -> str:
        return f"{self.user_id} · {self.request_id}"


def default_reply_templates() -> str:
    return "\n".join(
        [
            "Love this! May we use it in {campaign}? If yes, reply {hashtag} or accept here: "
            "{link}",
            "Thanks for joining {campaign}! To let us feature your post, answer {hashtag} - "
            "details: {link}",
            "Great shot. We would like to include it in {campaign}. Reply {hashtag} to agree "
            "({link})",
            "Your post could be part of {campaign}! Reply with {hashtag} if that is OK. Terms: "
            "{link}",
        ]
    )


class CampaignRightsPolicy(models.Model):
    """How a campaign handles rights (defaults apply while a campaign has no row)."""

    campaign = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="rights_policy"
    )
    public_display = models.BooleanField(
        _("show rights-cleared entries in the public gallery"),
        default=True,
        help_text=_("Off when the terms allow studio use only."),
    )
    require_people_release = models.BooleanField(
        _("require a release for the people shown"), default=False
    )
    require_music_release = models.BooleanField(_("require a music release"), default=False)
    consent_hashtag = models.CharField(
        _("consent hashtag"),
        max_length=60,
        default="YesCrowdstudio",
        help_text=_("Without #; a reply by the author carrying it grants the rights."),
    )
    request_expiry_days = models.PositiveSmallIntegerField(
        _("requests expire after (days)"), default=30
    )
    reply_templates = models.TextField(
        _("reply templates"),
        default=default_reply_templates,
        help_text=_("One per line; {hashtag}, {link} and {campaign} are filled in."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("campaign rights policy")
        verbose_name_plural = _("campaign rights policies")

    def __str__(self) -> str:
        return f"{self.campaign} rights policy"

    @property
    def hashtag(self) -> str:
        return self.consent_hashtag.lstrip("#").strip().lower()

    def templates(self) -> list[str]:
        lines = [line.strip() for line in self.reply_templates.splitlines() if line.strip()]
        return lines or default_reply_templates().splitlines()
