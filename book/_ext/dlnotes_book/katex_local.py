"""Math from the site itself: KaTeX prerendered by a node server, its stylesheet and fonts copied.

Hooks ``builder-inited`` (HTML builders only) to copy KaTeX's stylesheet and woff2 fonts from
``node_modules`` into ``_build/site-static/katex`` (listed in ``html_static_path``), and to write
the pages serially. :func:`steady_katex_server`, called from :func:`setup`, replaces how
sphinxcontrib-katex starts its node server.

Hooks ``build-finished`` (just before sphinxcontrib-katex's handler) only to keep another
handler's error visible: see :func:`keep_failures_visible`.

The server patch, the serial writing and that hook rely on internals, behind version guards:

- ``KaTeXServer.start_server_process`` (sphinxcontrib-katex 0.9.11), with the same steps and
  three changes. The server's stderr goes to a file in its run folder, not to the build's stderr
  (a server that outlived its process kept a ``make html | tee`` or a test's captured output open
  for good); if node dies or never listens, the error quotes that file. Connecting is retried
  until the deadline (the original connects as soon as the socket file exists, which on a loaded
  machine can be before node listens: "Connection refused"). A failed start kills node.
- ``app.builder.allow_parallel = False`` (Sphinx 9.0.4): pages are read and executed in parallel
  with ``-j 2`` but written serially. Parallel writing forks workers after torch is loaded, each
  with a KaTeX server that its atexit never stops, and in one clean-clone run wrote no zh pages.
  Declaring ``parallel_write_safe: False`` would do the same through the public route, but
  Sphinx then warns, and the build runs with ``-W``.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError

from .guards import InternalsChanged, require_version
from .paths import BUILD, ROOT

KATEX_WRITTEN_FOR = ("0.9.11",)
SPHINX_WRITTEN_FOR = ("9.0.4",)
SITE_STATIC = BUILD / "site-static"  # listed in conf.py's html_static_path
STDERR_NAME = "node-stderr.txt"


def server_failure(cls: Any, timeout: float, process: subprocess.Popen[bytes], rundir: Path) -> Exception:
    """The error for a KaTeX server that did not come up, quoting what node wrote to stderr."""
    try:
        process.kill()
        process.wait(timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        pass
    try:
        err = (rundir / STDERR_NAME).read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        err = ""
    code = process.returncode
    state = "node exited with status {}".format(code) if code is not None else "node did not exit"
    detail = f"{state}; its stderr:\n{err[-3000:]}" if err else f"{state}; its stderr was empty"
    base: Exception = cls.timeout_error(timeout)
    return type(base)(f"{base} ({detail})")


def start_server_process(cls: Any, rundir: Path, timeout: float) -> tuple[Any, socket.socket]:
    """Start node's KaTeX server on a unix socket in ``rundir``; return (process, socket)."""
    socket_path = rundir / "katex.sock"
    with open(rundir / STDERR_NAME, "wb") as stderr:
        process = subprocess.Popen(cls.build_command(socket=socket_path), stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=stderr, cwd=rundir)
    deadline = time.monotonic() + timeout
    while True:
        if socket_path.is_socket():
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.settimeout(max(deadline - time.monotonic(), 0.01))
                sock.connect(str(socket_path))
                sock.settimeout(None)
                return process, sock
            except OSError:  # refused, vanished or timed out: try again until the deadline
                sock.close()
        if time.monotonic() > deadline or process.poll() is not None:
            raise server_failure(cls, timeout, process, rundir)
        time.sleep(0.01)


def steady_katex_server() -> None:
    """Make sphinxcontrib-katex start its server with :func:`start_server_process`."""
    what = "The KaTeX server start-up patch (KaTeXServer.start_server_process)"
    require_version("sphinxcontrib-katex", KATEX_WRITTEN_FOR, what)
    from sphinxcontrib import katex

    server = katex.KaTeXServer
    for name in ("start_server_process", "build_command", "timeout_error"):
        if not callable(getattr(server, name, None)):
            raise InternalsChanged(f"{what}: sphinxcontrib.katex.KaTeXServer has no {name}")
    server.start_server_process = classmethod(start_server_process)


def make_site_static(app: Sphinx, config: Config) -> None:
    """Create ``_build/site-static`` before Sphinx checks ``html_static_path`` (config-inited)."""
    SITE_STATIC.mkdir(parents=True, exist_ok=True)


def on_builder_inited(app: Sphinx) -> None:
    """Write serially; copy KaTeX's stylesheet and fonts (woff2) into the site."""
    if app.builder.format != "html":
        return
    require_version("sphinx", SPHINX_WRITTEN_FOR, "Serial page writing (app.builder.allow_parallel)")
    app.builder.allow_parallel = False  # type: ignore[misc]
    dist = ROOT / "node_modules" / "katex" / "dist"
    if not (dist / "katex.min.css").is_file():
        raise ExtensionError(
            "KaTeX's stylesheet is missing: run `npm ci` in the repository root "
            "(the Makefile does this on first use)."
        )
    out = SITE_STATIC / "katex"
    (out / "fonts").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(dist / "katex.min.css", out / "katex.min.css")
    for font in sorted((dist / "fonts").glob("*.woff2")):
        target = out / "fonts" / font.name
        if not target.exists():
            shutil.copyfile(font, target)


def keep_failures_visible(app: Sphinx, exception: Exception | None) -> None:
    """Let sphinxcontrib-katex clean up twice, so that a build's own error is the one shown.

    When a ``build-finished`` handler fails, Sphinx emits ``build-finished`` again with the
    error; katex's handler then removes its temporary static folder (``app._katex_static_path``,
    an internal of 0.9.11, checked in :func:`steady_katex_server`) a second time, and its
    FileNotFoundError replaces the real error. Recreating the empty folder first avoids that.
    """
    path = getattr(app, "_katex_static_path", None)
    if exception is not None and isinstance(path, str) and not Path(path).exists():
        Path(path).mkdir(parents=True)


def setup(app: Sphinx) -> None:
    steady_katex_server()
    app.connect("config-inited", make_site_static)
    app.connect("builder-inited", on_builder_inited)
    app.connect("build-finished", keep_failures_visible, priority=499)  # just before katex's
