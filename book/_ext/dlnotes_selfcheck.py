"""Self-checks: quick questions whose answers the build computes (issue 13 §3).

A page asks with a ``selfcheck`` colon-fence directive; the answer is a glue key, so it comes from
the page's own computation and cannot go stale::

    :::{selfcheck}
    :answer: sc-ndarray-sum-shape
    What is the shape of `a.sum(axis=0)`?

    (a) `(2,)`
    : Not quite: the axis you name is the one that disappears.

    (b) `(3,)`
    : Right: summing over axis 0 leaves the 3 columns.
    :::

A multiple-choice check has 2-4 options ``(a)``..``(d)``, each a definition-list item whose
definition is its feedback; the glued value is the right letter. A numeric check has no options but
one feedback item (a line starting with ``: ``); the glued value is a number, and ``:tolerance:``
the absolute tolerance (default 0).

:func:`parse` reads a directive body (standard library only; the notebook downloads, the structural
parity check and ``tools/selfchecks.py`` use it too) and raises :class:`SelfCheckError` naming the
line for every malformed check. As a Sphinx extension, :class:`SelfCheckDirective` also checks the
answer against the page's glue data (read through myst-nb, see :func:`glued_value`) and writes a
small self-contained component: a ``<fieldset>`` whose ``<legend>`` is the question, radio buttons
or a number field, a Check button and an ``aria-live`` region that ``_static/selfcheck.js`` fills.
The answer is in data attributes (a self-check, not an exam); without JavaScript the question, the
options and a folded ``<details>`` with the answer and the feedback still show. In the PDF and
EPUB editions a check is printed (:func:`plain_selfcheck`): the question, the options, then the
answer and the feedback, in a box.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Check", "LETTERS", "SelfCheckError", "Option", "answer_text", "count_checks",
           "glued_value", "parse", "setup", "validate_answer"]

LETTERS = "abcd"
MYST_NB_WRITTEN_FOR = ("1.4.0",)
_TERM = re.compile(r"^\((?P<letter>[^()\s]{1,3})\)(?:\s+(?P<text>.*))?$")
_DEF = re.compile(r"^:(?:\s+(?P<text>.*))?$")
_FENCE = re.compile(r"^ {0,3}(?P<fence>:{3,}|`{3,})\s*\{selfcheck\}\s*$")

STRINGS = {
    "en": {"kicker": "Check yourself", "check": "Check", "right": "Right!", "wrong": "Not quite.",
           "answer": "Answer", "right_answer": "The right answer is", "your_answer": "Your answer",
           "choose": "Choose an option first.", "enter": "Enter a number first.",
           "tolerance": "within", "colon": ":", "paren": " ({})"},
    "zh": {"kicker": "自测", "check": "检查", "right": "正确！", "wrong": "再想想。",
           "answer": "答案", "right_answer": "正确答案是", "your_answer": "你的答案",
           "choose": "请先选择一个选项。", "enter": "请先输入一个数。", "tolerance": "误差不超过",
           "colon": "：", "paren": "（{}）"},
}


class SelfCheckError(ValueError):
    """A malformed self-check; ``line`` is the 0-based line of the body it is about."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class Option:
    """One choice: its letter, its text (MyST) and its feedback (MyST), with their body lines."""

    letter: str
    text: str
    feedback: str
    line: int = 0
    feedback_line: int = 0


@dataclass
class Check:
    """A parsed self-check body: the question, and either options or one numeric feedback."""

    question: str
    options: list[Option] = field(default_factory=list)
    feedback: str = ""  # a numeric check's feedback
    feedback_line: int = 0

    @property
    def kind(self) -> str:
        """``"choice"`` or ``"number"``."""
        return "choice" if self.options else "number"

    @property
    def letters(self) -> str:
        return "".join(o.letter for o in self.options)


