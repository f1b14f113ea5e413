"""The downloaded notebooks: plain Jupyter Markdown, code that runs without the build, and a
reader's test: the wheel from the site in a fresh environment, every notebook executed.

The conversion is tested on its own (every construct, and the faults it must refuse), on every
page of the book with stand-in references (so a new page's MyST is covered before a build), in a
small build of our own, and on the built site (``built_site``, marked ``book``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
sys.path.insert(0, str(ROOT / "tools"))

import pages  # noqa: E402
from dlnotes_book import notebooks, site_url  # noqa: E402
from dlnotes_book.notebook_markdown import (  # noqa: E402
    ConversionError,
    Context,
    convert,
    myst_leftovers,
)


# ---------------------------------------------------------------- the conversion on its own
def fake_context(lang: str = "en") -> Context:
    titles = {"sec-a": "Calculus", "sec-b": "安装", "other": "Other page"}

    def link(role: str, target: str) -> tuple[str, str]:
        if role == "eq":
            return "3", f"https://site/{lang}/p.html#equation-{target}"
        if target not in titles:
            raise ConversionError(f"no such label {target}")
        return titles[target], f"https://site/{lang}/{target}.html#{target}"

    def glue(kind: str, key: str, fmt: str) -> str:
        from myst_nb.core.variables import format_plain_text

        values = {"v": "1234.5678", "word": "'tensor'", "table": "| a |\n|---|\n| 1 |"}
        return values[key] if kind == "md" else format_plain_text(values[key], fmt or "s")

    def include(argument: str, options: dict[str, str]) -> tuple[str, str]:
        return f"def {options.get('pyobject', 'f')}():\n    return 1\n", options.get("language", "")

    return Context(lang=lang, link=link, glue=glue, include=include,
                   equation_number=lambda label: 7 if label == "eq-x" else None,
                   anchor=lambda label: "https://site/x.html#a" if label == "sec-a" else None,
                   page_url=lambda path: "https://site/en/other.html" if "other" in path else None)


PAGE = """(sec-x)=
# Title

