"""Who is calling the API: a script with a personal token, a signed-in browser, or anyone.

- Scripts send `Authorization: Bearer cs_…`. Only the token's sha256 is stored, so the raw value
  is hashed and looked up; a revoked, unknown or malformed token is refused with 401 even on
  public routes, so a script never silently acts anonymously.
- Browsers use the Django session. CSRF is enforced for unsafe methods (ninja's `SessionAuth`);
  the check is skipped for visitors without a session, who then get a plain 401.
- Public routes add `allow_anonymous` last, so they also answer visitors who are not signed in;
  what those may see is then decided by the access helpers, like for everyone else.

After authentication `request.auth` is the acting user (an `AnonymousUser` on public routes);
handlers read it through `acting_user()`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from crowdstudio.accounts.models import ApiToken, hash_token

TOKEN_PREFIX = "cs_"  # noqa: S105 - the public prefix of every token, not a secret
#: `last_used_at` is refreshed at most this often, so a busy script does not write every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class CsrfFailed(HttpError):
    def __init__(self) -> None:
        super().__init__(403, _("CSRF check failed: send the X-CSRFToken header."))


def user_for_token(raw: str) -> Any | None:
    """The active user owning this unrevoked token, recording that the token was used."""
    if not raw.startswith(TOKEN_PREFIX):
        return None  # not one of ours: no need to ask the database
    try:
        # get(), not first(): the hash is unique, and first() would add an ORDER BY to compile.
        token = ApiToken.objects.select_related("user").get(
            token_hash=hash_token(raw), revoked_at__isnull=True
        )
    except ApiToken.DoesNotExist:
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    stale = now - LAST_USED_RESOLUTION
    # The row just read tells whether the timestamp is fresh: then no statement at all. Else
    # only this row's own timestamp, conditional so concurrent requests write it once.
    if token.last_used_at is None or token.last_used_at < stale:
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale)
        ).update(last_used_at=now)
    return token.user


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = user_for_token(token.strip())
        if user is None:
            raise AuthenticationError(message=_("The API token is invalid or has been revoked."))
        request.user = user
        return user


class BrowserSessionAuth(SessionAuth):
    """Django's session; CSRF-checked for unsafe methods once there is a signed-in user."""

    def __call__(self, request: HttpRequest) -> Any | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if (
            self.csrf
            and not getattr(request, "_ninja_csrf_exempt", False)
            and check_csrf(request) is not None
        ):
            raise CsrfFailed()
        return user


def allow_anonymous(request: HttpRequest) -> AnonymousUser:
    """The last resort of public routes: proceed as nobody in particular."""
    return AnonymousUser()


token_auth = ApiTokenAuth()
session_auth = BrowserSessionAuth()

#: The default of every route: a token or a session.
AUTHENTICATED: list[Any] = [token_auth, session_auth]
#: Routes anyone may call; the access helpers still decide what they see.
PUBLIC: list[Any] = [token_auth, session_auth, allow_anonymous]


def acting_user(request: HttpRequest) -> Any:
    """The user behind this request, as found by the route's authentication."""
    return getattr(request, "auth", None) or AnonymousUser()
