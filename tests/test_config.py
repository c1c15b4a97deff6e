"""Settings: defaults, hrdblog.yaml, and a clear error for each wrong value."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from hrdblog.config import Taxonomy, load_config
from hrdblog.errors import ConfigError, ErrorList
from hrdblog.texts import ARABIC, BUILT_IN, ENGLISH, TEXTS_DIR, placeholder_problem


def config_error(tmp_path: Path, text: str) -> str:
    (tmp_path / "hrdblog.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ErrorList) as info:
        load_config(tmp_path)
    return str(info.value)


def test_defaults_without_a_settings_file(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config.posts_per_page == 10
    assert config.excerpt_words == 55
    assert config.permalink == "/{year}/{month}/{day}/{slug}/"
    assert config.language == "en"
    assert config.timezone == "UTC"
    assert config.texts_for("en")["tags_heading"] == "Posts Tagged ‘%s’"
    assert config.texts_for("en")["read_more"] == "Read the rest of this entry »"
    assert [(t.name, t.path) for t in config.taxonomies] == [
        ("tags", "tag"),
        ("categories", "category"),
    ]
    assert (config.feed_items, config.feed_content, config.related_posts) == (20, "full", 5)
    assert config.output_dir == tmp_path.resolve() / "site"
    assert config.content_dir == tmp_path.resolve() / "content"


def test_settings_are_read_and_texts_merge_with_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "hrdblog.yaml").write_text(
        "title: Defenders\nposts_per_page: 5\ntimezone: Asia/Muscat\nslug_unicode: true\n"
        "texts:\n  read_more: Lire la suite »\n  tags_heading: Articles marqués « %s »\n",
        encoding="utf-8",
    )
    config = load_config(tmp_path)
    assert (config.title, config.posts_per_page, config.timezone) == ("Defenders", 5, "Asia/Muscat")
    assert config.slug_unicode
    assert config.texts_for("en")["read_more"] == "Lire la suite »"
    assert config.texts_for("en")["tags_heading"] == "Articles marqués « %s »"
    assert config.texts_for("en")["older_entries"] == ENGLISH["older_entries"]
    assert config.texts_for("ar")["read_more"] == ARABIC["read_more"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "posts_per_page: ten",
            "hrdblog.yaml:1: 'posts_per_page' must be a whole number above 0, got 'ten'",
        ),
        (
            "posts_per_page: 0",
            "hrdblog.yaml:1: 'posts_per_page' must be a whole number above 0, got '0'",
        ),
        (
            "excerpt_words: true",
            "hrdblog.yaml:1: 'excerpt_words' must be a whole number above 0, got True",
        ),
        (
            "timezone: Mars/Olympus",
            "hrdblog.yaml:1: 'timezone' must be a time zone like UTC or Asia/Muscat, got 'Mars/Olympus'",
        ),
        (
            "language: English",
            "hrdblog.yaml:1: 'language' must be a language code like en or ar, got 'English'",
        ),
        (
            "base_url: example.org",
            "hrdblog.yaml:1: 'base_url' must be a web address like https://example.org/, got 'example.org'",
        ),
        (
            "base_url: https://example.org/?utm=x",
            "hrdblog.yaml:1: 'base_url' must be the address of the site, without ?, # or a user name, got 'https://example.org/?utm=x'",
        ),
        (
            "base_url: https://example.org/news/#top",
            "hrdblog.yaml:1: 'base_url' must be the address of the site, without ?, # or a user name, got 'https://example.org/news/#top'",
        ),
        (
            "base_url: https://user:secret@example.org/",
            "hrdblog.yaml:1: 'base_url' must be the address of the site, without ?, # or a user name, got 'https://user:secret@example.org/'",
        ),
        (
            "slug_unicode: sometimes",
            "hrdblog.yaml:1: 'slug_unicode' must be true or false, got 'sometimes'",
        ),
        (
            "permalink: /{year}/",
            "hrdblog.yaml:1: 'permalink' '/{year}/' cannot be used: it must contain {slug}, or every post would get the same URL",
        ),
        ("title: [a, b]", "hrdblog.yaml:1: 'title' must be text, got ['a', 'b']"),
        (
            "texts: {read_mor: x}",
            "hrdblog.yaml:1: 'texts' has an unknown text 'read_mor'\n  hint: did you mean 'read_more'?",
        ),
        (
            "texts: {tags_heading: Tagged}",
            "hrdblog.yaml:1: 'texts' text 'tags_heading' must hold %s exactly once, like 'Posts Tagged ‘%s’', and no other %",
        ),
        (
            "texts: {home: Home %s}",
            "hrdblog.yaml:1: 'texts' text 'home' must hold %s nowhere, like 'Home', and no other %",
        ),
        (
            "feed_content: summary",
            "hrdblog.yaml:1: 'feed_content' must be full or excerpt, got 'summary'",
        ),
        (
            "related_posts: -1",
            "hrdblog.yaml:1: 'related_posts' must be a whole number, 0 or more, got '-1'",
        ),
        (
            "taxonomies: [tags]",
            "hrdblog.yaml:1: 'taxonomies' must map each taxonomy to its settings",
        ),
        ("taxonomies: {title: x}", "hrdblog.yaml:1: 'taxonomies' cannot use the name 'title'"),
        (
            "taxonomies: {countries: {path: page}}",
            "hrdblog.yaml:1: 'taxonomies' countries: cannot use the path 'page'",
        ),
        (
            "taxonomies: {countries: tag}",
            "hrdblog.yaml:1: 'taxonomies' gives two taxonomies the same path",
        ),
        (
            "taxonomies: {countries: {path: country, heading: About}}",
            "hrdblog.yaml:1: 'taxonomies' countries: text 'countries_heading' must hold %s exactly once",
        ),
        (
            "taxonomies: {countries: {path: country, colour: red}}",
            "hrdblog.yaml:1: 'taxonomies' countries: unknown key 'colour'",
        ),
        (
            "translations: {French: {home: Accueil}}",
            "hrdblog.yaml:1: 'translations' has 'French', which is not a language code like fr or ar",
        ),
        (
            "translations: {fr: {hom: Accueil}}",
            "hrdblog.yaml:1: 'translations' fr: has an unknown text 'hom'\n  hint: did you mean 'home'?",
        ),
        (
            "markdown_extensions: [footnotes, no_such_extension]",
            "hrdblog.yaml:1: 'markdown_extensions' cannot be used: No module named 'no_such_extension'",
        ),
        ("date_format: long long ago", "hrdblog.yaml:1: 'date_format' is not a date format"),
    ],
)
def test_each_wrong_setting_is_reported_with_its_line(
    tmp_path: Path, line: str, message: str
) -> None:
    assert config_error(tmp_path, line).startswith(message)


def test_all_wrong_settings_are_reported_at_once(tmp_path: Path) -> None:
    errors = config_error(tmp_path, "title: Blog\nposts_per_page: x\nlanguage: 42\n")
    assert errors.splitlines()[0].startswith("hrdblog.yaml:2: 'posts_per_page'")
    assert errors.splitlines()[1].startswith("hrdblog.yaml:3: 'language'")


def test_an_unknown_setting_warns_with_a_suggestion(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "hrdblog.yaml").write_text("title: A\npost_per_page: 5\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        load_config(tmp_path)
    assert caplog.messages == [
        "hrdblog.yaml:2: unknown setting 'post_per_page', did you mean 'posts_per_page'?"
    ]


def test_a_yaml_error_in_the_settings_points_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "hrdblog.yaml").write_text(
        "title: A\ndescription: News: all of it\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"^hrdblog.yaml:2: YAML syntax error"):
        load_config(tmp_path)


def test_taxonomies_are_added_changed_and_removed(tmp_path: Path) -> None:
    (tmp_path / "hrdblog.yaml").write_text(
        "taxonomies:\n  countries: {path: country, title: Countries, heading: Posts about %s}\n"
        "  categories: false\n  tags: {path: topic}\n",
        encoding="utf-8",
    )
    config = load_config(tmp_path)
    assert config.taxonomies == (Taxonomy("tags", "topic"), Taxonomy("countries", "country"))
    english = config.texts_for("en")
    assert (english["countries_title"], english["countries_heading"]) == (
        "Countries",
        "Posts about %s",
    )
    assert english["countries_label"] == "Countries:"
    assert config.texts_for("ar")["countries_heading"] == "Posts about %s"  # until translated


def test_translations_add_a_language_and_change_a_built_in_one(tmp_path: Path) -> None:
    (tmp_path / "hrdblog.yaml").write_text(
        "language: fr\ntexts: {home: Accueil}\n"
        "translations:\n  fr: {read_more: Lire la suite »}\n  ar: {home: البداية}\n",
        encoding="utf-8",
    )
    config = load_config(tmp_path)
    assert config.texts_for("fr")["home"] == "Accueil"
    assert config.texts_for("fr")["read_more"] == "Lire la suite »"
    assert config.texts_for("fr")["older_entries"] == BUILT_IN["fr"]["older_entries"]
    assert config.texts_for("fr-CA")["home"] == "Accueil"
    assert config.texts_for("ar")["home"] == "البداية"
    assert config.texts_for("ar")["archives"] == ARABIC["archives"]
    assert config.texts_for("de")["home"] == "Home"


@pytest.mark.parametrize("language", ["ar", "fr", "es"])
def test_each_language_s_texts_are_complete_and_hold_their_placeholders(language: str) -> None:
    texts = BUILT_IN[language]
    assert set(texts) == set(ENGLISH)
    assert all(placeholder_problem(key, texts[key], ENGLISH[key]) is None for key in ENGLISH)
    assert all(texts[key].strip() == texts[key] and texts[key] for key in texts)


#: Texts of the default theme as WordPress's own translations of its classic theme, Kubrick,
#: give them ("Read the rest of this entry »" and the rest), which the default theme follows.
WORDPRESS = {
    "fr": {
        "read_more": "Lire le reste de cet article »",
        "categories_label": "Publié dans",
    },
    "es": {
        "read_more": "Leer el resto de esta entrada »",
        "older_entries": "« Entradas anteriores",
        "newer_entries": "Entradas siguientes »",
        "categories_label": "Publicado en",
    },
}


@pytest.mark.parametrize("language", sorted(WORDPRESS))
def test_each_language_s_texts_are_those_of_wordpress_s_translation(language: str) -> None:
    assert {key: BUILT_IN[language][key] for key in WORDPRESS[language]} == WORDPRESS[language]


def test_a_language_is_added_by_adding_its_file() -> None:
    assert (
        {path.stem for path in TEXTS_DIR.glob("*.yaml")}
        == set(BUILT_IN)
        >= {"en", "ar", "fr", "es"}
    )


def test_a_named_settings_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="the configuration file does not exist"):
        load_config(tmp_path, config_file=tmp_path / "other.yaml")
