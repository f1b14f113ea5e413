"""The term list, the terminology and Chinese-typography lint (``tools/terms.py``) and the
glossary pages made from the list (``book/_ext/dlnotes_glossary.py``).

The lint runs over the whole book; each rule is then broken on a copy of a page and the message
(page, line, what to write instead) is asserted. The glossary is built in a small book of its own.
"""

from __future__ import annotations

import doctest
import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import dlnotes_glossary  # noqa: E402
import pages  # noqa: E402
import terms  # noqa: E402
from test_book import sphinx  # noqa: E402


@pytest.mark.parametrize("module", [terms, dlnotes_glossary], ids=lambda m: m.__name__)
def test_the_docstring_examples_hold(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)  # type: ignore[arg-type]
    assert result.attempted > 0 and result.failed == 0


# ---------------------------------------------------------------- the book as it is
def test_the_book_passes_the_terminology_lint() -> None:
    found = terms.problems()
    assert found == [], "\n".join(found)


def test_the_term_list_is_complete_and_well_formed() -> None:
    listed = terms.load_terms()
    assert len(listed) >= 80
    for t in listed:
        assert t.en_def.rstrip().endswith("."), t.en
        assert t.zh_def.rstrip().endswith("。"), t.en
        assert bool(t.en_note) == bool(t.zh_note), f"{t.en}: a note in one language only"
    by_en = {t.en: t for t in listed}
    # the book's fixed choices (CONTRIBUTING, the zh review)
    for en, zh, banned in [
        ("noise floor", "噪声下限", ["噪声底", "噪声水平"]),
        ("pre-activation", "预激活值", ["激活前值"]),
        ("early stopping", "早停", ["提前停止"]),
        ("batch normalisation", "批量规范化", ["批量归一化"]),
        ("NaN", "非数", []),
        ("logit", "logit", []),
        ("stride", "步幅", []),
        ("one-hot encoding", "独热编码", []),
    ]:
        assert by_en[en].zh == zh
        assert set(banned) <= set(by_en[en].zh_avoid)
    assert "optimiser" in by_en["optimizer"].en_avoid


def test_every_term_is_marked_where_it_is_introduced_in_both_languages() -> None:
    listed = terms.load_terms()
    for lang in pages.LANGUAGES:
        marked = {k for rel in pages.pages(lang)
                  for k in terms.term_keys((pages.BOOK / lang / rel).read_text(encoding="utf-8"))}
        assert {t.en for t in listed} <= marked, lang


# ---------------------------------------------------------------- fault injection
@pytest.fixture
def book_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "book"
    for lang in pages.LANGUAGES:
        shutil.copytree(pages.BOOK / lang, dst / lang)
    shutil.copy(pages.BOOK / "terms.toml", dst / "terms.toml")
    return dst


def new_problems(book: Path, lang: str, rel: str, line: str) -> tuple[list[str], int]:
    """Append ``line`` to a copy of a page; the lint's new findings and the line's number."""
    before = terms.problems(book)
    page = book / lang / rel
    text = page.read_text(encoding="utf-8")
    page.write_text(text + "\n" + line + "\n", encoding="utf-8")
    number = text.count("\n") + 2
    return [p for p in terms.problems(book) if p not in before], number


ZH = "preliminaries/calculus.md"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("这里用了批量归一化。", "uses '批量归一化'; the book's term is 批量规范化 (batch normalisation)"),
        ("损失停在噪声底附近。", "uses '噪声底'; the book's term is 噪声下限 (noise floor)"),
        ("损失停在噪声水平附近。", "uses '噪声水平'; the book's term is 噪声下限 (noise floor)"),
        ("看看激活前值的分布。", "uses '激活前值'; the book's term is 预激活值 (pre-activation)"),
        ("看看预激活的分布。", "uses '预激活'; the book's term is 预激活值 (pre-activation)"),
        ("于是提前停止训练。", "uses '提前停止'; the book's term is 早停 (early stopping)"),
        ("`NaN` 不是数。", "uses '不是数'; the book's term is 非数 (NaN)"),
        ("它输出 k 个 logits。", "uses 'logits'; the book's term is logit (logit)"),
        ("批量规范化（batch normalization）的层。",
         "uses 'batch normalization'; the book's term is 批量规范化 (batch normalisation)"),
    ],
)
def test_a_ruled_out_chinese_term_is_reported(book_copy: Path, line: str, message: str) -> None:
    found, number = new_problems(book_copy, "zh", ZH, line)
    assert found == [f"book/zh/{ZH}:{number}: {message}"]