See {ref}`sec-a`, {ref}`the page <sec-b>`, {doc}`other` and {eq}`eq-x`: {glue:text}`v:,.1f`
and {glue:text}`word`, {math}`x^2`, H{sub}`2`O, [a link](#sec-a), [page](other.md).
Code `{ref}`x`` and math $\\{a\\}$ stay.
% a comment

```{admonition} Solution to exercise 1
:class: dropdown

Body with {glue:text}`v:.0f`.
```

```{admonition} Why it works
The reason.
```

```{note}
A note.
```

:::{tip}
A tip.
:::

$$
a = b
$$ (eq-x)

```{math}
:label: eq-y
c = d
```

```{literalinclude} ../src/x.py
:pyobject: g
:language: python
```

```{code-block} python
{ref}`not-a-role-in-code`
```

{glue:md}`table`
"""


def test_every_construct_becomes_plain_markdown() -> None:
    out = convert(PAGE, fake_context())
    assert myst_leftovers(out) == [], myst_leftovers(out)
    assert "(sec-x)=" not in out and "% a comment" not in out
    assert "See [Calculus](https://site/en/sec-a.html#sec-a), [the page](https://site/en/sec-b.html#sec-b)" in out
    assert "[Other page](https://site/en/other.html#other) and [(3)](https://site/en/p.html#equation-eq-x)" in out
    assert ": 1,234.6\nand tensor, $x^2$, H<sub>2</sub>O" in out
    assert "[a link](https://site/x.html#a), [page](https://site/en/other.html)." in out
    assert "Code `{ref}`x`` and math $\\{a\\}$ stay." in out  # code and math are left alone
    assert "<details>\n<summary>Solution to exercise 1</summary>\n\nBody with 1235.\n\n</details>" in out
    assert "> **Why it works**\n>\n> The reason." in out
    assert "> **Note**\n>\n> A note." in out and "> **Tip**\n>\n> A tip." in out
    assert "$$\na = b\n\\tag{7}\n$$" in out
    assert "$$\nc = d\n$$" in out
    assert "```python\ndef g():\n    return 1\n```" in out
    assert "```python\n{ref}`not-a-role-in-code`\n```" in out
    assert "| a |\n|---|\n| 1 |" in out


def test_chinese_text_is_joined_as_in_the_html() -> None:
    zh = fake_context("zh")
    out = convert("见 {ref}`sec-b` 一节，张量是\n多维数组，\n`x` 和 {ref}`sec-a` 的\n- 列表\n\n```{note}\n注\n意\n```", zh)
    assert out.startswith("见[安装](https://site/zh/sec-b.html#sec-b)一节，张量是多维数组，`x` 和 "
                          "[Calculus](https://site/zh/sec-a.html#sec-a) 的\n- 列表")
    assert "> **注意**\n>\n> 注意" in out
    assert convert("目标用\n**二元交叉熵**，\n*强调*\n和", zh) == "目标用**二元交叉熵**，*强调*和"
    # joined, "用**[" could not open bold, nor ")**和" or "。**如" close it: those breaks stay
    assert convert("目标用\n**{ref}`sec-b`**\n和", zh) == \
        "目标用\n**[安装](https://site/zh/sec-b.html#sec-b)**\n和"
    assert convert("**对齐。**\n如果", zh) == "**对齐。**\n如果"
    assert convert("张量是\n多维数组", fake_context("en")) == "张量是\n多维数组"


@pytest.mark.parametrize(("source", "message"), [
    ("```{figure} x.png\n```", "directive {figure}"),
    ("```{eval-rst}\n.. note:: x\n```", "directive {eval-rst}"),
    ("{download}`x.csv`", "role {download}"),
    ("{ref}`sec-missing`", "no such label sec-missing"),
    ("[p](missing.md)", "does not resolve"),
])
def test_what_has_no_plain_form_is_refused(source: str, message: str) -> None:
    with pytest.raises(ConversionError, match=re.escape(message)):
        convert(source, fake_context())


@pytest.mark.parametrize(("markdown", "kind"), [
    ("See {ref}`sec-a`.", "role"),
    ("text {glue:text}`v:.2f` text", "role"),
    ("(sec-a)=\n# T", "label"),
    ("```{note}\nx\n```", "directive fence"),
    (":::{note}\nx\n:::", "directive fence"),
    (":::\nx\n:::", "colon fence"),
    ("% comment", "MyST comment"),
    ("```{note}\n\n:class: tip\n```", "directive option"),
])
def test_leftover_myst_is_found(markdown: str, kind: str) -> None:
    assert [f for f in myst_leftovers(markdown) if f.startswith(kind + ":")], myst_leftovers(markdown)


def test_code_and_math_are_not_leftovers() -> None:
    plain = ("Use `{ref}` in MyST, ``{ref}`x` `` too; $\\{x\\}$ and\n$$\n{a}`b`\n$$\n"
             "```text\n(label)=\n% not a comment\n```\n~~~\n{ref}`x`\n~~~\n")
    assert myst_leftovers(plain) == []


def test_every_page_of_the_book_converts() -> None:
    """Each Markdown cell of every page (both languages, Part III included as it lands), with
    stand-ins for what the build resolves: nothing is refused and nothing MyST-only is left."""
    def link(role: str, target: str) -> tuple[str, str]:
        return "Title", "https://site/page.html"

    def include(argument: str, options: dict[str, str]) -> tuple[str, str]:
        return "code\n", options.get("language", "")

    checked = 0
    for lang in ("en", "zh"):
        ctx = Context(lang=lang, link=link, glue=lambda kind, key, fmt: "1.0", include=include,
                      anchor=lambda label: "https://site/page.html#a",
                      page_url=lambda path: "https://site/page.html")
        for md in sorted(pages.pages(lang)):
            src = pages.BOOK / lang / md
            if not notebooks.is_notebook(src):
                continue
            for cell in markdown_cells(src.read_text(encoding="utf-8")):
                out = convert(cell, ctx)
                assert myst_leftovers(out) == [], f"{lang}/{md}: {myst_leftovers(out)}"
            checked += 1
    assert checked >= 30


def markdown_cells(text: str) -> list[str]:
    """The Markdown between the code cells of a MyST notebook page (front matter removed)."""
    if text.startswith("---\n"):
        text = text[text.index("\n---", 4) + 4 :]
    return re.split(r"^```\{code-cell\}[^\n]*\n.*?^```[ \t]*$", text, flags=re.M | re.S)


# ---------------------------------------------------------------- for readers, without a build
def fake_app(lang: str = "en") -> Any:
    domain = SimpleNamespace(labels={}, anonlabels={}, objects={}, equations={})
    env = SimpleNamespace(get_domain=lambda name: domain, titles={}, all_docs={"p": 0},
                          doc2path=lambda docname: f"/book/{lang}/{docname}.md",
                          relfn2path=lambda arg, doc: (arg, arg))
    return SimpleNamespace(env=env, config=SimpleNamespace(language=lang))


def glued_notebook(code: str) -> Any:
    cell = nbformat.v4.new_code_cell(code)
    cell.outputs = [nbformat.v4.new_output(
        "display_data", data={"application/papermill.record/text/plain": "0.125"},
        metadata={"scrapbook": {"name": "half", "mime_prefix": "application/papermill.record/"}})]
    return nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("(sec-p)=\n# P\n\nA value: {glue:text}`half:.2f`."), cell,
        nbformat.v4.new_code_cell("import pandas as pd\nfrom sklearn import datasets")])


def test_a_download_explains_itself_and_runs_without_myst_nb() -> None:
    code = "import math\nfrom myst_nb import glue\nif True:\n    from myst_nb import glue  # again\nglue('half', 0.125, display=False)\nglue('shown', 2)"
    nb = notebooks.for_readers(fake_app(), "p", glued_notebook(code))
    intro = nb.cells[0]
    assert intro.cell_type == "markdown" and "dlnotes-intro" in intro.metadata["tags"]
    assert f"pip install {site_url()}dist/dlnotes-{notebooks.dlnotes_version()}-py3-none-any.whl pandas scikit-learn" in intro.source
    assert "you need PyTorch, the book's package `dlnotes`, pandas and scikit-learn" in intro.source
    assert f"torch {notebooks.installed_version('torch')} and dlnotes {notebooks.dlnotes_version()}" in intro.source
    assert nb.cells[1].source == "# P\n\nA value: 0.12."
    shown: list[Any] = []
    namespace: dict[str, Any] = {}
    blocked = {"myst_nb": None}  # `import myst_nb` raises ImportError, as for a reader
    saved = {k: sys.modules.get(k) for k in blocked}
    sys.modules.update(blocked)  # type: ignore[arg-type]
    try:
        import IPython.display

        original = IPython.display.display
        IPython.display.display = lambda value: shown.append(value)  # type: ignore[assignment]
        try:
            exec(nb.cells[2].source, namespace)  # noqa: S102
        finally:
            IPython.display.display = original
    finally:
        for key, value in saved.items():
            if value is None:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = value
    assert shown == [2]  # glue(..., display=True) still shows its value; display=False shows nothing
    zh = notebooks.for_readers(fake_app("zh"), "p", glued_notebook("x = 1"))
    assert zh.cells[0].source.startswith("**运行本笔记本**需要 PyTorch、本书的配套包 `dlnotes`、pandas、scikit-learn。")


@pytest.mark.parametrize(("markdown", "code", "message"), [
    ("x", "import myst_nb\nmyst_nb.glue('a', 1)", "uses myst_nb other than"),
    ("x", "from myst_nb import glue, glue_figure", "uses myst_nb other than"),
    ("```{note}\n\n:class: tip\n```", "x = 1", "still has MyST-only syntax"),
    ("```{figure} a.png\n```", "x = 1", "Markdown cell 0: the directive {figure}"),
    ("{glue:text}`missing`", "x = 1", "glue key 'missing' is not glued"),
])
def test_a_download_that_would_not_run_or_read_fails_the_build(markdown: str, code: str, message: str) -> None:
    from sphinx.errors import ExtensionError

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown),
                                         nbformat.v4.new_code_cell(code)])
    with pytest.raises(ExtensionError, match=re.escape(message)) as info:
        notebooks.for_readers(fake_app(), "p", nb)
    assert "/book/en/p.md" in str(info.value)


def test_the_wheel_url_placeholder_is_replaced() -> None:
    source = ["pip install |dlnotes-wheel-url|"]
    notebooks.on_source_read(None, "installation", source)  # type: ignore[arg-type]
    assert source == [f"pip install {site_url()}dist/dlnotes-{notebooks.dlnotes_version()}-py3-none-any.whl"]
    for lang in ("en", "zh"):
        text = (ROOT / "book" / lang / "installation.md").read_text(encoding="utf-8")
        assert "pip install |dlnotes-wheel-url|" in text
        assert "pandas" in text and "scikit-learn" in text


# ---------------------------------------------------------------- a small build of our own
SMALL = """---
file_format: mystnb
kernelspec:
  name: python3
  display_name: Python 3
---
(sec-main)=
# Main

See {ref}`sec-other` and {doc}`other`.

```{code-cell} python3
:tags: [remove-cell]
from myst_nb import glue
import math
glue("pi", math.pi, display=False)
```

Pi is {glue:text}`pi:.3f`.

```{code-cell} python3
:tags: [raises-exception]
:raises: ZeroDivisionError
1 / 0
```

$$
x = 1
$$ (eq-one)

By {eq}`eq-one`.

```{admonition} Solution to exercise 1
:class: dropdown

Because of {glue:text}`pi:.1f`.
```

```{literalinclude} helper.py
:pyobject: f
:language: python
```

```{toctree}
:hidden:
other
```
"""


def small_build(tmp_path: Path, index: str, *extra: str) -> subprocess.CompletedProcess[str]:
    src = tmp_path / "en"
    src.mkdir()
    (src / "index.md").write_text(index, encoding="utf-8")
    (src / "other.md").write_text("(sec-other)=\n# Other page\n\ntext\n", encoding="utf-8")
    (src / "helper.py").write_text("def g():\n    pass\n\n\ndef f():\n    return 1\n", encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(ROOT), "-n", "-W", "--keep-going",
         "-d", str(tmp_path / "doctrees"), *extra, str(src), str(tmp_path / "out")],
        cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "DLNOTES_CACHE_DIR": str(tmp_path / "cache"),
             "DLNOTES_SITE_URL": "https://example.org/book"},
    )


@pytest.mark.slow
@pytest.mark.book
def test_a_small_build_writes_a_plain_notebook(tmp_path: Path) -> None:
    proc = small_build(tmp_path, SMALL)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    nb = nbformat.read(tmp_path / "out" / "_notebooks" / "index.ipynb", as_version=4)
    nbformat.validate(nb)
    text = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert myst_leftovers(text) == []
    assert "pip install https://example.org/book/dist/dlnotes-" in nb.cells[0].source
    assert ("See [Other page](https://example.org/book/en/other.html#sec-other) and "
            "[Other page](https://example.org/book/en/other.html).") in text
    assert "Pi is 3.142." in text and "Because of 3.1." in text
    assert "$$\nx = 1\n\\tag{1}\n$$" in text and "By [(1)](https://example.org/book/en/index.html#equation-eq-one)." in text
    assert "<details>\n<summary>Solution to exercise 1</summary>" in text
    assert "```python\ndef f():\n    return 1\n```" in text
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].source.startswith("try:\n    from myst_nb import glue\nexcept ImportError:")
    assert code[1].metadata["tags"] == ["raises-exception"] and code[1].outputs[0].ename == "ZeroDivisionError"
    # Cell ids come from the cells' places, so two builds write the same bytes (nbformat's own
    # ids are random); a second build into a fresh folder gives the same file.
    assert [c.id for c in nb.cells] == ["dlnotes-run-this-notebook"] + [f"cell-{i}" for i in range(len(nb.cells) - 1)]
    again = tmp_path / "again"
    again.mkdir()
    proc = small_build(again, SMALL)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert ((again / "out" / "_notebooks" / "index.ipynb").read_bytes()
            == (tmp_path / "out" / "_notebooks" / "index.ipynb").read_bytes())


@pytest.mark.slow
@pytest.mark.book
def test_a_page_the_download_cannot_convert_fails_the_build(tmp_path: Path) -> None:
    page = SMALL.split("```{code-cell}")[0] + "```{figure} missing.png\nA caption.\n```\n\n```{toctree}\n:hidden:\nother\n```\n"
    proc = small_build(tmp_path, page, "-D", "nb_execution_mode=off")
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "index.md: notebook download, Markdown cell 0: the directive {figure} has no plain-Markdown form" in log, log[-3000:]


# ---------------------------------------------------------------- the built site
def downloaded(site: Path, lang: str) -> list[Path]:
    return sorted((site / lang / "_notebooks").rglob("*.ipynb"))


def unrendered_emphasis(markdown: str) -> list[str]:
    """``**`` or ``*`` that a CommonMark renderer (as Jupyter's) leaves as text: emphasis that
    failed to open or close, outside code and math."""
    from markdown_it import MarkdownIt

    # Maths becomes a placeholder letter, not nothing: "**因子是 $x$**：" must still close its bold.
    text = re.sub(r"\$\$.*?\$\$", "M", markdown, flags=re.S)
    text = re.sub(r"\$[^$\n]+\$", "M", text)
    html = MarkdownIt("commonmark").enable("table").render(text)
    html = re.sub(r"<(code|pre)>.*?</\1>", "", html, flags=re.S)
    return re.findall(r"[^\n]{0,30}(?:\*\*|(?<![\w*])\*(?=\S))[^\n]{0,30}", html)


def test_unrendered_emphasis_is_found() -> None:
    assert unrendered_emphasis("目标用**[安装](u)**和") and unrendered_emphasis("**对齐。**如果")
    assert unrendered_emphasis("目标用\n**[安装](u)**\n和 `**x**` $a*b*c$") == []
    assert unrendered_emphasis(": **因子是 $1 - \\eta \\lambda$**：曲率") == []


@pytest.mark.book
def test_downloaded_notebooks_read_as_plain_jupyter(built_site: Path) -> None:
    version = notebooks.dlnotes_version()
    wheel = f"{site_url()}dist/dlnotes-{version}-py3-none-any.whl"
    for lang in ("en", "zh"):
        found = downloaded(built_site, lang)
        assert len(found) >= 17, found
        for path in found:
            nb = nbformat.read(path, as_version=4)
            nbformat.validate(nb)
            assert f"pip install {wheel}" in nb.cells[0].source, path
            assert f"dlnotes {version}" in nb.cells[0].source, path
            for cell in nb.cells:
                if cell.cell_type == "markdown":
                    assert myst_leftovers(cell.source) == [], f"{path}: {myst_leftovers(cell.source)}"
                    assert unrendered_emphasis(cell.source) == [], path
                else:
                    assert "myst_nb" not in cell.source or "except ImportError:" in cell.source, path


@pytest.mark.book
def test_the_site_publishes_the_wheel_the_installation_page_names(built_site: Path) -> None:
    name = f"dlnotes-{notebooks.dlnotes_version()}-py3-none-any.whl"
    assert (built_site / "dist" / name).is_file()
    assert [p.name for p in (built_site / "dist").glob("*.whl")] == [name]
    for lang in ("en", "zh"):
        page = (built_site / lang / "installation.html").read_text(encoding="utf-8")
        assert f"pip install {site_url()}dist/{name}" in re.sub(r"<[^>]+>", "", page)
        assert "|dlnotes-wheel-url|" not in page


def test_the_wheel_is_published_without_network(tmp_path: Path) -> None:
    import finish_site

    old = tmp_path / "dist" / "dlnotes-0.0.1-py3-none-any.whl"
    old.parent.mkdir()
    old.write_bytes(b"old")
    wheel = finish_site.publish_wheel(tmp_path)
    assert wheel == tmp_path / "dist" / f"dlnotes-{notebooks.dlnotes_version()}-py3-none-any.whl"
    assert not old.exists()  # an older wheel is replaced
    first = wheel.read_bytes()
    assert finish_site.publish_wheel(tmp_path).read_bytes() == first  # same source, same bytes
    import zipfile

    assert "dlnotes/py.typed" in zipfile.ZipFile(wheel).namelist()


# ---------------------------------------------------------------- as a reader would
RUNNER = r"""
import json, sys, tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

results = {}
probe = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import sys; print(sys.prefix)")])
NotebookClient(probe, kernel_name="python3", timeout=60).execute()
results["kernel prefix"] = probe.cells[0].outputs[0]["text"].strip()
for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as cwd:
        client = NotebookClient(nb, kernel_name="python3", timeout=600,
                                resources={"metadata": {"path": cwd}})
        try:
            client.execute()
            results[path] = "ok"
        except CellExecutionError as exc:
            results[path] = str(exc)[-1500:]
        except Exception as exc:
            results[path] = f"{type(exc).__name__}: {exc}"[-1500:]
print("RESULTS " + json.dumps(results))
"""


def reader_env() -> dict[str, str]:
    """The environment of a reader: none of the build's or the tests' variables."""
    drop = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "IPYTHONDIR", "MPLBACKEND",
            "TQDM_DISABLE", "PYTHONHASHSEED", "JUPYTER_PATH", "JUPYTER_CONFIG_DIR")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("DLNOTES_")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    # Two notebooks run at once on the test machine; one thread each keeps them from fighting.
    env["OMP_NUM_THREADS"] = "1"
    return env


@pytest.mark.slow
@pytest.mark.book
def test_every_downloaded_notebook_runs_in_a_fresh_environment(built_site: Path, tmp_path: Path) -> None:
    """torch, the wheel from the site and the extras the installation page names (pandas,
    scikit-learn), plus ipykernel and nbclient to run them: no myst-nb, no Sphinx, no kernel
    configuration. Every notebook of both languages runs top to bottom (``raises-exception``
    cells may raise, as in Jupyter)."""
    from test_wheel import _pins, _run, _torch_spec

    wheel = next((built_site / "dist").glob("dlnotes-*.whl"))
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    python = str(venv / "bin" / "python")
    _run([python, "-m", "pip", "install", "--quiet", "--only-binary", ":all:", _torch_spec()], cwd=tmp_path)
    torch_version = _run([python, "-c", "import torch; print(torch.__version__)"], cwd=tmp_path).split()[-1]
    pins = _pins()
    constraints = tmp_path / "constraints.txt"
    constraints.write_text(f"torch=={torch_version}\n" + "".join(f"{k}=={v}\n" for k, v in pins.items()))
    _run([python, "-m", "pip", "install", "--quiet", "-c", str(constraints), str(wheel), "pandas",
          "scikit-learn", "ipykernel", "nbclient"], cwd=tmp_path)
    listed = {p["name"].lower() for p in json.loads(
        _run([python, "-m", "pip", "list", "--format=json"], cwd=tmp_path).strip().splitlines()[-1])}
    assert not listed & {"myst-nb", "sphinx", "jupyter-cache", "tqdm"}, listed

    procs = {}
    for lang in ("en", "zh"):  # the two languages at once, one kernel each
        files = [str(p) for p in downloaded(built_site, lang)]
        procs[lang] = subprocess.Popen([python, "-c", RUNNER, *files], cwd=tmp_path, env=reader_env(),
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    failures = []
    for lang, proc in procs.items():
        out, err = proc.communicate(timeout=1500)
        line = next((x for x in out.splitlines() if x.startswith("RESULTS ")), None)
        assert line, f"{lang}: the runner failed ({proc.returncode}):\n{out[-3000:]}\n{err[-3000:]}"
        results = json.loads(line[len("RESULTS "):])
        assert Path(results.pop("kernel prefix")).resolve() == venv.resolve()
        assert len(results) == len(downloaded(built_site, lang))
        failures += [f"{Path(p).relative_to(built_site)}:\n{r}" for p, r in results.items() if r != "ok"]
    assert failures == [], "\n\n".join(failures)


@pytest.mark.slow
def test_the_runner_fails_a_notebook_that_raises_untagged(tmp_path: Path) -> None:
    """The reader test's runner: an untagged error (a missing package, say) is a failure; an
    error in a ``raises-exception`` cell is not."""
    tagged = nbformat.v4.new_code_cell("1 / 0")
    tagged.metadata["tags"] = ["raises-exception"]
    good = nbformat.v4.new_notebook(cells=[tagged, nbformat.v4.new_code_cell("print('after')")])
    bad = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import myst_nb_is_not_here")])
    for name, nb in (("good", good), ("bad", bad)):
        nbformat.write(nb, tmp_path / f"{name}.ipynb")
    proc = subprocess.run([sys.executable, "-c", RUNNER, str(tmp_path / "good.ipynb"),
                           str(tmp_path / "bad.ipynb")], cwd=tmp_path, env=reader_env(),
                          capture_output=True, text=True, timeout=300)
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULTS "))
    results = json.loads(line[len("RESULTS "):])
    assert results[str(tmp_path / "good.ipynb")] == "ok"
    assert "ModuleNotFoundError" in results[str(tmp_path / "bad.ipynb")]


def test_terms_resolve_as_sphinx_resolves_them() -> None:
    """The exact term first, else ignoring case ({term}`Jacobian` finds the entry "jacobian")."""
    app = fake_app()
    app.env.get_domain("std").objects = {("term", "jacobian"): ("glossary", "term-jacobian"),
                                         ("term", "Adam"): ("glossary", "term-Adam"),
                                         ("term", "adam"): ("glossary", "term-adam-lower")}
    ctx = notebooks.markdown_context(app, "p", nbformat.v4.new_notebook())
    assert ctx.link("term", "Jacobian") == ("Jacobian", f"{site_url()}en/glossary.html#term-jacobian")
    assert ctx.link("term", "adam")[1].endswith("#term-adam-lower")
    assert convert("the {term}`Jacobians <jacobian>`", ctx) == \
        f"the [Jacobians]({site_url()}en/glossary.html#term-jacobian)"
    with pytest.raises(ConversionError, match="no such glossary term"):
        ctx.link("term", "Hessian")


def test_a_selfcheck_becomes_question_options_and_a_folded_answer() -> None:
    from dataclasses import replace

    choice = ":::{selfcheck}\n:answer: k\nWhich {ref}`sec-a`?\n\n(a) one\n: No: it is two.\n\n(b) two\n: Right.\n:::"
    out = convert(choice, replace(fake_context("en"), glue=lambda kind, key, fmt: "b"))
    assert out == (
        "**Check yourself:** Which [Calculus](https://site/en/sec-a.html#sec-a)?\n\n- **(a)** one\n- **(b)** two\n\n"
        "<details>\n<summary>Answer</summary>\n\nThe right answer is (b)\n\n**(a)** No: it is two.\n\n"
        "**(b)** Right.\n\n</details>"
    )
    number = ":::{selfcheck}\n:answer: v\n:tolerance: 0.01\n多少？\n\n: 数一数。\n:::"
    out = convert(number, fake_context("zh"))
    assert out.endswith("正确答案是 1234.57（误差不超过 0.01）\n\n数一数。\n\n</details>")
    assert myst_leftovers(out) == []
    with pytest.raises(ConversionError, match=r"selfcheck: option letters must be \(a\)"):
        convert(choice.replace("(b) two", "(c) two"), fake_context("en"))
    with pytest.raises(ConversionError, match="not a number"):
        convert(number.replace(":answer: v", ":answer: word"), fake_context("zh"))
