"""One translation catalogue for the pages (Flask-Babel): Chinese by default, English on request, the choice kept
in a cookie. Messages are written in English in the templates; zh/messages.po translates them. The .po files are
the source: their .mo files are compiled when missing or older (at start-up), so nothing binary is committed."""
from __future__ import annotations

from pathlib import Path

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
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalog = read_po(source)
            draft = mo.with_suffix(".mo.tmp")
            with draft.open("wb") as target:
                write_mo(target, catalog)
            draft.replace(mo)