def test_a_ruled_out_english_spelling_is_reported(book_copy: Path) -> None:
    found, number = new_problems(book_copy, "en", ZH, "Pick an Optimiser, then regularization.")
    assert found == [f"book/en/{ZH}:{number}: uses 'Optimiser'; the book's term is 'optimizer'",
                     f"book/en/{ZH}:{number}: uses 'regularization'; the book's term is 'regularisation'"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('叫作"批量"的东西。', 'ASCII quote " in Chinese prose; write “…”'),
        ("叫作'批量'的东西。", "ASCII quote ' next to Chinese; write ‘…’ or “…”"),
        ("形状为（通道数, 高, 宽）。", "half-width comma, colon or semicolon next to Chinese; write ，：；"),
        ("注意: 这里不同。", "half-width comma, colon or semicolon next to Chinese; write ，：；"),
        ("形状(通道数)不变。", "half-width parentheses around or next to Chinese; write （…）"),
        ("这里*并不是*复制。", "italics on Chinese text; use bold"),
        ("这里 _并不是_ 复制。", "italics on Chinese text; use bold"),
        ("反向模式少了 150 倍。", "倍 with a decrease; write 降到原来的 1/N (or 只有……的 N 分之一)"),
        ("梯度缩小了 {glue:text}`ratio:.1f` 倍。", "倍 with a decrease; write 降到原来的 1/N (or 只有……的 N 分之一)"),
        ("标准差小了十倍。", "倍 with a decrease; write 降到原来的 1/N (or 只有……的 N 分之一)"),
        ("误差降低了 $2B$ 倍。", "倍 with a decrease; write 降到原来的 1/N (or 只有……的 N 分之一)"),
        ("它大了 4 倍。", "大了 N 倍 reads as N+1 times; write 是……的 N 倍"),
    ],
)
def test_chinese_typography_is_checked(book_copy: Path, line: str, message: str) -> None:
    found, number = new_problems(book_copy, "zh", ZH, line)
    assert found == [f"book/zh/{ZH}:{number}: {message}"]


@pytest.mark.parametrize(
    "text",
    [
        '```{code-cell} ipython3\nx = "批量归一化"  # 噪声底\n```',  # a code cell
        "值为 `\"a\", 'b'` 和 `批量归一化`。",  # inline code
        "误差是 $f(x, y)$，是前者的 4 倍，形状为 (3, 4)，见“广播”。",  # maths, 倍 with an increase
        "见{ref}`批量归一化 <sec-calculus>`。",  # a role's text is its target's title
        "<!-- 不是数 -->",  # a comment
        "反向模式的工作量是前向模式的 1/150。",
    ],
)
def test_code_maths_and_well_formed_chinese_are_not_findings(book_copy: Path, text: str) -> None:
    found, _ = new_problems(book_copy, "zh", ZH, text)
    assert found == []


def test_an_english_page_is_not_held_to_chinese_typography(book_copy: Path) -> None:
    found, _ = new_problems(book_copy, "en", ZH, 'A "quoted" word: fine (here), *emphasis* too.')
    assert found == []


def test_a_term_left_unmarked_where_it_is_introduced_is_reported(book_copy: Path) -> None:
    page = book_copy / "zh" / "preliminaries" / "storage.md"
    text = page.read_text(encoding="utf-8")
    assert "{term}`步幅 <stride>`" in text
    before = terms.problems(book_copy)
    page.write_text(text.replace("{term}`步幅 <stride>`", "步幅"), encoding="utf-8")
    assert [p for p in terms.problems(book_copy) if p not in before] == [
        "preliminaries/storage.md: the {term} roles differ between the languages at role 3: "
        "en 'stride', zh 'storage offset'",
        "book/zh/preliminaries/storage.md: 'stride' is introduced here (sec-storage) but not "
        "marked; write {term}`步幅 <stride>` at its defining use",
    ]


def test_bold_that_cannot_open_around_a_role_is_reported(book_copy: Path) -> None:
    found, number = new_problems(book_copy, "zh", ZH, "一个**{term}`张量 <tensor>`**（tensor）。")
    assert (f"book/zh/{ZH}:{number}: ** or * around a {{term}} role next to a letter does not "
            "render (CommonMark); drop it: term links are bold") in found
    found, _ = new_problems(book_copy, "en", ZH, "A **{term}`tensor`** (and *{term}`view`*).")
    assert not any("CommonMark" in p for p in found)


def test_an_unknown_term_key_is_reported(book_copy: Path) -> None:
    found, _ = new_problems(book_copy, "zh", ZH, "一个{term}`张量 <张量>`。")
    assert "book/zh/preliminaries/calculus.md: {term} key '张量' is not in book/terms.toml " \
           "(the key is the English term in both languages)" in found


def test_a_label_missing_in_one_language_is_reported(book_copy: Path) -> None:
    toml = book_copy / "terms.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'label = "sec-storage"', 'label = "sec-nowhere"', 1), encoding="utf-8")
    found = terms.problems(book_copy)
    assert "book/terms.toml: 'view': label 'sec-nowhere' is not defined in book/en" in found
    assert "book/terms.toml: 'view': label 'sec-nowhere' is not defined in book/zh" in found


