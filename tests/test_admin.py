"""Every model of ours is in the Django admin, and each admin list and form page renders."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

OUR_APPS = (
    "accounts",
    "audit",
    "campaigns",
    "entries",
    "community",
    "voting",
    "judging",
    "awards",
    "social",
    "rights",
    "studio",
    "screenplays",
)


def our_models():
    return [m for label in OUR_APPS for m in apps.get_app_config(label).get_models()]


def test_every_model_is_registered_in_the_admin():
    missing = [m.__name__ for m in our_models() if m not in admin.site._registry]
    assert missing == []


@pytest.mark.parametrize("model", our_models(), ids=lambda m: m.__name__)
def test_admin_pages_render_for_a_superuser(client, django_user_model, open_campaign, model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "pw-123456789")
    client.force_login(root)
    meta = model._meta
    changelist = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    assert changelist.status_code == 200
    obj = model.objects.first()
    if obj is not None:
        change = client.get(
            reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
        )
        assert change.status_code == 200


def test_the_admin_is_closed_to_organisation_members(client, personas):
    client.force_login(personas["owner"])
    response = client.get(reverse("admin:entries_entry_changelist"))
    assert response.status_code == 302
