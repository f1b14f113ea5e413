"""Where things are (the repository root and the build folder), and how the glue writes a
generated file. No event is hooked here."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
BUILD = ROOT / "_build"


def write_if_changed(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (creating its folder) unless the file already holds it, so that
    an unchanged generated file keeps its time and Sphinx sees nothing new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
