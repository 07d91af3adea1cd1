"""One translation catalogue for the pages (Flask-Babel): Chinese by default, English on request, the choice kept
in a cookie. Messages are written in English in the templates; translations/zh/pages/*.po translate them, one
source file per page family (so they can be edited apart), compiled together into the one `messages` catalogue
at start-up when it is missing or older than a source. Nothing binary is committed."""
from __future__ import annotations

import os
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, redirect, request
from flask_babel import Babel, get_locale

TRANSLATIONS = Path(__file__).parent / "translations"
LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT, COOKIE = "zh", "kuaibao_lang"
YEAR = 365 * 24 * 3600


def install(app: Flask) -> None:
    compile_catalogues()
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    app.config["BABEL_DEFAULT_LOCALE"] = DEFAULT
    Babel(app, locale_selector=chosen_language)

    @app.get("/lang/<code>")
    def switch_language(code: str):
        """Remember the language and go back to the page (only to a path on this site)."""
        target = request.args.get("next") or "/"
        if not target.startswith("/") or target.startswith("//"):
            target = "/"
        response = redirect(target)
        if code in LANGUAGES:
            response.set_cookie(COOKIE, code, max_age=YEAR, samesite="Lax", httponly=True)
        return response

    @app.context_processor
    def language():
        return {"languages": LANGUAGES, "language": str(get_locale() or DEFAULT)}


def chosen_language() -> str:
    chosen = request.cookies.get(COOKIE)
    return chosen if chosen in LANGUAGES else DEFAULT


def compile_catalogues() -> None:
    for language in TRANSLATIONS.iterdir():
        sources = sorted((language / "pages").glob("*.po"))
        if not sources:
            continue
        mo = language / "LC_MESSAGES" / "messages.mo"
        if mo.exists() and mo.stat().st_mtime >= max(p.stat().st_mtime for p in sources):
            continue
        catalog = read_catalogue(sources)
        mo.parent.mkdir(exist_ok=True)
        draft = mo.with_suffix(f".{os.getpid()}.tmp")
        with draft.open("wb") as target:
            write_mo(target, catalog)
        draft.replace(mo)


def read_catalogue(sources) -> Catalog:
    """The page files of one language as one catalogue (a message translated twice keeps the first)."""
    merged: Catalog | None = None
    for path in sources:
        with path.open("rb") as source:
            part = read_po(source)
        if merged is None:
            merged = part
            continue
        for message in part:
            if message.id and message.id not in merged:
                merged[message.id] = message
    return merged
