"""Variants of photos made by the builds before (`.hrdblog-cache/images/`), so that a rebuild
encodes only the photos that are new or changed.

Contract: a variant is taken from the cache only when it was made from the same bytes (the
SHA-256 of its photo), at the same width, in the same format, by the same encoder (Pillow's
version and hrdblog's options, `images.ENCODER`); and only if its file still holds exactly
the bytes recorded for it in the signed index (their SHA-256). Anything else is made again.
The variants a build does not use are removed when it is saved, so the cache holds those of
the site as last built, and no more.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence

from hrdblog.config import SiteConfig
from hrdblog.images import ENCODER, Encoder, Variant, encode
from hrdblog.incremental.sealed import (
    names_in,
    own_folder,
    read_regular,
    read_sealed,
    remove,
    write_sealed,
)
from hrdblog.lock import CACHE_DIR
from hrdblog.seal import Seal

_INDEX = "index.json"


class VariantCache(Encoder):
    """Makes the variants of a photo as `images.Encoder` does, or takes them from the cache."""

    def __init__(self, config: SiteConfig, seal: Seal) -> None:
        self.folder = config.source / CACHE_DIR / "images"
        self.seal = seal
        body = read_sealed(self.folder / _INDEX, seal, ENCODER, quiet=True)
        self.index: dict[str, str] = {}  # key → SHA-256 of the variant's bytes
        try:
            found = json.loads(body) if body is not None else {}
        except ValueError:
            found = {}
        if isinstance(found, dict):
            self.index = {k: v for k, v in found.items() if isinstance(v, str) and _name(k)}
        self.used: set[str] = set()
        self._lock = threading.Lock()

    def variants(self, data: bytes, wanted: Sequence[Variant]) -> list[bytes]:
        """Return the bytes of each wanted variant of the photo of these bytes."""
        photo = hashlib.sha256(data).hexdigest()
        out = []
        for variant in wanted:
            key = hashlib.sha256(f"{photo} {variant.width} {variant.kind}".encode()).hexdigest()
            made = self._cached(key)
            if made is None:
                made = encode(data, variant.width, variant.kind)
                self._store(key, made)
            with self._lock:
                self.used.add(key)
            out.append(made)
        return out

    def _cached(self, key: str) -> bytes | None:
        expected = self.index.get(key)
        if expected is None:
            return None
        data = read_regular(self.folder / key)
        if data is None:
            return None
        return data if hashlib.sha256(data).hexdigest() == expected else None

    def _store(self, key: str, data: bytes) -> None:
        if not own_folder(self.folder):
            return  # a link in the cache's place: nothing is written through it
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            part = self.folder / f"{key}.{threading.get_ident()}.part"
            with open(part, "xb") as file:
                file.write(data)
            part.replace(self.folder / key)
        except OSError:
            return  # only costs the next build the time to make it again
        with self._lock:
            self.index[key] = hashlib.sha256(data).hexdigest()

    def save(self) -> None:
        """Record the variants this build used, and remove the others."""
        kept = {key: digest for key, digest in self.index.items() if key in self.used}
        for name in names_in(self.folder):
            if name != _INDEX and name not in kept:
                remove(self.folder / name)
        if kept or (self.folder / _INDEX).exists():
            write_sealed(self.folder / _INDEX, json.dumps(kept, sort_keys=True), self.seal, ENCODER)


def _name(key: str) -> bool:
    return len(key) == 64 and all(c in "0123456789abcdef" for c in key)
