from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from crowdstudio.campaigns.models import Campaign, MediaKind
from crowdstudio.campaigns.services import Applicant
from crowdstudio.entries.models import EntryStatus

ACCEPT_ATTR = {
    MediaKind.IMAGE: "image/jpeg,image/png,image/webp,image/heic,image/heif,image/gif",
    MediaKind.VIDEO: "video/mp4,video/quicktime,video/webm",
    MediaKind.AUDIO: "audio/wav,audio/x-wav,audio/mpeg,audio/flac,audio/ogg,audio/mp4",
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        if self.required and not items:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        single = super().clean
        return [single(item, initial) for item in items]


class EligibilityForm(forms.Form):
    """What entering a campaign asks of everyone, whatever they send: the eligibility answers
    the campaign needs (age, country, code) and accepting its current terms, with a key that
    makes a double submit one entry. Subclasses add what is sent and list it in `field_order`."""

    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    country = forms.CharField(
        label=_("Country of residence"),
        required=False,
        max_length=2,
        help_text=_("Two-letter code, e.g. DE"),
    )
    code = forms.CharField(
        label=_("Invite or proof-of-purchase code"), required=False, max_length=64
    )
    accept_terms = forms.BooleanField(
        label=_("I have read and accept the terms above."), required=True
    )
    terms_version_id = forms.IntegerField(widget=forms.HiddenInput)
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args: Any, campaign: Campaign, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not campaign.min_age:
            del self.fields["date_of_birth"]
        elif user is not None and user.date_of_birth:
            self.fields["date_of_birth"].initial = user.date_of_birth
        if not campaign.countries:
            del self.fields["country"]
        elif user is not None and user.country:
            self.fields["country"].initial = user.country
        if not campaign.requires_code:
            del self.fields["code"]

    def applicant(self) -> Applicant:
        """The eligibility answers of a valid form, for `eligibility_check`."""
        data = self.cleaned_data
        return Applicant(
            date_of_birth=data.get("date_of_birth"),
            country=data.get("country") or "",
            code=data.get("code") or "",
        )


class EntryForm(EligibilityForm):
    field_order = ["title", "description", "uploads"]

    title = forms.CharField(label=_("Title"), max_length=160)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )
    uploads = MultipleFileField(label=_("Files"))

    def __init__(self, *args: Any, campaign: Campaign, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, campaign=campaign, user=user, **kwargs)
        self.fields["uploads"].widget.attrs["accept"] = ",".join(
            ACCEPT_ATTR[k] for k in campaign.accepted_kinds if k in ACCEPT_ATTR
        )
        self.fields["uploads"].help_text = ngettext(
            "One file of at most %(mb)s MB.",
            "Up to %(n)s files, each at most %(mb)s MB.",
            campaign.max_files_per_entry,
        ) % {"n": campaign.max_files_per_entry, "mb": campaign.max_file_mb}


class ModerationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(EntryStatus.APPROVED, _("Approve")), (EntryStatus.REJECTED, _("Reject"))]
    )
    reason = forms.CharField(
        label=_("Reason (sent to the entrant)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class ModerationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *EntryStatus.choices]
    )
    kind = forms.ChoiceField(
        label=_("Media"), required=False, choices=[("", _("Any media")), *MediaKind.choices]
    )
    flagged = forms.BooleanField(label=_("Only near-duplicates"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class BulkModerationForm(forms.Form):
    entry_ids = forms.TypedMultipleChoiceField(
        coerce=int,
        choices=[],
        required=True,
        error_messages={"required": _("Select entries first.")},
    )
    decision = forms.ChoiceField(
        choices=[(EntryStatus.APPROVED, _("Approve")), (EntryStatus.REJECTED, _("Reject"))]
    )
    reason = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args: Any, entry_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["entry_ids"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(i, i) for i in entry_ids]


class TrackForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    artist = forms.CharField(label=_("Artist"), max_length=160, required=False)
    audio = forms.FileField(
        label=_("Audio file"),
        help_text=_("WAV, MP3, FLAC, Ogg or M4A, up to 20 minutes."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTR[MediaKind.AUDIO]}),
    )
