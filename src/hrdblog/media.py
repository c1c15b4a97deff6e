"""Images and documents as published: their metadata removed or named, their size known.

Photos of defenders must never tell where and when they were taken. Every image format a post
may publish loses its EXIF (with GPS), XMP, IPTC, comments and text metadata:

- JPEG, PNG, WebP and GIF losslessly: the segments, chunks or blocks that hold metadata are
  dropped and the image data is copied untouched. Only a JPEG whose EXIF turns it (a phone
  photo taken sideways) is decoded, turned and encoded again, since without its EXIF it would
  show on its side; what that encoding writes is cleaned the same way.
- TIFF by writing its pixels anew (TIFF keeps its metadata in the same directory as its
  pixels' layout), with lossless compression.
- HEIC, HEIF, AVIF and JPEG XL, whose metadata hrdblog cannot remove, are refused.

An image of more pixels than anyone publishes (a decompression bomb, a few kilobytes that
unpack to gigabytes in a reader's browser) is refused, metadata kept or not. A PDF whose
metadata names its author or the software that made it is published as it is, with a warning
naming what it tells.
"""

from __future__ import annotations

import io
import logging
import re
import struct
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

logger = logging.getLogger(__name__)

#: The images hrdblog publishes, cleaned; the ones whose metadata it cannot remove.
JPEG_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".jfif", ".jif", ".pjpeg", ".pjp"})
IMAGE_SUFFIXES = JPEG_SUFFIXES | {".png", ".apng", ".webp", ".gif", ".tif", ".tiff", ".ico"}
UNCLEANABLE = frozenset({".heic", ".heif", ".avif", ".jxl"})
#: The most pixels an image may have: Pillow's own bound, some 89 million (a 10,000 by 8,900
#: photo); a bomb has billions.
MAX_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485
_ORIENTATION = 0x0112
_TURNED = {5, 6, 7, 8}  # EXIF orientations that swap width and height

# What is kept of each format is listed, never what is dropped: a kind of metadata nobody
# listed (content credentials, a camera maker's private chunk) is dropped all the same.
# JPEG application segments kept, by what they start with: JFIF (APP0, without its
# thumbnail), ICC colour profiles (APP2) and Adobe's colour transform (APP14); besides them,
# everything that is not an application segment or a comment.
_JPEG_KEPT_APPS = {0xE0: b"JFIF\x00", 0xE2: b"ICC_PROFILE\x00", 0xEE: b"Adobe"}
# PNG chunks kept: the image, its colour and pixel shape, and APNG's frames.
_PNG_KEPT = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT",
    b"bKGD", b"pHYs", b"cICP", b"mDCv", b"cLLi", b"acTL", b"fcTL", b"fdAT",
}  # fmt: skip
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# WebP chunks kept: the image, its alpha, its animation, its colour profile; and the bits of
# its VP8X header that announce EXIF and XMP, cleared.
_WEBP_KEPT = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"}
_WEBP_EXIF_XMP_FLAGS = 0x08 | 0x04
# GIF application extensions kept: the looping of animations.
_GIF_KEPT_APPLICATIONS = (b"NETSCAPE2.0", b"ANIMEXTS1.0")
_TIFF_LOSSLESS = {"raw", "tiff_lzw", "tiff_deflate", "tiff_adobe_deflate", "packbits", "group4"}


class ImageProblem(ValueError):
    """An image that cannot be read, so cannot be cleaned."""


class ImageRefused(ImageProblem):
    """An image that can be read but may not be published: too many pixels, or metadata
    hrdblog cannot remove."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def is_image(name: str) -> bool:
    """Return whether a file is an image hrdblog checks and cleans before publishing it."""
    return Path(name).suffix.lower() in IMAGE_SUFFIXES | UNCLEANABLE


def image_size(path: Path) -> tuple[int, int] | None:
    """Return an image's width and height as it is shown (after any EXIF turn), or None."""
    if not path.is_file():
        return None
    try:
        with _opened(path) as image:
            width, height = image.size
            if image.format == "JPEG" and image.getexif().get(_ORIENTATION) in _TURNED:
                width, height = height, width
            return width, height
    except (ImageProblem, OSError, UnidentifiedImageError, SyntaxError, ValueError):
        return None


