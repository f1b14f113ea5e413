"""MyST Markdown to the plain Markdown that Jupyter, VS Code and Colab render.

No event is hooked here: :mod:`.notebooks` converts each Markdown cell of a downloaded notebook
with :func:`convert`, giving it a :class:`Context` that resolves what only the build knows (the
titles and site URLs of cross-references, glued values, included files). The conversion is
generic and strict: a role or directive it does not know raises :class:`ConversionError`, and
:func:`myst_leftovers` finds any MyST-only syntax that remains, so a new construct in a page stops
the build instead of reaching a reader as raw text.

=================================  =============================================================
MyST                               Jupyter Markdown
=================================  =============================================================
``{ref}``, ``{numref}``, ``{doc}``  ``[title](site URL of the page#anchor)``
``{term}``, ``{eq}``               a link to the term or the equation
``{glue:text}`` / ``{glue:md}``     the formatted value / the glued Markdown
``{math}`` / ``{sub}`` / ...        ``$...$`` / ``<sub>...</sub>`` / ...
``(label)=``, ``% comment``         removed
``{admonition}``, ``{note}``, ...   a block quote with a bold title
``:class: dropdown``, solutions     ``<details><summary>title</summary> ... </details>``
``{math}`` directive, ``$$ (lbl)``  ``$$ ... $$`` (numbered ones with ``\\tag``)
``{literalinclude}``                the included code as a fenced block
``{code-block}``                    a fenced block
``{toctree}``                       a list of links (nothing if ``:hidden:``)
``{selfcheck}``                     the question and options, the answer in ``<details>``
=================================  =============================================================

In the Chinese notebooks, a line break between Chinese characters (or next to full-width
punctuation) is dropped, as :mod:`.zh_lines` does for the HTML, and so is a space between a
Chinese character and a cross-reference link with a Chinese title.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from .zh_lines import joinable

__all__ = ["ConversionError", "Context", "convert", "myst_leftovers"]


class ConversionError(ValueError):
    """A MyST construct that the notebook conversion does not know (or cannot resolve)."""


@dataclass
class Context:
    """What the conversion needs from the build.

    ``link(role, target)`` returns ``(title, url)`` for a cross-reference role (``ref``,
    ``numref``, ``doc``, ``term``, ``eq``; ``target`` without an explicit title);
    ``glue(kind, key, fmt)`` returns the text for ``{glue:text}`` (``kind="text"``) or
    ``{glue:md}`` (``kind="md"``); ``include(argument, options)`` returns ``(code, language)``
    for a ``literalinclude``; ``equation_number(label)`` the number of a labelled equation (or
    ``None``); ``anchor(label)`` the site URL of a ``(label)=`` target used as ``[text](#label)``
    (or ``None`` for a heading anchor of the notebook itself); ``page_url(path)`` the site URL
    of a linked ``.md`` page. Each raises :class:`ConversionError` for what it cannot resolve.
    """

    lang: str
    link: Callable[[str, str], tuple[str, str]]
    glue: Callable[[str, str, str], str]
    include: Callable[[str, dict[str, str]], tuple[str, str]]
    equation_number: Callable[[str], int | None] = field(default=lambda label: None)
    anchor: Callable[[str], str | None] = field(default=lambda label: None)
    page_url: Callable[[str], str | None] = field(default=lambda path: None)


ADMONITION_TITLES = {
    "en": {"note": "Note", "tip": "Tip", "hint": "Hint", "important": "Important",
           "warning": "Warning", "caution": "Caution", "attention": "Attention",
           "danger": "Danger", "error": "Error", "seealso": "See also"},
    "zh": {"note": "注意", "tip": "提示", "hint": "提示", "important": "重要",
           "warning": "警告", "caution": "小心", "attention": "注意", "danger": "危险",
           "error": "错误", "seealso": "另请参阅"},
}
CODE_DIRECTIVES = {"code-block", "code", "sourcecode"}
LINK_ROLES = {"ref", "numref", "doc", "term", "eq", "any"}
HTML_ROLES = {"sub": "sub", "sup": "sup", "kbd": "kbd", "subscript": "sub", "superscript": "sup"}

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<info>.*?)\s*$")
_DIRECTIVE_INFO = re.compile(r"^\{(?P<name>[A-Za-z][\w:.+-]*)\}\s*(?P<arg>.*)$")
_OPTION = re.compile(r"^:(?P<key>[\w-]+):(?:\s+(?P<value>.*?))?\s*$")
_LABEL = re.compile(r"^\s*\(\s*[^()\s]+\s*\)=\s*$")
_COMMENT = re.compile(r"^\s*%")
_ROLE = re.compile(r"\{(?P<name>[A-Za-z][\w:.+-]*)\}(?P<ticks>`+)(?P<content>.+?)(?P=ticks)(?!`)",
                   re.S)
_EXPLICIT = re.compile(r"^(?P<title>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
_MD_LINK = re.compile(r"\]\((?P<target>[^()\s]+)\)")
_DISPLAY_MATH_LABEL = re.compile(r"^(?P<close>.*\$\$)\s*\((?P<label>[^()\s]+)\)\s*$")


def convert(text: str, ctx: Context) -> str:
    """The Jupyter Markdown for the MyST Markdown ``text`` of one cell (or directive body)."""
    lines = text.split("\n")
    out: list[str] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            out.append(_inline("\n".join(para), ctx))
            para.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            flush()
            end = _closing(lines, i, fence.group("fence"))
            body = lines[i + 1 : end]
            info = fence.group("info")
            directive = _DIRECTIVE_INFO.match(info)
            if directive:
                out.append(_directive(directive.group("name"), directive.group("arg"), body, ctx))
            elif fence.group("fence").startswith(":"):
                out.append("\n".join(["```" + info, *body, "```"]))
            else:
                out.append("\n".join(lines[i : end + 1]))
            i = end + 1
            continue
        if line.strip().startswith("$$"):
            flush()
            end = i
            if not (line.strip().count("$$") >= 2 and len(line.strip()) > 2):
                end = next((j for j in range(i + 1, len(lines)) if "$$" in lines[j]), len(lines) - 1)
            block = lines[i : end + 1]
            label = _DISPLAY_MATH_LABEL.match(block[-1])
            if label:
                block[-1] = label.group("close")
                number = ctx.equation_number(label.group("label"))
                if number is not None:
                    before = block[-1][:-2].rstrip()
                    block[-1:] = [f"{before} \\tag{{{number}}}".strip(), "$$"]
            out.append("\n".join(block))
            i = end + 1
            continue
        if _LABEL.match(line) or _COMMENT.match(line):
            i += 1
            continue
        if not line.strip():
            flush()
            out.append("")
        else:
            para.append(line)
        i += 1
    flush()
    return "\n".join(out).strip("\n")


def _closing(lines: list[str], start: int, fence: str) -> int:
    """Index of the line closing the fence opened at ``start`` (the last line if none)."""
    char, size = fence[0], len(fence)
    for j in range(start + 1, len(lines)):
        stripped = lines[j].strip()
        if stripped and set(stripped) == {char} and len(stripped) >= size:
            return j
    return len(lines)


def _split_options(body: list[str]) -> tuple[dict[str, str], list[str]]:
    options: dict[str, str] = {}
    rest = list(body)
    if rest and rest[0].strip() == "---":
        import yaml

        end = next((k for k in range(1, len(rest)) if rest[k].strip() == "---"), None)
        if end is not None:
            data = yaml.safe_load("\n".join(rest[1:end])) or {}
            options = {str(k): "" if v is None else str(v) for k, v in data.items()}
            return options, rest[end + 1 :]
    while rest:
        m = _OPTION.match(rest[0])
        if not m:
            break
        options[m.group("key")] = m.group("value") or ""
        rest.pop(0)
    return options, rest


def _quote(text: str) -> str:
    return "\n".join(("> " + line) if line.strip() else ">" for line in text.split("\n"))


def _directive(name: str, arg: str, body: list[str], ctx: Context) -> str:
    options, rest = _split_options(body)
    content = "\n".join(rest)
    titles = ADMONITION_TITLES["zh" if ctx.lang == "zh" else "en"]
    if name in ("admonition", "dropdown") or name in titles:
        if name == "admonition":
            title = arg
        elif name == "dropdown":
            title = arg or titles["note"]
        else:
            title, content = titles[name], (arg + "\n" + content if arg else content)
        inner = convert(content, ctx)
        title_md = _inline(title, ctx).strip()
        if name == "dropdown" or "dropdown" in options.get("class", "").split():
            return f"<details>\n<summary>{title_md}</summary>\n\n{inner}\n\n</details>"
        return _quote(f"**{title_md}**\n\n{inner}")
    if name == "math":
        tag = ""
        if options.get("label"):
            number = ctx.equation_number(options["label"])
            tag = "" if number is None else f" \\tag{{{number}}}"
        math = "\n".join(line for line in [arg, content.strip("\n")] if line)
        return f"$$\n{math}{tag}\n$$"
    if name == "literalinclude":
        code, language = ctx.include(arg, options)
        return f"```{language}\n{code.strip(chr(10))}\n```"
    if name == "toctree":  # the pages it lists, as links (a hidden one shows nothing)
        if "hidden" in options:
            return ""
        items = [_role("doc", entry.strip(), ctx) for entry in rest if entry.strip()]
        return "\n".join(f"- {item}" for item in items)
    if name in CODE_DIRECTIVES:
        return f"```{arg.strip()}\n{content.strip(chr(10))}\n```"
    if name == "selfcheck":
        return _selfcheck(options, rest, ctx)
    raise ConversionError(
        f"the directive {{{name}}} has no plain-Markdown form in the notebook download; "
        f"convert it in book/_ext/dlnotes_book/notebook_markdown.py (or avoid it in the page)"
    )


def _selfcheck(options: dict[str, str], body: list[str], ctx: Context) -> str:
    """A self-check (``dlnotes_selfcheck``): the question and its options, then the answer and
    the feedback folded in ``<details>``."""
    from dlnotes_selfcheck import STRINGS, SelfCheckError, answer_text, parse

    words = STRINGS["zh" if ctx.lang == "zh" else "en"]
    try:
        check = parse(body)
    except SelfCheckError as exc:
        raise ConversionError(f"selfcheck: {exc}") from None
    key = options.get("answer", "")
    if not key:
        raise ConversionError("selfcheck: the :answer: option is missing")
    value = ctx.glue("text", key, "")
    if check.kind == "number":
        tol = float(options.get("tolerance") or 0)
        try:
            shown = answer_text(int(value) if re.fullmatch(r"-?\d+", value) else float(value), tol)
        except ValueError:
            raise ConversionError(f"selfcheck: the answer {key!r} is glued as {value!r}, "
                                  f"not a number") from None
        if tol:
            shown += words["paren"].format(f"{words['tolerance']} {answer_text(tol, 0)}")
        feedback = [convert(check.feedback, ctx)]
    else:
        shown = f"({value})"
        feedback = [f"**({o.letter})** {convert(o.feedback, ctx)}" for o in check.options]
    parts = [f"**{words['kicker']}{words['colon']}** {convert(check.question, ctx)}"]
    if check.options:
        parts.append("\n".join(f"- **({o.letter})** {convert(o.text, ctx)}" for o in check.options))
    parts.append(f"<details>\n<summary>{words['answer']}</summary>\n\n"
                 f"{words['right_answer']} {shown}\n\n" + "\n\n".join(feedback) + "\n\n</details>")
    return "\n\n".join(parts)


def _link_title(title: str) -> str:
    return title.replace("[", "\\[").replace("]", "\\]")


def _role(name: str, content: str, ctx: Context) -> str:
    if name in LINK_ROLES:
        explicit = _EXPLICIT.match(content)
        target = explicit.group("target") if explicit else content
        target = target.lstrip("~!")
        title, url = ctx.link("ref" if name == "any" else name, target.strip())
        if explicit and explicit.group("title"):
            title = explicit.group("title")
        elif name == "eq":
            title = f"({title})"
        return f"[{_link_title(title)}]({url})"
    if name in ("glue:text", "glue", "glue:", "glue:any"):
        key, _, fmt = content.rpartition(":") if ":" in content else (content, "", "")
        return ctx.glue("text", key, fmt)
    if name == "glue:md":
        key, _, fmt = content.rpartition(":") if ":" in content else (content, "", "")
        return ctx.glue("md", key, fmt)
    if name == "math":
        return f"${content}$"
    if name in ("code", "literal", "samp", "file", "command", "envvar", "program"):
        ticks = "``" if "`" in content else "`"
        pad = " " if ticks == "``" else ""
        return f"{ticks}{pad}{content}{pad}{ticks}"
    if name in HTML_ROLES:
        tag = HTML_ROLES[name]
        return f"<{tag}>{content}</{tag}>"
    if name in ("abbr", "index", "emphasis", "strong"):
        text = re.sub(r"\s*\([^()]*\)$", "", content) if name == "abbr" else content
        text = text.lstrip("!") if name == "index" else text
        return {"emphasis": f"*{text}*", "strong": f"**{text}**"}.get(name, text)
    raise ConversionError(
        f"the role {{{name}}}`{content}` has no plain-Markdown form in the notebook download; "
        f"convert it in book/_ext/dlnotes_book/notebook_markdown.py (or avoid it in the page)"
    )


def _inline(text: str, ctx: Context) -> str:
    """Roles and page links of one paragraph; inline code and inline math are left as they are."""
    out: list[str] = []
    i = 0
    while i < len(text):
        role = _ROLE.match(text, i)
        if role:
            out.append(_role(role.group("name"), role.group("content"), ctx))
            i = role.end()
            continue
        ch = text[i]
        if ch == "`":
            ticks = re.match(r"`+", text[i:]).group(0)  # type: ignore[union-attr]
            end = text.find(ticks, i + len(ticks))
            end = len(text) if end < 0 else end + len(ticks)
            out.append(text[i:end])
            i = end
            continue
        if ch == "$" and (i == 0 or text[i - 1] != "\\"):
            end = text.find("$", i + 1)
            if end > i + 1 and text[i + 1] != " ":
                out.append(text[i : end + 1])
                i = end + 1
                continue
        link = _MD_LINK.match(text, i)
        if link:
            out.append("](" + _link_target(link.group("target"), ctx) + ")")
            i = link.end()
            continue
        out.append(ch)
        i += 1
    result = "".join(out)
    return _join_chinese(result) if ctx.lang == "zh" else result


def _link_target(target: str, ctx: Context) -> str:
    if target.startswith("#"):
        return ctx.anchor(target[1:]) or target
    if "://" in target or target.startswith("mailto:"):
        return target
    path = target.split("#", 1)[0]
    if path.endswith((".md", ".ipynb")):
        url = ctx.page_url(target)
        if url is None:
            raise ConversionError(f"the link to {target!r} does not resolve to a page of the book")
        return url
    return target


_BLOCK_START = re.compile(r"^\s*([-*+]\s|[>#|]|\d+[.)]\s|[-=_*]{3,}\s*$)")


def _punctuation(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def _breaks_emphasis(prev: str, nxt: str) -> bool:
    """Whether joining ``prev`` and ``nxt`` would stop a ``*``/``_`` run at the seam from
    opening or closing emphasis (CommonMark's flanking rules): an opening run followed by
    punctuation needs a space or punctuation before it, a closing run after punctuation
    needs one after it."""
    opening = re.match(r"[*_]+(.)", nxt)
    if opening and _punctuation(opening.group(1)) and not _punctuation(prev[-1]):
        return True
    closing = re.search(r"(.)[*_]+$", prev)
    return bool(closing and _punctuation(closing.group(1)) and not _punctuation(nxt[0]))


def _join_chinese(text: str) -> str:
    """Drop line breaks that a Chinese reader would see as stray spaces (see :mod:`.zh_lines`)."""
    lines = text.split("\n")
    out = lines[:1]
    for line in lines[1:]:
        prev = out[-1].rstrip()
        nxt = line.lstrip()
        # the visible characters: inside bold, emphasis and link brackets
        left = re.sub(r"\]\([^()\s]*\)$", "", prev.rstrip("*_")).rstrip("*_")
        right = nxt.lstrip("*_[")
        if left and right and joinable(left[-1], right[0]) and not _breaks_emphasis(prev, nxt) and not _BLOCK_START.match(line) \
                and not out[-1].endswith("  "):
            out[-1] = prev + nxt
        else:
            out.append(line)
    joined = "\n".join(out)
    # "见 [安装](url) 一节": no space between Chinese text and the Chinese edge of a link
    joined = re.sub(r"(.)[ \t]+\[(.)",
                    lambda m: m.group(0) if not joinable(m.group(1), m.group(2))
                    else f"{m.group(1)}[{m.group(2)}", joined)
    return re.sub(r"(.)\]\(([^()\s]*)\)[ \t]+(.)",
                  lambda m: m.group(0) if not joinable(m.group(1), m.group(3))
                  else f"{m.group(1)}]({m.group(2)}){m.group(3)}", joined)


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def _mask(text: str) -> str:
    """``text`` with fenced code, inline code and math blanked out, position for position (what
    they hold is code or TeX, not syntax). A role's backticks (after ``}``) are not code."""
    lines = text.split("\n")
    closers: set[int] = set()  # closing lines of directive fences (whose bodies are Markdown)
    i = 0
    while i < len(lines):
        fence = _FENCE.match(lines[i])
        if fence and i not in closers:
            end = min(_closing(lines, i, fence.group("fence")), len(lines) - 1)
            if fence.group("fence")[0] in "`~" and not fence.group("info").startswith("{"):
                for j in range(i + 1, end):
                    lines[j] = _blank(lines[j])
                i = end + 1
                continue
            closers.add(end)
        i += 1
    masked = "\n".join(lines)
    masked = re.sub(r"\$\$.*?\$\$", lambda m: "$$" + _blank(m.group(0)[2:-2]) + "$$", masked,
                    flags=re.S)
    out = list(masked)
    i = 0
    while i < len(masked):
        role = _ROLE.match(masked, i)
        if role:  # left as it is: it is what we look for
            i = role.end()
            continue
        if i == 0 or masked[i - 1] == "\n":
            line_end = masked.find("\n", i)
            line_end = len(masked) if line_end < 0 else line_end
            if _FENCE.match(masked[i:line_end]):  # a fence line (code ones are blank by now)
                i = line_end
                continue
        if masked[i] == "`":
            ticks = re.match(r"`+", masked[i:]).group(0)  # type: ignore[union-attr]
            close = re.compile(rf"(?<!`){ticks}(?!`)").search(masked, i + len(ticks))
            if close and "\n\n" not in masked[i:close.start()]:
                out[i + len(ticks) : close.start()] = _blank(masked[i + len(ticks) : close.start()])
                i = close.end()
                continue
            i += len(ticks)
            continue
        i += 1
    masked = "".join(out)
    return re.sub(r"(?<![\\$])\$([^$\s][^$]*?)\$",
                  lambda m: "$" + _blank(m.group(1)) + "$", masked)


_Q = r"^[ \t]*(?:>[ \t]?)*"  # a line's start, inside block quotes too
_LEFTOVERS = [
    ("role", re.compile(r"\{[A-Za-z][\w:.+-]*\}`")),
    ("label", re.compile(_Q + r"\([^()\s]+\)=\s*$", re.M)),
    ("directive fence", re.compile(_Q + r"(`{3,}|~{3,}|:{3,})\s*\{", re.M)),
    ("colon fence", re.compile(_Q + r":{3,}", re.M)),
    ("MyST comment", re.compile(_Q + r"%", re.M)),
    ("directive option", re.compile(_Q + r":[\w-]+:( |$)", re.M)),
]


def myst_leftovers(markdown: str) -> list[str]:
    """The MyST-only syntax left in ``markdown`` (roles, labels, directive fences, ``:::``,
    ``%`` comments, option lines), as ``"kind: excerpt"`` strings; empty when it is plain."""
    masked = _mask(markdown)
    found = []
    for kind, pattern in _LEFTOVERS:
        for m in pattern.finditer(masked):
            line = markdown[markdown.rfind("\n", 0, m.start()) + 1 :].split("\n", 1)[0]
            found.append(f"{kind}: {line.strip()[:80]}")
    return found
