from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crowdstudio.entries.forms import EligibilityForm
from crowdstudio.screenplays.models import Collaboration

SCRIPT_ACCEPT = ".fountain,.spmd,.txt,.fdx,.pdf,text/plain,application/pdf,application/xml"


class ScriptSubmitForm(EligibilityForm):
    field_order = ["title", "logline", "script", "collaboration"]

    title = forms.CharField(label=_("Title"), max_length=160)
    logline = forms.CharField(
        label=_("Logline"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=1000,
        help_text=_("One or two sentences: who wants what, and what stands in the way."),
    )
    script = forms.FileField(
        label=_("Screenplay file"),
        help_text=_(
            "Fountain (.fountain or .txt) or Final Draft (.fdx); a PDF can be read but not revised."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": SCRIPT_ACCEPT}),
    )
    collaboration = forms.ChoiceField(
        label=_("Who may post revisions"),
        choices=Collaboration.choices,
        initial=Collaboration.BY_PERMISSION,
        widget=forms.RadioSelect,
    )


class RevisionForm(forms.Form):
    text = forms.CharField(
        label=_("Revised screenplay (Fountain)"),
        widget=forms.Textarea(attrs={"rows": 20, "spellcheck": "false", "class": "fountain-input"}),
        required=False,
        max_length=5_000_000,
    )
    upload = forms.FileField(
        label=_("…or upload a Fountain or Final Draft file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".fountain,.spmd,.txt,.fdx"}),
    )
    message = forms.CharField(
        label=_("What did you change?"), max_length=500, help_text=_("Shown in the lineage.")
    )
    based_on = forms.TypedMultipleChoiceField(
        label=_("Based on"),
        coerce=int,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose several versions to merge them."),
    )

    def __init__(self, *args: Any, numbers: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        based_on = self.fields["based_on"]
        assert isinstance(based_on, forms.TypedMultipleChoiceField)
        based_on.choices = [(n, _("Version %(n)s") % {"n": n}) for n in numbers]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool((data.get("text") or "").strip()) == bool(data.get("upload")):
            raise forms.ValidationError(
                _("Paste the revised Fountain text or upload a file (one of the two).")
            )
        return data


class CollaborationForm(forms.Form):
    collaboration = forms.ChoiceField(
        label=_("Who may post revisions"), choices=Collaboration.choices, widget=forms.RadioSelect
    )


class AccessRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the writer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AccessDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("granted", _("Grant")), ("refused", _("Refuse")), ("revoked", _("Revoke"))]
    )


class CommentForm(forms.Form):
    element = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    body = forms.CharField(
        label=_("Comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DiffForm(forms.Form):
    a = forms.IntegerField(min_value=1)
    b = forms.IntegerField(min_value=1)


class TestMovieForm(forms.Form):
    __test__ = False  # not a pytest test class

    version = forms.IntegerField(label=_("Script version"), min_value=1)
