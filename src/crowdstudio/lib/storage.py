"""Content-addressed storage of originals and unguessable names for public renditions.

Originals live in the private "originals" storage (local folder outside MEDIA_ROOT, or a private
S3 prefix) and are never served by any URL: an upload is quarantined there the moment it arrives
and only re-encoded renditions ever reach the public "default" storage.
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.storage import storages

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredOriginal:
    sha256: str
    size: int
    name: str


def original_name_for(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def store_original(stream: Any) -> StoredOriginal:
    """Hash while copying to a temp file, then store once under the hash (idempotent)."""
    storage = storages["originals"]
    digest = hashlib.sha256()
    size = 0
    with tempfile.NamedTemporaryFile(prefix="upload-", delete=True) as tmp:
        if hasattr(stream, "seek"):
            stream.seek(0)
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            tmp.write(chunk)
        tmp.flush()
        tmp.seek(0)
        sha = digest.hexdigest()
        name = original_name_for(sha)
        if storage.exists(name) and storage.size(name) != size:
            # A write that died half-way left a truncated copy: replace it with the real bytes.
            storage.delete(name)
        if not storage.exists(name):
            saved = storage.save(name, File(tmp, name=name))
            if saved != name:  # a concurrent writer stored the same bytes first
                storage.delete(saved)
    return StoredOriginal(sha256=sha, size=size, name=name)


@contextmanager
def original_as_local_file(name: str) -> Iterator[Path]:
    """A local path to read an original from, downloading it first when storage is remote."""
    storage = storages["originals"]
    try:
        yield Path(storage.path(name))
        return
    except NotImplementedError:
        pass
    with tempfile.NamedTemporaryFile(prefix="original-") as tmp, storage.open(name, "rb") as src:
        shutil.copyfileobj(src, tmp, CHUNK)
        tmp.flush()
        yield Path(tmp.name)


def public_name(role: str, suffix: str) -> str:
    """An unguessable public name that reveals nothing about the entry or the uploader."""
    token = secrets.token_urlsafe(18)
    return f"r/{token[:2]}/{token}-{role}{suffix}"
