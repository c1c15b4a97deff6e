"""Photos in several widths: the variants published, the <picture> that offers them, the
featured image, alt text, and variants made once and reused by later builds."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest
from helpers import broken_links, build_site, make_site, page, post, run_cli, text
from PIL import ExifTags, Image

import hrdblog.images
from hrdblog.build import build
from hrdblog.config import load_config
from hrdblog.errors import HrdblogError
from hrdblog.images import MODERN, encode, variant_name, variant_widths

WIDTHS = (480, 960, 1600)


def photo(size: tuple[int, int] = (2000, 1000), orientation: int = 1, kind: str = "JPEG") -> bytes:
    """A photo as a phone takes it: with the place and time it was taken in its EXIF and its
    XMP."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = orientation
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (23.0, 35.0, 1.5), 3: "E", 4: (58.0, 24.0, 2.0)}
    image = Image.new("RGB", size, (150, 40, 40))
    image.paste((20, 60, 150), (0, 0, size[0] // 2, size[1] // 3))
    out = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">23.5N 58.4E</x:xmpmeta>'
    image.save(out, kind, exif=exif.tobytes(), xmp=xmp)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


# What an image is published as


@pytest.mark.parametrize(
    ("width", "widths"),
    [
        (2400, (480, 960, 1600)),  # wider than the widest: the widths only
        (1600, (480, 960, 1600)),  # as wide as the widest: its own is the widest
        (1200, (480, 960, 1200)),  # between: the narrower widths, then its own
        (480, (480,)),
        (300, ()),  # narrower than the narrowest (an icon): published as it is
    ],
)
def test_an_image_is_published_in_the_widths_narrower_than_itself(
    width: int, widths: tuple[int, ...]
) -> None:
    assert variant_widths(width, WIDTHS) == widths


def test_a_variant_is_named_after_its_image_width_and_format() -> None:
    assert variant_name("vigil.jpg", 480, "webp") == "vigil.480w.webp"
    assert variant_name("vigil.JPEG", 960, "jpeg") == "vigil.960w.JPEG"
    assert variant_name("chart.v2.png", 480, "avif") == "chart.v2.480w.avif"


@pytest.mark.parametrize("kind", sorted({"jpeg", "png", *MODERN}))
def test_a_variant_is_the_photo_turned_resized_and_without_metadata(kind: str) -> None:
    # Taken sideways: EXIF orientation 6 says to turn it a quarter to the right.
    made = opened(encode(photo((1000, 2000), orientation=6), 480, kind))
    assert made.size == (480, 240)
    assert made.format.lower() == ("jpeg" if kind == "jpeg" else kind)
    assert dict(made.getexif()) == {}
    assert not {"exif", "xmp", "XML:com.adobe.xmp", "comment"} & set(made.info)
    assert b"58.4E" not in encode(photo(), 480, kind)  # the XMP's place is gone too


def test_a_photo_that_cannot_be_read_cannot_be_made_smaller() -> None:
    with pytest.raises(hrdblog.images.ImageProblem):
        encode(b"\xff\xd8not a jpeg", 480, "webp")


# On the pages


def photo_blog(
    tmp_path: Path, body: str = "![A vigil in Muscat](vigil.jpg)\n", **fields: object
) -> Path:
    root = make_site(
        tmp_path,
        {"2017/vigil/index.md": post("Vigil", "2017-11-04", body, tags=["vigils"], **fields)},
        {"base_url": "https://example.org/"},
    )
    (root / "content" / "2017" / "vigil" / "vigil.jpg").write_bytes(photo())
    return root


def test_a_photo_is_offered_in_every_width_and_format_and_never_at_its_full_size(
    tmp_path: Path,
) -> None:
    site = build_site(photo_blog(tmp_path))
    folder = site / "2017" / "11" / "04" / "vigil"
    shown = page(site, "/2017/11/04/vigil/").find(".//div[@class='entry-content']//picture")
    assert shown is not None
    sources = shown.findall("source")
    assert [s.get("type") for s in sources] == [f"image/{kind}" for kind in MODERN]
    for source in sources:
        kind = source.get("type", "").split("/")[1]
        assert source.get("srcset") == ", ".join(f"vigil.{w}w.{kind} {w}w" for w in WIDTHS)
        assert source.get("sizes")
    img = shown.find("img")
    assert img is not None
    # The original is 2000 px wide: the widest variant in its own format stands in for it.
    assert img.get("src") == "vigil.1600w.jpg"
    assert img.get("srcset") == ", ".join(f"vigil.{w}w.jpg {w}w" for w in WIDTHS)
    assert (img.get("width"), img.get("height"), img.get("alt")) == (
        "1600",
        "800",
        "A vigil in Muscat",
    )
    assert img.get("loading") == "lazy"
    for width in WIDTHS:
        for kind in (*MODERN, "jpg"):
            made = opened((folder / f"vigil.{width}w.{kind}").read_bytes())
            assert made.size == (width, width // 2)
            assert dict(made.getexif()) == {}  # no place, no time, no phone
    assert broken_links(site, "https://example.org/") == []


def test_a_photo_in_an_excerpt_is_offered_from_every_list_that_shows_it(tmp_path: Path) -> None:
    site = build_site(
        photo_blog(tmp_path, "![A vigil](vigil.jpg)\n\nText.\n\n<!--more-->\n\nMore.")
    )
    for url, folder in [("/", "2017/11/04/vigil/"), ("/tag/vigils/", "../../2017/11/04/vigil/")]:
        img = page(site, url).find(".//div[@class='entry-summary']//img")
        assert img is not None
        assert img.get("srcset", "").startswith(f"{folder}vigil.480w.jpg 480w, ")
    assert broken_links(site, "https://example.org/") == []


def test_a_photo_in_static_has_its_variants_in_static(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"a.md": post("A", "2017-01-01", "![Logo wall](/static/wall.png)")})
    (root / "static").mkdir()
    wall = io.BytesIO()
    Image.new("RGB", (1000, 500), "white").save(wall, "PNG")
    (root / "static" / "wall.png").write_bytes(wall.getvalue())
    site = build_site(root)
    assert sorted(p.name for p in (site / "static").glob("wall.*")) == sorted(
        ["wall.png", *(f"wall.{w}w.{k}" for w in (480, 960, 1000) for k in (*MODERN, "png"))]
    )
    img = page(site, "/2017/01/01/a/").find(".//picture/img")
    # The original is never what a reader's browser takes: its copy at its own width is.
    assert img is not None and img.get("src") == "/static/wall.1000w.png"
    assert img.get("srcset") == (
        "/static/wall.480w.png 480w, /static/wall.960w.png 960w, /static/wall.1000w.png 1000w"
    )


def test_a_small_image_an_animation_and_a_picture_of_the_author_s_own_are_left_as_written(
    tmp_path: Path,
) -> None:
    body = (
        "![Icon](icon.png)\n\n![Moving](moving.webp)\n\n"
        '<picture><source srcset="vigil.jpg"><img src="vigil.jpg" alt="Vigil"></picture>\n'
    )
    root = photo_blog(tmp_path, body)
    folder = root / "content" / "2017" / "vigil"
    Image.new("RGB", (64, 64), "blue").save(folder / "icon.png")
    frames = [Image.new("RGB", (800, 400), colour) for colour in ("red", "blue")]
    frames[0].save(folder / "moving.webp", save_all=True, append_images=frames[1:])
    site = build_site(root)
    content = page(site, "/2017/11/04/vigil/").find(".//div[@class='entry-content']")
    assert content is not None
    assert len(content.findall(".//picture")) == 1  # the author's own
    assert [img.get("srcset") for img in content.iter("img")] == [None, None, None]
    assert sorted(p.name for p in (site / "2017/11/04/vigil").iterdir()) == [
        "icon.png",
        "index.html",
        "moving.webp",
        "vigil.jpg",
    ]


# The featured image


def test_a_featured_image_is_a_thumbnail_in_lists_a_figure_on_its_page_and_a_preview(
    tmp_path: Path,
) -> None:
    root = photo_blog(
        tmp_path,
        "Families gathered outside the court.",
        image="vigil.jpg",
        image_alt="Candles outside the court",
        image_caption="The vigil on the first night.",
        image_credit="Amina N.",
    )
    site = build_site(root)
    post_page = page(site, "/2017/11/04/vigil/")
    figure = post_page.find(".//figure[@class='entry-image']")
    assert figure is not None
    img = figure.find(".//img")
    assert img is not None
    assert (img.get("alt"), img.get("src"), img.get("fetchpriority")) == (
        "Candles outside the court",
        "vigil.1600w.jpg",
        "high",
    )
    assert img.get("loading") is None  # the first thing on the page: loaded at once
    assert text(figure.find("figcaption")) == "The vigil on the first night. Photo: Amina N."
    meta = {m.get("property") or m.get("name"): m.get("content") for m in post_page.iter("meta")}
    assert meta["og:image"] == "https://example.org/2017/11/04/vigil/vigil.1600w.jpg"
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1600", "800")
    assert meta["og:image:alt"] == "Candles outside the court"
    assert meta["twitter:card"] == "summary_large_image"
    for url, folder in [("/", "2017/11/04/vigil/"), ("/tag/vigils/", "../../2017/11/04/vigil/")]:
        thumbnail = page(site, url).find(".//article//div[@class='entry-thumbnail']//img")
        assert thumbnail is not None
        assert thumbnail.get("alt") == ""  # beside the title that says what it is
        assert thumbnail.get("loading") == "lazy"
        assert thumbnail.get("srcset", "").startswith(f"{folder}vigil.480w.jpg 480w")
    assert broken_links(site, "https://example.org/") == []


def test_without_base_url_there_is_no_preview_of_the_featured_image(tmp_path: Path) -> None:
    root = photo_blog(tmp_path, "Text.", image="vigil.jpg", image_alt="Candles")
    (root / "hrdblog.yaml").write_text("title: T\n")
    meta = [m.get("property") for m in page(build_site(root), "/2017/11/04/vigil/").iter("meta")]
    assert "og:image" not in meta


def test_a_featured_image_that_is_not_there_is_an_error_at_its_line(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "2017/a.md": post("A", "2017-01-01", image="vigil.jpg"),
            "2017/b/index.md": post("B", "2017-01-02", image="missing.jpg"),
            "2017/c.md": post("C", "2017-01-03", image_caption="A caption without a photo"),
        },
    )
    with pytest.raises(HrdblogError) as caught:
        build(load_config(root))
    assert str(caught.value).splitlines()[::2] == [
        "content/2017/a.md:4: 'image' 'vigil.jpg' is not a photo hrdblog can find and read",
        "content/2017/c.md:4: 'image_caption' is of a featured image, but there is no 'image'",
        "content/2017/b/index.md:4: 'image' 'missing.jpg' is not a photo hrdblog can find and read",
    ]
    assert "make the post a folder of its own" in str(caught.value).splitlines()[1]
    assert not (root / "site").exists()


# Alt text


def test_an_image_without_alt_text_is_a_warning_at_its_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    body = (
        "First paragraph.\n\n![](vigil.jpg)\n\n"
        '<img src="vigil.jpg">\n\n'
        '<img src="vigil.jpg" alt="">\n'  # marked as adding nothing to hear: no warning
    )
    root = photo_blog(tmp_path, body, image="vigil.jpg")
    with caplog.at_level(logging.WARNING):
        build(load_config(root))
    warnings = [m for m in caplog.messages if "alt" in m]
    assert warnings == [
        "content/2017/vigil/index.md:6: the featured image vigil.jpg has no image_alt: those who "
        "cannot see it learn nothing of it; add image_alt: with what it shows",
        *(
            f"content/2017/vigil/index.md:{line}: the image vigil.jpg has no alt text: those who "
            "cannot see it learn nothing of it; write what it shows between the brackets: "
            "![Families outside the court](vigil.jpg)"
            for line in (10, 12)
        ),
    ]


# Made once


def count_encodings(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str]]:
    made: list[tuple[int, str]] = []
    real = hrdblog.images.encode

    def counted(data: bytes, width: int, kind: str) -> bytes:
        made.append((width, kind))
        return real(data, width, kind)

    monkeypatch.setattr(hrdblog.images, "encode", counted)
    monkeypatch.setattr(hrdblog.incremental.images, "encode", counted)
    return made


