"""The PDF edition: Sphinx's LaTeX builder with XeLaTeX, set up from ``config.language``.

Hooks two events:

- ``config-inited``: the ``latex_*`` settings (only the LaTeX builder reads them, so the HTML
  site is unchanged): XeLaTeX, one ``manual`` document per language named
  ``dlnotes-LANG.tex``, FreeFont for Latin text (Sphinx's default for XeLaTeX) and, for Chinese,
  xeCJK with the Noto CJK fonts (serif text, sans headings, and a CJK monospace fallback so code
  comments and outputs in Chinese have glyphs; English needs them too, for the glossary's
  Chinese terms). The Chinese chrome (目录, 第 1 章, 图, 表)
  is set here: Babel has no Chinese, so the names are defined directly. The Chinese PDF has no
  index: xindy sorts Chinese by code point under Latin letter headings, which helps nobody; its
  术语表 (the glossary, both words of every term, each linked to the section that introduces
  it) does that job. The English PDF keeps Sphinx's index. Long code lines wrap
  (Sphinx's ``verbatimforcewraps``), the table of contents lists parts and chapters (the root
  toctree's ``maxdepth``), and the PDF outline has a bookmark for every part, chapter, section
  and subsection. A character that
  no font has is logged as "Missing character" (``\\tracinglostchars``), which
  ``tools/build_pdf.py`` turns into an error, as it does undefined references.
- ``doctree-read`` (LaTeX builds only): the root page's toctree captions ("Part I — …") become
  unnumbered ``\\part`` headings with a table-of-contents line and a bookmark, so the PDF keeps
  the book's parts. The HTML builds never see these nodes.

Exercises keep the book's own rule: the solutions follow the exercise list. Folded content (the
``dropdown`` admonitions, ``hide-cell`` code) is printed, since LaTeX has nothing to fold.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config

from .languages import LANGS, lang_key

AUTHOR = {"en": "The dlnotes authors", "zh": "dlnotes 作者"}

# Latin text keeps Sphinx's XeLaTeX fonts (FreeFont); Chinese gets xeCJK with Noto CJK.
FONTSPEC = "\\usepackage{fontspec}\n\\defaultfontfeatures[\\rmfamily,\\sffamily,\\ttfamily]{}\n"
CJK_FONTS = r"""
\setCJKmainfont{Noto Serif CJK SC}[BoldFont=Noto Serif CJK SC Bold]
\setCJKsansfont{Noto Sans CJK SC}[BoldFont=Noto Sans CJK SC Bold]
\setCJKmonofont{Noto Sans Mono CJK SC}[BoldFont=Noto Sans Mono CJK SC Bold]
"""

# Names LaTeX prints. Babel has no Chinese, so they are set directly (after the packages).
ZH_NAMES = r"""
\renewcommand{\contentsname}{目录}
\renewcommand{\figurename}{图}
\renewcommand{\tablename}{表}
\renewcommand{\indexname}{索引}
\renewcommand{\partname}{}
\renewcommand{\chaptername}{}
\renewcommand{\literalblockname}{代码}
\titleformat{\chapter}[display]{\normalfont\sffamily\huge\bfseries}{第\,\thechapter\,章}{16pt}{\Huge}
"""

COMMON_PREAMBLE = r"""
% Every character that no font has is written to the log ("Missing character"): the build fails.
\tracinglostchars=2
% Bookmarks down to subsections, numbered like the headings.
\hypersetup{bookmarksnumbered=true}
% A printed self-check (dlnotes_selfcheck.plain_selfcheck) is a container of class selfcheck: a
% framed box; its answer, below the options, in small type.
\newenvironment{sphinxclassselfcheck}{\begin{sphinxShadowBox}}{\end{sphinxShadowBox}}
\newenvironment{sphinxclassselfcheck-answer}{\par\medskip\begingroup\footnotesize}{\par\endgroup}
"""


# xeCJK counts curly quotes, dashes and the ellipsis as CJK punctuation (full width, CJK font):
# right in Chinese text, but in English it set "column’s" as "column’ s". English keeps them
# in the Latin font.
EN_PUNCTUATION = r"""
\xeCJKDeclareCharClass{Default}{"2013, "2014, "2018, "2019, "201C, "201D, "2026}
"""


def preamble(key: str) -> str:
    """The LaTeX preamble added after Sphinx's packages, for language ``key``."""
    return COMMON_PREAMBLE + (ZH_NAMES if key == "zh" else EN_PUNCTUATION)


def latex_elements(key: str) -> dict[str, str]:
    """Sphinx's ``latex_elements`` for language ``key`` (``"en"`` or ``"zh"``)."""
    elements = {
        "papersize": "a4paper",
        "pointsize": "10pt",
        "passoptionstopackages": r"\PassOptionsToPackage{bookmarksdepth=3}{hyperref}",
        # Long code lines wrap, even where they have no space to break at; never cut.
        "sphinxsetup": ("verbatimwrapslines=true, verbatimforcewraps=true, "
                        "verbatimhintsturnover=true"),
        "printindex": "" if key == "zh" else r"\footnotesize\raggedright\printindex",
        "preamble": preamble(key),
        "fncychap": "" if key == "zh" else r"\usepackage[Bjarne]{fncychap}",
        # Both languages: the English glossary names the Chinese terms too.
        "fontenc": FONTSPEC + r"\usepackage{xeCJK}" + CJK_FONTS,
        # formatcom=\xeCJKVerbAddon keeps xeCJK from adding spaces in verbatim (Sphinx's own
        # setting for Chinese); smaller code so that lines wrap less.
        "fvset": r"\fvset{fontsize=\small,formatcom=\xeCJKVerbAddon}",
    }
    if key == "zh":
        elements.update({"polyglossia": "", "babel": ""})
    return elements


def on_config_inited(app: Sphinx, config: Config) -> None:
    """Set every ``latex_*`` value from the language."""
    key = lang_key(config.language)
    config.latex_engine = "xelatex"
    config.latex_documents = [
        (config.root_doc, f"dlnotes-{key}.tex", LANGS[key]["title"], AUTHOR[key], "manual", False)
    ]
    config.latex_toplevel_sectioning = "chapter"
    config.latex_show_urls = "no"
    config.latex_show_pagerefs = False
    # xindy reads UTF-8 (makeindex split Chinese first letters into broken bytes).
    config.latex_use_xindy = True
    config.latex_domain_indices = key != "zh"  # see the module's docstring: the glossary serves
    config.latex_elements = latex_elements(key)


def part_heading(caption: str) -> nodes.raw:
    """A raw LaTeX node: an unnumbered part with its table-of-contents line and bookmark."""
    from sphinx.util.texescape import escape

    text = escape(caption)
    return nodes.raw("", "\n\\cleardoublepage\\phantomsection\n"
                     f"\\addcontentsline{{toc}}{{part}}{{{text}}}\n\\part*{{{text}}}\n",
                     format="latex")


def add_parts(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: before each captioned toctree of the root page, a ``\\part``."""
    if app.builder.format != "latex" or app.env.docname != app.config.root_doc:
        return
    for toctree in list(doctree.findall(addnodes.toctree)):
        caption = toctree.get("caption")
        wrapper = toctree.parent
        if caption and wrapper is not None and wrapper.parent is not None:
            wrapper.parent.insert(wrapper.parent.index(wrapper), part_heading(caption))


def setup(app: Sphinx) -> None:
    app.connect("config-inited", on_config_inited)
    app.connect("doctree-read", add_parts)


__all__ = ["add_parts", "latex_elements", "on_config_inited", "part_heading", "preamble",
           "setup"]