def _definition(lines: list[str], i: int) -> tuple[str, int]:
    """The definition starting at ``lines[i]`` (a ``: `` line) and the index after it: the first
    line, lazy continuation lines, and indented paragraphs after blank lines."""
    m = _DEF.match(lines[i])
    assert m is not None  # noqa: S101 (the caller matched it)
    parts = [m.group("text") or ""]
    j = i + 1
    while j < len(lines):
        line = lines[j]
        if not line.strip():
            k = j
            while k < len(lines) and not lines[k].strip():
                k += 1
            if k < len(lines) and lines[k].startswith(("  ", "\t")):
                parts.extend([""] * (k - j))
                j = k
                continue
            break
        if _TERM.match(line) or _DEF.match(line):
            break
        parts.append(line[2:] if line.startswith("  ") else line.strip())
        j += 1
    return "\n".join(parts).strip(), j


def parse(body: str | list[str]) -> Check:
    """Read the body of a ``selfcheck`` directive (without its option lines).

    Parameters
    ----------
    body
        The directive's content, as text or as a list of lines.

    Returns
    -------
    Check
        The question, and the options (choice) or the feedback (number).

    Raises
    ------
    SelfCheckError
        If the body has no question, no options and no feedback, option letters other than
        ``(a)``, ``(b)``, ... in order, more than four or a single option, an option without
        feedback, or text after the options; ``line`` is the offending line of ``body``.

    Examples
    --------
    >>> check = parse("Which?\\n\\n(a) one\\n: No.\\n\\n(b) two\\n: Yes.")
    >>> check.kind, check.question, [(o.letter, o.text, o.feedback) for o in check.options]
    ('choice', 'Which?', [('a', 'one', 'No.'), ('b', 'two', 'Yes.')])
    >>> parse("How many? Give a whole number.\\n\\n: Count them.").feedback
    'Count them.'
    >>> parse("A question alone?")
    Traceback (most recent call last):
    ...
    dlnotes_selfcheck.SelfCheckError: a self-check needs options (a), (b), ... each with its feedback, or, for a numeric answer, one feedback line starting with ': '; found neither
    """
    lines = body.split("\n") if isinstance(body, str) else [str(s) for s in body]
    first = next((k for k, s in enumerate(lines) if _TERM.match(s) or _DEF.match(s)), len(lines))
    question = "\n".join(lines[:first]).strip()
    if first == len(lines):
        raise SelfCheckError(
            "a self-check needs options (a), (b), ... each with its feedback, or, for a numeric "
            "answer, one feedback line starting with ': '; found neither",
            max((k for k, s in enumerate(lines) if s.strip()), default=0))
    if not question:
        raise SelfCheckError("a self-check needs a question before its options or feedback", first)
    check = Check(question)
    i = first
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        term = _TERM.match(line)
        if term:
            letter = term.group("letter")
            expected = LETTERS[len(check.options)] if len(check.options) < len(LETTERS) else None
            if expected is None:
                raise SelfCheckError(f"a self-check has at most {len(LETTERS)} options, (a) to "
                                     f"({LETTERS[-1]}); found ({letter}) after them", i)
            if letter != expected:
                raise SelfCheckError(f"option letters must be (a), (b), (c), (d) in order: "
                                     f"expected ({expected}), found ({letter})", i)
            if check.feedback:
                raise SelfCheckError("a self-check has either options or one feedback item, "
                                     "not both", i)
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j == len(lines) or not _DEF.match(lines[j]):
                wrapped = j < len(lines) and j == i + 1
                raise SelfCheckError(
                    f"option ({letter}) has no feedback line right after it"
                    + (" (an option's text is one line: do not wrap it)" if wrapped else "")
                    + ": put a line starting with ': ' after it, saying why it is right or wrong",
                    i)
            feedback, nxt = _definition(lines, j)
            if not (term.group("text") or "").strip():
                raise SelfCheckError(f"option ({letter}) has no text", i)
            if not feedback:
                raise SelfCheckError(f"option ({letter}) has an empty feedback", j)
            check.options.append(Option(letter, term.group("text").strip(), feedback, i, j))
            i = nxt
            continue
        if _DEF.match(line):
            if check.options:
                raise SelfCheckError(f"a second feedback item after option "
                                     f"({check.options[-1].letter}); an option has one", i)
            if check.feedback:
                raise SelfCheckError("a numeric self-check has one feedback item; found a second", i)
            check.feedback, nxt = _definition(lines, i)
            check.feedback_line = i
            if not check.feedback:
                raise SelfCheckError("the feedback item is empty", i)
            i = nxt
            continue
        raise SelfCheckError(f"text after the options or feedback: {line.strip()[:60]!r} (the "
                             f"question goes before them)", i)
    if len(check.options) == 1:
        raise SelfCheckError("a multiple-choice self-check needs at least two options; found "
                             "only (a)", check.options[0].line)
    return check


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def validate_answer(check: Check, key: str, value: Any, tolerance: str | None) -> float:
    """Check a glued answer against the check; return the tolerance as a number.

    Parameters
    ----------
    check
        The parsed check.
    key
        The glue key, for the messages.
    value
        The glued value (a Python object: the letter, or a number).
    tolerance
        The ``:tolerance:`` option as written, or ``None``.

    Returns
    -------
    float
        The absolute tolerance (0 when not given).

    Raises
    ------
    SelfCheckError
        If a choice's value is not one of its letters, a numeric answer is not a finite number,
        or the tolerance is not a non-negative number (or is given for a choice).

    Examples
    --------
    >>> choice = parse("Which?\\n\\n(a) one\\n: No.\\n\\n(b) two\\n: Yes.")
    >>> validate_answer(choice, "k", "b", None)
    0.0
    >>> validate_answer(choice, "k", "c", None)
    Traceback (most recent call last):
    ...
    dlnotes_selfcheck.SelfCheckError: the answer 'k' is glued as 'c', which is not one of the option letters a, b
    >>> validate_answer(parse("How much?\\n\\n: Like so."), "k", 2.5, "0.01")
    0.01
    """
    tol = 0.0
    if tolerance is not None:
        if check.kind == "choice":
            raise SelfCheckError(":tolerance: is for a numeric answer; this check has options")
        try:
            tol = float(tolerance)
        except ValueError:
            tol = -1.0
        if not (math.isfinite(tol) and tol >= 0):
            raise SelfCheckError(f":tolerance: must be a non-negative number; found {tolerance!r}")
    if check.kind == "choice":
        if not (isinstance(value, str) and value in check.letters):
            raise SelfCheckError(f"the answer {key!r} is glued as {value!r}, which is not one of "
                                 f"the option letters {', '.join(check.letters)}")
    elif _number(value) is None:
        raise SelfCheckError(f"the answer {key!r} is glued as {value!r}, which is not a number "
                             f"(a numeric self-check, having no options, needs an int or float)")
    return tol


