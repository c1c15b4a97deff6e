"""The interface texts of the default theme, per language (`themes/default/texts/`, a file
each), and how a site changes them.

`%s` stands for the variable part of a text. A language's texts are, from weakest to
strongest: the English set, the texts of the site's taxonomy definitions, the built-in set of
that language, the site's `translations` for it, and, for the site's own language, the
taxonomy definitions again and the `texts` setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import yaml

#: The folder of the texts: one YAML file per language, named by its code (`fr.yaml`).
TEXTS_DIR = Path(__file__).parent / "themes" / "default" / "texts"


def _load(path: Path) -> Mapping[str, str]:
    # libyaml where PyYAML has it: every command reads these files as it starts.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    texts = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # a safe loader
    return MappingProxyType({str(key): str(text) for key, text in texts.items()})


#: The built-in texts, by language code; English has every text.
BUILT_IN: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {path.stem: _load(path) for path in sorted(TEXTS_DIR.glob("*.yaml"))}
)
ENGLISH = BUILT_IN["en"]
ARABIC = BUILT_IN["ar"]

TAXONOMY_TEXTS = ("title", "heading", "label")


def primary(language: str) -> str:
    """Return a language tag's primary subtag, lower case: `ar` for `ar-EG`."""
    return language.split("-")[0].lower()


def placeholder_problem(key: str, text: str, default: str) -> str | None:
    """Return why `text` cannot stand for the text `key`, whose English is `default`."""
    if text.count("%s") != default.count("%s") or "%" in text.replace("%s", ""):
        where = "exactly once" if "%s" in default else "nowhere"
        return f"text {key!r} must hold %s {where}, like {default!r}, and no other %"
    return None


def language_texts(
    site_language: str,
    texts: Mapping[str, str],
    translations: Mapping[str, Mapping[str, str]],
    taxonomy_texts: Mapping[str, str],
) -> Mapping[str, Mapping[str, str]]:
    """Return the complete texts of every language the site can show, by primary subtag."""
    site = primary(site_language)
    result: dict[str, Mapping[str, str]] = {}
    for language in sorted({*BUILT_IN, *translations, site}):
        merged = {**ENGLISH, **taxonomy_texts, **BUILT_IN.get(language, {})}
        merged.update(translations.get(language, {}))
        if language == site:
            merged.update(taxonomy_texts)
            merged.update(texts)
        result[language] = MappingProxyType(merged)
    return MappingProxyType(result)
