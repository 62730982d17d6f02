"""Forms of the awards pages: they parse input; the services decide."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crowdstudio.awards.models import TaxForm
from crowdstudio.awards.providers import PROVIDERS, default_provider_name

#: Which field a service's error code is about, so it is shown next to it.
SERVICE_ERROR_FIELDS = {
    "legal_name_required": "legal_name",
    "invalid_country": "country",
    "invalid_tax_form": "tax_form",
    "wrong_tax_form": "tax_form",
    "signed_in_future": "form_signed_on",
    "invalid_taxpayer_id": "taxpayer_id",
    "taxpayer_id_required": "taxpayer_id",
    "invalid_payout_account": "payout_account",
    "reference_required": "reference",
    "paid_in_future": "paid_on",
    "invalid_rate": "rate",
    "reason_required": "reason",
}


def add_service_error(form: forms.Form, code: str, message: str) -> None:
    name = SERVICE_ERROR_FIELDS.get(code)
    form.add_error(name if name in form.fields else None, message)


class PayeeDetailsForm(forms.Form):
    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    country = forms.CharField(
        label=_("Country of tax residence"),
        max_length=2,
        min_length=2,
        help_text=_("Two-letter ISO code, e.g. DE, US, GB."),
    )
    tax_form = forms.ChoiceField(
        label=_("Tax form"),
        choices=TaxForm.choices,
        help_text=_("US persons sign a W-9; everyone else a W-8BEN."),
    )
    form_signed_on = forms.DateField(
        label=_("Date you signed the form"), widget=forms.DateInput(attrs={"type": "date"})
    )
    taxpayer_id = forms.CharField(
        label=_("Taxpayer id"),
        max_length=40,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Stored encrypted and never shown again in full."),
    )
    payout_account = forms.CharField(
        label=_("Payout account"),
        max_length=64,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Your IBAN, or your account id at the payout provider (e.g. acct_…)."),
    )

    def __init__(self, *args: Any, on_file: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if on_file is not None:
            keep = _("Leave empty to keep the one on file (%(masked)s).")
            self.fields["taxpayer_id"].help_text = keep % {"masked": on_file.taxpayer_id_masked}
            if on_file.payout_account_masked:
                self.fields["payout_account"].help_text = keep % {
                    "masked": on_file.payout_account_masked
                }


class SendForm(forms.Form):
    """The pay button: a fresh key per rendered page, so a double click sends one request."""

    request_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


class MarkPaidForm(forms.Form):
    reference = forms.CharField(
        label=_("Payment reference"),
        max_length=255,
        help_text=_("E.g. the bank transfer's reference."),
    )
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class TreatyRateForm(forms.Form):
    rate = forms.DecimalField(
        label=_("Treaty withholding rate (%)"),
        required=False,
        min_value=0,
        max_value=99.99,
        decimal_places=2,
        help_text=_("For a W-8BEN payee from a treaty country; empty means 30 %."),
    )


class PayoutSettingsForm(forms.Form):
    tax_forms_required = forms.BooleanField(
        label=_("Collect tax forms (W-9 / W-8BEN) and withhold tax"), required=False
    )
    provider = forms.ChoiceField(label=_("Payout provider"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        default = _("Installation default (%(name)s)") % {"name": default_provider_name()}
        provider = self.fields["provider"]
        assert isinstance(provider, forms.ChoiceField)
        provider.choices = [("", default)] + [(name, name) for name in PROVIDERS]
