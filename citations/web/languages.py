"""Languages by name, for the fields where a clerk names an interpreter's language.

The clerk picks a name ("Vietnamese") from a list and the record keeps the code ("vi"),
which is what the docket's interpreter counts and the documents use. The list holds the
languages the jurisdiction's profile serves (its notice languages and help lines) and the
languages most often asked for at a court's interpreter desk, named by babel in the
jurisdiction's locale. A name typed by hand (a client that is not a browser) is read too;
one that names no language is refused with a message that says so.
"""

from __future__ import annotations

from babel import Locale

from citations.web.forms import Parser
from ordinances.models import Jurisdiction

COMMON = (
    "am", "ar", "ase", "bn", "de", "fa", "fr", "hi", "hmn", "ht", "hy", "it", "ja", "km",
    "ko", "lo", "my", "pa", "pl", "pt", "ru", "so", "es", "th", "ti", "tl", "uk", "ur",
    "vi", "yue", "zh",
)  # fmt: skip
"""Languages commonly interpreted in California's courts, beside the profile's own."""


def language_choices(profile: Jurisdiction, keep: str = "") -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name; `keep` (a code already stored) stays listed."""
    names = Locale.parse(profile.locale).languages
    codes = [*profile.notice_languages, *(line.language for line in profile.language_lines)]
    chosen: dict[str, str] = {}
    for code in [*codes, *COMMON, *([keep] if keep else [])]:
        base = code.split("-")[0].lower()  # an interpreter speaks a language, not a script
        chosen.setdefault(base, names.get(base, base))
    return sorted(chosen.items(), key=lambda pair: pair[1].casefold())


def read_language(read: Parser, field: str, profile: Jurisdiction) -> str | None:
    """The code of the language chosen or typed in `field`: None when blank; a problem
    next to the field when the text names no language.

    A code from the list, or a name in the locale's words or in English, case ignored.
    """
    typed = read.text(field)
    if not typed:
        return None
    wanted = typed.casefold()
    listed = language_choices(profile)
    for code, name in listed:
        if wanted in (code.casefold(), name.casefold()):
            return code
    for locale in (profile.locale, "en"):
        for code, name in Locale.parse(locale).languages.items():
            if wanted in (code.casefold(), name.casefold()) and "_" not in code:
                return str(code)
    read.refuse(
        field,
        f"there is no language called {typed!r} in the list; choose the language by name "
        "(e.g. Spanish, Vietnamese)",
    )
    return None
