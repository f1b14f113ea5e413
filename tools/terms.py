"""The terminology and Chinese-typography lint: one word per concept, in both languages.

``book/terms.toml`` is the book's term list (the glossary pages are made from it at build time by
``book/_ext/dlnotes_glossary.py``). For each term it names the Chinese and English term, the
label of the section that introduces it and the variants the pages must not use. :func:`problems`
checks the whole book and returns one message per finding, naming the page, the line and what to
write instead:

- **variants**: a page uses a word the term list rules out (``批量归一化`` for 批量规范化,
  ``噪声底`` for 噪声下限, ``optimiser`` for optimizer, ...). Chinese variants are matched as
  substrings (``re:`` makes one a regex) except inside an occurrence of a preferred term, so
  ``预激活`` is a finding and ``预激活值`` is not; English variants are whole words, any case, on
  both languages' pages (the English gloss on a Chinese page follows the English term);
- **Chinese typography** (zh pages only): an ASCII quote ``"`` (or ``'`` touching a Chinese
  character); a half-width comma, colon or semicolon next to a Chinese character; half-width
  parentheses around or touching Chinese text; italics on Chinese text; ``倍`` with a decrease
  (``少了/缩小了/降低了/小了 N 倍``) and the ambiguous ``大了/多了/高了 N 倍``; on both
  languages' pages, ``**`` or ``*`` around a ``{term}`` role next to a letter (CommonMark does not
  render that emphasis between Chinese characters; term links are bold by CSS);
- **marking**: every ``{term}`` key is a term of the list; a page and its twin mark the same
  keys in the same order; each term is marked (``{term}``) on the page that holds its label, in
  both languages, so that both glossaries link to where the book introduces it;
- **the term list itself**: required fields, unique keys and Chinese terms, labels that exist in
  both languages, and the typography of its Chinese definitions and notes.

Only prose is checked: code cells and other code blocks, front matter, maths, inline code, role
targets, link targets and HTML are masked out (``prose_numbers.prose_lines``); the visible text of
a ``{term}`` role is prose. From a shell: ``python tools/terms.py`` (exit 1 on a finding).
``tests/test_terms.py`` runs it over the book in ``make test``. Standard library only.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages  # noqa: E402
from prose_numbers import prose_lines  # noqa: E402

__all__ = ["TERMS", "Term", "load_terms", "page_problems", "problems", "term_keys",
           "typography_problems"]

TERMS = pages.BOOK / "terms.toml"
REQUIRED = ("en", "zh", "label", "en_def", "zh_def")
OPTIONAL = ("zh_avoid", "en_avoid", "en_note", "zh_note")

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TERM_ROLE = re.compile(r"\{term\}`(?P<text>[^`<]*?)\s*(?:<(?P<key>[^`>]+)>)?`")
_LABEL = re.compile(r"^\((?P<label>[\w-]+)\)=\s*$", re.M)
_NUM = r"[\s\d.,，一二三四五六七八九十百千万亿两几数多余上以约近大足整]*"
TYPOGRAPHY = [
    (re.compile(r'"'), 'ASCII quote " in Chinese prose; write “…”'),
    (re.compile(rf"[{HAN}]'|'[{HAN}]"), "ASCII quote ' next to Chinese; write ‘…’ or “…”"),
    (re.compile(rf"[{HAN}][ \t]*[,:;]|[,:;][ \t]*[{HAN}]"),
     "half-width comma, colon or semicolon next to Chinese; write ，：；"),
    (re.compile(rf"\([^()]*[{HAN}][^()]*\)|[{HAN}]\(|\)[{HAN}]"),
     "half-width parentheses around or next to Chinese; write （…）"),
    (re.compile(rf"(?:少|缩小|降低|减少|下降|减小|小|低)了?{_NUM}倍"),
     "倍 with a decrease; write 降到原来的 1/N (or 只有……的 N 分之一)"),
    (re.compile(rf"(?:大|多|高)了{_NUM}倍"),
     "大了 N 倍 reads as N+1 times; write 是……的 N 倍"),
]
# Emphasis that CommonMark cannot open or close: a role starts and ends with punctuation ({ `),
# so "的**{term}`张量 <tensor>`**（" shows its asterisks.
_STUCK_EMPHASIS = re.compile(r"(?<=[^\W_])(\*{1,2})\{term\}`[^`]*`\1|(\*{1,2})\{term\}`[^`]*`\2(?=[^\W_])")
_STAR_EM = re.compile(rf"(?<!\*)\*(?!\*)(?P<body>[^*\n]*[{HAN}][^*\n]*)(?<!\*)\*(?!\*)")
_UNDERSCORE_EM = re.compile(
    rf"(?:(?<=^)|(?<=[\s(（“‘，。：；、]))_(?P<body>[^_\n]*[{HAN}][^_\n]*)_(?=[\s)）”’，。：；！？、]|$)"
)


@dataclass(frozen=True)
class Term:
    """One entry of ``book/terms.toml``."""

    en: str
    zh: str
    label: str
    en_def: str
    zh_def: str
    zh_avoid: tuple[str, ...] = ()
    en_avoid: tuple[str, ...] = ()
    en_note: str = ""
    zh_note: str = ""

    @property
    def zh_patterns(self) -> list[tuple[str, re.Pattern[str]]]:
        """``(variant as written, compiled pattern)`` for each Chinese variant."""
        return [(v, re.compile(v[3:] if v.startswith("re:") else re.escape(v))) for v in self.zh_avoid]

    @property
    def en_patterns(self) -> list[tuple[str, re.Pattern[str]]]:
        """``(variant, whole-word case-insensitive pattern)`` for each English variant."""
        return [(v, re.compile(rf"(?<![\w-]){re.escape(v)}(?![\w-])", re.I)) for v in self.en_avoid]


def load_terms(path: Path = TERMS) -> list[Term]:
    """Read and check the term list.

    Raises
    ------
    ValueError
        If an entry lacks a required field, has an unknown or mistyped one, or repeats another
        entry's English or Chinese term; the message names the entry and the field.
    """
    with open(path, "rb") as f:
        data = tomllib.load(f)
    entries = data.get("term")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path}: expected [[term]] tables; received {sorted(data)}")
    terms: list[Term] = []
    seen_en: dict[str, int] = {}
    seen_zh: dict[str, int] = {}
    for k, entry in enumerate(entries, 1):
        name = f"{path.name} entry {k} ({entry.get('en', '?')!r})"
        unknown = sorted(set(entry) - set(REQUIRED) - set(OPTIONAL))
        if unknown:
            raise ValueError(f"{name}: unknown field(s) {unknown}; expected {REQUIRED + OPTIONAL}")
        for key in REQUIRED:
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise ValueError(f"{name}: field {key!r} must be a non-empty string; "
                                 f"received {entry.get(key)!r}")
        for key in ("zh_avoid", "en_avoid"):
            value = entry.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise ValueError(f"{name}: field {key!r} must be a list of non-empty strings; "
                                 f"received {value!r}")
        for key, seen in (("en", seen_en), ("zh", seen_zh)):
            if entry[key].lower() in seen:
                raise ValueError(f"{name}: {key} term {entry[key]!r} repeats entry "
                                 f"{seen[entry[key].lower()]}")
            seen[entry[key].lower()] = k
        term = Term(**{key: tuple(v) if isinstance(v, list) else v for key, v in entry.items()})
        for variant, pattern in term.zh_patterns:
            if pattern.search(term.zh):
                raise ValueError(f"{name}: zh_avoid {variant!r} matches the term itself ({term.zh!r})")
        terms.append(term)
    return terms


def term_keys(text: str) -> list[str]:
    """The keys of a page's ``{term}`` roles, in order (``{term}`张量 <tensor>``` gives ``tensor``).

    Examples
    --------
    >>> term_keys("A {term}`tensor`, its {term}`strides <stride>` and {term}`张量 <tensor>`.")
    ['tensor', 'stride', 'tensor']
    """
    return [(m.group("key") or m.group("text")).strip() for m in _TERM_ROLE.finditer(text)]


def _with_term_text(text: str) -> str:
    """The page with each ``{term}`` role replaced by the text it shows (line numbers kept)."""
    return _TERM_ROLE.sub(lambda m: m.group("text"), text)


# A definition-list item starts with ": " (MyST deflist: a self-check option's feedback).
_DEFINITION_MARK = re.compile(r"^\s*:[ \t]+")


def typography_problems(prose: str) -> list[str]:
    """What is wrong with one line of Chinese prose (already masked), one message per rule.

    Examples
    --------
    >>> typography_problems('形状为（通道数, 高, 宽）的张量，叫"批量"。')
    ['ASCII quote " in Chinese prose; write “…”', 'half-width comma, colon or semicolon next to Chinese; write ，：；']
    >>> typography_problems("反向模式只做了 1,794 次，少了 150 倍；这里*并不是*复制。")
    ['倍 with a decrease; write 降到原来的 1/N (or 只有……的 N 分之一)', 'italics on Chinese text; use bold']
    >>> typography_problems("是前者的 4 倍，形状为 (3, 4)，见“广播”。")
    []

    A definition-list item's leading ``: `` (a self-check's feedback) is markup, not punctuation:

    >>> typography_problems(": 对：求和会消去这个轴。")
    []
    """
    prose = _DEFINITION_MARK.sub("", prose, count=1)
    found = [message for pattern, message in TYPOGRAPHY if pattern.search(prose)]
    unbolded = prose.replace("**", "\0\0")
    if _STAR_EM.search(unbolded) or _UNDERSCORE_EM.search(prose):
        found.append("italics on Chinese text; use bold")
    return found


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def variant_problems(prose: str, terms: Iterable[Term], lang: str) -> list[str]:
    """The ruled-out variants one line of prose uses, as messages naming the preferred term.

    Examples
    --------
    >>> t = Term("pre-activation", "预激活值", "sec-x", "d", "d", zh_avoid=("re:预激活(?!值)",))
    >>> variant_problems("预激活值没问题，预激活不行。", [t], "zh")
    ["uses '预激活'; the book's term is 预激活值 (pre-activation)"]
    """
    terms = list(terms)
    preferred = [s for t in terms for s in _spans(re.compile(re.escape(t.zh)), prose)] if lang == "zh" else []
    found = []
    for term in terms:
        checks = (term.zh_patterns if lang == "zh" else []) + term.en_patterns
        for _, pattern in checks:
            for m in pattern.finditer(prose):
                if any(a <= m.start() and m.end() <= b for a, b in preferred):
                    continue  # part of a preferred term: 预激活 inside 预激活值
                found.append(f"uses {m.group(0)!r}; the book's term is "
                             + (f"{term.zh} ({term.en})" if lang == "zh" else f"{term.en!r}"))
                break
    return found


def page_problems(text: str, lang: str, terms: Iterable[Term]) -> list[tuple[int, str]]:
    """Findings on one page's prose: ``(line number, message)``, variants then typography."""
    terms = list(terms)
    found = []
    raw = text.split("\n")
    for number, prose, _ in prose_lines(_with_term_text(text)):
        found += [(number, m) for m in variant_problems(prose, terms, lang)]
        if _STUCK_EMPHASIS.search(raw[number - 1]):
            found.append((number, "** or * around a {term} role next to a letter does not render "
                                  "(CommonMark); drop it: term links are bold"))
        if lang == "zh":
            found += [(number, m) for m in typography_problems(prose)]
    return found


