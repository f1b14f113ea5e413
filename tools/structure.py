"""Structural parity: a page and its twin have the same skeleton, in the same order.

The prose of ``book/en/X.md`` and ``book/zh/X.md`` is written natively in each language, so the
words differ; what must not differ is what the words hang on. :func:`extract` reads a MyST page
(standard library only, regular expressions over the source) and lists its structure as
:class:`Item` objects in four streams, compared by :func:`first_difference`:

``skeleton``, compared item by item, in order
    headings (level only: the heading text is the page's own), labels ``(sec-x)=`` and ``:name:``
    options, display equations (``$$`` blocks, amsmath environments, ``{math}``; with their
    labels), figures and images (path or glue key), tables (columns and rows), plain fenced code
    (language), directives such as admonitions (kind and ``:class:``, e.g. a ``dropdown``),
    solutions (an admonition whose title says "Solution"/"解答", with the exercise numbers of its
    title), the numbered exercises of an "Exercises"/"练习" section, toctree entries,
    ``literalinclude`` paths and options, the ``.. directive::`` lines of ``{eval-rst}``; and the
    code cells, as numbered anchors only (``pages.parity_problems`` compares their text).
``ref``
    cross-references ``{ref}``, ``{numref}``, ``{doc}``, ``{eq}``, ``{any}``: role and target.
``glue``
    glue keys used in prose (``{glue}``, ``{glue:text}``, ``{glue:md}``, ``{glue:any}``), without
    the format spec (``{glue:text}`loss:.3f``` is the key ``loss``).
``term``
    ``{term}`` roles by target (``{term}`张量 <tensor>``` is ``tensor``).

The last three are compared stretch by stretch: a stretch is the prose between two anchors
(skeleton items, code cells, the end of an admonition), and the stretches of the two languages
correspond once their skeletons match. Inside a stretch the order is free, because a Chinese
sentence orders its clauses its own way ("在第 N 轮降到 X" for "reaching X at epoch N"); a key that
moves past a code cell, a heading or an equation, or that is missing, added or renamed, is a
difference. What has no structure is not compared: sentences, emphasis, inline code and maths,
comments (``%`` lines, ``<!-- -->``), the front matter.

Run ``python tools/structure.py`` to print every page pair's first difference, or
``python tools/structure.py book/en/X.md`` to list one page's items.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages  # noqa: E402

STREAMS = ("skeleton", "ref", "glue", "term")
_NOUNS = {"skeleton": "structural item", "ref": "cross-reference", "glue": "glue key", "term": "term"}

# Directives whose body is prose of the page's language (read for roles, maths, solutions).
PROSE_DIRECTIVES = frozenset(
    "admonition attention caution danger error hint important note seealso tip warning "
    "dropdown margin sidebar topic epigraph card tab-item tab-set div exercise solution "
    "figure selfcheck".split()
)
# Directives compared by their argument (a path, a glue key) as well as their name.
ARGUMENT_DIRECTIVES = frozenset("figure image glue:figure literalinclude include".split())
FIGURE_DIRECTIVES = frozenset("figure image glue:figure".split())
# Options that say what is shown, not how it is captioned.
COMPARED_OPTIONS = ("class", "pyobject", "lines", "start-after", "end-before", "start-at", "end-at",
                    "language", "emphasize-lines")
REF_ROLES = frozenset("ref numref doc eq any".split())
GLUE_ROLES = frozenset("glue glue:text glue:md glue:any".split())
AMSMATH = "equation|multline|gather|align|alignat|flalign|eqnarray|math"
# Section titles under which a numbered list is the page's exercises.
EXERCISE_TITLES = frozenset({"exercises", "exercise", "练习", "习题"})
# A number that one language states in its own unit is glued twice, under two keys: the zh key
# maps to the en key it stands for (亿 = 10^8 has no English counterpart, "billion" no Chinese one).
GLUE_VARIANTS = {"forward_e8": "forward_gmadds"}
_SOLUTION = re.compile(r"\bsolutions?\b|解答|答案", re.I)

_FENCE_OPEN = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<info>.*?)\s*$")
_DIRECTIVE = re.compile(r"^\{(?P<name>[^}\s]+)\}\s*(?P<arg>.*)$")
_OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*?)\s*$")
_HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?:[ \t]+(?P<title>.*?))?(?:[ \t]+#+)?[ \t]*$")
_LABEL = re.compile(r"^ {0,3}\((?P<label>[^()\s]+)\)=\s*$")
_DOLLARS_LABEL = re.compile(r"\$\$\s*\((?P<label>[^()\s]+)\)\s*$")
_AMS_BEGIN = re.compile(r"^\s*\\begin\{(?P<env>(?:" + AMSMATH + r")\*?)\}")
_TEX_LABEL = re.compile(r"\\label\{(?P<label>[^}]+)\}")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_EXERCISE = re.compile(r"^(?P<n>\d+)[.)]\s")
_IMAGE = re.compile(r"!\[[^\]]*\]\((?P<src>[^)\s]+)[^)]*\)")
# A role, or an inline code span (skipped, so that `{ref}` written as code is not a role).
_INLINE = re.compile(
    r"\{(?P<role>[A-Za-z][\w:+-]*)\}(?P<tick>`+)(?P<content>.+?)(?P=tick)(?!`)"
    r"|(?P<code>`+).+?(?P=code)(?!`)",
    re.S,
)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass(frozen=True)
class Item:
    """One structural element of a page."""

    stream: str  # one of STREAMS
    key: tuple[object, ...]  # what is compared with the twin's item
    line: int  # 1-based line in the page
    what: str  # how a message names it
    segment: int = 0  # prose items: how many anchors (skeleton items, code cells) come before


@dataclass
class _State:
    items: list[Item]
    cells: int = 0  # code cells seen so far
    segment: int = 0  # anchors seen so far: skeleton items, code cells, ends of directives
    exercise_level: int | None = None  # level of the "Exercises" heading we are under
    anchors: list[str] = field(default_factory=lambda: ["the start of the page"])  # by segment
    anchor_lines: list[int] = field(default_factory=lambda: [1])  # segment -> line where it starts

    def skeleton(self, key: tuple[object, ...], line: int, what: str) -> None:
        self.items.append(Item("skeleton", key, line, what))
        self.mark(f"{what} (line {line})", line)

    def mark(self, anchor: str, line: int) -> None:
        self.segment += 1
        self.anchors.append(anchor)
        self.anchor_lines.append(line)


def extract(text: str, state: _State | None = None) -> list[Item]:
    """Return the structure of one MyST page, in the order of the source."""
    lines = text.split("\n")
    start = 0
    if lines and lines[0].strip() == "---":
        for k in range(1, len(lines)):
            if lines[k].strip() == "---":
                start = k + 1
                break
    state = _State([]) if state is None else state
    _scan(lines, start, len(lines), state)
    return state.items


def _closing(lines: list[str], i: int, end: int, fence: str) -> int:
    """Index of the line closing the fence opened at line ``i`` (``end`` if never closed)."""
    closer = re.compile(r"^\s*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$")
    for j in range(i + 1, end):
        if closer.match(lines[j]):
            return j
    return end


def _options(lines: list[str], i: int, end: int) -> tuple[dict[str, str], int]:
    """A directive's options (``:key: value`` lines or a ``---`` YAML block) and where its body starts."""
    opts: dict[str, str] = {}
    if i < end and lines[i].strip() == "---":
        for j in range(i + 1, end):
            if lines[j].strip() == "---":
                for line in lines[i + 1 : j]:
                    key, sep, value = line.partition(":")
                    if sep and not line.startswith((" ", "\t")):
                        opts[key.strip()] = value.strip().strip("'\"")
                return opts, j + 1
        return opts, end
    while i < end and (m := _OPTION.match(lines[i])):
        opts[m.group("key")] = m.group("value")
        i += 1
    return opts, i