def answer_text(value: Any, tolerance: float) -> str:
    """The numeric answer as the reader sees it: to the tolerance's decimals, else as glued.

    Examples
    --------
    >>> answer_text(2.9166666666666665, 0.01), answer_text(6, 0), answer_text(0.5, 0)
    ('2.92', '6', '0.5')
    """
    if isinstance(value, int):
        return str(value)
    if tolerance > 0:
        decimals = max(0, -math.floor(math.log10(tolerance)))
        return f"{value:.{decimals}f}"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def count_checks(text: str) -> int:
    """The number of ``selfcheck`` directives in a MyST page's text.

    >>> count_checks(":::{selfcheck}\\n:answer: k\\nQ\\n\\n: F\\n:::\\n\\n::::{selfcheck}\\nQ\\n::::\\n")
    2
    """
    return sum(1 for line in text.split("\n") if _FENCE.match(line))


def glued_value(document: Any, key: str) -> Any:
    """The value glued under ``key`` on the page being read, as a Python object.

    myst-nb keeps each page's glued outputs on the notebook client of the page's renderer and
    resolves ``{glue:text}`` through ``myst_nb.ext.glue.utils.retrieve_glue_data`` (not documented
    as public API: guarded), which gives the output's MIME bundle; the value is the
    ``text/plain`` repr, read back with :func:`ast.literal_eval`.

    Raises
    ------
    KeyError
        If nothing is glued under ``key`` on this page (or the page is not executed).
    """
    from dlnotes_book.guards import require_version
    require_version("myst-nb", MYST_NB_WRITTEN_FOR,
                    "Reading self-check answers (myst_nb.ext.glue.utils.retrieve_glue_data)")
    from myst_nb.core.variables import RetrievalError
    from myst_nb.ext.glue.utils import retrieve_glue_data

    try:
        output = retrieve_glue_data(document, key)
    except RetrievalError as exc:
        raise KeyError(key) from exc
    text = output.data.get("text/plain", "")
    try:
        return ast.literal_eval(text)
    except (SyntaxError, ValueError):
        return text


