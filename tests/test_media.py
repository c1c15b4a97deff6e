"""Images and files published with posts: metadata removed, sizes given, links kept working."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import broken_links, build_site, make_site, page, post, run_cli, text
from PIL import ExifTags, Image, PngImagePlugin

from hrdblog.media import ImageProblem, image_size, strip_metadata


def jpeg_with_location(size: tuple[int, int] = (40, 20), orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0132] = "2017:11:04 10:30:00"
    exif[0x0112] = orientation
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (23.0, 35.0, 1.5), 3: "E", 4: (58.0, 24.0, 2.0)}
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(
        out, "JPEG", exif=exif.tobytes(), comment=b"taken at the safe house"
    )
    return out.getvalue()


def png_with_metadata() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "taken at the safe house")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>23.5N 58.4E</x:xmpmeta>")
    exif = Image.Exif()
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (23.0, 35.0, 1.5)}
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(out, "PNG", pnginfo=info, exif=exif.tobytes())
    return out.getvalue()


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.tobytes()


def test_a_jpeg_loses_its_exif_gps_and_comment_but_not_a_pixel() -> None:
    original = jpeg_with_location()
    clean = strip_metadata(original, "photo.jpg")
    assert b"Exif" in original and b"safe house" in original
    assert b"Exif" not in clean and b"safe house" not in clean and b"PhoneMaker" not in clean
    with Image.open(io.BytesIO(clean)) as image:
        assert dict(image.getexif()) == {}
    assert pixels(clean) == pixels(original)


def test_a_png_loses_its_text_xmp_and_exif_but_not_a_pixel() -> None:
    original = png_with_metadata()
    clean = strip_metadata(original, "chart.png")
    for chunk in (b"eXIf", b"tEXt", b"iTXt", b"xmpmeta", b"safe house"):
        assert chunk in original
        assert chunk not in clean
    assert pixels(clean) == pixels(original)


def test_a_photo_turned_by_its_exif_is_turned_for_good() -> None:
    clean = strip_metadata(jpeg_with_location((40, 20), orientation=6), "sideways.jpg")
    with Image.open(io.BytesIO(clean)) as image:
        assert image.size == (20, 40)
        assert dict(image.getexif()) == {}
    assert b"23.0" not in clean


def test_an_unreadable_image_is_a_problem() -> None:
    with pytest.raises(ImageProblem):
        strip_metadata(b"not an image at all", "photo.jpg")
    with pytest.raises(ImageProblem):
        strip_metadata(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", "chart.png")


def test_image_size_reads_the_header_and_honours_the_turn(tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(jpeg_with_location((40, 20), orientation=6))
    (tmp_path / "b.txt").write_text("not an image")
    assert image_size(tmp_path / "a.jpg") == (20, 40)
    assert image_size(tmp_path / "b.txt") is None


def bundle_site(tmp_path: Path, **settings: object) -> Path:
    body = (
        "Families gathered outside the court.\n\n![The vigil](vigil.jpg)\n\n<!--more-->\n\n"
        "Read [the appeal](appeal.pdf) and see ![the map](maps/route.png).\n\n"
        "![A logo](/static/logo.png) and ![elsewhere](https://images.example/x.jpg)"
    )
    return make_site(
        tmp_path,
        {
            "2017/oman-hunger-strike/index.md": post(
                "Hunger strike in Oman", "2017-11-04", body, tags=["detention"]
            ),
            "2017/other.md": post("Another post", "2017-11-05", tags=["detention"]),
        },
        {"allowed_origins": ["https://images.example"], **settings},
        files={
            "content/2017/oman-hunger-strike/vigil.jpg": jpeg_with_location(),
            "content/2017/oman-hunger-strike/appeal.pdf": b"%PDF-1.4 appeal",
            "content/2017/oman-hunger-strike/maps/route.png": png_with_metadata(),
            "content/2017/oman-hunger-strike/notes.md.orig": "kept beside the post",
            "static/logo.png": png_with_metadata(),
        },
    )


def test_a_post_folder_publishes_its_files_beside_the_page_without_metadata(tmp_path: Path) -> None:
    site = build_site(bundle_site(tmp_path))
    folder = site / "2017" / "11" / "04" / "hunger-strike-in-oman"
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "appeal.pdf",
        "index.html",
        "maps/route.png",
        "notes.md.orig",
        "vigil.jpg",
    ]
    assert (folder / "appeal.pdf").read_bytes() == b"%PDF-1.4 appeal"
    assert b"Exif" not in (folder / "vigil.jpg").read_bytes()
    assert b"xmpmeta" not in (folder / "maps" / "route.png").read_bytes()
    assert b"xmpmeta" not in (site / "static" / "logo.png").read_bytes()


def test_images_get_their_size_and_lazy_loading(tmp_path: Path) -> None:
    site = build_site(bundle_site(tmp_path))
    images = {i.get("alt"): i for i in page(site, "/2017/11/04/hunger-strike-in-oman/").iter("img")}
    assert (images["The vigil"].get("width"), images["The vigil"].get("height")) == ("40", "20")
    assert (images["the map"].get("width"), images["the map"].get("height")) == ("8", "8")
    assert (images["A logo"].get("width"), images["A logo"].get("height")) == ("8", "8")
    assert images["elsewhere"].get("width") is None  # another site's image: size unknown
    assert all(image.get("loading") == "lazy" for image in images.values())


def test_relative_links_of_a_post_folder_work_in_excerpts_on_list_pages(tmp_path: Path) -> None:
    site = build_site(bundle_site(tmp_path))
    tag_page = page(site, "/tag/detention/")
    excerpt = next(a for a in tag_page.iter("article") if "Hunger" in text(a.find("h2")))
    assert excerpt.find(".//img").get("src") == "../../2017/11/04/hunger-strike-in-oman/vigil.jpg"
    home_image = page(site, "/").find(".//article//img")
    assert home_image.get("src") == "2017/11/04/hunger-strike-in-oman/vigil.jpg"
    assert [p for p in broken_links(site) if "images.example" not in p] == []


def test_metadata_can_be_kept_when_a_site_needs_it(tmp_path: Path) -> None:
    site = build_site(bundle_site(tmp_path, keep_image_metadata=True))
    published = (site / "2017" / "11" / "04" / "hunger-strike-in-oman" / "vigil.jpg").read_bytes()
    assert published == jpeg_with_location()


def test_a_damaged_image_stops_the_build_with_its_name(tmp_path: Path) -> None:
    root = bundle_site(tmp_path)
    (root / "content" / "2017" / "oman-hunger-strike" / "vigil.jpg").write_bytes(
        b"\xff\xd8\xff\xe1garbage"
    )
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert (
        "content/2017/oman-hunger-strike/vigil.jpg: cannot be read as an image"
        in result.stderr.splitlines()[1]
    )
    assert not (root / "site").exists()


SECRET_PLACE = "taken at the safe house"


def located_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x010E] = SECRET_PLACE  # ImageDescription
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (23.0, 35.0, 1.5), 3: "E", 4: (58.0, 24.0, 2.0)}
    return exif


def webp_with_location() -> bytes:
    out = io.BytesIO()
    xmp = f"<x:xmpmeta>{SECRET_PLACE}</x:xmpmeta>".encode()
    Image.new("RGB", (16, 8), "blue").save(
        out, "WEBP", lossless=True, exif=located_exif().tobytes(), xmp=xmp
    )
    return out.getvalue()


def tiff_with_location() -> bytes:
    from PIL import TiffImagePlugin

    info = TiffImagePlugin.ImageFileDirectory_v2()
    info[0x010F] = "PhoneMaker"  # Make
    info[0x010E] = SECRET_PLACE  # ImageDescription
    info[700] = f"<x:xmpmeta>{SECRET_PLACE} 23.5N 58.4E</x:xmpmeta>".encode()  # XMP
    out = io.BytesIO()
    Image.new("RGB", (16, 8), "blue").save(out, "TIFF", tiffinfo=info, compression="tiff_lzw")
    return out.getvalue()


def gif_with_comment() -> bytes:
    out = io.BytesIO()
    frames = [Image.new("P", (8, 8), colour) for colour in (1, 2)]
    frames[0].save(
        out, "GIF", save_all=True, append_images=frames[1:], loop=0, comment=SECRET_PLACE.encode()
    )
    data = out.getvalue()
    # And an XMP application extension, as image editors write it.
    xmp = b"\x21\xff\x0bXMP DataXMP" + bytes([len(SECRET_PLACE)]) + SECRET_PLACE.encode() + b"\x00"
    return data[:-1] + xmp + data[-1:]


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("photo.webp", webp_with_location),
        ("scan.tiff", tiff_with_location),
        ("animation.gif", gif_with_comment),
        ("sideways.jpg", lambda: jpeg_with_location((40, 20), orientation=6)),
    ],
)
def test_every_image_format_loses_its_metadata_but_not_a_pixel(
    name: str, make: Callable[[], bytes]
) -> None:
    original = make()
    assert SECRET_PLACE.encode() in original or b"safe house" in original
    clean = strip_metadata(original, name)
    assert SECRET_PLACE.encode() not in clean and b"PhoneMaker" not in clean
    with Image.open(io.BytesIO(clean)) as image:
        assert dict(image.getexif()) == {} or ExifTags.IFD.GPSInfo not in image.getexif()
        assert "comment" not in image.info and "xmp" not in image.info
        assert not [key for key in image.getexif() if key in (0x010F, 0x010E, 700)]
        frames = getattr(image, "n_frames", 1)
    with Image.open(io.BytesIO(original)) as before:
        assert getattr(before, "n_frames", 1) == frames
    if not name.startswith("sideways"):
        assert pixels(clean) == pixels(original)


def pdf_with_author() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_metadata({"/Author": "Jane Doe", "/Creator": "Microsoft Word"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def bomb() -> bytes:
    """A PNG of 30,000 by 30,000 pixels, a few hundred kilobytes."""
    import struct
    import zlib

    width = height = 30_000
    row = b"\x00" + b"\x00" * width
    data = zlib.compress(row * height, 9)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def test_a_pdf_whose_metadata_tells_who_made_it_is_named_by_build_and_check(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {"2017/appeal/index.md": post("Appeal", "2017-11-04", "[The appeal](appeal.pdf)")},
        files={"content/2017/appeal/appeal.pdf": pdf_with_author()},
    )
    for command in ("build", "check"):
        result = run_cli(command, "--source", str(root))
        assert result.exit_code == 0, result.stderr
        assert (
            "warning: content/2017/appeal/appeal.pdf: its metadata tells Author 'Jane Doe', "
            "Creator 'Microsoft Word'"
        ) in result.stderr


@pytest.mark.parametrize(
    ("name", "make"), [("bomb.png", bomb), ("phone.heic", lambda: b"....ftypheic")]
)
@pytest.mark.parametrize("keep", [False, True])
def test_an_image_that_may_not_be_published_is_an_error_naming_it(
    tmp_path: Path, name: str, make: Callable[[], bytes], keep: bool
) -> None:
    root = make_site(
        tmp_path,
        {"2017/vigil/index.md": post("Vigil", "2017-11-04", "Text.")},
        {"keep_image_metadata": keep, "base_url": "https://example.org/"},
        files={f"content/2017/vigil/{name}": make()},
    )
    result = run_cli("build", "--source", str(root))
    if name.endswith(".heic") and keep:
        assert result.exit_code == 0, result.stderr  # kept as it is, as asked
        return
    assert result.exit_code == 1
    assert result.stderr.startswith(f"content/2017/vigil/{name}: cannot be published: ")
    assert "Traceback" not in result.stderr
    assert not (root / "site").exists()


def test_nothing_after_the_end_of_a_jpeg_is_published() -> None:
    """A phone's trailer, or the second picture of a multi-picture file, with its EXIF."""
    first = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(first, "JPEG")
    original = first.getvalue() + jpeg_with_location()
    clean = strip_metadata(original, "photo.jpg")
    assert b"PhoneMaker" in original and b"PhoneMaker" not in clean and b"safe house" not in clean
    assert clean.endswith(b"\xff\xd9")
    assert pixels(clean) == pixels(first.getvalue())