def _scan(lines: list[str], i: int, end: int, state: _State, nested: bool = False) -> None:
    """Read ``lines[i:end]`` (a page, or a directive's body: ``nested``), appending to ``state.items``."""
    para: list[tuple[int, str]] = []  # (0-based line, text) of the paragraph being read

    def flush() -> None:
        if para:
            _inline(para, state)
            para.clear()

    while i < end:
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            flush()
            i += 1
            continue
        if stripped.startswith("%") and not para:  # a MyST comment line
            i += 1
            continue

        fence = _FENCE_OPEN.match(line)
        if fence and (fence.group("fence")[0] != ":" or fence.group("info").startswith("{")):
            flush()
            close = _closing(lines, i, end, fence.group("fence"))
            _fenced(lines, i, close, fence.group("info"), state)
            i = close + 1
            continue

        if stripped.startswith("$$"):
            flush()
            rest = stripped[2:]
            close = i
            if not (rest.rstrip().endswith("$$") or _DOLLARS_LABEL.search(rest)):
                close = i + 1
                while close < end and "$$" not in lines[close]:
                    close += 1
            label = _DOLLARS_LABEL.search(lines[min(close, end - 1)])
            _math(state, i, label.group("label") if label else None)
            i = close + 1
            continue

        ams = _AMS_BEGIN.match(line)
        if ams:
            flush()
            env = ams.group("env")
            close = i
            while close < end and "\\end{" + env + "}" not in lines[close]:
                close += 1
            label = _TEX_LABEL.search("\n".join(lines[i : close + 1]))
            _math(state, i, label.group("label") if label else None, env)
            i = close + 1
            continue

        heading = _HEADING.match(line)
        if heading:
            flush()
            level = len(heading.group("hashes"))
            title = _COMMENT.sub("", heading.group("title") or "").strip()
            if title.lower() in EXERCISE_TITLES:
                state.exercise_level = level
            elif state.exercise_level is not None and level <= state.exercise_level:
                state.exercise_level = None
            state.skeleton(("heading", level), i + 1, f"a level-{level} heading '{'#' * level} {title}'")
            para.append((i, title))  # roles in a heading count too
            flush()
            i += 1
            continue

        label = _LABEL.match(line)
        if label:
            flush()
            name = label.group("label")
            state.skeleton(("label", name), i + 1, f"the label ({name})=")
            i += 1
            continue

        if stripped.startswith("|") and i + 1 < end and _TABLE_RULE.match(lines[i + 1]) and "-" in lines[i + 1]:
            flush()
            close = i
            while close < end and lines[close].strip().startswith("|"):
                close += 1
            cols = len(_cells(lines[i]))
            rows = close - i - 2
            state.skeleton(("table", cols, rows), i + 1, f"a table of {rows} rows and {cols} columns")
            _inline([(k, lines[k]) for k in range(i, close)], state)
            i = close
            continue

        if state.exercise_level is not None and not nested and not line[:1].isspace():
            ex = _EXERCISE.match(stripped)
            if ex:
                flush()
                n = int(ex.group("n"))
                state.skeleton(("exercise", n), i + 1, f"exercise {n}")

        for m in _IMAGE.finditer(line):
            src = m.group("src")
            state.skeleton(("figure", "image", src), i + 1, f"the image {src}")
        para.append((i, line))
        i += 1
    flush()