def test_variants_are_made_once_and_reused_by_later_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = photo_blog(tmp_path)
    made = count_encodings(monkeypatch)
    build(load_config(root))
    assert len(made) == len(WIDTHS) * (len(MODERN) + 1)
    folder = root / "site/2017/11/04/vigil"
    published = {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "index.html"}
    made.clear()
    build(load_config(root))  # nothing changed
    (root / "content" / "2017" / "other.md").write_text(post("Other", "2017-12-01"))
    build(load_config(root))  # a post added
    build(load_config(root, output_dir=tmp_path / "elsewhere"))  # another output folder
    assert made == []
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "index.html"} == published
    (root / "content" / "2017" / "vigil" / "vigil.jpg").write_bytes(photo((2000, 1200)))
    build(load_config(root))  # the photo changed
    assert len(made) == len(WIDTHS) * (len(MODERN) + 1)
    assert opened((root / "site/2017/11/04/vigil/vigil.480w.webp").read_bytes()).size == (480, 288)


def test_a_damaged_or_foreign_variant_in_the_cache_is_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = photo_blog(tmp_path)
    build(load_config(root))
    clean = (root / "site/2017/11/04/vigil/vigil.960w.webp").read_bytes()
    cache = root / ".hrdblog-cache" / "images"
    stored = [p for p in cache.iterdir() if p.read_bytes() == clean]
    assert len(stored) == 1
    stored[0].write_bytes(photo((960, 480)))  # someone else's picture in its place
    (root / "content" / "2017" / "other.md").write_text(post("Other", "2017-12-01"))
    made = count_encodings(monkeypatch)
    build(load_config(root))
    assert made == [(960, "webp")]
    assert (root / "site/2017/11/04/vigil/vigil.960w.webp").read_bytes() == clean