def test_the_chinese_definitions_are_held_to_the_same_typography(book_copy: Path) -> None:
    toml = book_copy / "terms.toml"
    before = terms.problems(book_copy)
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'zh_def = "存放张量元素的一维连续内存块。"', 'zh_def = "存放张量元素的一维内存块, 不是数。"'),
        encoding="utf-8")
    assert [p for p in terms.problems(book_copy) if p not in before] == [
        "book/terms.toml: 'storage' zh_def: half-width comma, colon or semicolon next to "
        "Chinese; write ，：；",
        "book/terms.toml: 'storage' zh_def: uses '不是数'; the book's term is 非数 (NaN)",
    ]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('en = "x"\nzh = "甲"\nlabel = "sec-a"\nen_def = "d."\n', "field 'zh_def' must be a non-empty string"),
        ('en = "x"\nzh = "甲"\nlabel = "sec-a"\nen_def = "d."\nzh_def = "d。"\nzh_avoid = "乙"\n',
         "field 'zh_avoid' must be a list of non-empty strings; received '乙'"),
        ('en = "x"\nzh = "甲"\nlabel = "sec-a"\nen_def = "d."\nzh_def = "d。"\nsee = "y"\n',
         "unknown field(s) ['see']"),
        ('en = "x"\nzh = "甲乙"\nlabel = "sec-a"\nen_def = "d."\nzh_def = "d。"\nzh_avoid = ["甲"]\n',
         "zh_avoid '甲' matches the term itself ('甲乙')"),
        ('en = "Tensor"\nzh = "甲"\nlabel = "sec-a"\nen_def = "d."\nzh_def = "d。"\n',
         "en term 'Tensor' repeats entry 1"),
    ],
)
def test_a_malformed_term_list_is_refused(tmp_path: Path, entry: str, message: str) -> None:
    good = '[[term]]\nen = "tensor"\nzh = "张量"\nlabel = "sec-a"\nen_def = "d."\nzh_def = "d。"\n'
    path = tmp_path / "terms.toml"
    path.write_text(good + "\n[[term]]\n" + entry, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)):
        terms.load_terms(path)


# ---------------------------------------------------------------- the glossary pages
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_glossary_is_built_from_the_list_and_the_roles_link_to_it(tmp_path: Path, lang: str) -> None:
    """A small book: the real glossary page, one page per label that a term names, and a page
    whose roles use the English key. Every term is an entry showing both words, with the
    definition in the page's language and a link to its section."""
    listed = terms.load_terms()
    src = tmp_path / lang
    src.mkdir()
    shutil.copy(pages.BOOK / lang / "glossary.md", src / "glossary.md")
    labels = sorted({t.label for t in listed})
    for label in labels:
        (src / f"{label}.md").write_text(f"({label})=\n# {label}\n\nText.\n", encoding="utf-8")
    use = ("A {term}`tensor` with {term}`strides <stride>`.\n" if lang == "en"
           else "一个{term}`张量 <tensor>`和它的{term}`步幅 <stride>`。\n")
    (src / "index.md").write_text("(sec-home)=\n# Home\n\n" + use + "\n```{toctree}\nglossary\n"
                                  + "\n".join(labels) + "\n```\n", encoding="utf-8")
    extra = ["-D", "language=zh_CN"] if lang == "zh" else []
    proc = sphinx(src, tmp_path / "out", *extra, "-D", "nb_execution_mode=off")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    html = (tmp_path / "out" / "glossary.html").read_text(encoding="utf-8")
    entries = re.findall(r'<dt id="term-[^"]+">(.*?)<a class="headerlink".*?</dt><dd>(.*?)</dd>', html, re.S)
    assert len(entries) == len(listed)
    text = {re.sub(r"<[^>]+>", "", dt): dd for dt, dd in entries}
    tensor = text["tensor (张量)" if lang == "en" else "张量（tensor）"]
    assert (listed[0].en_def if lang == "en" else listed[0].zh_def).split("$")[0][:10] in tensor
    assert 'href="sec-data-manipulation.html#sec-data-manipulation"' in tensor
    assert ("Introduced in" if lang == "en" else "见“") in tensor
    epoch = text["epoch (轮)" if lang == "en" else "轮（epoch）"]
    assert ("Chinese term." if lang == "en" else "译名说明") in epoch
    shown = [dlnotes_glossary.shown_term(t, lang) for t in sorted(listed, key=lambda t: t.en.casefold())]
    assert [k.replace("’", "'") for k in text] == [word + other for word, other in shown]  # by English
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'href="glossary.html#term-tensor"' in index and 'href="glossary.html#term-stride"' in index