# ---------------------------------------------------------------- Sphinx: nodes and writers
from docutils import nodes  # noqa: E402


class selfcheck(nodes.General, nodes.Element):  # noqa: N801 (docutils naming)
    """The ``<fieldset>``."""


class selfcheck_question(nodes.General, nodes.Element):  # noqa: N801
    """The ``<legend>``: the question's paragraphs as blocks of phrasing content."""


class selfcheck_option(nodes.General, nodes.Element):  # noqa: N801
    """A radio button and its label."""


class selfcheck_number(nodes.General, nodes.Element):  # noqa: N801
    """The number field and its label."""


class selfcheck_controls(nodes.General, nodes.Element):  # noqa: N801
    """The Check button and the live region."""


class selfcheck_answer(nodes.General, nodes.Element):  # noqa: N801
    """The folded answer: ``<details>``."""


class selfcheck_feedback(nodes.General, nodes.Element):  # noqa: N801
    """One option's (or the numeric) feedback, inside the answer."""


def _attr(value: object) -> str:
    from html import escape
    return escape(str(value), quote=True)


def visit_selfcheck(self: Any, node: selfcheck) -> None:
    data = "".join(f' data-{k}="{_attr(v)}"' for k, v in node["data"].items())
    self.body.append(f'<fieldset class="selfcheck" id="{node["ident"]}"{data}>\n')


def depart_selfcheck(self: Any, node: selfcheck) -> None:
    self.body.append("</fieldset>\n")


def visit_question(self: Any, node: selfcheck_question) -> None:
    self.body.append(f'<legend class="selfcheck-question"><span class="selfcheck-kicker">'
                     f'{_attr(node["kicker"])}</span> ')


def depart_question(self: Any, node: selfcheck_question) -> None:
    self.body.append("</legend>\n")


def visit_option(self: Any, node: selfcheck_option) -> None:
    ident = f'{node["ident"]}-{node["letter"]}'
    self.body.append(f'<div class="selfcheck-option"><input type="radio" name="{node["ident"]}" '
                     f'id="{ident}" value="{node["letter"]}"><label for="{ident}">'
                     f'<span class="selfcheck-letter">({node["letter"]})</span> ')


def depart_option(self: Any, node: selfcheck_option) -> None:
    self.body.append("</label></div>\n")


def visit_number(self: Any, node: selfcheck_number) -> None:
    ident = f'{node["ident"]}-value'
    self.body.append(f'<div class="selfcheck-number"><label for="{ident}">{_attr(node["label"])}'
                     f'</label> <input type="number" step="any" id="{ident}" '
                     f'inputmode="decimal"></div>\n')
    raise nodes.SkipNode


def visit_controls(self: Any, node: selfcheck_controls) -> None:
    self.body.append(f'<div class="selfcheck-controls"><button type="button" '
                     f'class="selfcheck-button" hidden>{_attr(node["label"])}</button></div>\n'
                     f'<div class="selfcheck-result" role="status" aria-live="polite"></div>\n')
    raise nodes.SkipNode


def visit_answer(self: Any, node: selfcheck_answer) -> None:
    self.body.append(f'<details class="selfcheck-answer"><summary>{_attr(node["summary"])}'
                     f'</summary>\n')


def depart_answer(self: Any, node: selfcheck_answer) -> None:
    self.body.append("</details>\n")


