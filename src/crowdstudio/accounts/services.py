"""Writes about people: personal API tokens."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from crowdstudio.accounts.models import ApiToken, hash_token
from crowdstudio.audit.services import log_action


def api_token_create(*, user: Any, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its raw value, which is never stored or shown again."""
    raw = ApiToken.generate()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=raw[:8], token_hash=hash_token(raw)
        )
        log_action(token, "api_token.created", user=user, data={"name": name})
    return token, raw


def api_token_revoke(*, user: Any, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False if it is not theirs or already revoked."""
    with transaction.atomic():
        revoked = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked == 1:
            log_action(ApiToken(pk=token_id), "api_token.revoked", user=user)
    return revoked == 1
