"""pandas' tables in notebook outputs as valid, accessible HTML.

Hooks ``html-page-context``, where the page body is final HTML. A DataFrame displayed in a
notebook brings pandas' own markup (``DataFrame._repr_html_``, pandas 3.1), which has two faults:

- each table comes with ``<style scoped>``; ``scoped`` is not HTML (Nu Html Checker: "Attribute
  scoped not allowed on element style"), no browser honours it, and a ``<style>`` in the body
  must not style what comes before it. The block is removed, and its three rules, which browsers
  already applied to every ``.dataframe`` table of the page, are in ``book/_static/dlnotes.css``.
- the corner cell above the row labels is an empty header cell, ``<th></th>``, a header for
  nothing (axe: empty-table-header). It becomes an empty data cell, ``<td></td>``.

Only the known block is removed: a page with another ``<style scoped>`` stops the build, naming
the page, since pandas' markup has changed. The notebook downloads keep the outputs as pandas
wrote them.
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

STYLE = """<style scoped>
    .dataframe tbody tr th:only-of-type {
        vertical-align: middle;
    }

    .dataframe tbody tr th {
        vertical-align: top;
    }

    .dataframe thead th {
        text-align: right;
    }
</style>"""
TABLE = re.compile(r'<table border="1" class="dataframe">.*?</table>', re.DOTALL)
CORNER = re.compile(r"<th>(\s*)</th>")


def clean_dataframes(body: str, pagename: str) -> str:
    """``body`` without pandas' style blocks, its tables' empty header cells as data cells."""
    text = body.replace(STYLE, "")
    left = re.search(r"<style\b[^>]*\bscoped\b.*?(?:</style>|$)", text, re.DOTALL)
    if left:
        raise ExtensionError(
            f"{pagename}: a <style scoped> block that book/_ext/dlnotes_book/dataframes.py does not "
            f"know (pandas' markup has changed?); expected exactly {STYLE!r}, received "
            f"{left.group(0)[:300]!r}", modname="dlnotes_book")
    return TABLE.sub(lambda m: CORNER.sub(r"<td>\1</td>", m.group(0)), text)


def on_html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if "body" in context:
        context["body"] = clean_dataframes(context["body"], pagename)


def setup(app: Sphinx) -> None:
    app.connect("html-page-context", on_html_page_context)
