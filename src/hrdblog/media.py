"""Images as published: their metadata removed, their size known.

Photos of defenders must never tell where and when they were taken. JPEG and PNG files lose
their EXIF (with GPS), XMP, IPTC and text metadata losslessly: the segments or chunks that hold
it are dropped and the image data is copied untouched. Only a JPEG whose EXIF turns it (a phone
photo taken sideways) is decoded, turned and encoded again, since without its EXIF it would show
on its side.
"""

from __future__ import annotations

import io
import re
import struct
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png"})
_ORIENTATION = 0x0112
_TURNED = {5, 6, 7, 8}  # EXIF orientations that swap width and height

# JPEG segments kept: JFIF (APP0), ICC colour profiles (APP2), Adobe colour transform (APP14),
# and everything that is not an application segment or a comment.
_JPEG_KEPT_APPS = {0xE0, 0xE2, 0xEE}
# PNG chunks dropped: EXIF, the three kinds of text (which also carry XMP), the time of change.
_PNG_DROPPED = {b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class ImageProblem(ValueError):
    """An image that cannot be read, so cannot be cleaned."""


def is_image(name: str) -> bool:
    """Return whether a file is an image hrdblog cleans: a JPEG or a PNG."""
    return Path(name).suffix.lower() in IMAGE_SUFFIXES


def image_size(path: Path) -> tuple[int, int] | None:
    """Return an image's width and height as it is shown (after any EXIF turn), or None."""
    if not path.is_file():
        return None
    try:
        with Image.open(path) as image:
            width, height = image.size
            if image.format == "JPEG" and image.getexif().get(_ORIENTATION) in _TURNED:
                width, height = height, width
            return width, height
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError):
        return None


def strip_metadata(data: bytes, name: str) -> bytes:
    """Return a JPEG or PNG file's bytes without its metadata; raise ImageProblem if unreadable."""
    suffix = Path(name).suffix.lower()
    try:
        if suffix == ".png":
            return _strip_png(data)
        if _needs_turning(data):
            return _turned_jpeg(data)
        return _strip_jpeg(data)
    except (OSError, UnidentifiedImageError, SyntaxError, struct.error, IndexError) as exc:
        raise ImageProblem(str(exc) or type(exc).__name__) from None


def _strip_jpeg(data: bytes) -> bytes:
    if data[:2] != b"\xff\xd8":
        raise ImageProblem("not a JPEG file")
    out = [data[:2]]
    at = 2
    while at < len(data):
        if data[at] != 0xFF:
            raise ImageProblem(f"a damaged JPEG segment at byte {at}")
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xDA or marker == 0xD9:  # start of scan, end of image: the rest is data
            out.append(data[at:])
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            out.append(data[at : at + 2])
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        segment = data[at : at + 2 + length]
        application = 0xE0 <= marker <= 0xEF
        if not ((application and marker not in _JPEG_KEPT_APPS) or marker == 0xFE):
            out.append(segment)
        at += 2 + length
    return b"".join(out)


def _strip_png(data: bytes) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise ImageProblem("not a PNG file")
    out = [_PNG_SIGNATURE]
    at = len(_PNG_SIGNATURE)
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        end = at + 12 + length
        if end > len(data):
            raise ImageProblem("a damaged PNG chunk")
        if kind not in _PNG_DROPPED:
            out.append(data[at:end])
        at = end
        if kind == b"IEND":
            break
    return b"".join(out)


def _needs_turning(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        return image.format == "JPEG" and image.getexif().get(_ORIENTATION, 1) != 1


def _turned_jpeg(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        icc = image.info.get("icc_profile")
        turned = ImageOps.exif_transpose(image)
        out = io.BytesIO()
        options = {"quality": 92, "optimize": True}
        if icc:
            options["icc_profile"] = icc
        turned.save(out, "JPEG", **options)
    return out.getvalue()


_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_SRC = re.compile(r"""\ssrc\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)


class ImageSizes:
    """Give a post's images their width, height and loading="lazy", where the file is known.

    A relative address is looked up in the post's folder; /static/… in the site's static/.
    Each file looked up is noted in `seen` with the size found (None: no size), so that a
    cached post can tell whether its images are still what they were.
    """

    def __init__(
        self, static: Path, bundle: Path | None, seen: dict[str, Any] | None = None
    ) -> None:
        self.static = static
        self.bundle = bundle
        self.seen: dict[str, Any] = {} if seen is None else seen

    def annotate(self, html: str) -> str:
        """Return the HTML with width, height and loading="lazy" added to its images."""
        return _IMG.sub(self._tag, html) if "<img" in html else html

    def _tag(self, match: re.Match[str]) -> str:
        tag = match.group(0)
        source = _SRC.search(tag)
        attributes = {m.lower() for m in re.findall(r"\s([a-zA-Z-]+)\s*=", tag)}
        added = []
        size = self._size(unescape(source.group(2))) if source else None
        if size and not {"width", "height"} & attributes:
            added.append(f'width="{size[0]}" height="{size[1]}"')
        if "loading" not in attributes:
            added.append('loading="lazy"')
        if not added:
            return tag
        end = -2 if tag.endswith("/>") else -1
        return f"{tag[:end].rstrip()} {' '.join(added)}{tag[end:]}"

    def _size(self, address: str) -> tuple[int, int] | None:
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//|^#", address):
            return None  # another site's image, or data
        path_part = unquote(address.split("?")[0].split("#")[0])
        if path_part.startswith("/static/"):
            base, relative_path = self.static, path_part.removeprefix("/static/")
        elif self.bundle is not None and not path_part.startswith("/"):
            base, relative_path = self.bundle, path_part
        else:
            return None
        try:
            path = (base / relative_path).resolve()
        except (OSError, RuntimeError):  # a link that loops
            return None
        if not path.is_relative_to(base.resolve()):
            return None
        size = image_size(path)
        self.seen[str(path)] = list(size) if size else None
        return size
