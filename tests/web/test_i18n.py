"""One catalogue: every text the pages show in English has its Chinese translation (Chinese is the default)."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

from app.web.i18n import read_catalogue

WEB = Path(__file__).resolve().parents[2] / "app" / "web"
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def test_every_page_text_has_a_chinese_translation():
    catalog = read_catalogue(sorted((WEB / "translations/zh/pages").glob("*.po")))
    used = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(str(WEB), METHODS, OPTIONS):
        for text in (message if isinstance(message, tuple) else (message,)):
            if text:
                used.setdefault(text, f"{filename}:{lineno}")
    missing = [f"{where}: {text!r}" for text, where in sorted(used.items(), key=lambda kv: kv[1])
               if not (catalog.get(text) and catalog.get(text).string)]
    assert not missing, "untranslated (add them to a file in app/web/translations/zh/pages/):\n" + \
        "\n".join(missing)
    assert len(used) > 20