def test_variants_no_build_uses_are_removed_from_the_cache(tmp_path: Path) -> None:
    root = photo_blog(tmp_path)
    build(load_config(root))
    cache = root / ".hrdblog-cache" / "images"
    assert len(list(cache.iterdir())) == len(WIDTHS) * (len(MODERN) + 1) + 1  # and the index
    (root / "content" / "2017" / "vigil" / "index.md").write_text(
        post("Vigil", "2017-11-04", "No photo.")
    )
    build(load_config(root))
    assert [p.name for p in cache.iterdir()] == ["index.json"]


def test_check_makes_no_variant_and_names_the_pages_over_their_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = photo_blog(tmp_path, "Text.", image="vigil.jpg", image_alt="Candles")
    noisy = Image.effect_noise((2000, 1000), 90).convert("RGB")  # a photo's detail, heavy
    out = io.BytesIO()
    noisy.save(out, "JPEG", quality=90)
    (root / "content" / "2017" / "vigil" / "vigil.jpg").write_bytes(out.getvalue())
    (root / "hrdblog.yaml").write_text(
        "title: T\nbase_url: https://example.org/\npage_budget: 40\n"
    )
    build(load_config(root))
    made = count_encodings(monkeypatch)
    result = run_cli("check", "--source", str(root))
    assert made == []
    assert result.exit_code == 0, result.output
    heavy = [line for line in result.stderr.splitlines() if "page_budget" in line]
    # The post page loads its photo at once; the home page and the tag page their first
    # thumbnail, lazily but near the top; the archive listing loads no photo at all.
    assert heavy[0].startswith("warning: site/2017/11/04/vigil/index.html weighs ")
    assert re.search(
        r"more than page_budget \(40 KB\): HTML [\d.]+ KB, CSS [\d.]+ KB, images [\d.]+ KB; the "
        r"heaviest image is 2017/11/04/vigil/vigil\.960w\.avif \([\d.]+ KB\): a simpler or "
        r"smaller photo, or smaller image_widths, weighs less$",
        heavy[0],
    ), heavy[0]
    assert not any("site/archives/index.html" in line for line in heavy)
    assert "over page_budget" in result.stdout


