"""The interface ("chrome") in the page's language: no English on the zh site, no Chinese on en.

Hooks ``config-inited`` with priority 400, before sphinx-togglebutton's own handler (500),
which turns ``togglebutton_hint*`` into page scripts at that event. It

- compiles the project's message catalogs, ``book/locale/<language>/LC_MESSAGES/<domain>.po``,
  into ``_build/locale`` (the ``.mo`` is a build product, never committed, so it cannot go stale)
  and puts each in front of the catalogs Sphinx and the themes already loaded for that domain.
  ``locale_dirs`` cannot do this: Sphinx reads it before any extension runs, and the themes'
  catalogs (pydata-sphinx-theme's ``sphinx``, sphinx-book-theme's ``booktheme``) would still win
  for the strings they translate themselves (列印成 PDF, "© Copyright"). That reaches into
  ``sphinx.locale.translators`` and ``app.translator``, so it is version-guarded;
- sets the per-language values that are not gettext messages: ``author`` and ``copyright`` (the
  footer), ``togglebutton_hint`` / ``togglebutton_hint_hide`` ("Click to show" on solutions),
  the theme's ``search_bar_text`` (the search box's placeholder) and the figures' ``alt`` text
  (myst-nb's ``nb_render_image_options``; Sphinx's fallback is the image's file path);
- regenerates three theme templates whose interface text is written in English, not passed
  through ``_()``: the sidebar toggles' titles, the navigation landmarks' names (``Main``,
  ``Page``) and the footer's "By" line (which put a space after 作者：). The texts go through
  ``_()`` instead, so the catalog translates them and the en site is unchanged.

At ``builder-inited`` (priority 600, after sphinx-togglebutton has put its ``_static`` folder on
``html_static_path``) it adds a folder holding an edited ``togglebutton.js`` after that one, so
the copy wins: the script wrote its buttons' ``aria-label`` ("Toggle hidden content") in
English; the edited one reads ``toggleButtonLabel``, which ``config-inited`` sets per language.

It also registers a post-transform (``doctree-resolved`` time, after myst-nb's
``HideInputCells``, priority 199) that translates the hidden-cell toggles' texts ("Show code
cell source"): myst-nb fills in the English words content/source/output(s) itself, so no value
of ``nb_code_prompt_show`` gives Chinese. Any toggle text it does not know stops the build.
"""

from __future__ import annotations

import gettext
import json
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms.post_transforms import SphinxPostTransform

from .guards import InternalsChanged, replace_required, require_version
from .languages import lang_key
from .paths import BUILD, ROOT

SPHINX_WRITTEN_FOR = ("9.0.4",)
BOOK_THEME_WRITTEN_FOR = ("1.4.0",)
MYST_NB_WRITTEN_FOR = ("1.4.0",)
TOGGLEBUTTON_WRITTEN_FOR = ("0.4.5",)
LOCALE_SRC = ROOT / "book" / "locale"
LOCALE_OUT = BUILD / "locale"
TEMPLATES_OUT = BUILD / "templates"  # the folder theme_templates puts on templates_path
STATIC_OUT = BUILD / "chrome-static"  # after sphinx-togglebutton's on html_static_path: wins

# Values that are not gettext messages. English keeps what conf.py and the extensions set.
SETTINGS: dict[str, dict[str, Any]] = {
    "zh": {
        "author": "dlnotes 作者团队",
        "copyright": "2026 dlnotes 作者团队",
        "togglebutton_hint": "点击展开",
        "togglebutton_hint_hide": "点击收起",
    },
}
# The text alternative of the figures the code draws: without one, Sphinx writes the image's
# file path (../_images/<hash>.svg), which a screen reader reads out. conf.py's value, if any, wins.
IMAGE_ALT = {"en": "Figure drawn by the code above", "zh": "上方代码绘制的图"}
SEARCH_BAR_TEXT = {"zh": "搜索本书"}  # the theme's option; en keeps the theme's "Search..."
# The name of a solution's toggle button (sphinx-togglebutton writes it in English in its script).
TOGGLE_BUTTON_LABEL = {"en": "Toggle hidden content", "zh": "显示或隐藏内容"}

