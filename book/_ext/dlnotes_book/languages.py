"""The two languages: titles, base URLs and search settings, derived from ``config.language``.

Hooks ``config-inited``, the first event after ``conf.py`` ran, so that ``-D language=zh_CN``
and the ``DLNOTES_LANGUAGE`` variable that ``conf.py`` reads give the same build.
"""

from __future__ import annotations

import os

from sphinx.application import Sphinx
from sphinx.config import Config

from .paths import ROOT

LANGS: dict[str, dict[str, str]] = {
    "en": {
        "dir": "en",
        "code": "en",
        "title": "dlnotes: Deep Learning Preliminaries with PyTorch",
        "twin_label": "English",
    },
    "zh": {
        "dir": "zh",
        "code": "zh-CN",
        "title": "dlnotes：深度学习预备知识（PyTorch 版）",
        "twin_label": "中文",
    },
}

DESCRIPTIONS = {
    "en": "dlnotes, an executable book on deep learning preliminaries with PyTorch, in English and Chinese.",
    "zh": "dlnotes：用 PyTorch 学习深度学习预备知识的中英双语可执行在线书。",
}


def lang_key(language: str | None) -> str:
    """``"zh"`` for any Chinese ``language`` setting, else ``"en"``."""
    return "zh" if (language or "").lower().startswith("zh") else "en"


def site_url() -> str:
    """Root URL of the deployed site, with a trailing slash (``DLNOTES_SITE_URL``).

    Used for canonical links, ``hreflang`` alternates, the sitemap and the 404 page. The
    default is the address ``make serve`` uses; the deploy workflow sets the real one.
    """
    url = os.environ.get("DLNOTES_SITE_URL", "http://127.0.0.1:8000/")
    return url if url.endswith("/") else url + "/"


def on_config_inited(app: Sphinx, config: Config) -> None:
    """Set the title, the base URL and (zh) the search language and its user dictionary."""
    key = lang_key(config.language)
    info = LANGS[key]
    config.html_title = info["title"]
    config.project = info["title"]
    config.html_baseurl = site_url() + info["dir"] + "/"
    if key == "zh":
        config.html_search_language = "zh"
        config.html_search_options = {"dict": str(ROOT / "book" / "zh_dict.txt")}


def setup(app: Sphinx) -> None:
    app.connect("config-inited", on_config_inited)