def test_check_reads_every_pixel_that_a_build_would(tmp_path: Path) -> None:
    root = photo_blog(tmp_path)
    whole = (root / "content" / "2017" / "vigil" / "vigil.jpg").read_bytes()
    (root / "content" / "2017" / "vigil" / "vigil.jpg").write_bytes(whole[: len(whole) // 2])
    checked = run_cli("check", "--source", str(root))
    built = run_cli("build", "--source", str(root))
    assert checked.exit_code == built.exit_code == 1
    assert "content/2017/vigil/vigil.jpg: cannot be made smaller" in checked.stderr
    assert "content/2017/vigil/vigil.jpg: cannot be made smaller" in built.stderr


# What an attacker or an accident may put in the way


def test_a_cache_folder_that_is_a_link_is_never_written_or_emptied_through(
    tmp_path: Path,
) -> None:
    root = photo_blog(tmp_path / "blog")
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "thesis.docx").write_text("years of work")
    (root / ".hrdblog-cache").mkdir()
    (root / ".hrdblog-cache" / "images").symlink_to(victim)
    (root / ".hrdblog-cache" / "posts").symlink_to(victim)
    build(load_config(root))
    (root / "content" / "2017" / "other.md").write_text(post("Other", "2017-12-01"))
    build(load_config(root))
    assert [p.name for p in victim.iterdir()] == ["thesis.docx"]
    assert (root / "site/2017/11/04/vigil/vigil.480w.webp").is_file()


def test_a_pipe_in_place_of_a_cached_file_is_passed_over_without_waiting(
    tmp_path: Path,
) -> None:
    import os

    root = photo_blog(tmp_path)
    build(load_config(root))
    for folder in ("images", "posts"):
        cached = next(
            p for p in (root / ".hrdblog-cache" / folder).iterdir() if "index" not in p.name
        )
        cached.unlink()
        os.mkfifo(cached)
    (root / "content" / "2017" / "other.md").write_text(post("Other", "2017-12-01"))
    import threading

    results: list[int] = []
    builder = threading.Thread(
        target=lambda: results.append(run_cli("build", "--source", str(root)).exit_code),
        daemon=True,
    )
    builder.start()
    builder.join(timeout=120)
    assert results == [0], "the build waited on a pipe"


def test_an_address_written_another_way_is_the_same_photo(tmp_path: Path) -> None:
    root = photo_blog(
        tmp_path, "![One](vigil.jpg)\n\n![Two](./vigil.jpg)\n\n![Three](sub/../vigil.jpg)\n"
    )
    (root / "content" / "2017" / "vigil" / "sub").mkdir()
    site = build_site(root)
    (root / "content" / "2017" / "other.md").write_text(post("Other", "2017-12-01"))
    build(load_config(root))
    assert broken_links(site, "https://example.org/") == []
    srcsets = [i.get("srcset", "") for i in page(site, "/2017/11/04/vigil/").iter("img")]
    assert [s.split(" ")[0] for s in srcsets] == [
        "vigil.480w.jpg",
        "./vigil.480w.jpg",
        "sub/../vigil.480w.jpg",
    ]


def test_two_photos_whose_copies_would_share_names_are_both_named(tmp_path: Path) -> None:
    root = photo_blog(tmp_path, "![Red](a.jpg)\n\n![Blue](a.png)\n")
    folder = root / "content" / "2017" / "vigil"
    Image.new("RGB", (1000, 500), "red").save(folder / "a.jpg")
    Image.new("RGB", (1000, 500), "blue").save(folder / "a.png")
    with pytest.raises(HrdblogError) as caught:
        build(load_config(root))
    message = str(caught.value)
    assert (
        "content/2017/vigil/a.png: its 1000 px avif copy would be written to "
        "2017/11/04/vigil/a.1000w.avif, as would its 1000 px avif copy (content/2017/vigil/a.jpg)"
    ) in message


def test_a_photo_that_starts_or_stops_moving_is_shown_anew(tmp_path: Path) -> None:
    root = photo_blog(tmp_path, "![Chart](chart.png)\n")
    chart = root / "content" / "2017" / "vigil" / "chart.png"
    Image.new("RGB", (1200, 600), "white").save(chart)
    build(load_config(root))
    frames = [Image.new("RGB", (1200, 600), colour) for colour in ("white", "black")]
    frames[0].save(chart, save_all=True, append_images=frames[1:])  # same size, now moving
    (root / "content" / "2017" / "other.md").write_text(post("Other", "2017-12-01"))
    site = build_site(root)
    img = page(site, "/2017/11/04/vigil/").find(".//div[@class='entry-content']//img")
    assert img is not None and img.get("srcset") is None and img.get("src") == "chart.png"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("vigil.jpg?x=1", "'image' 'vigil.jpg?x=1' is not the name of a file: it has a ? or a #"),
        ("moving.webp", "'image' moving.webp moves: a featured image is a still photo"),
        (".hidden.jpg", "'image' '.hidden.jpg' is not a photo hrdblog can find and read"),
    ],
)
def test_a_featured_image_that_cannot_be_one_is_an_error(
    tmp_path: Path, value: str, message: str
) -> None:
    root = photo_blog(tmp_path, "Text.", image=value, image_alt="Candles")
    folder = root / "content" / "2017" / "vigil"
    frames = [Image.new("RGB", (800, 400), colour) for colour in ("red", "blue")]
    frames[0].save(folder / "moving.webp", save_all=True, append_images=frames[1:])
    (folder / ".hidden.jpg").write_bytes(photo())
    result = run_cli("build", "--source", str(root))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"content/2017/vigil/index.md:6: {message}"), result.stderr
    assert "Traceback" not in result.stderr


