"""Photos in several widths: which variants a shown image has, the markup that offers them
to browsers, and the encoding of each.

An image a page shows from a post's folder or from `static/` (JPEG, PNG or WebP) is
published, besides as it is, in each of the widths of `image_widths` that is narrower than
itself (and in its own width, if no wider than the widest), in its own format and as WebP,
and as AVIF where the installed Pillow encodes it. A `<picture>` offers them, the AVIF and
WebP first, and the browser takes the smallest that fills the space: a reader's browser
never downloads the original. Every variant is made from the pixels alone, turned as a
JPEG's EXIF says and brought into sRGB by its colour profile: it carries no metadata at all,
not even the profile (a profile may hold text of its own).

Which variants an image has depends only on its size and the settings (`variant_widths`), so
the markup written while reading a post and the files planned for it always agree.
"""

from __future__ import annotations

import io
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape, unescape
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote

import PIL
from PIL import Image, ImageOps, features

from hrdblog.config import SiteConfig
from hrdblog.media import JPEG_SUFFIXES, ImageProblem, image_size
from hrdblog.models import ShownImage

#: The images published in several widths; GIFs (animations) and the rest as they are.
RESIZED = JPEG_SUFFIXES | {".png", ".webp"}
#: The formats besides an image's own, the smallest first: AVIF where Pillow encodes it.
MODERN = ("avif", "webp") if features.check("avif") else ("webp",)
_MIME = {"avif": "image/avif", "webp": "image/webp", "jpeg": "image/jpeg", "png": "image/png"}
_PILLOW = {"avif": "AVIF", "webp": "WEBP", "jpeg": "JPEG", "png": "PNG"}
# What each format is encoded with: quality for photos on slow networks, and, for AVIF,
# Pillow's default speed.
_OPTIONS: dict[str, dict[str, Any]] = {
    "avif": {"quality": 55, "speed": 6},
    "webp": {"quality": 80, "method": 4},
    "jpeg": {"quality": 82, "optimize": True, "progressive": True},
    "png": {"optimize": True},
}
#: What the variants are made by: a variant made by another is made again.
ENCODER = " ".join(
    [
        f"Pillow {PIL.__version__}",
        *(f"{name} {features.version(name)}" for name in ("jpg", "zlib", "webp", "avif")),
        repr(MODERN),
        repr(sorted(_OPTIONS.items())),
    ]
)
#: How wide a photo of a post's text is shown: the column, less its margins.
CONTENT_SIZES = "(min-width: 46rem) 44rem, calc(100vw - 2rem)"


def resized(name: str) -> bool:
    """Tell whether an image of this name is published in several widths."""
    return Path(name).suffix.lower() in RESIZED


def usable_image_name(name: str) -> bool:
    """Tell whether a photo of this name can be a featured image: not hidden (never
    published), without ? or # (which an address would read as its end)."""
    return not name.startswith(".") and not {"?", "#"} & set(name)


def own_format(name: str) -> str:
    """Return the format an image's variants in its own format are written in."""
    suffix = Path(name).suffix.lower()
    return "jpeg" if suffix in JPEG_SUFFIXES else suffix.lstrip(".")


def variant_widths(width: int, widths: Sequence[int]) -> tuple[int, ...]:
    """Return the widths an image `width` pixels wide is published in: each of `widths`
    narrower than it, and, when no more than the widest, its own; none for an image
    narrower than the narrowest (an icon, a button), published as it is."""
    if width < min(widths):
        return ()
    narrower = tuple(w for w in widths if w < width)
    return (*narrower, width) if width <= max(widths) else narrower


def widest_size(width: int, height: int, widths: Sequence[int]) -> tuple[int, int]:
    """Return the width and height of an image's widest variant (its own size, if it has
    none): what its <img> says, and what other sites' previews take."""
    shown = variant_widths(width, widths)
    widest = shown[-1] if shown else width
    return widest, round(height * widest / width)


