"""`hrdblog import hugo` and `hrdblog import jekyll`: posts, dates, old addresses, what is kept."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from click.testing import Result
from helpers import make_site, run_cli, shared, write_files
from test_media import jpeg_with_location


def blog(tmp_path: Path) -> Path:
    return make_site(tmp_path / "blog", {}, {"base_url": "https://example.org/"})


def imported(tmp_path: Path, kind: str, files: dict[str, str | bytes]) -> tuple[Path, Result]:
    """Write an old site of these files, import it into a new blog; return the blog and what
    the import said."""
    old = tmp_path / "old"
    write_files(old, files)
    root = blog(tmp_path)
    return root, run_cli("import", kind, str(old), "--into", str(root))


def front(path: Path) -> dict[str, object]:
    meta: dict[str, object] = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
    return meta


def body(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("---\n", 2)[2]


def test_a_hugo_site_comes_over(tmp_path: Path) -> None:
    old = tmp_path / "hugo"
    write_files(
        old,
        {
            "content/posts/2019-05-01-toml.md": (
                '+++\ntitle = "In TOML"\ndate = 2019-05-01T10:00:00+02:00\n'
                'lastmod = 2019-06-01T10:00:00+02:00\ntags = ["Coalition", "UN"]\n'
                'aliases = ["/old/toml/"]\n+++\nIntro.\n\n<!-- more -->\n\nRest.\n'
            ),
            "content/posts/2019-05-02-no-title.md": (
                "---\ntags: coalition, detention\n---\n# A title from the heading\n\n"
                '{{< youtube 7Y4thikv-OM >}}\n\nSee [the other]({{< ref "2019-05-01-toml.md" >}}).\n\n'
                "{{< gallery >}}\n"
            ),
            "content/posts/2019-05-03-bundle/index.md": (
                "---\ntitle: A bundle\ndraft: true\nlayout: wide\nsource: old-field\n---\n"
                '{{< figure src="vigil.jpg" title="The vigil" >}}\n'
            ),
            "content/posts/2019-05-03-bundle/vigil.jpg": jpeg_with_location((4, 4)),
            "content/posts/_index.md": "---\ntitle: Posts\n---\n",
            "content/posts/undated.md": "---\ntitle: When?\n---\nText.\n",
            "content/posts/2019-05-04-broken.md": "---\ntitle: [unclosed\n---\nText.\n",
        },
    )
    root = blog(tmp_path)
    result = run_cli("import", "hugo", str(old), "--into", str(root))
    assert result.exit_code == 0, result.stderr
    toml = root / "content" / "2019" / "toml.md"
    assert front(toml) == {
        "title": "In TOML",
        "date": "2019-05-01 10:00:00+02:00",
        "slug": "toml",
        "updated": "2019-06-01 10:00:00+02:00",
        "tags": ["Coalition", "UN"],
        "aliases": ["/old/toml/"],
    }
    assert body(toml) == "Intro.\n\n<!--more-->\n\nRest.\n"
    untitled = root / "content" / "2019" / "no-title.md"
    assert front(untitled)["title"] == "A title from the heading"
    assert front(untitled)["tags"] == ["coalition", "detention"]
    assert front(untitled)["date"] == "2019-05-02 00:00:00+00:00"  # from the file name
    text = body(untitled)
    assert "[Youtube video 7Y4thikv-OM](https://www.youtube.com/watch?v=7Y4thikv-OM)" in text
    assert "[the other](/2019/05/01/toml/)" in text
    assert "`` {{< gallery >}} ``" in text
    bundle = root / "content" / "2019" / "bundle" / "index.md"
    assert front(bundle) == {
        "title": "A bundle",
        "date": "2019-05-03 00:00:00+00:00",
        "slug": "bundle",
        "draft": True,
        "layout": "wide",
        "hugo_source": "old-field",  # hrdblog's `source` means something else
    }
    assert '<figure>\n<img src="vigil.jpg" alt="">\n<figcaption>The vigil</figcaption>' in body(
        bundle
    )
    assert (bundle.parent / "vigil.jpg").read_bytes() == jpeg_with_location((4, 4))
    assert result.stdout.splitlines()[0] == (
        f"Imported from {old}: 2 posts, 1 draft; 4 tags, 0 categories."
    )
    assert "Not imported: section pages (_index.md): 1." in result.stdout
    assert "  content/posts/undated.md\n    - it has no date" in result.stdout
    assert "  content/posts/2019-05-04-broken.md\n    - its front matter cannot be read (" in (
        result.stdout
    )
    assert "    - {{< gallery >}} kept as text" in result.stdout
    built = run_cli("build", "--drafts", "--source", str(root))
    assert built.exit_code == 0, built.stderr
    assert (root / "site" / "old" / "toml" / "index.html").is_file()  # the old address


def test_a_jekyll_site_comes_over_with_its_old_addresses(tmp_path: Path) -> None:
    old = tmp_path / "jekyll"
    write_files(
        old,
        {
            "_config.yml": "permalink: pretty\nexcerpt_separator: <!--cut-->\n",
            "_posts/2015-02-01-welcome.md": (
                "---\nlayout: post\ntitle: Welcome\ndate: 2015-02-01 10:00:00 -0500\n"
                "categories: jekyll update\ntags: [a, b]\n---\n"
                "Hello <!--cut--> world. See {{ site.baseurl }}/about/.\n\n"
                "{% highlight ruby %}\nputs 1\n{% endhighlight %}\n\n{% include note.html %}\n"
            ),
            "_posts/2015-03-01-hidden.markdown": (
                "---\ntitle: Hidden\npublished: false\npermalink: /special/hidden/\n---\nText.\n"
            ),
            "_drafts/an-idea.md": "---\ntitle: An idea\ndate: 2015-04-01\n---\nLater.\n",
        },
    )
    root = blog(tmp_path)
    result = run_cli("import", "jekyll", str(old), "--into", str(root))
    assert result.exit_code == 0, result.stderr
    welcome = root / "content" / "2015" / "welcome.md"
    assert front(welcome) == {
        "title": "Welcome",
        "date": "2015-02-01 10:00:00-05:00",
        "slug": "welcome",
        "categories": ["jekyll", "update"],
        "tags": ["a", "b"],
        "aliases": ["/jekyll/update/2015/02/01/welcome/"],
        "layout": "post",
    }
    assert body(welcome) == (
        "Hello \n<!--more-->\n world. See /about/.\n\n```ruby\nputs 1\n```\n\n"
        "`` {% include note.html %} ``\n"
    )
    assert front(root / "content" / "2015" / "hidden.md")["draft"] is True
    assert front(root / "content" / "2015" / "hidden.md")["aliases"] == ["/special/hidden/"]
    assert front(root / "content" / "2015" / "an-idea.md")["draft"] is True
    assert "    - {% include note.html %} kept as text" in result.stdout
    built = run_cli("build", "--source", str(root))
    assert built.exit_code == 0, built.stderr
    redirect = root / "site" / "jekyll" / "update" / "2015" / "02" / "01" / "welcome" / "index.html"
    assert redirect.is_file()


def test_a_second_import_overwrites_nothing(tmp_path: Path) -> None:
    old = tmp_path / "hugo"
    write_files(old, {"content/posts/2019-05-01-one.md": "---\ntitle: One\n---\nText.\n"})
    root = blog(tmp_path)
    assert run_cli("import", "hugo", str(old), "--into", str(root)).exit_code == 0
    path = root / "content" / "2019" / "one.md"
    path.write_text(path.read_text().replace("Text.", "Mine."))
    again = run_cli("import", "hugo", str(old), "--into", str(root))
    assert "1 file already there, left as they are" in again.stdout
    assert "Mine." in path.read_text()


def test_a_real_hugo_blog_imports_and_builds(tmp_path: Path) -> None:
    corpus = shared("guardianproject", "posts")
    root = blog(tmp_path)
    result = run_cli("import", "hugo", str(corpus), "--into", str(root))
    assert result.exit_code == 0, result.stderr
    posts = [p for p in corpus.rglob("*.md") if p.is_file() and p.name != "_index.md"]
    assert result.stdout.startswith(f"Imported from {corpus}: {len(posts)} posts;")
    built = run_cli("build", "--source", str(root))
    assert built.exit_code == 0, built.stderr
    assert f"Built {len(posts)} posts" in built.stdout
    # A post's own old addresses still lead to it.
    assert (root / "site" / "home" / "stories" / "index.html").is_file()


@pytest.mark.parametrize("kind", ["hugo", "jekyll"])
def test_links_out_of_the_imported_folder_are_not_followed(tmp_path: Path, kind: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("Names of the sources.")
    old = tmp_path / "old"
    posts = "content/posts" if kind == "hugo" else "_posts"
    write_files(
        old,
        {
            f"{posts}/2019-05-01-one.md": "---\ntitle: One\n---\nText.",
            f"{posts}/vigil/index.md": "---\ntitle: Vigil\ndate: 2019-05-02\n---\nText.",
            f"{posts}/vigil/appeal.txt": "The appeal.",
        },
    )
    (old / posts / "vigil" / "notes.txt").symlink_to(secret)
    (old / posts / "2019-05-03-stolen.md").symlink_to(secret)
    (old / posts / "everything").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(old / posts / "vigil" / "pipe.jpg")
    root = blog(tmp_path)
    result = run_cli("import", kind, str(old), "--into", str(root))
    assert result.exit_code == 0, result.stderr
    for name in ("vigil/notes.txt", "2019-05-03-stolen.md", "everything"):
        assert f"  {posts}/{name}\n    - a symbolic link to " in result.stdout
    assert f"  {posts}/vigil/pipe.jpg\n    - this is a named pipe, not a file" in result.stdout
    names = {p.name for p in (root / "content").rglob("*")}
    assert {"notes.txt", "pipe.jpg", "stolen.md"}.isdisjoint(names)
    assert {"index.md", "appeal.txt"} <= names
    assert run_cli("build", "--source", str(root)).exit_code == 0
    for path in (root / "site").rglob("*"):
        assert not path.is_file() or b"Names of the sources" not in path.read_bytes()


def test_a_date_no_post_may_have_is_an_error_and_nothing_is_written(tmp_path: Path) -> None:
    root, result = imported(
        tmp_path,
        "jekyll",
        {
            "_posts/2019-05-01-fine.md": "---\ntitle: Fine\n---\nText.",
            "_posts/2019-05-02-far.md": "---\ntitle: Far\ndate: 9999-12-31T23:00:00-05:00\n---\nT.",
        },
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "_posts/2019-05-02-far.md: its date 9999-12-31 23:00:00-05:00 is not one a post may have"
    )
    assert not list((root / "content").rglob("*"))


def test_embeds_from_other_sites_become_links_and_the_post_builds(tmp_path: Path) -> None:
    root, result = imported(
        tmp_path,
        "hugo",
        {
            "content/posts/2019-05-01-vigil.md": (
                "---\ntitle: Vigil\n---\n![The vigil](https://cdn.example.net/vigil.jpg)\n\n"
                '<iframe src="https://video.example.org/embed/1" title="The speech"></iframe>\n\n'
                '<img src="https://cdn.example.net/map.png" alt="The route">\n'
            )
        },
    )
    assert result.exit_code == 0, result.stderr
    for url in (
        "https://cdn.example.net/vigil.jpg",
        "https://video.example.org/embed/1",
        "https://cdn.example.net/map.png",
    ):
        assert f"  {url}  (Vigil)" in result.stdout
    text = (root / "content" / "2019" / "vigil.md").read_text()
    assert "[The vigil](https://cdn.example.net/vigil.jpg)" in text
    assert '<a href="https://video.example.org/embed/1">The speech</a>' in text
    assert '<a href="https://cdn.example.net/map.png">The route</a>' in text
    built = run_cli("build", "--source", str(root))
    assert built.exit_code == 0, built.stderr
    assert run_cli("check", "--source", str(root)).exit_code == 0


def test_a_jekyll_name_with_capitals_imports_and_builds(tmp_path: Path) -> None:
    root, result = imported(
        tmp_path,
        "jekyll",
        {
            "_config.yml": "permalink: pretty\n",
            "_posts/2015-05-21-TockingTime.md": "---\ntitle: Tocking time\n---\nText.",
            "_drafts/undated-notes.md": "---\ntitle: Notes for later\n---\nText.",
        },
    )
    assert result.exit_code == 0, result.stderr
    assert (
        "its old address /2015/05/21/TockingTime/ differs from its new one only in case"
        in result.stdout
    )
    assert (
        "/2015/05/21/TockingTime/ /2015/05/21/tockingtime/;"
        in (root / "import-redirects.map").read_text()
    )
    assert "a draft without a date: dated " in result.stdout
    assert "1 post, 1 draft" in result.stdout.splitlines()[0]
    built = run_cli("build", "--source", str(root))
    assert built.exit_code == 0, built.stderr
    assert (root / "site" / "2015" / "05" / "21" / "tockingtime" / "index.html").is_file()


def test_posts_of_two_sections_with_one_name_and_date_both_come_over_and_build(
    tmp_path: Path,
) -> None:
    same = "---\ntitle: Same\ndate: 2020-01-01\n---\nText of {}.\n"
    root, result = imported(
        tmp_path,
        "hugo",
        {
            f"content/{section}/same.md": same.format(section)
            for section in ("blog", "news", "posts")
        },
    )
    assert result.exit_code == 0, result.stderr
    assert "another post of the import has its address: given the slug same-2" in result.stdout
    assert len(list((root / "content").rglob("*.md"))) == 3
    built = run_cli("build", "--source", str(root))
    assert built.exit_code == 0, built.stderr
    assert {p.parent.name for p in (root / "site" / "2020" / "01" / "01").glob("*/index.html")} == {
        "same",
        "same-2",
        "same-3",
    }


def _jpeg(size: tuple[int, int] = (1200, 800)) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, "JPEG")
    return out.getvalue()


def test_featured_images_of_jekyll_and_hugo_come_over_beside_their_posts(tmp_path: Path) -> None:
    jekyll, result = imported(
        tmp_path / "j",
        "jekyll",
        {
            "_posts/2017-03-04-vigil.md": "---\ntitle: Vigil\nimage: /assets/img/vigil.jpg\n---\nText.\n",
            "_posts/2017-03-05-rally.md": (
                "---\ntitle: Rally\nimage: {path: assets/rally.jpg, alt: Placards raised}\n---\nText.\n"
            ),
            "_posts/2017-03-06-far.md": "---\ntitle: Far\nimage: https://cdn.example.net/far.jpg\n---\nText.\n",
            "assets/img/vigil.jpg": _jpeg(),
            "assets/rally.jpg": _jpeg(),
        },
    )
    assert result.exit_code == 0, result.output
    vigil = jekyll / "content" / "2017" / "vigil" / "index.md"
    assert front(vigil)["image"] == "vigil.jpg" and (vigil.parent / "vigil.jpg").is_file()
    rally = front(jekyll / "content" / "2017" / "rally" / "index.md")
    assert (rally["image"], rally["image_alt"]) == ("rally.jpg", "Placards raised")
    far = front(jekyll / "content" / "2017" / "far.md")
    assert "image" not in far and far["jekyll_image"] == "https://cdn.example.net/far.jpg"
    assert "its featured image https://cdn.example.net/far.jpg is on another site" in " ".join(
        result.output.split()
    )
    hugo, result = imported(
        tmp_path / "h",
        "hugo",
        {
            "content/posts/bundle/index.md": "---\ntitle: Bundle\ndate: 2017-03-04\nimages: [cover.jpg, other.jpg]\n---\nText.\n",
            "content/posts/bundle/cover.jpg": _jpeg(),
            "content/posts/single.md": "---\ntitle: Single\ndate: 2017-03-05\nimages: [/img/single.jpg]\n---\nText.\n",
            "static/img/single.jpg": _jpeg(),
            # A bundle's own cover.jpg, and a featured image of the same name from static/.
            "content/posts/both/index.md": "---\ntitle: Both\ndate: 2017-03-06\nimages: [/img/cover.jpg]\n---\n![Own](cover.jpg)\n",
            "content/posts/both/cover.jpg": _jpeg((1200, 800)),
            "static/img/cover.jpg": _jpeg((900, 600)),
        },
    )
    assert result.exit_code == 0, result.output
    assert front(hugo / "content" / "2017" / "bundle" / "index.md")["image"] == "cover.jpg"
    assert front(hugo / "content" / "2017" / "single" / "index.md")["image"] == "single.jpg"
    both = hugo / "content" / "2017" / "both"
    assert front(both / "index.md")["image"] == "cover-2.jpg"  # the bundle's own cover stays
    from hrdblog.media import image_size

    assert image_size(both / "cover.jpg") == (1200, 800)
    assert image_size(both / "cover-2.jpg") == (900, 600)
    for root in (jekyll, hugo):
        built = run_cli("build", "--source", str(root))
        assert built.exit_code == 0, built.output
