"""Warm compilers: one long-lived compiler process serves many samples of a language.

A cold ``kotlinc``, ``scalac``, ``tsc`` or ``javac`` spends most of each sample starting a
runtime, loading the compiler and warming its JIT: work a long-lived compiler does once for all
the samples it then compiles (the measured costs, cold and warm: docs/benchmark.md, "Numbers
behind the design notes in the code"). A registry entry with ``server`` names a command that
starts such a compiler (``workbench/execution/warm_compilers/programs/``); a compile step with
``server_args`` sends it the same arguments the command line would get. The server

* runs in the sandbox like any step (no network, read-only system, rlimits) under a uid of a
  range of its own, in a work folder of its own that is filled with the sample's files before
  each request and emptied after, so a request sees what the command line would and nothing of
  earlier samples; root copies files in and out through descriptors, never through a link the
  server could have planted;
* only compiles: none of these compilers runs the program's code (javac gets ``-proc:none``; no
  compiler plugin is loaded), which runs in a fresh sandbox in the next step, as before. Groovy
  has no warm compiler for that reason: its AST transformations (``@ASTTest``) run code at
  compile time, which could change the server for the samples after it;
* is a speed-up, never a judge: when it cannot start, dies, breaks the protocol, crashes or runs
  out of its heap, the step runs as the cold command instead (and a damaged server is retired).
  Its start-up has a limit of its own; each request gets exactly the step's time limit, and one
  that exceeds it is a timeout, as on the command line, and the server is killed.

Servers are pooled per process (one per concurrent sample of a language) and closed by
``shutdown()``, which ``evaluate`` calls at its end, and at exit.
"""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import os
import selectors
import shutil
import stat
import subprocess
import tempfile
import threading
import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

from workbench.execution.sandbox import (
    SANDBOX_MOUNT,
    UID_BASE,
    UID_SLOTS,
    Capture,
    RunLimits,
    RunResult,
    UidLease,
    as_user,
    bwrap_args,
    kill_group,
    kill_uid,
    prlimit_args,
    sandbox_info,
)
from workbench.paths import package_file, search_path, toolchains_dir
from workbench.registry.languages import Language

# Where the built server programs appear in the sandbox of every step of a language with a
# server (Kotlin's run step needs ScriptMain from there).
PROGRAMS_MOUNT = "/tmp/wb-servers"
START_TIMEOUT = 60.0  # seconds for a server to say it is ready (its runtime started)
# The uids of servers: after the executions' range and the probe's uid.
SERVER_UID_BASE = UID_BASE + UID_SLOTS + 1
SERVER_UID_SLOTS = 32
BUILD_ERRORS: list[str] = []  # why the server programs could not be built in this process


def _program_files() -> list[Path]:
    # Shipped with the package: a broken install without them raises MissingDataFile.
    sources = package_file("execution", "warm_compilers", "programs")
    return sorted(p for p in sources.iterdir() if p.suffix in (".java", ".js"))


def _programs_target() -> Path:
    digest = hashlib.sha256(b"".join(p.name.encode() + p.read_bytes() for p in _program_files()))
    # Built without a JDK, the folder holds the node server only; a JDK installed later gets a
    # folder of its own instead of that one.
    suffix = "" if _javac() else "-nojdk"
    # Not the cache: the sandbox uid must reach it (a home folder is often closed to others).
    return toolchains_dir() / "servers" / f"{digest.hexdigest()[:16]}{suffix}"


def _javac() -> str | None:
    return shutil.which("javac", path=search_path())