def svg_size(path: Path) -> tuple[int, int] | None:
    """Return a drawing's width and height in pixels as its root element gives them (its
    width and height, else its viewBox), or None."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import parse

    try:
        root = parse(path, forbid_dtd=True).getroot()
    except (OSError, ParseError, DefusedXmlException, ValueError):
        return None
    if root is None:
        return None
    width, height = (_pixels(root.get(name, "")) for name in ("width", "height"))
    if width and height:
        return width, height
    box = root.get("viewBox", "").replace(",", " ").split()
    try:
        w, h = float(box[2]), float(box[3])
    except (IndexError, ValueError):
        return None
    return (round(w), round(h)) if w > 0 and h > 0 else None


def _pixels(length: str) -> int | None:
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(?:px)?\s*", length)
    return (round(float(match.group(1))) or None) if match else None


def _opened(source: Path | bytes) -> Image.Image:
    """Open an image's header, refusing one of more pixels than MAX_PIXELS."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise ImageRefused(f"it has more than {MAX_PIXELS:,} pixels", _SMALLER) from None
    width, height = image.size
    if width * height > MAX_PIXELS:
        image.close()
        raise ImageRefused(
            f"it is {width:,} by {height:,} pixels, more than {MAX_PIXELS:,}", _SMALLER
        )
    return image


_SMALLER = "make it smaller in an image editor: no reader's screen shows so many pixels"


def check_image(data: bytes, name: str, keep_metadata: bool) -> bytes:
    """Return an image's bytes as they may be published: without metadata unless it is kept,
    never with more pixels than MAX_PIXELS. Raise ImageProblem otherwise."""
    suffix = Path(name).suffix.lower()
    if suffix in UNCLEANABLE and not keep_metadata:
        raise ImageRefused(
            f"hrdblog cannot remove the metadata of {suffix} images",
            "convert it to JPEG or PNG, or set keep_image_metadata: true if it may tell "
            "where and when it was taken",
        )
    try:
        with _opened(data):
            pass
    except ImageProblem:
        raise
    except UnidentifiedImageError:
        if suffix in UNCLEANABLE:  # Pillow may not read them: it need not, to publish them
            return data
        raise ImageProblem("it is no image file Pillow knows") from None
    except (OSError, SyntaxError, ValueError) as exc:
        if suffix in UNCLEANABLE:
            return data
        raise ImageProblem(str(exc) or type(exc).__name__) from None
    return data if keep_metadata else strip_metadata(data, name)


def strip_metadata(data: bytes, name: str) -> bytes:
    """Return an image's bytes without its metadata; raise ImageProblem if unreadable."""
    suffix = Path(name).suffix.lower()
    strippers: dict[str, Callable[[bytes], bytes]] = {
        ".png": _strip_png,
        ".apng": _strip_png,
        ".webp": _strip_webp,
        ".gif": _strip_gif,
        ".tif": _strip_tiff,
        ".tiff": _strip_tiff,
        ".ico": _strip_ico,
    }
    try:
        if suffix in strippers:
            return strippers[suffix](data)
        if _needs_turning(data):
            return _strip_jpeg(_turned_jpeg(data))
        return _strip_jpeg(data)
    except (OSError, UnidentifiedImageError, SyntaxError, struct.error, IndexError) as exc:
        raise ImageProblem(str(exc) or type(exc).__name__) from None


def _strip_jpeg(data: bytes) -> bytes:
    """Return a JPEG's segments but its metadata: every scan is read, since a progressive
    JPEG may hold metadata between its scans, and nothing after the end of the image is kept
    (a phone's trailer, a second picture of a multi-picture file)."""
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
        if marker == 0xD9:  # end of image: what follows is no part of it
            out.append(data[at : at + 2])
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            out.append(data[at : at + 2])
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        end = at + 2 + length
        if marker == 0xDA:  # start of scan: its header, then its data up to the next marker
            end = _scan_end(data, end)
        segment = data[at:end]
        if 0xE0 <= marker <= 0xEF:
            kept = _JPEG_KEPT_APPS.get(marker)
            if kept is not None and segment[4:].startswith(kept):
                if marker == 0xE0:
                    segment = _without_thumbnail(segment)
                elif marker == 0xEE:  # Adobe's is 12 bytes: nothing may follow them
                    segment = b"\xff\xee\x00\x0e" + segment[4:16]
                out.append(segment)
        elif marker == 0xDC:  # the number of lines: 2 bytes, and nothing after them
            out.append(b"\xff\xdc\x00\x04" + segment[4:6])
        elif marker != 0xFE:  # not a comment
            out.append(segment)
        at = end
    return b"".join(out)  # one cut short keeps what it has, as browsers show it