def variant_name(name: str, width: int, kind: str) -> str:
    """Return the name of an image's variant: photo.jpg → photo.480w.webp."""
    stem, _, extension = name.rpartition(".")
    if kind != own_format(name):
        extension = kind
    return f"{stem}.{width}w.{extension}"


@dataclass(frozen=True)
class Variant:
    """A file to publish: an image at a width, in a format."""

    path: str  # where it is published, in the output folder
    source: Path  # the image it is made from
    width: int
    kind: str  # avif, webp, jpeg or png


def variants(published: str, source: Path, width: int, widths: Sequence[int]) -> list[Variant]:
    """Return the variants of an image published at `published`, `width` pixels wide."""
    folder, name = posixpath.split(published)
    found = []
    for size in variant_widths(width, widths):
        for kind in (*MODERN, own_format(name)):
            found.append(
                Variant(posixpath.join(folder, variant_name(name, size, kind)), source, size, kind)
            )
    return found


def picture(
    tag: str,
    address: str,
    size: tuple[int, int],
    widths: Sequence[int],
    sizes: str = CONTENT_SIZES,
) -> str:
    """Return an `<img>` tag for the image at `address`, `size` pixels, as a `<picture>` of
    its variants: a source for each modern format, the tag itself with the variants in the
    image's own format, its width and height those of its widest one."""
    width, height = size
    shown = variant_widths(width, widths)
    if not shown:
        end = -2 if tag.endswith("/>") else -1
        return f'{tag[:end].rstrip()} width="{width}" height="{height}"{tag[end:]}'
    folder, slash, written = address.rpartition("/")
    # The names as they are (photo%2ejpg is photo.jpg), written again as addresses.
    prefix, name = unquote(folder + slash), unquote(written)
    own = own_format(name)

    def candidate(w: int, kind: str) -> str:
        return f"{as_address(prefix + variant_name(name, w, kind))} {w}w"

    def srcset(kind: str) -> str:
        return ", ".join(candidate(w, kind) for w in shown)

    widest, tall = widest_size(width, height, widths)
    src = as_address(prefix + variant_name(name, widest, own))
    attributes = (
        f' srcset="{escape(srcset(own))}" sizes="{escape(sizes)}" width="{widest}" height="{tall}"'
    )
    img = _with_src(tag, src) if src != address else tag
    end = -2 if img.endswith("/>") else -1
    img = f"{img[:end].rstrip()}{attributes}{img[end:]}"
    sources = "".join(
        f'<source type="{_MIME[kind]}" srcset="{escape(srcset(kind))}" sizes="{escape(sizes)}">'
        for kind in MODERN
        if kind != own
    )
    return f"<picture>{sources}{img}</picture>"


def as_address(path: str) -> str:
    """Return a path of the site as an address fit for src and srcset (which separates its
    candidates with commas and whitespace): neither may be in one, nor what would end or
    escape it."""
    for character, escaped in (
        ("%", "%25"),
        (" ", "%20"),
        (",", "%2C"),
        ("#", "%23"),
        ("?", "%3F"),
    ):
        path = path.replace(character, escaped)
    return path


def _with_src(tag: str, src: str) -> str:
    return re.sub(
        r"""(\ssrc\s*=\s*)(["'])(.*?)\2""",
        lambda m: f"{m.group(1)}{m.group(2)}{escape(src)}{m.group(2)}",
        tag,
        count=1,
        flags=re.IGNORECASE | re.DOTALL,
    )


class Encoder:
    """Makes the variants of a photo from its bytes: the plain step, which `incremental`
    wraps to reuse what builds before made."""

    def variants(self, data: bytes, wanted: Sequence[Variant]) -> list[bytes]:
        """Return the bytes of each wanted variant of the photo of these bytes."""
        return [encode(data, variant.width, variant.kind) for variant in wanted]

    def save(self) -> None:
        """Nothing is remembered."""


class Decoder(Encoder):
    """Makes no variant, but reads every pixel of each photo, as making them would: for
    `hrdblog check`, which finds what a build would, without the encoding."""

    def variants(self, data: bytes, wanted: Sequence[Variant]) -> list[bytes]:
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.load()
        except (OSError, SyntaxError, ValueError) as exc:
            raise ImageProblem(str(exc) or type(exc).__name__) from None
        return [b""] * len(wanted)


