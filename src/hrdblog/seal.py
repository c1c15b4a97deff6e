"""The blog's seal: a secret key that signs every file hrdblog writes to read back later.

The caches, the record of the last build and the record of a build's work folders are read
back by later builds, which trust what they say: cached posts are published as they are, work
folders are moved into the site or deleted. Each such file is signed with an HMAC made with
this blog's own key, kept in the folder `.hrdblog-key/` of the blog (readable by its owner
only, and holding a `.gitignore` that keeps it out of version control, whatever the blog's
own `.gitignore` says). A file whose signature does not match, or
one signed with another key, is treated as absent: whoever can change the cache folder, a
restored CI cache or a planted work folder cannot make a build publish or delete anything,
unless they can also read the key.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
from pathlib import Path

from hrdblog.files import replace_file

logger = logging.getLogger(__name__)

KEY_DIR = ".hrdblog-key"
KEY_FILE = "key"
#: Written into the folders hrdblog keeps for itself: git then leaves them out by itself.
IGNORE_ALL = "# Written by hrdblog: nothing here belongs in version control.\n*\n"
_KEY = re.compile(rb"^[0-9a-f]{64}\n?$")


class Seal:
    """Signs what hrdblog writes for itself, and checks it when read back."""

    def __init__(self, key: bytes | None) -> None:
        self._key = key

    @classmethod
    def of_blog(cls, source: Path) -> Seal:
        """Return the seal of the blog in `source`, making its key the first time.

        Where the key can be neither read nor made (a read-only folder), nothing is signed and
        nothing read back is trusted: builds then do all their work each time.
        """
        folder = source / KEY_DIR
        path = folder / KEY_FILE
        if folder.is_symlink():
            logger.warning(
                "%s is a link: the key is kept in the blog only; nothing cached is "
                "trusted until the link is removed",
                folder,
            )
            return cls(None)
        try:
            with open(path, "rb") as file:
                found = file.read(100)
            if _KEY.match(found):
                return cls(found.strip())
            logger.warning("%s is damaged: made anew, so the caches are not trusted", path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            logger.info("%s cannot be read (%s): nothing cached is trusted", path, exc)
            return cls(None)
        key = secrets.token_hex(32).encode()
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
            ignore_all(folder)
            replace_file(path, key + b"\n")  # private, as mkstemp makes it
        except OSError as exc:
            logger.info("%s cannot be written (%s): nothing cached is trusted", path, exc)
            return cls(None)
        return cls(key)

    def sign(self, body: bytes, context: str = "") -> str:
        """Return the signature of `body` for `context` (what it belongs to); "" unkeyed."""
        if self._key is None:
            return ""
        message = context.encode() + b"\0" + body
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def wrap(self, body: bytes, context: str = "") -> bytes:
        """Return `body` behind a header line holding its signature."""
        return json.dumps({"mac": self.sign(body, context)}).encode() + b"\n" + body

    def unwrap(self, data: bytes, context: str = "") -> bytes | None:
        """Return the body of what `wrap` made with this seal and context, else None."""
        if self._key is None:
            return None
        header, _, body = data.partition(b"\n")
        try:
            mac = json.loads(header)["mac"]
        except (ValueError, KeyError, TypeError):
            return None
        if not isinstance(mac, str) or not hmac.compare_digest(mac, self.sign(body, context)):
            return None
        return body


def ignore_all(folder: Path) -> None:
    """Give one of hrdblog's own folders a `.gitignore` that leaves all of it out of git."""
    marker = folder / ".gitignore"
    if os.path.lexists(marker):
        return  # kept as it is: never replaced, never written through a link
    with contextlib.suppress(OSError):
        descriptor = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(IGNORE_ALL)