@pytest.mark.parametrize("name", ["photo.jpe", "photo.jfif", "photo.JPG", "chart.apng"])
def test_every_name_an_image_goes_by_is_cleaned(tmp_path: Path, name: str) -> None:
    data = png_with_metadata() if name.endswith("apng") else jpeg_with_location()
    root = make_site(
        tmp_path,
        {"2017/vigil/index.md": post("Vigil", "2017-11-04", "Text.")},
        files={f"content/2017/vigil/{name}": data, f"static/{name}": data},
    )
    site = build_site(root)
    for published in (next(site.rglob(f"2017/11/04/vigil/{name}")), site / "static" / name):
        assert b"safe house" not in published.read_bytes(), published


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    import struct
    import zlib

    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def test_only_the_chunks_and_segments_of_the_picture_itself_are_kept() -> None:
    """What is kept is listed, not what is dropped: content credentials (C2PA), private
    chunks and a JFIF thumbnail, which no list of metadata names, go all the same."""
    plain = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(plain, "PNG")
    data = plain.getvalue()
    secret = b"GPSLatitude 23.5N"
    png = (
        data[:33]
        + b"".join(_png_chunk(kind, secret) for kind in (b"caBX", b"prVt", b"zxIf"))
        + data[33:]
    )
    clean = strip_metadata(png, "a.png")
    assert secret in png and secret not in clean
    assert pixels(clean) == pixels(data)

    webp = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(webp, "WEBP", lossless=True)
    riff = webp.getvalue()
    chunk = b"C2PA" + len(secret).to_bytes(4, "little") + secret + b"\x00" * (len(secret) % 2)
    body = riff[8:] + chunk
    tagged = b"RIFF" + len(body).to_bytes(4, "little") + body
    clean = strip_metadata(tagged, "a.webp")
    assert secret in tagged and secret not in clean
    assert pixels(clean) == pixels(riff)

    jpeg = jpeg_with_location()
    thumbnail = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x01\x01" + b"\xff\x00\x00"  # 1x1 thumbnail
    extra = [
        b"\xff\xe0" + (len(thumbnail) + 2).to_bytes(2, "big") + thumbnail,
        b"\xff\xe0" + (len(b"JFXX\x00" + secret) + 2).to_bytes(2, "big") + b"JFXX\x00" + secret,
        b"\xff\xe2" + (len(b"FPXR\x00" + secret) + 2).to_bytes(2, "big") + b"FPXR\x00" + secret,
    ]
    tagged = jpeg[:2] + b"".join(extra) + jpeg[2:]
    clean = strip_metadata(tagged, "a.jpg")
    assert secret not in clean and b"JFXX" not in clean and b"FPXR" not in clean
    assert b"\xff\x00\x00" not in clean.split(b"\xff\xdb", 1)[0]  # the thumbnail's pixel
    assert pixels(clean) == pixels(jpeg)


def test_an_adobe_segment_the_line_count_and_an_icon_keep_nothing_hidden_in_them() -> None:
    import struct

    secret = b"GPSLatitude 23.5N"
    jpeg = jpeg_with_location()
    adobe = b"Adobe\x00\x64\x00\x00\x00\x00\x01" + secret
    tagged = jpeg[:2] + b"\xff\xee" + struct.pack(">H", len(adobe) + 2) + adobe + jpeg[2:]
    clean = strip_metadata(tagged, "a.jpg")
    assert secret not in clean and b"Adobe\x00\x64" in clean
    assert pixels(clean) == pixels(jpeg)
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", secret.decode())
    png = io.BytesIO()
    Image.new("RGBA", (64, 64), "red").save(png, "PNG", pnginfo=info)
    body = png.getvalue()
    icon = (
        b"\x00\x00\x01\x00\x01\x00"
        + bytes([64, 64, 0, 0])
        + struct.pack("<HH", 1, 32)
        + struct.pack("<II", len(body), 22)
        + body
    )
    clean = strip_metadata(icon, "favicon.ico")
    assert secret in icon and secret not in clean
    with Image.open(io.BytesIO(clean)) as opened:
        assert opened.size == (64, 64)
