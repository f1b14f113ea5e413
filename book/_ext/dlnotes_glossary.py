"""The glossary pages, made from the term list at build time (no hand-kept copy to drift).

``book/terms.toml`` is the single source of truth for the book's terms (``tools/terms.py``
checks the pages against it). This extension registers one directive, ``dlnotes-glossary``,
which ``book/{en,zh}/glossary.md`` use instead of writing the entries out. It builds what
Sphinx's own ``glossary`` directive builds (an ``addnodes.glossary`` holding a definition list,
each term a cross-reference target for the ``{term}`` role and an index entry), one entry per
term, sorted by the English term:

- the term shows both words: ``tensor (张量)`` on the English page, ``张量（tensor）`` on the
  Chinese one;
- the **key** is the English term in both languages, so that a page and its twin write the same
  roles (``{term}`tensor``` and ``{term}`张量 <tensor>```); the term is registered under the key
  with Sphinx's ``make_glossary_term`` and then shown with both words;
- the definition is the page language's sentence, then a link to the section that introduces
  the term (``{ref}`` to its label) and, where the book's Chinese term differs from d2l-zh's,
  the note that says why. Definitions are MyST, parsed like the page around them.

Hooks no event: the directive runs while a glossary page is read, and notes ``terms.toml`` as a
dependency of that page, so editing the list rebuilds it. Loaded by ``conf.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.domains.std import make_glossary_term
from sphinx.util.docutils import SphinxDirective
from sphinx.util.parsing import nested_parse_to_nodes

ROOT = Path(__file__).resolve().parents[2]
TERMS = ROOT / "book" / "terms.toml"
sys.path.insert(0, str(ROOT / "tools"))

import terms as term_list  # noqa: E402  (tools/terms.py: the loader and its checks)

__all__ = ["GlossaryFromTerms", "setup", "shown_term"]

SEE = {"en": "Introduced in {{ref}}`{label}`.", "zh": "见“{{ref}}`{label}`”一节。"}
NOTE = {"en": "**Chinese term.** {note}", "zh": "**译名说明**：{note}"}
JOIN = {"en": " ", "zh": ""}  # no space between Chinese sentences


def shown_term(term: term_list.Term, lang: str) -> tuple[str, str]:
    """The term as a glossary entry shows it: the page language's word, then the other one.

    Examples
    --------
    >>> t = term_list.Term("tensor", "张量", "sec-x", "d", "d")
    >>> shown_term(t, "en"), shown_term(t, "zh")
    (('tensor', ' (张量)'), ('张量', '（tensor）'))
    >>> shown_term(term_list.Term("logit", "logit", "sec-x", "d", "d"), "zh")
    ('logit', '')
    """
    if term.zh == term.en:
        return term.en, ""
    return (term.en, f" ({term.zh})") if lang == "en" else (term.zh, f"（{term.en}）")


class GlossaryFromTerms(SphinxDirective):
    """``dlnotes-glossary``: every term of ``book/terms.toml`` as a Sphinx glossary."""

    has_content = False
    required_arguments = 0
    optional_arguments = 0
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        lang = "zh" if (self.config.language or "en").startswith("zh") else "en"
        self.env.note_dependency(str(TERMS))
        source, lineno = self.get_source_info()
        glossary = addnodes.glossary()
        glossary.document = self.state.document
        glossary["sorted"] = False  # sorted here, by the English key, in both languages
        items = []
        for term in sorted(term_list.load_terms(TERMS), key=lambda t: t.en.casefold()):
            node = make_glossary_term(self.env, [nodes.Text(term.en)], None, source, lineno,
                                      node_id=None, document=self.state.document)
            word, other = shown_term(term, lang)
            index = node.children[-1]
            node.remove(node.children[0])  # the key's text; the index node stays last
            shown: list[nodes.Node] = [nodes.Text(word)]
            if other:
                shown.append(nodes.inline(other, other, classes=["dlnotes-term-other"]))
            for k, child in enumerate(shown):
                node.insert(k, child)
            index["entries"] = [("single", word + other, node["ids"][0], "main", None)]
            definition = getattr(term, f"{lang}_def") + JOIN[lang] + SEE[lang].format(label=term.label)
            lines = [definition]
            note = getattr(term, f"{lang}_note")
            if note:
                lines += ["", NOTE[lang].format(note=note)]
            body = nested_parse_to_nodes(self.state, StringList(lines, str(TERMS)),
                                         allow_section_headings=False)
            items.append(nodes.definition_list_item("", node, nodes.definition("", *body)))
        dlist = nodes.definition_list("", *items)
        dlist["classes"].append("glossary")
        glossary += dlist
        return [glossary]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("dlnotes-glossary", GlossaryFromTerms)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
