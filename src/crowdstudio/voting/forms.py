from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class VoteForm(forms.Form):
    round = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    value = forms.IntegerField(label=_("Your score"), required=False, min_value=0, max_value=1000)
    action = forms.ChoiceField(
        choices=[("vote", _("Vote")), ("withdraw", _("Take back"))], required=False
    )

    def clean_action(self) -> Any:
        return self.cleaned_data.get("action") or "vote"


class DiscountForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("discount", _("Discount")), ("restore", _("Restore"))], initial="discount"
    )
    reason = forms.CharField(label=_("Reason"), max_length=1000)