def programs_dir() -> Path | None:
    """The server programs, built once (``javac`` for the Java ones) next to the toolchains;
    ``None`` when they cannot be built here (no JDK for the Java sources)."""
    target = _programs_target()
    if (target / ".complete").exists():
        return target
    if BUILD_ERRORS:
        return None  # failed once in this process: not retried for every sample
    target.parent.mkdir(parents=True, exist_ok=True)
    target.parent.chmod(0o755)  # whatever the umask: every sandbox uid reads the programs
    with open(target.parent / f"{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / ".complete").exists():
            return target
        staging = target.with_name(target.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        files = _program_files()
        for path in files:
            shutil.copy2(path, staging / path.name)
        sources = [str(p) for p in files if p.suffix == ".java"]
        javac = _javac()
        if sources and javac:
            built = subprocess.run(
                [javac, "-d", str(staging), *sources], capture_output=True, text=True
            )
            if built.returncode != 0:
                BUILD_ERRORS.append(
                    f"javac failed on workbench/execution/warm_compilers/programs/: {built.stderr[-800:]}"
                )
                shutil.rmtree(staging, ignore_errors=True)
                return None
        for path in staging.iterdir():
            path.chmod(0o644)
        staging.chmod(0o755)
        (staging / ".complete").write_text("", encoding="utf-8")
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)  # other versions stay: another checkout may be running them
    return target


def server_status(language: Language) -> str:
    """One line for ``doctor``: does the language compile on a warm server, and is it built."""
    if not language.server:
        return ""
    folder = _programs_target()
    if (folder / ".complete").exists():
        return f"warm compiler: ready ({folder})"
    return "warm compiler: not built yet (built on first use)"


def binds_for(language: Language) -> dict[str, Path]:
    """The read-only mounts a language with a server needs in its steps' sandboxes."""
    if not language.server:
        return {}
    folder = programs_dir()
    return {PROGRAMS_MOUNT: folder} if folder is not None else {}


class _Server:
    """One compiler process in its own sandbox, answering one request at a time."""

    def __init__(
        self,
        command: Sequence[str],
        env: Mapping[str, str],
        limits: RunLimits,
        binds: Mapping[str, Path],
    ) -> None:
        info = sandbox_info()
        # Servers take uids from a range of their own: idle servers must never starve the
        # executions of uids (a busy range only means the cold command this time).
        self._lease = UidLease(SERVER_UID_BASE, SERVER_UID_SLOTS) if info.uid_isolation else None
        self.uid = self._lease.__enter__().uid if self._lease else None
        self._tmp: Path | None = None
        self._log = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.requests = 0
        self.generation = 0
        self.ready = False
        try:
            self._start(command, env, limits, binds, info.mode)
        except BaseException:
            self.close()
            raise

    def _start(
        self,
        command: Sequence[str],
        env: Mapping[str, str],
        limits: RunLimits,
        binds: Mapping[str, Path],
        mode: str,
    ) -> None:
        self._tmp = Path(tempfile.mkdtemp(prefix="wb-server-"))
        self._tmp.chmod(0o711)
        self.box = self._tmp / "box"
        self.box.mkdir()
        if self.uid is not None:
            os.chown(self.box, self.uid, self.uid)
        # No CPU-time limit: it adds up over the server's life. Each request has a wall deadline.
        prefix, popen_user = as_user(self.uid)
        argv = [*prefix, *prlimit_args(limits, cpu=False)]
        if mode == "bwrap":
            argv += ["bwrap", *bwrap_args(self.box, binds)]
        argv += list(command)
        full_env = {
            "PATH": search_path(),
            "HOME": SANDBOX_MOUNT if mode == "bwrap" else str(self.box),
            "TMPDIR": "/tmp" if mode == "bwrap" else str(self.box),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            **env,
        }
        self._log = open(self._tmp / "server.log", "w+b")  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(
            argv,
            cwd=self.box,
            env=full_env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            start_new_session=True,
            close_fds=True,
            **popen_user,
        )

    def request(self, workdir: Path, args: Sequence[str], limits: RunLimits) -> RunResult | None:
        """Compile the files of ``workdir`` with ``args``; new files come back to ``workdir``.
        ``None`` when the server failed (the caller runs the cold command instead)."""
        assert self.proc is not None and self.proc.stdin is not None
        assert self.proc.stdout is not None
        if not self.ready:
            # The runtime's start is the server's cost, not the sample's: it has its own limit,
            # and the request then gets exactly the step's limit, as the command line would.
            line = _read_line(self.proc.stdout, time.monotonic() + START_TIMEOUT)
            if line != b"ready":
                return None
            self.ready = True
        self._empty()
        _copy_in(workdir, self.box, self.uid)
        start = time.monotonic()
        try:
            self.proc.stdin.write(("\0".join(args) + "\n").encode())
            self.proc.stdin.flush()
            reply = _read_reply(self.proc.stdout, start + limits.timeout)
        except (BrokenPipeError, OSError, ValueError):
            reply = None
        self.requests += 1
        duration = time.monotonic() - start
        if reply == "timeout":
            return RunResult(None, None, "", "", duration, True, False, 0, 0)
        if reply is None:
            return None
        code, output, total, stale = reply
        text = output.text()
        if stale or "OutOfMemoryError" in text:
            # The compiler crashed or ran out of its heap: the server may be damaged, and its
            # heap is not the command line's. The cold command judges this sample.
            return None
        _copy_out(self.box, workdir)
        self._empty()  # nothing of this sample stays with the server
        return RunResult(
            exit_code=code,
            signal=None,
            stdout=text,
            stderr="",
            duration=duration,
            timed_out=False,
            output_truncated=total > limits.output_bytes,
            output_bytes=total,
            max_rss_kb=0,
        )  # no uid: the sample's own code never ran as the server's

    def _empty(self) -> None:
        for entry in self.box.iterdir():
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def close(self) -> None:
        """Kill the server and everything of its uid; remove its folder; free its uid."""
        if self.proc is not None:
            for stream in (self.proc.stdin, self.proc.stdout):
                try:
                    if stream is not None:
                        stream.close()
                except OSError:
                    pass
            kill_group(self.proc.pid)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        if self.uid is not None:
            kill_uid(self.uid)
        if self._lease is not None:
            self._lease.__exit__(None, None, None)
            self._lease = None
        if self._log is not None:
            self._log.close()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def log_tail(self) -> str:
        if self._log is None or self._log.closed:
            return ""
        self._log.seek(0)
        return self._log.read()[-2000:].decode("utf-8", "replace")


def _copy_in(source: Path, box: Path, uid: int | None) -> None:
    """Copy the sample's files into the server's (emptied) folder. The server's uid owns that
    folder, so every name is created exclusively and never followed: nothing the server planted
    can turn root's copy into a write elsewhere."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    top = os.open(box, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    dirs = {".": top}
    try:
        for root, subdirs, files in os.walk(source):
            rel = os.path.relpath(root, source)
            parent = dirs[rel]
            for name in subdirs:
                os.mkdir(name, 0o755, dir_fd=parent)
                fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent)
                if uid is not None:
                    os.fchown(fd, uid, uid)
                dirs[os.path.normpath(os.path.join(rel, name))] = fd
            for name in files:
                fd = os.open(name, flags, 0o644, dir_fd=parent)
                try:
                    with (
                        open(os.path.join(root, name), "rb") as src,
                        os.fdopen(os.dup(fd), "wb") as dst,  # flushed and closed here, not by GC
                    ):
                        shutil.copyfileobj(src, dst)
                    if uid is not None:
                        os.fchown(fd, uid, uid)
                finally:
                    os.close(fd)
    finally:
        for fd in dirs.values():
            os.close(fd)


def _copy_out(box: Path, workdir: Path) -> None:
    """Copy what the compiler wrote (regular files only, never through a link) back to the
    sample's work folder; the sample's own files are there already."""
    for root, _dirs, files, root_fd in os.fwalk(box, follow_symlinks=False):
        rel = os.path.relpath(root, box)
        dest_dir = workdir / rel
        dest_dir.mkdir(parents=True, exist_ok=True)
        for name in files:
            if (dest_dir / name).exists():
                continue
            try:
                fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=root_fd)
            except OSError:
                continue  # a link or something that is not a file: not a compiler output
            with os.fdopen(fd, "rb") as src:
                if not stat.S_ISREG(os.fstat(src.fileno()).st_mode):
                    continue
                with open(dest_dir / name, "wb") as dst:
                    shutil.copyfileobj(src, dst)


def _read_line(stream: object, deadline: float) -> bytes | None:
    """One line from ``stream`` before ``deadline`` (without its newline), else ``None``."""
    fd = stream.fileno()  # type: ignore[attr-defined]
    line = bytearray()
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not sel.select(timeout=remaining):
                return None
            chunk = os.read(fd, 1)  # byte by byte: what follows the line is the next reply's
            if not chunk:
                return None
            line += chunk
    return bytes(line[:-1])


def _read_reply(stream: object, deadline: float) -> tuple[int, Capture, int, bool] | str | None:
    """``(exit code, output, bytes, stale)``; ``"timeout"`` past ``deadline``; ``None`` on EOF or
    garbage. The header is ``<code> <bytes>``, with `` stale`` when the compiler crashed."""
    header = _read_line(stream, deadline)
    if header is None:
        return "timeout" if time.monotonic() >= deadline else None
    fields = header.split()
    if len(fields) not in (2, 3) or (len(fields) == 3 and fields[2] != b"stale"):
        return None
    code, size = int(fields[0]), int(fields[1])
    fd = stream.fileno()  # type: ignore[attr-defined]
    output = Capture()
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while output.total < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return "timeout"
            if not sel.select(timeout=remaining):
                continue
            chunk = os.read(fd, min(65536, size - output.total))
            if not chunk:
                return None
            output.add(chunk)
    return code, output, size, len(fields) == 3


class _Pool:
    """Idle servers per (command, environment); a sample takes one or starts one."""

    def __init__(self) -> None:
        self._idle: dict[tuple[object, ...], list[_Server]] = {}
        self._lock = threading.Lock()
        self._failed: set[tuple[object, ...]] = set()
        self._generation = 0  # shutdown() starts a new one: servers busy then close on return

    def compile(
        self,
        language: Language,
        workdir: Path,
        args: Sequence[str],
        limits: RunLimits,
        env: Mapping[str, str],
        binds: Mapping[str, Path],
    ) -> RunResult | None:
        """One request to a warm server of ``language``; ``None``: run the cold command."""
        assert language.server
        key = (language.name, language.server, tuple(sorted(env.items())), limits.memory_mb)
        with self._lock:
            if key in self._failed:
                return None
            idle = self._idle.get(key, [])
            server = idle.pop() if idle else None
        if server is None:
            try:
                server = _Server(language.server, env, limits, binds)
            except RuntimeError:
                return None  # every server uid is taken: the cold command, this time only
            except OSError as exc:
                self._give_up(key, language, str(exc))
                return None
            with self._lock:
                server.generation = self._generation
        try:
            result = server.request(workdir, args, limits)
        except Exception:  # copying files in or out failed: never a verdict, never a leak
            result = None
        if result is None and not server.ready:
            self._give_up(key, language, server.log_tail())
        with self._lock:
            keep = (
                server.alive
                and result is not None
                and not result.timed_out
                and server.generation == self._generation
            )
            if keep:
                self._idle.setdefault(key, []).append(server)
        if not keep:
            server.close()
        return result

    def _give_up(self, key: tuple[object, ...], language: Language, why: str) -> None:
        # A server that cannot answer its first request will not answer the next: the language
        # runs its cold commands for the rest of this process.
        with self._lock:
            self._failed.add(key)
        warnings.warn(
            f"{language.name}: the warm compiler did not start, samples use the cold command "
            f"line instead: {why.strip()[-800:]}",
            stacklevel=4,
        )

    def shutdown(self) -> int:
        """Close every idle server; returns how many were closed."""
        with self._lock:
            servers = [s for group in self._idle.values() for s in group]
            self._idle.clear()
            self._generation += 1
        for server in servers:
            server.close()
        return len(servers)


POOL = _Pool()
atexit.register(POOL.shutdown)


# Run a compile step on a warm server (``None``: the cold command must run instead), and close
# the idle warm compilers of this process (``evaluate`` does at its end).
compile_with_server = POOL.compile
shutdown = POOL.shutdown
