"""Images and files published with posts: metadata removed, sizes given, links kept working."""

from __future__ import annotations

import io
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
        settings,
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
