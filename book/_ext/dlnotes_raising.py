"""A cell shown failing must fail, and fail the way the page says.

myst-nb lets a cell tagged ``raises-exception`` raise, but does not require it: were a library
change to make such a cell pass, the prose around it would be wrong and the build green. So each
tagged cell declares what it raises, in two option lines that become its metadata::

    ```{code-cell} ipython3
    :tags: [raises-exception]
    :raises: RuntimeError
    :raises-match: grad can be implicitly created only for scalar outputs
    y.backward()
    ```

:func:`raising_problems` is the rule, over a notebook's executed cells: a tagged cell must have an
error output whose ``ename`` is ``:raises:`` and whose ``evalue`` contains ``:raises-match:``
(optional, a plain substring); a tagged cell without ``:raises:``, and a ``:raises:`` on an untagged
cell, are errors too. (The option values are YAML, as for every cell option: quote a fragment that
holds ``: `` or starts with a quote or bracket.) The same rule serves two callers:

- ``tools/run_page.py``, which executes one page in seconds while it is written;
- this module as a Sphinx extension: it hooks ``env-check-consistency`` (every build, after all
  pages are read, whether or not a page was re-read), reads each notebook page as myst-nb read it,
  takes its outputs from the execution cache through jupyter-cache's public
  ``merge_match_into_notebook``, and logs one warning per problem, located at the page, so
  ``-W`` fails the build. A page with such cells but no outputs to check (execution off, or the
  page failed) is a warning as well: unchecked is not passed.

No Sphinx import at module level: the rule runs without Sphinx.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["TAG", "declares_raising", "raising_problems", "setup"]

TAG = "raises-exception"


def _first_line(source: str) -> str:
    lines = [s for s in source.strip().splitlines() if s.strip()]
    return lines[0].strip() if lines else ""


def _code_cells(cells: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [c for c in cells if c.get("cell_type") == "code"]


def declares_raising(cell: Mapping[str, Any]) -> bool:
    """Whether a cell is tagged ``raises-exception`` or declares ``:raises:``/``:raises-match:``."""
    meta = cell.get("metadata", {})
    return TAG in (meta.get("tags") or []) or "raises" in meta or "raises-match" in meta


def raising_problems(cells: Iterable[Mapping[str, Any]], where: str = "") -> list[str]:
    """Every way the raising cells of an executed notebook break the rule, one message each.

    Parameters
    ----------
    cells
        The notebook's cells (nbformat cells, or dicts shaped like them), executed: a code cell's
        ``outputs`` are what it printed and raised.
    where
        The page, put at the start of each message (``"book/en/x.md"``; default ``""``).

    Returns
    -------
    list of str
        Empty when every cell keeps the rule. Each message names the page, the code cell (its
        1-based position among the page's code cells) and its first source line.

    Examples
    --------
    >>> cell = {"cell_type": "code", "source": "1 / 0",
    ...         "metadata": {"tags": ["raises-exception"], "raises": "ZeroDivisionError"},
    ...         "outputs": [{"output_type": "error", "ename": "ZeroDivisionError",
    ...                      "evalue": "division by zero"}]}
    >>> raising_problems([cell], "p.md")
    []
    >>> cell["outputs"] = []
    >>> raising_problems([cell], "p.md")
    ['p.md: code cell 1 (1 / 0) must raise ZeroDivisionError but ran without error']
    """
    prefix = f"{where}: " if where else ""
    problems = []
    for k, cell in enumerate(_code_cells(cells), start=1):
        meta = cell.get("metadata", {})
        tagged = TAG in (meta.get("tags") or [])
        raises = meta.get("raises")
        match = meta.get("raises-match")
        name = f"{prefix}code cell {k} ({_first_line(str(cell.get('source', '')))})"
        if not tagged:
            if raises is not None or match is not None:
                problems.append(f"{name} declares :raises: or :raises-match: but is not tagged {TAG}")
            continue
        if raises is None:
            problems.append(
                f"{name} is tagged {TAG} but does not declare what it raises: add an option line "
                "`:raises: ExceptionName` (and `:raises-match: part of the message`)"
            )
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if not errors:
            problems.append(f"{name} must raise {raises} but ran without error")
            continue
        ename, evalue = str(errors[0].get("ename", "")), str(errors[0].get("evalue", ""))
        if ename != str(raises):
            problems.append(f"{name} must raise {raises} but raised {ename}: {evalue}")
        elif match is not None and str(match) not in evalue:
            problems.append(
                f"{name} raised {ename} as declared, but its message lacks {str(match)!r}: {evalue}"
            )
    return problems


# ------------------------------------------------------------------------------ Sphinx side
def check_pages(app: Any, env: Any) -> None:
    """``env-check-consistency``: apply :func:`raising_problems` to every notebook page."""
    from jupyter_cache import get_cache
    from sphinx.util import logging

    from dlnotes_book.notebooks import is_notebook, read_like_myst_nb

    logger = logging.getLogger(__name__)
    cache = None
    for docname in sorted(env.found_docs):
        src = Path(env.doc2path(docname))
        if not is_notebook(src):
            continue
        nb = read_like_myst_nb(app, src)
        if not any(declares_raising(c) for c in _code_cells(nb.cells)):
            continue
        mode = app.config.nb_execution_mode
        if mode != "cache":
            logger.warning(
                f"its raises-exception cells are not checked: nb_execution_mode is {mode!r}, and "
                "this check reads the outputs from the execution cache (mode 'cache')",
                location=docname, type="dlnotes", subtype="raises",
            )
            continue
        if cache is None:
            cache = get_cache(app.config.nb_execution_cache_path)
        try:
            _, nb = cache.merge_match_into_notebook(nb)
        except KeyError:
            logger.warning(
                "its raises-exception cells are not checked: the execution cache has no record "
                "of this page (did it fail to execute?)",
                location=docname, type="dlnotes", subtype="raises",
            )
            continue
        for problem in raising_problems(nb.cells):
            logger.warning(problem, location=docname, type="dlnotes", subtype="raises")


def setup(app: Any) -> dict[str, Any]:
    app.connect("env-check-consistency", check_pages)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
