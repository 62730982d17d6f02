"""Forms for the studio pages. They only parse input; the services validate and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crowdstudio.campaigns.models import (
    Campaign,
    CampaignKind,
    CampaignStatus,
    CodeKind,
    MediaKind,
    PrizeKind,
    Round,
)
from crowdstudio.campaigns.services import EDITABLE_FIELDS

#: Which form field a service error code belongs to, so the message appears next to it.
SERVICE_ERROR_FIELDS = {
    "invalid_hashtag": "hashtags",
    "invalid_country": "countries",
    "invalid_media_kind": "accepted_kinds",
    "no_media": "accepted_kinds",
    "invalid_window": "closes_at",
    "overlapping_round": "opens_at",
    "invalid_currency": "currency",
    "invalid_amount": "amount",
    "duplicate_rank": "rank",
    "empty_terms": "body",
    "invalid_count": "count",
    "invalid_kind": "kind",
}


def add_service_error(form: forms.Form, code: str, message: str) -> None:
    """Show a service's refusal next to the field it is about, or above the form."""
    name = SERVICE_ERROR_FIELDS.get(code)
    form.add_error(name if name in form.fields else None, message)


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    tagline = forms.CharField(
        label=_("Tagline"),
        max_length=240,
        required=False,
        help_text=_("One line shown in the list of campaigns."),
    )
    brief = forms.CharField(
        label=_("Brief"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What you are looking for. Markdown is allowed."),
    )
    rules = forms.CharField(
        label=_("Rules"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown is allowed."),
    )
    kind = forms.ChoiceField(label=_("Kind of campaign"), choices=CampaignKind.choices)
    hashtags = forms.CharField(
        label=_("Hashtags"),
        required=False,
        max_length=500,
        help_text=_("Separated by spaces, e.g. “#summernights #nightvideo”."),
    )
    accepted_kinds = forms.MultipleChoiceField(
        label=_("Accepted media"),
        choices=MediaKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    max_file_mb = forms.IntegerField(label=_("Largest file (MB)"), min_value=1, initial=50)
    max_megapixels = forms.IntegerField(
        label=_("Largest image (megapixels)"), min_value=1, initial=50
    )
    max_duration_seconds = forms.IntegerField(
        label=_("Longest video or audio (seconds)"), min_value=1, initial=300
    )
    max_files_per_entry = forms.IntegerField(
        label=_("Files per entry"), min_value=1, max_value=100, initial=5
    )
    min_age = forms.IntegerField(
        label=_("Minimum age"),
        min_value=0,
        max_value=120,
        required=False,
        help_text=_("Leave empty for no age limit."),
    )
    countries = forms.CharField(
        label=_("Eligible countries"),
        required=False,
        max_length=1000,
        help_text=_(
            "Two-letter ISO codes separated by spaces, e.g. “DE AT CH”. "
            "Leave empty to accept entries from everywhere."
        ),
    )
    requires_code = forms.BooleanField(
        label=_("Entrants need an invite or proof-of-purchase code"), required=False
    )

    @classmethod
    def initial_from(cls, campaign: Campaign) -> dict[str, Any]:
        initial = {name: getattr(campaign, name) for name in EDITABLE_FIELDS}
        initial["hashtags"] = " ".join(f"#{tag}" for tag in campaign.hashtags)
        initial["countries"] = " ".join(campaign.countries)
        return initial

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values as the campaign services take them (they parse the text lists)."""
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"), choices=CampaignStatus.choices)
    reason = forms.CharField(
        label=_("Reason (kept in the audit log)"), required=False, max_length=1000
    )


class RoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    opens_at = forms.DateTimeField(
        label=_("Opens"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    closes_at = forms.DateTimeField(
        label=_("Closes"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    advance_top_n = forms.IntegerField(
        label=_("Entries advancing to the next round"),
        min_value=1,
        required=False,
        help_text=_("For staged contests; leave empty for a single round."),
    )


class RoundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number}. {obj.title}"


class PrizeForm(forms.Form):
    round = RoundChoiceField(label=_("Round"), queryset=Round.objects.none(), empty_label=None)
    rank = forms.IntegerField(label=_("Rank"), min_value=1, initial=1)
    title = forms.CharField(label=_("Title"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=PrizeKind.choices)
    amount = forms.DecimalField(
        label=_("Amount"), min_value=0, max_digits=12, decimal_places=2, initial=0
    )
    currency = forms.CharField(
        label=_("Currency"),
        min_length=3,
        max_length=3,
        initial="EUR",
        help_text=_("Three-letter ISO code, e.g. EUR."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["round"]
        assert isinstance(field, RoundChoiceField)
        field.queryset = campaign.rounds.order_by("number")


class TermsForm(forms.Form):
    body = forms.CharField(
        label=_("Terms"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Markdown is allowed. Publishing creates a new version; "
            "earlier versions stay as they were."
        ),
    )


class CodesForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CodeKind.choices)
    count = forms.IntegerField(label=_("How many"), min_value=1, max_value=10_000, initial=10)
    max_uses = forms.IntegerField(
        label=_("Uses per code"),
        min_value=1,
        max_value=1_000_000,
        initial=1,
        help_text=_("One person can use a code only once."),
    )
    label = forms.CharField(
        label=_("Label"),
        required=False,
        max_length=80,
        help_text=_("For your records, e.g. “Record store flyers”."),
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=80, help_text=_("What the token is for, e.g. “upload script”.")
    )