def test_a_hidden_photo_is_never_published_in_any_width(tmp_path: Path) -> None:
    root = photo_blog(tmp_path, "![Private](.private/orig.jpg)\n")
    (root / "content" / "2017" / "vigil" / ".private").mkdir()
    (root / "content" / "2017" / "vigil" / ".private" / "orig.jpg").write_bytes(photo())
    site = build_site(root)
    assert not [p for p in site.rglob("*") if "orig" in p.name]


def test_sixteen_bit_grey_and_a_colour_profile_come_through_in_srgb_without_the_profile() -> None:
    from PIL import ImageCms

    grey = Image.linear_gradient("L").resize((600, 300)).convert("I")
    grey = grey.point(lambda value: value * 256).convert("I;16")
    out = io.BytesIO()
    grey.save(out, "PNG")
    made = opened(encode(out.getvalue(), 480, "png"))
    shades = sum(1 for count in made.convert("L").histogram() if count)
    assert shades > 100  # a gradient, not a white page
    # A colour profile with words of its own at its end.
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    tagged = io.BytesIO()
    Image.new("RGB", (600, 300), "teal").save(
        tagged, "JPEG", icc_profile=profile + b"taken at the safe house"
    )
    assert b"safe house" in tagged.getvalue()
    for kind in ("jpeg", "webp", *MODERN):
        variant = encode(tagged.getvalue(), 480, kind)
        assert b"safe house" not in variant
        assert "icc_profile" not in opened(variant).info


