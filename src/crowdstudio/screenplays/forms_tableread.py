"""The form that requests a table read: a voice select for the narrator and each character."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext as _

from crowdstudio.lib.speech import Voice
from crowdstudio.screenplays.tableread.script import NARRATOR


class TableReadForm(forms.Form):
    """Fields are numbered (voice_0 is the narrator, voice_1… the characters in order of first
    line), so character names never become field names."""

    def __init__(
        self,
        *args: Any,
        characters: Sequence[str],
        voices: Sequence[Voice],
        suggestion: Mapping[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.roles = [NARRATOR, *characters]
        choices = [(voice.id, voice.label) for voice in voices]
        for index, role in enumerate(self.roles):
            label = _("Narrator") if role == NARRATOR else role
            self.fields[f"voice_{index}"] = forms.ChoiceField(
                label=label, choices=choices, initial=suggestion.get(role)
            )

    def rows(self) -> list[tuple[str, forms.BoundField]]:
        return [(role, self[f"voice_{index}"]) for index, role in enumerate(self.roles)]

    def casting(self) -> dict[str, str]:
        return {role: self.cleaned_data[f"voice_{index}"] for index, role in enumerate(self.roles)}
