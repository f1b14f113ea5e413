"""One gate for every use of another package's internals.

The glue relies on a few things that are not public API: a private classmethod of
sphinxcontrib-katex and its module-level ``render_latex`` (wrapped to repair the MathML), the
theme's generated templates, Sphinx's private ``Search._index`` in the browser, a class
attribute of ipykernel's output stream, the exact HTML that myst-nb writes for a
hidden cell's toggle, ``myst_nb.core.read``, ``myst_nb.core.variables.format_plain_text`` and
Sphinx's ``LiteralIncludeReader`` (for the notebook downloads), myst-nb's
``retrieve_glue_data`` (the self-checks' answers, ``book/_ext/dlnotes_selfcheck.py``), and the builder's
``allow_parallel``; for the localised interface (``chrome.py``), Sphinx's table of loaded
catalogs (``sphinx.locale.translators``), sphinx-book-theme's templates, sphinx-togglebutton's
script and myst-nb's hidden-cell prompts. Each of them
calls :func:`require_version` first, naming the package, the version the workaround was written
for and what it is. Any other version stops the build with a message that says all three, instead
of letting the workaround break silently (or, worse, seem to work). When a package is upgraded,
read the workaround again, then add the new version to its ``written_for``.

:func:`replace_required` is the string edit that refuses to be a silent no-op.

No event is hooked here; the other modules call these functions from theirs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib import metadata

from sphinx.errors import ExtensionError

__all__ = ["InternalsChanged", "installed_version", "replace_required", "require_version",
           "sub_required"]


class InternalsChanged(ExtensionError):
    """A package that the glue reaches into is not the one the glue was written for."""

    def __init__(self, message: str) -> None:
        super().__init__(message, modname="dlnotes_book")


def installed_version(package: str) -> str | None:
    """The installed version of the distribution ``package``, or ``None`` if it is absent."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def require_version(package: str, written_for: str | Iterable[str], what: str) -> str:
    """Fail unless ``package`` is installed at a version that ``what`` was written for.

    Parameters
    ----------
    package
        The distribution name, as pip spells it (``"sphinxcontrib-katex"``).
    written_for
        The version, or the versions, the workaround was checked against.
    what
        The workaround, in a few words a maintainer can grep for.

    Returns
    -------
    str
        The installed version.

    Raises
    ------
    InternalsChanged
        If the package is absent or at another version; the message names the package, the
        version found, the versions it was written for and the workaround.
    """
    wanted = (written_for,) if isinstance(written_for, str) else tuple(written_for)
    if not wanted:
        raise ValueError(f"written_for must name at least one version of {package}; received none")
    found = installed_version(package)
    if found not in wanted:
        shown = " or ".join(wanted)
        raise InternalsChanged(
            f"{what} relies on internals of {package} {shown}, but "
            f"{'no ' + package + ' is installed' if found is None else package + ' ' + found + ' is installed'}. "
            f"Check that the workaround still holds for this version (or is no longer needed), "
            f"then add the version to its written_for in book/_ext/dlnotes_book/; or install "
            f"{package}=={wanted[-1]} (pinned in requirements/constraints.txt)."
        )
    return found


def replace_required(text: str, old: str, new: str, what: str, *, count: int | None = None) -> str:
    """``text`` with every ``old`` replaced by ``new``, failing if ``old`` is absent.

    ``count``, when given, is the number of occurrences there must be.

    Raises
    ------
    InternalsChanged
        If ``old`` does not occur (or not ``count`` times): the markup the edit was written for
        has changed, and the edit would silently do nothing.
    """
    found = text.count(old)
    if found == 0 or (count is not None and found != count):
        expected = "at least once" if count is None else f"{count} times"
        raise InternalsChanged(
            f"{what}: expected {old!r} {expected}, found it {found} times. The markup this edit "
            f"was written for has changed; update the edit in book/_ext/dlnotes_book/."
        )
    return text.replace(old, new)


def sub_required(text: str, pattern: str, new: str, what: str, *, count: int = 1) -> str:
    """``text`` with the regular expression ``pattern`` replaced, failing unless it matches
    exactly ``count`` times (:func:`replace_required` for markup with a varying part)."""
    result, found = re.subn(pattern, new, text)
    if found != count:
        raise InternalsChanged(
            f"{what}: expected {count} match(es) of {pattern!r}, found {found}. The markup this "
            f"edit was written for has changed; update the edit in book/_ext/dlnotes_book/."
        )
    return result