def _labels(text: str) -> set[str]:
    return set(_LABEL.findall(text))


def term_list_problems(terms: list[Term], book: Path = pages.BOOK) -> list[str]:
    """Labels that do not exist in a language, and typography in the Chinese definitions."""
    found = []
    for lang in pages.LANGUAGES:
        labels: set[str] = set()
        for rel in pages.pages(lang, book):
            labels |= _labels((book / lang / rel).read_text(encoding="utf-8"))
        for t in terms:
            if t.label not in labels:
                found.append(f"book/terms.toml: {t.en!r}: label {t.label!r} is not defined in book/{lang}")
    for t in terms:
        for name in ("zh_def", "zh_note"):
            text = getattr(t, name)
            for _, prose, _ in prose_lines(text + "\n"):
                for message in typography_problems(prose):
                    found.append(f"book/terms.toml: {t.en!r} {name}: {message}")
                if name == "zh_def":  # a note may name the variants it rules out
                    for message in variant_problems(prose, terms, "zh"):
                        found.append(f"book/terms.toml: {t.en!r} {name}: {message}")
    return found


def marking_problems(terms: list[Term], book: Path = pages.BOOK) -> list[str]:
    """Unknown ``{term}`` keys, twins that mark different keys, terms not marked where introduced."""
    known = {t.en for t in terms}
    found = []
    keys: dict[str, dict[Path, list[str]]] = {}
    label_page: dict[str, dict[str, Path]] = {}
    for lang in pages.LANGUAGES:
        keys[lang], label_page[lang] = {}, {}
        for rel in sorted(pages.pages(lang, book)):
            text = (book / lang / rel).read_text(encoding="utf-8")
            keys[lang][rel] = term_keys(text)
            for label in _labels(text):
                label_page[lang][label] = rel
            for key in keys[lang][rel]:
                if key not in known:
                    found.append(f"book/{lang}/{rel.as_posix()}: {{term}} key {key!r} is not in "
                                 "book/terms.toml (the key is the English term in both languages)")
    for rel in sorted(set(keys["en"]) & set(keys["zh"])):
        en, zh = keys["en"][rel], keys["zh"][rel]
        if en != zh:
            k = next((i for i, (a, b) in enumerate(zip(en, zh)) if a != b), min(len(en), len(zh)))
            found.append(f"{rel.as_posix()}: the {{term}} roles differ between the languages at "
                         f"role {k + 1}: en {en[k] if k < len(en) else 'none'!r}, "
                         f"zh {zh[k] if k < len(zh) else 'none'!r}")
    for t in terms:
        for lang in pages.LANGUAGES:
            rel = label_page[lang].get(t.label)
            if rel is not None and t.en not in keys[lang][rel]:
                word = t.en if lang == "en" else f"{t.zh} <{t.en}>"
                found.append(f"book/{lang}/{rel.as_posix()}: {t.en!r} is introduced here "
                             f"({t.label}) but not marked; write {{term}}`{word}` at its defining use")
    return found


def problems(book: Path = pages.BOOK, terms_path: Path | None = None) -> list[str]:
    """Every finding of the lint over a book (both languages) and its term list."""
    terms = load_terms(terms_path or book / "terms.toml")
    found = term_list_problems(terms, book)
    for lang in pages.LANGUAGES:
        for rel in sorted(pages.pages(lang, book)):
            text = (book / lang / rel).read_text(encoding="utf-8")
            for line, message in page_problems(text, lang, terms):
                found.append(f"book/{lang}/{rel.as_posix()}:{line}: {message}")
    return found + marking_problems(terms, book)


if __name__ == "__main__":
    found = problems()
    print("\n".join(found) if found else "terminology and Chinese typography: no findings")
    sys.exit(1 if found else 0)