def _cells(row: str) -> list[str]:
    return row.strip().strip("|").split("|")


def _math(state: _State, i: int, label: str | None, env: str | None = None) -> None:
    kind = f"a display equation ({env})" if env else "a display equation"
    what = f"{kind} labelled {label}" if label else f"{kind} without a label"
    state.skeleton(("math", label), i + 1, what)


def _fenced(lines: list[str], i: int, close: int, info: str, state: _State) -> None:
    """A fenced block opened at line ``i`` and closed at ``close``: a directive or plain code."""
    d = _DIRECTIVE.match(info)
    if not d:
        lang = info.split()[0] if info.split() else ""
        state.skeleton(("code", lang), i + 1, f"a {lang or 'plain'} code block")
        return
    name, arg = d.group("name"), d.group("arg").strip()
    if name == "code-cell":  # compared byte for byte by pages.parity_problems; an anchor here
        state.cells += 1
        state.skeleton(("code-cell", state.cells), i + 1, f"code cell {state.cells}")
        return
    opts, body = _options(lines, i + 1, close)
    for option in ("name", "label"):
        if option in opts and name != "math":
            state.skeleton(("label", opts[option]), i + 1, f"the label :{option}: {opts[option]}")
    classes = tuple(sorted(opts.get("class", "").split()))
    shown = f" (class {' '.join(classes)})" if classes else ""
    if name == "math":
        label = opts.get("label") or opts.get("name")
        _math(state, i, label, "math directive")
        return
    if name == "toctree":
        entries = []
        for line in lines[body:close]:
            entry = line.strip()
            if entry:
                m = re.search(r"<([^<>]+)>$", entry)
                entries.append(m.group(1) if m else entry)
        state.skeleton(("toctree", tuple(entries)), i + 1, f"a toctree of {entries}")
        return
    if name == "admonition" and _SOLUTION.search(arg):
        numbers = tuple(int(n) for n in re.findall(r"\d+", arg))
        which = ", ".join(map(str, numbers)) or "?"
        state.skeleton(("solution", numbers, classes), i + 1,
                       f"the solution to exercise {which}{shown} '{arg}'")
    else:
        key: tuple[object, ...] = ("directive", name, classes)
        what = f"a {{{name}}} directive{shown}"
        if name in ARGUMENT_DIRECTIVES:
            key += (arg,)
            what = f"a {{{name}}} {arg}{shown}"
        if name == "selfcheck":  # the answer's glue key, the tolerance, the option letters
            letters = tuple(re.findall(r"(?m)^\(([^()\s]{1,3})\)", "\n".join(lines[body:close])))
            key += (opts.get("answer"), opts.get("tolerance"), letters)
            what += f" (answer {opts.get('answer')}, options {''.join(letters) or 'none'})"
        if name == "eval-rst":
            rst = tuple(s.strip() for s in lines[body:close] if s.strip().startswith(".. "))
            key += (rst,)
            what += f" with {list(rst)}"
        key += tuple((k, opts[k]) for k in COMPARED_OPTIONS if k != "class" and k in opts)
        if name in FIGURE_DIRECTIVES:
            key = ("figure", *key[1:])
        state.skeleton(key, i + 1, what)
    if name in PROSE_DIRECTIVES or name == "admonition":
        _scan(lines, body, close, state, nested=True)
        state.mark(f"the end of the {{{name}}} at line {i + 1}", close + 1)


