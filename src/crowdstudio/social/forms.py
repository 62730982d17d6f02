"""Forms of the social pages: they parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crowdstudio.social.models import Network

#: Which field a service's error code is about, so it is shown next to it.
SERVICE_ERROR_FIELDS = {
    "invalid_network": "network",
    "invalid_hashtag": "hashtag",
    "already_connected": "hashtag",
    "instance_required": "instance",
    "account_required": "account",
    "secret_required": "secret",
}


def add_service_error(form: forms.Form, code: str, message: str) -> None:
    name = SERVICE_ERROR_FIELDS.get(code)
    form.add_error(name if name in form.fields else None, message)


def _secret_field(required_help: Any) -> forms.CharField:
    return forms.CharField(
        label=_("Access token or app password"),
        max_length=2000,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=required_help,
    )


class SourceConnectForm(forms.Form):
    network = forms.ChoiceField(label=_("Network"), choices=Network.choices)
    hashtag = forms.CharField(label=_("Hashtag"), max_length=101)
    instance = forms.CharField(
        label=_("Mastodon server"),
        max_length=200,
        required=False,
        help_text=_("Mastodon only, e.g. https://mastodon.social"),
    )
    account = forms.CharField(
        label=_("Account"),
        max_length=200,
        required=False,
        help_text=_("Bluesky: the handle that signs in. Instagram: the business account id."),
    )
    secret = _secret_field(
        _(
            "Stored encrypted and never shown again. Bluesky: an app password; Instagram: a "
            "token of the business account; Mastodon: optional (needed to reply)."
        )
    )
    since = forms.DateTimeField(
        label=_("Import posts from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: everything the network still returns."),
    )
    poll_minutes = forms.IntegerField(
        label=_("Poll every (minutes)"),
        min_value=1,
        max_value=24 * 60,
        initial=15,
        help_text=_("Instagram is polled at least hourly: it only returns the last 24 hours."),
    )


class SourceEditForm(forms.Form):
    account = forms.CharField(label=_("Account"), max_length=200, required=False)
    secret = _secret_field(_("Leave empty to keep the stored one."))
    since = forms.DateTimeField(
        label=_("Import posts from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    poll_minutes = forms.IntegerField(label=_("Poll every (minutes)"), min_value=1, max_value=1440)