def encode(data: bytes, width: int, kind: str) -> bytes:
    """Return an image's pixels `width` wide in a format, turned as its EXIF says, without
    any metadata but its colour profile; raise ImageProblem if it cannot be read."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            # Only a JPEG is turned as its EXIF says: so hrdblog publishes and sizes it.
            turned = ImageOps.exif_transpose(opened) if opened.format == "JPEG" else opened
            has_alpha = turned.mode in ("RGBA", "LA", "PA") or (
                turned.mode == "P" and "transparency" in turned.info
            )
            image = _in_srgb(turned, "RGBA" if has_alpha and kind != "jpeg" else "RGB")
            height = max(1, round(image.height * width / image.width))
            if (width, height) != image.size:
                image = image.resize((width, height), Image.Resampling.LANCZOS)
            image.info = {}  # nothing of the original's metadata goes with the pixels
            out = io.BytesIO()
            image.save(out, _PILLOW[kind], **_OPTIONS[kind])
            return out.getvalue()
    except (OSError, SyntaxError, ValueError, KeyError) as exc:
        raise ImageProblem(str(exc) or type(exc).__name__) from None


def _in_srgb(image: Image.Image, mode: str) -> Image.Image:
    """Return an image's pixels in sRGB, as `mode` (RGB or RGBA): its colours through its
    colour profile where it has one that can be read, else as they are, and its alpha as it
    is; 16-bit grey scaled to 8 bits."""
    profile = image.info.get("icc_profile")
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode in ("P", "PA"):
        image = image.convert(
            "RGBA" if "transparency" in image.info or image.mode == "PA" else "RGB"
        )
    alpha = image.getchannel("A") if image.mode in ("RGBA", "LA") else None
    colours = image.convert({"L": "L", "LA": "L", "CMYK": "CMYK"}.get(image.mode, "RGB"))
    converted = colours.convert("RGB") if colours.mode != "RGB" else colours
    if profile:
        from PIL import ImageCms  # only photos with a profile need it

        try:
            done = ImageCms.profileToProfile(
                colours,
                ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                ImageCms.createProfile("sRGB"),
                outputMode="RGB",
            )
            if done is not None:
                converted = done
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a profile that cannot be read: the colours as they are
    if mode == "RGBA":
        converted = converted.convert("RGBA")
        if alpha is not None:
            converted.putalpha(alpha)
    return converted


_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_SRC = re.compile(r"""\ssrc\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
_ALT = re.compile(
    r"""\salt\s*=\s*(["'])(.*?)\1|\salt\s*=\s*([^\s"'>]+)""", re.IGNORECASE | re.DOTALL
)