def _inline(para: list[tuple[int, str]], state: _State) -> None:
    """The roles of one paragraph (lines joined, so that a role may wrap)."""
    text = "\n".join(t for _, t in para)
    text = _COMMENT.sub(lambda m: "\n" * m.group().count("\n"), text)
    first = para[0][0]
    for m in _INLINE.finditer(text):
        role = m.group("role")
        if role is None:
            continue
        content = " ".join(m.group("content").split())
        line = first + text.count("\n", 0, m.start()) + 1
        if role in REF_ROLES or role == "term":
            target = re.search(r"<([^<>]+)>$", content)
            name = target.group(1).strip() if target else content
            stream = "term" if role == "term" else "ref"
            item = Item(stream, (role, name), line, f"{{{role}}}`{name}`", state.segment)
        elif role in GLUE_ROLES:
            key = content.rsplit(":", 1)[0] if role == "glue:text" and ":" in content else content
            item = Item("glue", (GLUE_VARIANTS.get(key, key),), line, f"the glue key {key}", state.segment)
        elif role == "glue:figure":
            state.skeleton(("figure", "glue", content), line, f"the glued figure {content}")
            continue
        else:
            continue
        state.items.append(item)


def first_difference(rel: Path | str, en: str, zh: str) -> str | None:
    """The first structural difference between a page's two languages, as a message (None: same).

    The skeleton comes first. Code cells take part in it as numbered anchors (``pages``
    requires the same cells in both languages), so that a heading, which is compared by its
    level only, is placed between its cells: a dropped heading is named, not the next one of the
    same level. The two skeletons are aligned as ``difflib`` aligns lines, and the first
    stretch that differs is reported; later differences could only echo it. Then references,
    glue keys and terms, stretch of prose by stretch of prose (between two anchors): the same
    items, in any order inside a stretch. The earliest difference, by its line in en, is the one
    reported. A pair whose code cells differ in number is left to ``pages.parity_problems``.
    """
    a, b = _State([]), _State([])
    extract(en, a)
    extract(zh, b)
    if a.cells != b.cells:
        return None
    xs = [it for it in a.items if it.stream == "skeleton"]
    ys = [it for it in b.items if it.stream == "skeleton"]
    matcher = difflib.SequenceMatcher(None, [x.key for x in xs], [y.key for y in ys], autojunk=False)
    for tag, i1, _, j1, _ in matcher.get_opcodes():
        if tag == "replace":
            message = (f"book/en/{rel}:{xs[i1].line} has {xs[i1].what}, "
                       f"book/zh/{rel}:{ys[j1].line} has {ys[j1].what}")
        elif tag == "delete":
            message = (f"book/en/{rel}:{xs[i1].line} has {xs[i1].what}, "
                       f"book/zh/{rel} has nothing in its place ({_between(ys, j1)})")
        elif tag == "insert":
            message = (f"book/en/{rel} has nothing in its place ({_between(xs, i1)}), "
                       f"book/zh/{rel}:{ys[j1].line} has {ys[j1].what}")
        else:
            continue
        return f"{rel}: structure differs: {message}"
    found: list[tuple[int, str]] = []
    for stream in STREAMS[1:]:
        for seg in range(a.segment + 1):
            en_items = [it for it in a.items if it.stream == stream and it.segment == seg]
            zh_items = [it for it in b.items if it.stream == stream and it.segment == seg]
            if Counter(it.key for it in en_items) == Counter(it.key for it in zh_items):
                continue
            x = _first_extra(en_items, zh_items)
            y = _first_extra(zh_items, en_items)
            noun = _NOUNS[stream]
            if x is not None and y is not None:
                message = (f"book/en/{rel}:{x.line} has {x.what}, book/zh/{rel}:{y.line} has {y.what} "
                           f"(in the prose after {a.anchors[seg]})")
            elif x is not None:
                message = (f"book/en/{rel}:{x.line} has {x.what} (in the prose after {a.anchors[seg]}), "
                           f"book/zh/{rel} has no such {noun} there{_listing(zh_items)}")
            elif y is not None:
                message = (f"book/en/{rel} has no such {noun} in the prose after {a.anchors[seg]}"
                           f"{_listing(en_items)}, book/zh/{rel}:{y.line} has {y.what} "
                           f"(in the prose after {b.anchors[seg]})")
            # ordered by the line in en (an item only zh has: where its stretch starts in en)
            line = x.line if x is not None else a.anchor_lines[seg]
            found.append((line, message))
            break
    if found:
        return f"{rel}: structure differs: {min(found)[1]}"
    return None