def test_only_a_jpeg_is_turned_as_its_exif_says(tmp_path: Path) -> None:
    # A PNG marked as turned is published and sized as it is: so are its copies.
    made = opened(encode(photo((1200, 600), orientation=6, kind="PNG"), 480, "webp"))
    assert made.size == (480, 240)


def _icc_profile(primaries: tuple[tuple[float, float, float], ...], gamma: float) -> bytes:
    """Return an ICC display profile of these primaries (XYZ under D50) and gamma."""
    import struct

    def fixed(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(values: tuple[float, float, float]) -> bytes:
        return b"XYZ \0\0\0\0" + b"".join(fixed(v) for v in values)

    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, round(gamma * 256)) + b"\0\0"
    text = b"wide gamut"
    desc = (
        b"desc\0\0\0\0" + struct.pack(">I", len(text) + 1) + text + b"\0" + b"\0" * 8 + b"\0" * 70
    )
    tags = [
        (b"desc", desc),
        (b"wtpt", xyz((0.9642, 1.0, 0.8249))),
        (b"rXYZ", xyz(primaries[0])),
        (b"gXYZ", xyz(primaries[1])),
        (b"bXYZ", xyz(primaries[2])),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for name, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += name + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = (
        struct.pack(">I", size)
        + b"\0" * 4
        + b"\x02\x10\0\0"
        + b"mntrRGB XYZ "
        + b"\0" * 12
        + b"acsp"
        + b"\0" * 24
        + b"\0" * 4
        + fixed(0.9642)
        + fixed(1.0)
        + fixed(0.8249)
        + b"\0" * 48
    )
    return header + struct.pack(">I", len(tags)) + table + data


def test_a_wide_gamut_photo_is_brought_into_srgb_and_its_transparency_kept() -> None:
    wide = _icc_profile(
        ((0.6097, 0.3111, 0.0195), (0.2053, 0.6257, 0.0609), (0.1492, 0.0632, 0.7446)), 2.2
    )
    tagged = io.BytesIO()
    Image.new("RGBA", (600, 300), (40, 160, 60, 128)).save(tagged, "PNG", icc_profile=wide)
    for kind in ("png", "webp"):
        made = opened(encode(tagged.getvalue(), 480, kind)).convert("RGBA")
        red, green, blue, alpha = made.getpixel((10, 10))
        assert "icc_profile" not in opened(encode(tagged.getvalue(), 480, kind)).info
        assert abs(alpha - 128) <= 1  # the transparency as it was
        assert (red, green, blue) != (40, 160, 60)  # the colours as sRGB shows them
        assert green > 160  # a wide gamut's green is greener than sRGB's same numbers


def test_a_jpeg_with_a_second_picture_is_a_still_photo(tmp_path: Path) -> None:
    root = photo_blog(tmp_path, "Text.", image="phone.jpg", image_alt="A phone's photo")
    first, depth = Image.new("RGB", (1200, 800), "teal"), Image.new("RGB", (600, 400), "grey")
    first.save(
        root / "content" / "2017" / "vigil" / "phone.jpg",
        "MPO",
        save_all=True,
        append_images=[depth],
    )
    site = build_site(root)
    assert (site / "2017" / "11" / "04" / "vigil" / "phone.480w.avif").is_file()


def test_a_site_s_own_icon_at_its_root_is_its_icon(tmp_path: Path) -> None:
    root = photo_blog(tmp_path)
    (root / "root").mkdir()
    (root / "root" / "favicon.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    site = build_site(root)
    icons = [link.get("href") for link in page(site, "/").iter("link") if link.get("rel") == "icon"]
    assert icons == ["favicon.svg"]
    assert (site / "favicon.svg").read_text() == '<svg xmlns="http://www.w3.org/2000/svg"/>'


def test_an_address_escaping_its_dot_or_leaving_the_page_s_folder_is_shown_as_written(
    tmp_path: Path,
) -> None:
    root = photo_blog(tmp_path, "![Escaped](vigil%2ejpg)\n\n![Up and back](../vigil/vigil.jpg)\n")
    site = build_site(root)
    images = list(page(site, "/2017/11/04/vigil/").iter("img"))
    assert images[0].get("srcset", "").startswith("vigil.480w.jpg 480w")
    assert images[1].get("srcset") is None  # an address that is not the page's own folder's
    assert broken_links(site, "https://example.org/") == []


def test_a_srcset_of_unknown_widths_is_weighed_without_a_failure(tmp_path: Path) -> None:
    root = photo_blog(
        tmp_path, '<img alt="x" src="vigil.jpg" srcset="vigil.jpg ²w, , vigil.jpg">\n'
    )
    build(load_config(root))
    result = run_cli("check", "--source", str(root))
    assert "Traceback" not in result.output and "unexpectedly" not in result.output


def test_a_link_in_place_of_the_lock_makes_no_file_where_it_leads(tmp_path: Path) -> None:
    root = photo_blog(tmp_path / "blog")
    (root / ".hrdblog-cache").mkdir()
    (root / ".hrdblog-cache" / "lock").symlink_to(tmp_path / "made-outside")
    build(load_config(root))
    assert not (tmp_path / "made-outside").exists()
