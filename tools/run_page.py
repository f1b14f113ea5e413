"""Execute one MyST page in a real Jupyter kernel and print its text outputs.

A quick check while writing a page (seconds, no Sphinx):

    .venv/bin/python tools/run_page.py book/en/preliminaries/ndarray.md

Cells tagged ``raises-exception`` must raise what their ``:raises:`` / ``:raises-match:``
options declare (the build's rule, ``book/_ext/dlnotes_raising.py``); an error in any other cell,
or a raising cell that breaks the rule, is reported with the cell number and exits 1. Figures are
checked for overlapping or clipped text by the kernel itself (``book/_ext/dlnotes_figures.py``),
so a bad figure is an error in its cell. Runs in a temporary directory, like the book build.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import nbclient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

from dlnotes_book import prepare_kernel_environment  # noqa: E402  (the build's kernel set-up)
from dlnotes_raising import raising_problems  # noqa: E402  (the build's rule for raising cells)
from dlnotes_book.guards import require_version  # noqa: E402
from dlnotes_book.notebooks import MYST_NB_WRITTEN_FOR  # noqa: E402

# myst_nb.core.read is not public API: the same version gate as the build's notebook reader.
require_version("myst-nb", MYST_NB_WRITTEN_FOR, "tools/run_page.py (myst_nb.core.read)")
from myst_nb.core.read import read_myst_markdown_notebook  # noqa: E402


def main(path: str) -> int:
    nb = read_myst_markdown_notebook(Path(path).read_text(encoding="utf-8"))
    prepare_kernel_environment()
    with tempfile.TemporaryDirectory() as tmp:
        client = nbclient.NotebookClient(
            nb, timeout=600, kernel_name="python3", allow_errors=True,
            resources={"metadata": {"path": tmp}},
        )
        client.execute()
    status = 0
    k = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        k += 1
        tags = cell.metadata.get("tags", [])
        head = cell.source.strip().splitlines()[:1]
        print(f"--- cell {k} {tags if tags else ''}: {head[0] if head else ''}")
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                print(out.text, end="")
            elif out.output_type in ("execute_result", "display_data"):
                data = out.get("data", {})
                kinds = sorted(data)
                if "text/plain" in data and not any(k_.startswith("image/") for k_ in kinds):
                    print(data["text/plain"])
                else:
                    print(f"[display: {', '.join(kinds)}]")
            elif out.output_type == "error":
                print(f"{out.ename}: {out.evalue}")
                if "raises-exception" not in tags:
                    print(f"!!! cell {k} of {path} raised {out.ename} without the raises-exception tag")
                    status = 1
    for problem in raising_problems(nb.cells, path):
        print(f"!!! {problem}")
        status = 1
    return status


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: run_page.py PAGE.md")
    sys.exit(main(sys.argv[1]))
