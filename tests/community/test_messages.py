"""Every notification kind has its own sentence, translated when shown."""

from __future__ import annotations

import pytest
from django.utils import translation

from crowdstudio.community.messages import notification_text
from crowdstudio.community.models import Notification, NotificationKind

DATA = {"actor": "ana", "entry": "Dawn", "campaign": "City", "round": "Round 1", "rating": 4}


@pytest.mark.parametrize("kind", NotificationKind.values)
def test_each_kind_has_its_own_sentence_in_english_and_german(kind):
    n = Notification(kind=kind, data=DATA)
    with translation.override("en"):
        english = notification_text(n)
    with translation.override("de"):
        german = notification_text(n)
    assert english != "Something happened on crowdstudio."
    assert "%(" not in english and "%(" not in german
    assert german != english


def test_an_unknown_kind_falls_back_to_a_generic_sentence():
    with translation.override("en"):
        assert notification_text(Notification(kind="gone", data={})) == (
            "Something happened on crowdstudio."
        )
