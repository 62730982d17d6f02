"""Forms of the Director's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crowdstudio.campaigns.models import Campaign
from crowdstudio.entries.models import Track
from crowdstudio.studio.models import RenderShape
from crowdstudio.studio.selectors import tracks_of
from crowdstudio.studio.services import EDIT_ACTIONS, FPS_CHOICES, MAX_SEED


class MontageForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    track = forms.ModelChoiceField(label=_("Music track"), queryset=Track.objects.none())
    seed = forms.IntegerField(
        label=_("Seed"),
        min_value=0,
        max_value=MAX_SEED,
        initial=0,
        help_text=_("Another number gives another order of shots."),
    )
    fps = forms.TypedChoiceField(
        label=_("Frames per second"),
        choices=[(n, str(n)) for n in FPS_CHOICES],
        coerce=int,
        initial=30,
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["track"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = tracks_of(campaign)


class EditForm(forms.Form):
    revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[(a, a) for a in EDIT_ACTIONS])
    slot = forms.IntegerField(min_value=0)
    asset = forms.IntegerField(min_value=1, required=False)


class ReplanForm(forms.Form):
    revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    seed = forms.IntegerField(label=_("New seed"), min_value=0, max_value=MAX_SEED)


class RenderForm(forms.Form):
    revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    shapes = forms.MultipleChoiceField(
        label=_("Shapes"),
        choices=RenderShape.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[RenderShape.LANDSCAPE],
    )