# myst-nb 1.4.0's default prompts after its HideInputCells filled in {type}.
HIDDEN_CELL_PROMPTS: dict[str, dict[str, str]] = {
    "zh": {
        "Show code cell content": "显示代码单元",
        "Hide code cell content": "隐藏代码单元",
        "Show code cell source": "显示代码",
        "Hide code cell source": "隐藏代码",
        "Show code cell output": "显示输出",
        "Hide code cell output": "隐藏输出",
        "Show code cell outputs": "显示输出",
        "Hide code cell outputs": "隐藏输出",
    },
}


# ---------------------------------------------------------------- message catalogs
def compile_catalog(po: Path, mo: Path, language: str) -> Path:
    """Compile ``po`` to ``mo`` with Babel, refusing an incomplete or inconsistent catalog.

    Every message must be translated, none fuzzy, and each translation must keep the
    placeholders (``%(name)s``) of its message; the error names the file and the messages.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f, locale=language, abort_invalid=True)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if not message.string:
            problems.append(f"{message.id!r} has no translation")
        elif message.fuzzy:
            problems.append(f"{message.id!r} is marked fuzzy")
    for message, errors in catalog.check():
        problems += [f"{message.id!r}: {error}" for error in errors]
    if problems:
        raise InternalsChanged(f"The message catalog {po} is not usable: " + "; ".join(problems))
    mo.parent.mkdir(parents=True, exist_ok=True)
    tmp = mo.with_suffix(".mo.tmp")
    with tmp.open("wb") as f:
        write_mo(f, catalog)
    if mo.exists() and mo.read_bytes() == tmp.read_bytes():
        tmp.unlink()
    else:
        tmp.replace(mo)
    return mo


def catalogs_for(language: str, source: Path = LOCALE_SRC) -> list[Path]:
    """The project's ``.po`` files for ``language`` (none for English)."""
    folder = source / language / "LC_MESSAGES"
    return sorted(folder.glob("*.po")) if folder.is_dir() else []


def install_catalog(app: Sphinx, domain: str, mo: Path) -> None:
    """Make ``mo`` the first catalog consulted for ``domain``; the loaded ones become fallbacks."""
    require_version("sphinx", SPHINX_WRITTEN_FOR,
                    "Putting the project's catalogs first (sphinx.locale.translators, app.translator)")
    from sphinx import locale

    with mo.open("rb") as f:
        ours = gettext.GNUTranslations(f)
    loaded = locale.translators.get(("general", domain))
    if loaded is not None and type(loaded) is not gettext.NullTranslations:
        ours.add_fallback(loaded)
    locale.translators["general", domain] = ours
    if domain == "sphinx":
        if not hasattr(app, "translator"):
            raise InternalsChanged("Sphinx's application has no translator attribute any more")
        app.translator = ours


# ---------------------------------------------------------------- templates
BOOK_TEMPLATES = {
    "components/toggle-primary-sidebar.html": (('title="Toggle primary sidebar"',
                                                 'title="{{ _(\'Toggle primary sidebar\') }}"'),),
    "components/toggle-secondary-sidebar.html": (('title="Toggle secondary sidebar"',
                                                   'title="{{ _(\'Toggle secondary sidebar\') }}"'),),
    "components/sbt-sidebar-nav.html": (('aria-label="Main"', 'aria-label="{{ _(\'Main\') }}"'),),
    "components/author.html": (("{{ translate('By') }} {{ author }}",
                                "{{ _('By %(author)s')|format(author=author) }}"),),
    "layout.html": (('<nav aria-label="Page">', '<nav aria-label="{{ _(\'Page\') }}">'),),
}


def localised_template(name: str, original: str) -> str:
    """sphinx-book-theme's template ``name`` with its English interface text put through ``_()``."""
    text = original
    for old, new in BOOK_TEMPLATES[name]:
        text = replace_required(text, old, new,
                                f"Localising sphinx-book-theme's {name}", count=1)
    return ("{#- Generated by book/_ext/dlnotes_book/chrome.py from the installed theme: "
            "interface text through _(). -#}\n" + text)


