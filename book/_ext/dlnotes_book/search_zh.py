"""Chinese search that works in the browser on Sphinx 9.0.4.

Registered with Sphinx's public ``app.add_search_language`` (it replaces the built-in ``zh``
language). Two problems are fixed, both in the JavaScript that the language
contributes to ``language_data.js``:

- Sphinx 9.0.4 writes ``window.Stemmer = ChineseStemmer`` while the file defines only
  ``EnglishStemmer`` (sphinx-doc/sphinx#14229, fixed upstream by #14416), so the search page
  hangs. The stemmer really is the English one (for Latin words): a hoisted function declaration
  ``ChineseStemmer`` returns one. Once the fix is released this declaration must go, or it would
  shadow the real one: hence the version guard.
- The browser does not segment Chinese queries. ``splitQuery`` cuts a run of Chinese characters
  into the longest terms that the index itself contains; it reads the index through
  ``Search._index``, which is private to Sphinx's ``searchtools.js``, hence the guard too.

No event is hooked; :func:`setup` checks the versions and registers the language.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.search.zh import SearchChinese

from .guards import InternalsChanged, require_version

SPHINX_WRITTEN_FOR = ("9.0.4",)


class ChineseSearch(SearchChinese):
    """Sphinx's Chinese search language with a working stemmer and a query splitter."""

    js_splitter_code = r"""
// Sphinx 9.0.4 sets window.Stemmer = ChineseStemmer; a hoisted declaration gives it one.
function ChineseStemmer() { return new EnglishStemmer(); }
function splitQuery(query) {
  const index = (typeof Search !== "undefined" && Search._index) ? Search._index : null;
  const terms = index ? index.terms : {};
  const has = (t) => Object.prototype.hasOwnProperty.call(terms, t);
  const cjk = /[\u3400-\u9fff\uf900-\ufaff]/;
  const out = [];
  const runs = query.match(/[\u3400-\u9fff\uf900-\ufaff]+|[\p{L}\p{N}_]+/gu) || [];
  for (const run of runs) {
    if (!cjk.test(run) || has(run)) { out.push(run); continue; }
    let i = 0;
    while (i < run.length) {
      let j = run.length;
      while (j > i + 1 && !has(run.slice(i, j))) j--;
      out.push(run.slice(i, j));
      i = j;
    }
  }
  return out.filter((t) => t.length > 0);
}
"""


def check_search_internals() -> None:
    """Fail unless Sphinx is the version the splitter and the stemmer fix were written for.

    Besides the version, the installed ``searchtools.js`` must still keep the index in
    ``Search._index`` and ``language_data.js`` must still name ``ChineseStemmer``.
    """
    what = "The Chinese search fix (ChineseStemmer, splitQuery reading Search._index)"
    require_version("sphinx", SPHINX_WRITTEN_FOR, what)
    import sphinx

    searchtools = Path(sphinx.__file__).parent / "themes" / "basic" / "static" / "searchtools.js"
    if "Search._index" not in searchtools.read_text(encoding="utf-8"):
        raise InternalsChanged(f"{what}: {searchtools} no longer stores Search._index")


def setup(app: Sphinx) -> None:
    check_search_internals()
    app.add_search_language(ChineseSearch)
