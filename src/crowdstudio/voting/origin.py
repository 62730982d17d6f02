"""Where a vote came from, as keyed hashes: never the raw address or user agent.

The key is derived from settings.SECRET_KEY (Django's `salted_hmac` hashes a fixed salt with
the secret), so the hashes cannot be reversed by trying all IPv4 addresses without the secret,
and two installations never share them. Rotating SECRET_KEY starts new clusters; old flags keep
their detail.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

_NETWORK_SALT = "crowdstudio.voting.network"
_DEVICE_SALT = "crowdstudio.voting.device"


@dataclass(frozen=True, slots=True)
class Origin:
    network_hash: str = ""
    device_hash: str = ""


def network_key(address: str) -> str:
    """The part of an address that names a network: IPv4 as is, IPv6 by its /64.

    IPv6 hosts rotate privacy addresses inside their /64, so the whole address would never
    cluster; IPv4 addresses are already shared by everyone behind one NAT.
    """
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def _hash(salt: str, value: str) -> str:
    if not value:
        return ""
    return salted_hmac(salt, value, secret=settings.SECRET_KEY, algorithm="sha256").hexdigest()


def client_address(request: HttpRequest) -> str:
    """The client's address; behind N trusted proxies, the Nth address from the right of
    X-Forwarded-For (CROWDSTUDIO_TRUSTED_PROXIES, default 0: REMOTE_ADDR only)."""
    proxies = int(getattr(settings, "CROWDSTUDIO_TRUSTED_PROXIES", 0))
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def origin_from_request(request: HttpRequest) -> Origin:
    device = "|".join(
        str(request.META.get(name, ""))[:512]
        for name in ("HTTP_USER_AGENT", "HTTP_ACCEPT_LANGUAGE")
    )
    return Origin(
        network_hash=_hash(_NETWORK_SALT, network_key(client_address(request))),
        device_hash=_hash(_DEVICE_SALT, device if device.strip("|") else ""),
    )