def visit_feedback(self: Any, node: selfcheck_feedback) -> None:
    letter = node["letter"]
    shown = f'<span class="selfcheck-letter">({letter})</span> ' if letter else ""
    self.body.append(f'<div class="selfcheck-feedback" data-letter="{letter}">{shown}')


def depart_feedback(self: Any, node: selfcheck_feedback) -> None:
    self.body.append("</div>\n")


# ---------------------------------------------------------------- print: PDF and EPUB
def plain_selfcheck(check: nodes.Element, lang: str) -> nodes.container:
    """A self-check in print (the PDF, the EPUB): the question, the options, then the answer and
    the feedback, printed open like the exercises' solutions, in a container of class
    ``selfcheck`` (the LaTeX preamble boxes it; the EPUB's stylesheet frames it)."""
    colon = "：" if lang == "zh" else ": "
    box = nodes.container(classes=["selfcheck"])
    for part in check.children:
        if isinstance(part, selfcheck_question):
            for i, block in enumerate(part.children):
                para = nodes.paragraph(classes=["selfcheck-question"])
                if i == 0:
                    para += nodes.strong(part["kicker"], part["kicker"])
                    para += nodes.Text(colon)
                para.extend(c.deepcopy() for c in block.children)
                box += para
        elif isinstance(part, selfcheck_option):
            para = nodes.paragraph(classes=["selfcheck-option"])
            para += nodes.Text(f"({part['letter']}) ")
            para.extend(c.deepcopy() for c in part.children)
            box += para
        elif isinstance(part, selfcheck_answer):
            answer = nodes.container(classes=["selfcheck-answer"])
            for item in part.children:
                blocks = [c.deepcopy() for c in item.children] if isinstance(
                    item, selfcheck_feedback) else [item.deepcopy()]
                letter = item.get("letter", "") if isinstance(item, selfcheck_feedback) else ""
                if blocks and isinstance(blocks[0], nodes.paragraph):
                    if letter:
                        blocks[0].insert(0, nodes.Text(f"({letter}) "))
                    if not len(answer):
                        blocks[0].insert(0, nodes.Text(colon))
                        blocks[0].insert(0, nodes.strong(part["summary"], part["summary"]))
                answer.extend(blocks)
            box += answer
        # the number field, the Check button and the live region need a script: left out
    return box

