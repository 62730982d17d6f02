"""Rights to use entries: requests, consent evidence, releases, withdrawal."""

from __future__ import annotations
