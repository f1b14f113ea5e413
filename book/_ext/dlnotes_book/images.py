"""Lighter figures: the raster images that matplotlib embeds in its SVGs, stored compactly.

Hooks ``build-finished`` (HTML builders; Sphinx has copied the figures into ``_images`` by then)
and rewrites each ``_images/*.svg`` that embeds PNG images (``imshow``: photographs, digits,
colour bars). matplotlib stores them as RGBA PNGs at its default compression, so a page with a
few photographs weighed 930 KiB. Each embedded image is re-encoded, pixel for pixel, as the
smallest of: the original, the PNG without its alpha channel when every pixel is opaque, in
grey levels when the image is grey, and with a palette when it has at most 256 colours.

A photograph is stored as JPEG (quality 90, no chroma subsampling): one whose best lossless PNG
still needs more than :data:`PHOTO_BITS_PER_PIXEL` bits a pixel, that is at least
:data:`PHOTO_MIN_PIXELS` pixels large and fully opaque. Plots, heat maps, digits and colour bars
compress far below that threshold (under 1 bit a pixel here) and stay lossless; a photograph
at this size loses nothing visible at quality 90 and is 4–6 times smaller.

The rewrite is deterministic (same input, same bytes) and idempotent (a rewritten SVG is left
as it is). It uses Pillow, which matplotlib requires. The notebook downloads keep the original
outputs.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

from sphinx.application import Sphinx

from .icons import WEB_BUILDERS

PHOTO_BITS_PER_PIXEL = 2.0
PHOTO_MIN_PIXELS = 64 * 64
JPEG_QUALITY = 90
EMBEDDED_PNG = re.compile(r'(xlink:href|href)="data:image/png;base64,\s*([A-Za-z0-9+/=\s]+)"')


def _png(image: object) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)  # type: ignore[attr-defined]
    return out.getvalue()


def smaller_image(data: bytes) -> tuple[str, bytes]:
    """The smallest encoding of one embedded PNG: (MIME type, bytes); the original if nothing
    beats it."""
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    image.load()
    rgba = image.convert("RGBA")
    opaque = rgba.getchannel("A").getextrema() == (255, 255)
    base = rgba.convert("RGB") if opaque else rgba
    candidates = [data, _png(base)]
    grey = False
    if opaque:
        r, g, b = base.split()
        grey = r.tobytes() == g.tobytes() == b.tobytes()
        if grey:
            candidates.append(_png(base.convert("L")))
        elif base.getcolors(256) is not None:
            candidates.append(_png(base.quantize(colors=256, method=Image.Quantize.FASTOCTREE,
                                                 dither=Image.Dither.NONE)))
    best = min(candidates, key=len)
    if best is not data and Image.open(io.BytesIO(best)).convert("RGBA").tobytes() != rgba.tobytes():
        best = min(candidates[:2], key=len)  # a palette that lost a colour: never lossy here
    pixels = image.width * image.height
    if opaque and pixels >= PHOTO_MIN_PIXELS and len(best) * 8 / pixels > PHOTO_BITS_PER_PIXEL:
        out = io.BytesIO()
        (base.convert("L") if grey else base).save(out, "JPEG", quality=JPEG_QUALITY,
                                                   subsampling=0, optimize=True)
        if out.tell() < len(best):
            return "image/jpeg", out.getvalue()
    return "image/png", best


def lighter_svg(text: str) -> str:
    """``text`` (an SVG) with every embedded PNG re-encoded by :func:`smaller_image`."""

    def one(m: re.Match[str]) -> str:
        mime, data = smaller_image(base64.b64decode(re.sub(r"\s+", "", m.group(2))))
        return f'{m.group(1)}="data:{mime};base64,{base64.b64encode(data).decode("ascii")}"'

    return EMBEDDED_PNG.sub(one, text)


def lighten_figures(images: Path) -> dict[str, tuple[int, int]]:
    """Rewrite the SVGs of ``images`` that embed PNGs; return {name: (bytes before, after)}."""
    changed = {}
    for path in sorted(images.glob("*.svg")):
        text = path.read_text(encoding="utf-8")
        if "data:image/png;base64," not in text:
            continue
        new = lighter_svg(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed[path.name] = (len(text.encode()), len(new.encode()))
    return changed


def on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.name in WEB_BUILDERS:
        lighten_figures(Path(app.outdir) / "_images")


def setup(app: Sphinx) -> None:
    app.connect("build-finished", on_build_finished)