class ShownImages:
    """Give a post's images their width, height, loading="lazy" and, to the photos of its
    own folder or of `static/`, their variants (`picture`), noting what it met:

    - `seen`: each file looked up, with what its markup depends on (`image_facts`: its size,
      and whether it moves; None: no image), so that a cached post can tell whether its
      images are still what they were;
    - `shown`: the photos given variants, which the plan publishes the variants of;
    - `without_alt`: the address of each image without a text for those who cannot see it,
      and whether it says so (`alt=""`, as Markdown's `![](photo.jpg)` writes too).

    A relative address is looked up in the post's folder; /static/… in the site's static/.
    """

    def __init__(
        self, config: SiteConfig, bundle: Path | None, seen: dict[str, Any] | None = None
    ) -> None:
        self.config = config
        self.static = config.static_dir
        self.bundle = bundle
        self.seen: dict[str, Any] = {} if seen is None else seen
        self.shown: dict[str, ShownImage] = {}
        self.without_alt: list[tuple[str, bool]] = []  # (address, whether it has alt="")
        self._pictures = True

    def annotate(self, html: str) -> str:
        """Return the HTML with its images annotated, photos as a `<picture>` of their
        variants unless it writes pictures of its own."""
        if "<img" not in html:
            return html
        self._pictures = "<picture" not in html.lower()
        return _IMG.sub(self._tag, html)

    def _tag(self, match: re.Match[str]) -> str:
        tag = match.group(0)
        source = _SRC.search(tag)
        attributes = {m.lower() for m in re.findall(r"\s([a-zA-Z-]+)\s*=", tag)}
        alt = _ALT.search(tag)
        address = unescape(source.group(2)) if source else ""
        if not alt or not (alt.group(2) or alt.group(3) or "").strip():
            self.without_alt.append((address, alt is not None))
        found = self.find(address) if source else None
        size = found.size if found else None
        if (
            found is not None
            and size is not None
            and self._pictures
            and resized(found.path.name)
            and variant_widths(size[0], self.config.image_widths)
            and not {"srcset", "width", "height"} & attributes
            and "?" not in address
            and "#" not in address
            and not posixpath.normpath(unquote(address)).startswith("../")  # not the page's
            and not found.moving
        ):
            self.note(found.path, address, size)
            lazy = "" if "loading" in attributes else ' loading="lazy" decoding="async"'
            end = -2 if tag.endswith("/>") else -1
            tag = f"{tag[:end].rstrip()}{lazy}{tag[end:]}"
            return picture(tag, address, size, self.config.image_widths)
        added = []
        if size and not {"width", "height"} & attributes:
            added.append(f'width="{size[0]}" height="{size[1]}"')
        if "loading" not in attributes:
            added.append('loading="lazy"')
        if not added:
            return tag
        end = -2 if tag.endswith("/>") else -1
        return f"{tag[:end].rstrip()} {' '.join(added)}{tag[end:]}"

    def note(self, path: Path, address: str, size: tuple[int, int]) -> ShownImage:
        """Note a photo shown in several widths; return it."""
        at = posixpath.normpath(unquote(address))  # ./a.jpg and sub/../a.jpg are a.jpg
        image = ShownImage(self.config.display_path(path), at, *size)
        self.shown[image.at] = image
        return image

    def find(self, address: str) -> Found | None:
        """Return the file an address shows, with its size and whether it moves; None if it
        is not a file of the site's (another site's, data, a hidden file, outside)."""
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//|^#", address):
            return None  # another site's image, or data
        path_part = unquote(address.split("?")[0].split("#")[0])
        if path_part.startswith("/static/"):
            base, relative_path = self.static, path_part.removeprefix("/static/")
        elif self.bundle is not None and not path_part.startswith("/"):
            base, relative_path = self.bundle, path_part
        else:
            return None
        if any(
            part.startswith(".") and part not in (".", "..") for part in relative_path.split("/")
        ):
            return None  # hidden files are never published
        try:
            path = (base / relative_path).resolve()
        except (OSError, RuntimeError):  # a link that loops
            return None
        if not path.is_relative_to(base.resolve()):
            return None
        facts = image_facts(path)
        self.seen[str(path)] = facts
        if facts is None:
            return Found(path, None, False)
        return Found(path, (facts[0], facts[1]), len(facts) > 2)


class Found(NamedTuple):
    """An image file a page shows: its size (None: not an image hrdblog can read), and
    whether it moves."""

    path: Path
    size: tuple[int, int] | None
    moving: bool


def image_facts(path: Path) -> list[Any] | None:
    """Return what a page's markup of an image depends on: its width and height, and for a
    photo that moves "moving" (published as it is); None for no image hrdblog can read."""
    size = image_size(path)
    if size is None:
        return None
    return [*size, "moving"] if resized(path.name) and _animated(path) else list(size)


def _animated(path: Path) -> bool:
    """Tell whether an image moves (an animated WebP or PNG): a variant would be still. A
    JPEG with a second picture (a phone's depth or HDR map) is a still photo."""
    try:
        with Image.open(path) as image:
            return image.format in ("PNG", "WEBP", "GIF") and bool(
                getattr(image, "is_animated", False)
            )
    except (OSError, SyntaxError, ValueError):
        return True
