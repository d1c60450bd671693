"""Run a parse that may still blow up in a forked worker: capped address space, capped wall time.

A Rust allocation failure aborts the process it happens in, and no ``try`` can catch it; a C library can
loop forever. In a worker the abort, the MemoryError or the hang is the worker's, and the caller gets one
:class:`~lawgov_metrics.intake.guard.safety.UnreadableFile` instead.

``fork`` is used on purpose: the worker inherits the function and its arguments without pickling them and
starts in milliseconds; only the result crosses back, pickled through a pipe.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import pickle
import resource
import signal
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from lawgov_metrics.intake.guard.limits import MB, ReadLimits, UnreadableFile

T = TypeVar("T")


def _quiet() -> None:
    """A dying worker must not write to the terminal: a Rust abort prints its own message, and faulthandler
    would dump a stack; stdout may be carrying the parent's JSON. Everything it says goes through the pipe."""
    faulthandler.disable()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


def _child(send: Connection, func: Callable[..., Any], args: tuple[Any, ...], memory: int) -> None:
    try:
        _quiet()
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort must not write a core file
        result: tuple[str, Any] = ("ok", func(*args))
    except UnreadableFile as exc:
        result = ("unreadable", exc)
    except MemoryError:
        result = ("memory", None)
    except BaseException as exc:  # reported to the parent, which decides
        result = ("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}")
    try:
        payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        payload = pickle.dumps(("memory", None))
    except Exception as exc:
        payload = pickle.dumps(("error", f"结果无法传回：{exc}"))
    try:
        send.send_bytes(payload)
    finally:
        send.close()
        os._exit(0)  # no atexit handlers, no flushing of the parent's inherited buffers


def run_in_worker(func: Callable[..., T], args: tuple[Any, ...], limits: ReadLimits, what: str) -> T:
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    worker = ctx.Process(target=_child, args=(send, func, args, limits.memory_limit_bytes), daemon=True)
    worker.start()
    send.close()
    deadline = time.monotonic() + limits.time_limit_s
    payload: bytes | None = None
    try:
        while payload is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise UnreadableFile(
                    "file-timeout",
                    f"{what}超过 {limits.time_limit_s:.0f} 秒仍未完成，已停止；文件可能过大或结构异常",
                )
            if recv.poll(min(left, 0.5)):
                try:
                    payload = recv.recv_bytes()
                except EOFError:  # the worker died before answering
                    break
            elif not worker.is_alive() and not recv.poll(0):
                break
    finally:
        if worker.is_alive() and payload is None:
            worker.kill()
        worker.join(5)
        recv.close()
    if payload is None:
        raise _death(worker.exitcode, limits, what)
    status, value = pickle.loads(payload)
    if status == "ok":
        return value  # type: ignore[no-any-return]
    if status == "unreadable":
        raise value
    if status == "memory":
        raise _out_of_memory(limits, what)
    raise UnreadableFile("file-corrupt", f"{what}失败：{str(value).splitlines()[0]}")


def _out_of_memory(limits: ReadLimits, what: str) -> UnreadableFile:
    return UnreadableFile(
        "file-too-large",
        f"{what}需要的内存超过 {limits.memory_limit_bytes // MB:,} MB 的上限，已停止；文件可能过大或被恶意构造",
    )


def _death(exitcode: int | None, limits: ReadLimits, what: str) -> UnreadableFile:
    if exitcode is not None and exitcode < 0:
        sig = signal.Signals(-exitcode)
        if sig in (signal.SIGABRT, signal.SIGKILL):  # a failed allocation aborts (Rust) or is OOM-killed
            return _out_of_memory(limits, what)
        if sig in (signal.SIGSEGV, signal.SIGBUS):
            return UnreadableFile("file-corrupt", f"{what}时解析程序崩溃，文件可能已损坏或被恶意构造")
        return UnreadableFile("file-corrupt", f"{what}时解析程序异常退出（信号 {sig.name}）")
    return UnreadableFile("file-corrupt", f"{what}时解析程序异常退出（退出码 {exitcode}）")
