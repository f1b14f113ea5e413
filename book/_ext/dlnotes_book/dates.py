"""The editions' date, the same in every build of one commit. No event is hooked here.

The EPUB's ``dcterms:modified`` and zip entries (:mod:`.epub`) and the PDF's title-page date and
metadata (``tools/build_pdf.py`` passes it to Sphinx and XeLaTeX as ``SOURCE_DATE_EPOCH``) come
from :func:`build_epoch`, so two builds of one commit give the same files.
"""

from __future__ import annotations

import os
import subprocess

from sphinx.errors import ExtensionError

from .paths import ROOT

FALLBACK_EPOCH = 1767225600  # 2026-01-01T00:00:00Z, when neither variable nor git is available


def build_epoch() -> int:
    """Seconds since 1970 for the book's dates: ``SOURCE_DATE_EPOCH``, else the last commit's."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value:
        try:
            return int(value)
        except ValueError:
            raise ExtensionError(f"SOURCE_DATE_EPOCH must be a whole number of seconds; "
                                 f"received {value!r}") from None
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%ct"],
                             capture_output=True, text=True, timeout=30, check=True).stdout
        return int(out.strip())
    except (OSError, subprocess.SubprocessError, ValueError):
        return FALLBACK_EPOCH