def print_selfchecks(app: Any, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: for every builder but the web site's, each self-check in its plain
    form (:func:`plain_selfcheck`): the radio buttons, number field and Check button need a
    script, which neither a PDF nor an EPUB reading system runs."""
    if app.builder.format == "html" and app.builder.name != "epub":
        return
    from dlnotes_book.languages import lang_key

    lang = lang_key(app.config.language)
    for check in list(doctree.findall(selfcheck)):
        check.replace_self(plain_selfcheck(check, lang))


# ---------------------------------------------------------------- Sphinx: the directive
def _directive_class() -> type:
    from sphinx.util.docutils import SphinxDirective

    class SelfCheckDirective(SphinxDirective):
        """``{selfcheck}``: see the module's docstring."""

        has_content = True
        option_spec = {"answer": lambda s: (s or "").strip(), "tolerance": lambda s: (s or "").strip()}

        def _fail(self, message: str, offset: int | None = None) -> list[nodes.Node]:
            # MyST: lineno is the opening line, content_offset the body's distance below it
            line = self.lineno if offset is None else self.lineno + self.content_offset + 1 + offset
            return [self.reporter.error(f"selfcheck: {message}", line=line)]

        def _parse_blocks(self, text: str, offset: int) -> list[nodes.Node]:
            from docutils.statemachine import StringList
            holder = nodes.Element()
            lines = text.split("\n")
            src = self.content.source(offset)
            base = self.content.offset(offset)
            self.state.nested_parse(StringList(lines, items=[(src, base + k) for k in range(len(lines))]),
                                    0, holder)
            return list(holder.children)

        def run(self) -> list[nodes.Node]:
            from dlnotes_book.languages import lang_key
            lang = lang_key(self.config.language)
            words = STRINGS[lang]
            try:
                check = parse(list(self.content))
            except SelfCheckError as exc:
                return self._fail(str(exc), exc.line)
            key = self.options.get("answer")
            if not key:
                return self._fail("the :answer: option is missing: name the glue key that holds "
                                  "the right letter (or the number)")
            try:
                value = glued_value(self.state.document, key)
            except KeyError:
                return self._fail(f"the answer {key!r} is not glued on this page: glue it in a "
                                  f"hidden code cell, glue({key!r}, value, display=False)")
            try:
                tol = validate_answer(check, key, value, self.options.get("tolerance"))
            except SelfCheckError as exc:
                return self._fail(str(exc))

            env = self.env
            serial = env.new_serialno("dlnotes-selfcheck") + 1
            ident = f"selfcheck-{serial}"
            data = {"kind": check.kind, "answer": value if check.kind == "choice" else repr(value),
                    "msg-right": words["right"], "msg-wrong": words["wrong"],
                    "msg-right-answer": words["right_answer"]}
            if check.kind == "number":
                data["tolerance"] = repr(tol)
                data["answer-text"] = answer_text(value, tol)
                data["msg-empty"] = words["enter"]
            else:
                data["msg-empty"] = words["choose"]
            root = selfcheck(ident=ident, data=data, classes=["selfcheck"])
            self.set_source_info(root)
            question = selfcheck_question(kicker=words["kicker"])
            for block in self._parse_blocks(check.question, 0):
                if not isinstance(block, nodes.paragraph):
                    return self._fail("the question must be paragraphs of text (inline maths and "
                                      "code are fine; no blocks)")
                question += nodes.inline("", "", *block.children, classes=["selfcheck-para"])
            root += question
            if check.kind == "choice":
                for option in check.options:
                    item = selfcheck_option(ident=ident, letter=option.letter)
                    kids = self._parse_blocks(option.text, option.line)
                    if len(kids) != 1 or not isinstance(kids[0], nodes.paragraph):
                        return self._fail(f"option ({option.letter}) must be one line of text",
                                          option.line)
                    item.extend(kids[0].children)
                    root += item
            else:
                root += selfcheck_number(ident=ident, label=words["your_answer"])
            root += selfcheck_controls(label=words["check"])
            answer = selfcheck_answer(summary=words["answer"])
            if check.kind == "choice":
                right = f"({value})"
                line = f"{words['right_answer']} {right}"
            else:
                shown = data["answer-text"]
                line = f"{words['right_answer']} {shown}"
                if tol:
                    line += words["paren"].format(f"{words['tolerance']} {answer_text(tol, 0)}")
            answer += nodes.paragraph(line, line, classes=["selfcheck-solution"])
            items = ([(o.letter, o.feedback, o.feedback_line) for o in check.options]
                     or [("", check.feedback, check.feedback_line)])
            for letter, text, offset in items:
                fb = selfcheck_feedback(letter=letter)
                fb.extend(self._parse_blocks(text, offset))
                answer += fb
            root += answer
            return [root]

    return SelfCheckDirective


def setup(app: Any) -> dict[str, Any]:
    """Register the directive, its nodes (written as HTML for the site; every other builder gets
    the plain form, :func:`print_selfchecks`), the static files."""
    app.add_node(selfcheck, html=(visit_selfcheck, depart_selfcheck))
    app.add_node(selfcheck_question, html=(visit_question, depart_question))
    app.add_node(selfcheck_option, html=(visit_option, depart_option))
    app.add_node(selfcheck_number, html=(visit_number, None))
    app.add_node(selfcheck_controls, html=(visit_controls, None))
    app.add_node(selfcheck_answer, html=(visit_answer, depart_answer))
    app.add_node(selfcheck_feedback, html=(visit_feedback, depart_feedback))
    app.connect("doctree-resolved", print_selfchecks)
    app.add_directive("selfcheck", _directive_class())
    app.add_js_file("selfcheck.js", loading_method="defer")
    app.add_css_file("selfcheck.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