def _without_thumbnail(segment: bytes) -> bytes:
    """Return a JFIF segment without the thumbnail it may carry (a small copy of the photo,
    perhaps of the photo before it was cropped)."""
    header = segment[4:18]  # JFIF\0, version, units, densities, thumbnail width and height
    if len(header) < 14:
        return segment
    body = header[:12] + b"\x00\x00"
    return b"\xff\xe0" + struct.pack(">H", len(body) + 2) + body


def _scan_end(data: bytes, at: int) -> int:
    """Return where the entropy-coded data of a scan that starts at `at` ends: at the first
    marker that is neither a stuffed 0xFF (FF 00) nor a restart (FF D0 … FF D7)."""
    while True:
        at = data.find(b"\xff", at)
        if at < 0 or at + 1 >= len(data):
            return len(data)  # cut short: the rest is the scan's
        following = data[at + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            at += 1 if following == 0xFF else 2
            continue
        return at


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
        if kind in _PNG_KEPT:
            out.append(data[at:end])
        at = end
        if kind == b"IEND":
            break
    return b"".join(out)


def _strip_ico(data: bytes) -> bytes:
    """Return an icon file with each of its PNG pictures cleaned (its BMP ones carry no
    metadata), its directory pointing to them anew."""
    if data[:4] not in (b"\x00\x00\x01\x00", b"\x00\x00\x02\x00"):
        raise ImageProblem("not an ICO file")
    (count,) = struct.unpack("<H", data[4:6])
    heads, bodies = [], []
    for number in range(count):
        entry = data[6 + 16 * number : 22 + 16 * number]
        size, offset = struct.unpack("<II", entry[8:16])
        body = data[offset : offset + size]
        if len(entry) != 16 or len(body) != size:
            raise ImageProblem("a damaged ICO entry")
        heads.append(entry[:8])
        bodies.append(_strip_png(body) if body.startswith(_PNG_SIGNATURE) else body)
    out, offset = [data[:6]], 6 + 16 * count
    for head, body in zip(heads, bodies, strict=True):
        out.append(head + struct.pack("<II", len(body), offset))
        offset += len(body)
    return b"".join(out + bodies)


def _strip_webp(data: bytes) -> bytes:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise ImageProblem("not a WebP file")
    chunks = []
    at = 12
    while at + 8 <= len(data):
        kind = data[at : at + 4]
        (length,) = struct.unpack("<I", data[at + 4 : at + 8])
        end = at + 8 + length + (length & 1)
        if at + 8 + length > len(data):
            raise ImageProblem("a damaged WebP chunk")
        chunk = data[at:end]
        if kind == b"VP8X":
            flags = chunk[8] & ~_WEBP_EXIF_XMP_FLAGS
            chunk = chunk[:8] + bytes([flags]) + chunk[9:]
        if kind in _WEBP_KEPT:
            chunks.append(chunk)
        at = end
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _strip_gif(data: bytes) -> bytes:
    if data[:6] not in (b"GIF87a", b"GIF89a"):
        raise ImageProblem("not a GIF file")
    packed = data[10]
    at = 13 + (3 * 2 ** ((packed & 7) + 1) if packed & 0x80 else 0)
    out = [data[:at]]
    while at < len(data):
        block = data[at]
        if block == 0x3B:  # the trailer
            out.append(data[at : at + 1])
            break
        if block == 0x21:  # an extension: its label, then sub-blocks
            label = data[at + 1]
            end = _sub_blocks_end(data, at + 2)
            first = data[at + 3 : at + 3 + data[at + 2]]
            comment = label == 0xFE
            application = label == 0xFF and not first.startswith(_GIF_KEPT_APPLICATIONS)
            if not (comment or application):
                out.append(data[at:end])
            at = end
        elif block == 0x2C:  # an image: its descriptor, colour table, then its data
            image_packed = data[at + 9]
            start = at + 10 + (3 * 2 ** ((image_packed & 7) + 1) if image_packed & 0x80 else 0)
            end = _sub_blocks_end(data, start + 1)
            out.append(data[at:end])
            at = end
        else:
            raise ImageProblem(f"a damaged GIF block at byte {at}")
    return b"".join(out)


def _sub_blocks_end(data: bytes, at: int) -> int:
    """Return where a run of GIF sub-blocks that starts at `at` ends."""
    while True:
        size = data[at]
        at += 1 + size
        if size == 0:
            return at
        if at > len(data):
            raise ImageProblem("a damaged GIF block")


def _strip_tiff(data: bytes) -> bytes:
    with _opened(data) as image:
        compression = image.info.get("compression", "raw")
        frames = []
        for frame in ImageSequence.Iterator(image):
            plain = frame.copy()  # its pixels, without the file's directory of tags
            plain.info = (
                {"icc_profile": frame.info["icc_profile"]} if "icc_profile" in frame.info else {}
            )
            frames.append(plain)
    out = io.BytesIO()
    lossless = compression if compression in _TIFF_LOSSLESS else "tiff_lzw"
    frames[0].save(out, "TIFF", compression=lossless, save_all=True, append_images=frames[1:])
    return out.getvalue()


def _needs_turning(data: bytes) -> bool:
    with _opened(data) as image:
        return image.format == "JPEG" and image.getexif().get(_ORIENTATION, 1) != 1


def _turned_jpeg(data: bytes) -> bytes:
    with _opened(data) as image:
        icc = image.info.get("icc_profile")
        turned = ImageOps.exif_transpose(image)
        out = io.BytesIO()
        options: dict[str, Any] = {"quality": 92, "optimize": True}
        if icc:
            options["icc_profile"] = icc
        turned.info.pop("comment", None)
        turned.save(out, "JPEG", **options)
    return out.getvalue()


def pdf_metadata(data: bytes) -> list[str]:
    """Return what a PDF's metadata tells of who made it and with what (its author, creator,
    producer, and whether it has XMP metadata), as `Author 'Jane Doe'` …; none if nothing."""
    from pypdf import PdfReader  # imported here: only sites with PDFs need it
    from pypdf.errors import PyPdfError

    told = []
    try:
        reader = PdfReader(io.BytesIO(data))
        info: dict[str, Any] = dict(reader.metadata or {})
        for name in ("Author", "Creator", "Producer"):
            value = info.get(f"/{name}")
            if value:
                told.append(f"{name} {str(value).strip()!r}")
        if reader.xmp_metadata is not None:
            told.append("XMP metadata")
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError):
        return []  # not a PDF that can be read: a reader's program will say so
    return told


_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"
#: What runs in a drawing: scripts, and HTML (which may hold scripts) inside foreignObject.
_SVG_RUNNING = {f"{{{_SVG}}}script", f"{{{_SVG}}}foreignObject", "script", "foreignObject"}
_UNSAFE_ADDRESS = re.compile(r"^\s*(?:javascript|vbscript|data\s*:\s*text/html)", re.IGNORECASE)


def clean_svg(data: bytes) -> bytes:
    """Return an SVG drawing without what runs when it is opened (scripts, event handlers,
    javascript: links, foreignObject); raise ImageProblem if it is not an SVG file."""
    from xml.etree.ElementTree import ParseError, register_namespace, tostring

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise ImageProblem(f"not an SVG drawing: {exc}") from None
    register_namespace("", _SVG)
    register_namespace("xlink", _XLINK)
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in _SVG_RUNNING:
                parent.remove(child)
    for element in root.iter():
        for name in list(element.attrib):
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on") or (
                local == "href" and _UNSAFE_ADDRESS.match(element.attrib[name])
            ):
                del element.attrib[name]
    drawing = tostring(root, encoding="unicode")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + drawing.encode("utf-8")
