"""The worker process's side of the sandbox: the limits it sets on itself and its loop.

Everything here runs *inside* a child process (started by
:class:`~hwgrade.grader.batch.sandbox.WorkerPool`), never in the parent: the child detaches from
the terminal, caps its own address space (``RLIMIT_AS``, so a huge allocation raises
``MemoryError`` instead of swapping the machine) and re-arms its CPU-time limit
(``RLIMIT_CPU``) before each task, then answers ``(fn, arg)`` messages until told to stop.
It is kept apart from the pool because the two halves fail differently: code here must
never raise (a dying child only costs its task), and it may change process-wide state
(signals, file descriptors, resource limits) that the parent must never touch.

:func:`describe_exception` lives here because the child is where most errors are turned
into the one-line ``error`` of a :class:`~hwgrade.grader.batch.sandbox.TaskOutcome`; the parent
uses the same format for the errors it sees itself.
"""

from __future__ import annotations

import faulthandler
import math
import os
import resource
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any


@dataclass(frozen=True)
class Limits:
    """Per-task bounds.

    Attributes:
        seconds: Wall-clock limit of one task.
        memory_bytes: How much a worker's address space may grow beyond its size when it
            started (so the bound does not depend on what the parent had imported).
    """

    seconds: float = 5.0
    memory_bytes: int = 1 << 30


_MAX_ERROR = 300


def describe_exception(exc: BaseException) -> str:
    """``Type: message`` on one line, bounded, for a task's ``error`` field."""
    text = " ".join(str(exc).split())
    if isinstance(exc, MemoryError):
        text = text or "out of memory (the answer check hit its memory limit)"
    line = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return line if len(line) <= _MAX_ERROR else line[: _MAX_ERROR - 1] + "…"


def _vm_size() -> int:
    """This process's current address-space size in bytes (0 when unknown)."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _limit_memory(headroom: int) -> None:
    """Cap the address space (Linux); elsewhere also the data segment, best effort.

    macOS accepts ``RLIMIT_AS`` without enforcing it, hence ``RLIMIT_DATA`` as well.
    """
    target = _vm_size() + headroom
    linux = sys.platform.startswith("linux")
    for name in ("RLIMIT_AS",) if linux else ("RLIMIT_AS", "RLIMIT_DATA"):
        which: int = getattr(resource, name, -1)
        try:
            _, hard = resource.getrlimit(which)
            value = target if hard == resource.RLIM_INFINITY else min(target, hard)
            resource.setrlimit(which, (value, hard))
        except (ValueError, OSError, TypeError):  # unsupported here: best effort
            continue


def _arm_cpu_limit(seconds: float) -> None:
    """Let this task use ``seconds`` (+ margin) more CPU time before SIGXCPU kills us."""
    try:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        used = usage.ru_utime + usage.ru_stime
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        soft = math.ceil(used + seconds) + 2
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    except (ValueError, OSError):  # pragma: no cover - platform without RLIMIT_CPU
        pass


def _silence_child() -> None:
    """Detach the worker from the terminal: no stdin, output to /dev/null, no Ctrl-C.

    A worker must never wait on stdin (``breakpoint()``-like hangs), print over the
    parent's progress bar, or die with a KeyboardInterrupt traceback of its own when the
    user presses Ctrl-C: the parent owns the terminal and kills the workers itself.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    faulthandler.disable()  # it may hold a dup of the parent's stderr (pytest does)
    try:
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.close(devnull)
    except OSError:  # pragma: no cover - no /dev/null
        return
    sink = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    sys.stdin = open(os.devnull)  # noqa: SIM115
    sys.stdout = sys.stderr = sink


def worker_main(
    conn: Connection, limits: Limits, initializer: Callable[[], None] | None
) -> None:  # pragma: no cover - runs in the child process
    """Worker loop: receive ``(fn, arg)``, run it, send back ``(ok, value_or_error)``.

    The loop outlives any one task so that SymPy is imported and warmed up once per
    worker; a ``None`` message or a closed pipe ends it. An initializer that fails does
    not end it either: every task then fails with the initializer's error, so the parent
    sees why instead of a worker that keeps dying and being replaced.
    """
    _silence_child()
    _limit_memory(limits.memory_bytes)
    init_error = ""
    if initializer is not None:
        try:
            initializer()
        except BaseException as exc:
            init_error = "worker initializer failed: " + describe_exception(exc)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if message is None:
            return
        fn, arg = message
        _arm_cpu_limit(limits.seconds)
        if init_error:
            reply: tuple[bool, Any] = (False, init_error)
        else:
            try:
                reply = (True, fn(arg))
            except BaseException as exc:
                reply = (False, describe_exception(exc))
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return
        except BaseException as exc:
            try:
                conn.send((False, "result could not be sent back: " + describe_exception(exc)))
            except BaseException:
                return


__all__ = ["Limits", "describe_exception", "worker_main"]
