"""Graphviz runs: a `dot` subprocess per layout, killed on timeout, with one spare started early.

The python graphviz package has no timeout, and `dot` can run for minutes on a large stack
(1,000 nodes did not finish in 120 s; sfdp takes 0.3 s), so each layout is a real subprocess that
`run` kills when its time is up.

The spare processes are the one piece of process-wide state the graph keeps outside the app's
caches (catalog.services.caches): they hold no catalog data, so a catalog change never concerns
them, and they belong to the operating-system process that started them (a forked server worker
must not write into its parent's spare), which the owner pid recorded with each one enforces.
"""

from __future__ import annotations

import logging
import os
import subprocess
import threading

log = logging.getLogger(__name__)

# Per format: the idle process and the pid of the process that started it (a forked worker
# must not share its parent's spare).
_spares: dict[str, tuple[int, subprocess.Popen[bytes]]] = {}
_spares_lock = threading.Lock()


def _spawn(command: list[str]) -> subprocess.Popen[bytes] | None:
    try:
        return subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
    except OSError:
        log.exception("graphviz could not be started")
        return None


def _take_spare(fmt: str) -> subprocess.Popen[bytes] | None:
    with _spares_lock:
        owner, spare = _spares.pop(fmt, (0, None))
    if spare is None or owner != os.getpid() or spare.poll() is not None:
        return None
    return spare


def _refill(fmt: str) -> None:
    with _spares_lock:
        if fmt in _spares:
            return
        spare = _spawn(["dot", f"-T{fmt}"])
        if spare is not None:
            _spares[fmt] = (os.getpid(), spare)


class Graphviz:
    """One graphviz run, with its process started before the DOT source is ready.

    Starting `dot` (exec, libraries, plugin configuration) takes about 9 ms, as long as the
    whole page's own work for a small view. So one idle `dot -Tsvg` waits for the next page's
    source, and a new one is started once that page's layout is done (it exits on end of input
    when this process goes away). The engine comes from the source's `layout` attribute, so a
    spare need not know the view's size. Call `run` once, or `close` to discard the process.
    """

    def __init__(self, fmt: str, engine: str | None = None) -> None:
        self._fmt = fmt
        self._pooled = fmt == "svg" and engine is None
        spare = _take_spare(fmt) if self._pooled else None
        # -K is only the default: a `layout` attribute in the source takes precedence.
        self._process = spare or _spawn(["dot", f"-T{fmt}"] + ([f"-K{engine}"] if engine else []))

    def run(self, source: str, timeout: float) -> tuple[bytes | None, bool]:
        """Lay out `source`; return (output, timed_out). Output None means it failed."""
        process, self._process = self._process, None
        if process is None:
            return None, False
        try:
            stdout, stderr = process.communicate(source.encode("utf-8"), timeout=timeout)
            if self._pooled:
                _refill(self._fmt)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()  # reap it: no zombie, no open pipes
            return None, True
        except BaseException:
            process.kill()
            process.communicate()
            raise
        if process.returncode != 0:
            # Never shown to users: dot's messages can reveal server details (reference 1.3 a).
            log.warning("graphviz exited %s: %s", process.returncode, stderr[:2000])
            return None, False
        return stdout, False

    def close(self) -> None:
        """Stop the process if `run` never used it."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.communicate()


def layout(source: str, fmt: str, engine: str, timeout: float) -> tuple[bytes | None, bool]:
    """Run graphviz on DOT source; return (output, timed_out). Output None means it failed.

    `engine` lays out a source that names none (its own `layout` attribute wins).
    """
    return Graphviz(fmt, engine).run(source, timeout)
