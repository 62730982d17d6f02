from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crowdstudio.campaigns.models import Campaign
from crowdstudio.rights.models import CampaignRightsPolicy, ReleaseKind


def add_service_error(form: forms.BaseForm, code: str, message: str) -> None:
    form.add_error(None, forms.ValidationError(message, code=code))


class AcceptForm(forms.Form):
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    guardian_name = forms.CharField(
        label=_("Parent or guardian (if you are under the minimum age)"),
        required=False,
        max_length=200,
    )
    guardian_confirmed = forms.BooleanField(
        label=_("I am the parent or guardian and I agree to these terms for them."),
        required=False,
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

    def __init__(self, *args: Any, campaign: Campaign, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not campaign.min_age:
            for name in ("date_of_birth", "guardian_name", "guardian_confirmed"):
                del self.fields[name]
        elif user is not None and getattr(user, "date_of_birth", None):
            self.fields["date_of_birth"].initial = user.date_of_birth
        if not campaign.countries:
            del self.fields["country"]
        elif user is not None and user.country:
            self.fields["country"].initial = user.country
        if not campaign.requires_code:
            del self.fields["code"]


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=1000, widget=forms.TextInput
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw your consent?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(
        label=_("Yes, withdraw my consent. The organisers will stop using this entry."),
        required=True,
    )


class SendRequestsForm(forms.Form):
    entries = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=True)

    def __init__(self, *args: Any, entry_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["entries"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(pk, str(pk)) for pk in entry_ids]
        field.error_messages["required"] = _("Tick at least one entry.")


class ReleaseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ReleaseKind.choices)
    person_name = forms.CharField(label=_("Person or guardian who signed"), max_length=200)
    signed_at = forms.DateField(
        label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    document = forms.FileField(label=_("Signed document (optional, kept private)"), required=False)

    def clean_document(self) -> Any:
        document = self.cleaned_data.get("document")
        if document is not None and document.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("The document is larger than 20 MB."))
        return document


class PolicyForm(forms.ModelForm):
    class Meta:
        model = CampaignRightsPolicy
        fields = (
            "public_display",
            "require_people_release",
            "require_music_release",
            "consent_hashtag",
            "request_expiry_days",
            "reply_templates",
        )
        widgets = {"reply_templates": forms.Textarea(attrs={"rows": 5})}