def _between(items: list[Item], k: int) -> str:
    """Where item ``k`` of a skeleton would go: between its neighbours."""
    before = f"after {items[k - 1].what} at line {items[k - 1].line}" if k > 0 else "at the start"
    after = f"before {items[k].what} at line {items[k].line}" if k < len(items) else "at the end"
    return f"{before}, {after}"


def _first_extra(xs: list[Item], ys: list[Item]) -> Item | None:
    """The first item of ``xs`` that ``ys`` lacks (counting repeats)."""
    left = Counter(y.key for y in ys)
    for x in xs:
        if left[x.key]:
            left[x.key] -= 1
        else:
            return x
    return None


def _listing(items: list[Item]) -> str:
    if not items:
        return ""
    return f" (it has {', '.join(f'{it.what} at line {it.line}' for it in items)} there)"


def structure_problems(book: Path = pages.BOOK) -> list[str]:
    """The first structural difference of every page pair (pages without a twin are left to
    ``pages.parity_problems``); empty when every pair is in step."""
    problems = []
    for rel in sorted(pages.pages("en", book) & pages.pages("zh", book)):
        en = (book / "en" / rel).read_text(encoding="utf-8")
        zh = (book / "zh" / rel).read_text(encoding="utf-8")
        problem = first_difference(rel, en, zh)
        if problem:
            problems.append(problem)
    return problems


def main(argv: list[str]) -> int:
    if argv:
        for path in argv:
            for it in extract(Path(path).read_text(encoding="utf-8")):
                print(f"{path}:{it.line}: [{it.stream}] {it.what}")
        return 0
    problems = structure_problems()
    print("\n".join(problems) or "every page pair has the same structure")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
