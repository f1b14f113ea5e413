"""Where things are: the repository root and the build folder. No event is hooked here."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
BUILD = ROOT / "_build"