def write_templates(config: Config, out: Path = TEMPLATES_OUT) -> None:
    require_version("sphinx-book-theme", BOOK_THEME_WRITTEN_FOR,
                    "The localised sphinx-book-theme templates (sidebar toggles, nav labels, author)")
    import sphinx_book_theme

    theme = Path(sphinx_book_theme.__file__).parent / "theme" / "sphinx_book_theme"
    for name in BOOK_TEMPLATES:
        text = localised_template(name, (theme / name).read_text(encoding="utf-8"))
        path = out / Path(name).name  # the themes include their components by bare name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    if str(out) not in config.templates_path:
        config.templates_path = [*config.templates_path, str(out)]


# ---------------------------------------------------------------- solutions' toggle buttons
def togglebutton_js(original: str) -> str:
    """sphinx-togglebutton's script with its buttons' ``aria-label`` from ``toggleButtonLabel``."""
    return replace_required(original, 'aria-label="Toggle hidden content"',
                            'aria-label="${toggleButtonLabel}"',
                            "Localising sphinx-togglebutton's button label (togglebutton.js)",
                            count=1)


def on_builder_inited(app: Sphinx) -> None:
    """Put an edited ``togglebutton.js`` on ``html_static_path`` after the extension's own."""
    require_version("sphinx-togglebutton", TOGGLEBUTTON_WRITTEN_FOR,
                    "Localising sphinx-togglebutton's button label (togglebutton.js)")
    import sphinx_togglebutton

    source = Path(sphinx_togglebutton.__file__).parent / "_static" / "togglebutton.js"
    if not any(Path(p).resolve() == source.parent.resolve() for p in app.config.html_static_path):
        raise InternalsChanged("sphinx-togglebutton no longer adds its _static folder to "
                               "html_static_path at builder-inited; update chrome.py")
    text = togglebutton_js(source.read_text(encoding="utf-8"))
    target = STATIC_OUT / "togglebutton.js"
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    app.config.html_static_path = [*app.config.html_static_path, str(STATIC_OUT)]


# ---------------------------------------------------------------- hidden cells
def translate_prompt(text: str, table: dict[str, str], where: str) -> str:
    """``text`` (a hidden-cell toggle's English text) in the page's language."""
    if text not in table:
        raise InternalsChanged(
            f"Translating hidden-cell toggles: {where} has the toggle text {text!r}, expected one "
            f"of {sorted(table)} (myst-nb's defaults); add its translation to "
            "book/_ext/dlnotes_book/chrome.py."
        )
    return table[text]


class TranslateHiddenCellPrompts(SphinxPostTransform):
    """The toggles of hidden cells in the page's language (after myst-nb's ``HideInputCells``)."""

    default_priority = 200
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        table = HIDDEN_CELL_PROMPTS.get(lang_key(self.config.language))
        if table is None:
            return
        for node in self.document.findall(nodes.Element):
            if type(node).__name__ != "HideCodeCellNode":
                continue
            for key in ("prompt_show", "prompt_hide"):
                node[key] = translate_prompt(node[key], table, self.env.docname)


# ---------------------------------------------------------------- the event
def on_config_inited(app: Sphinx, config: Config) -> None:
    key = lang_key(config.language)
    for name, value in SETTINGS.get(key, {}).items():
        setattr(config, name, value)
    config.nb_render_image_options = {"alt": IMAGE_ALT[key], **config.nb_render_image_options}
    if key in SEARCH_BAR_TEXT:
        config.html_theme_options = {**config.html_theme_options,
                                     "search_bar_text": SEARCH_BAR_TEXT[key]}
    # Before sphinx-togglebutton's own variables and script (it adds them at this event).
    label = json.dumps(TOGGLE_BUTTON_LABEL[key], ensure_ascii=False)
    app.add_js_file(None, body=f"let toggleButtonLabel = {label};")
    language = config.language or "en"
    for po in catalogs_for(language):
        mo = compile_catalog(po, LOCALE_OUT / language / "LC_MESSAGES" / (po.stem + ".mo"), language)
        install_catalog(app, po.stem, mo)
    write_templates(config)


def setup(app: Sphinx) -> None:
    require_version("myst-nb", MYST_NB_WRITTEN_FOR,
                    "Translating hidden-cell toggles after myst-nb's HideInputCells (priority 199)")
    app.connect("config-inited", on_config_inited, priority=400)
    app.connect("builder-inited", on_builder_inited, priority=600)
    app.add_post_transform(TranslateHiddenCellPrompts)
