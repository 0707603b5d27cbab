"""Run one command confined: bubblewrap namespaces, a throw-away user, rlimits, capped output.

The strongest available mode is chosen once per process and reported by ``workbench doctor``:

* ``bwrap``: read-only root, private /tmp, no network, own PID namespace, only the work folder
  writable; plus a dedicated uid (when root) so process limits and the final sweep are exact.
* ``rlimits``: no bubblewrap on this machine. Same limits and the same sweep, but the program sees
  the host file system and network. Clearly weaker; ``doctor`` says so.
"""

from __future__ import annotations

import fcntl
import itertools
import os
import select
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from workbench.execution import workfolder
from workbench.paths import search_path

# Inside the private /tmp, so bubblewrap can create the mount point on a read-only root.
SANDBOX_MOUNT = "/tmp/box"
EXIT_GRACE = 0.25  # seconds to drain output after the main process exits
UID_BASE = 61000
UID_SLOTS = 64
TAIL_BYTES = 16384


@dataclass(frozen=True)
class RunLimits:
    """Limits of one confined command."""

    timeout: float
    memory_mb: int
    processes: int
    output_bytes: int
    file_size_mb: int


@dataclass
class RunResult:
    """What happened to one confined command."""

    exit_code: int | None
    signal: int | None
    stdout: str
    stderr: str
    duration: float
    timed_out: bool
    output_truncated: bool
    output_bytes: int
    max_rss_kb: int
    sandbox_error: str | None = None
    uid: int | None = None


@dataclass(frozen=True)
class SandboxInfo:
    """Which isolation this machine gives executed code."""

    mode: str  # "bwrap" or "rlimits"
    uid_isolation: bool
    detail: str


@cache
def sandbox_info() -> SandboxInfo:
    """Probe bubblewrap once: it must actually start a namespace here, not just be installed."""
    is_root = os.geteuid() == 0
    bwrap = shutil.which("bwrap")
    if bwrap:
        probe = subprocess.run(
            [bwrap, *bwrap_args(Path(tempfile.gettempdir())), "true"],
            capture_output=True,
            text=True,
            **(_user_kwargs(UID_BASE + UID_SLOTS) if is_root else {}),
        )
        if probe.returncode == 0:
            return SandboxInfo(
                "bwrap",
                is_root,
                "bubblewrap: read-only root, private /tmp, no network, own PID namespace"
                + (", dedicated uid per execution" if is_root else ""),
            )
        reason = f"bwrap is installed but cannot create namespaces: {probe.stderr.strip()}"
    else:
        reason = "bwrap not found (install the 'bubblewrap' package)"
    return SandboxInfo(
        "rlimits",
        is_root,
        f"WEAKER MODE: {reason}; programs are limited by rlimits only and can see the host "
        "file system and network",
    )


def bwrap_args(workdir: Path, binds: Mapping[str, Path] | None = None) -> list[str]:
    """bubblewrap's arguments: ``workdir`` writable at ``SANDBOX_MOUNT``, ``binds`` read-only,
    everything else read-only or private, no network."""
    extra = [
        a for target, source in (binds or {}).items() for a in ("--ro-bind", str(source), target)
    ]
    return [
        "--ro-bind",
        "/",
        "/",
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        # Sized: a tmpfs is memory, and a program writing without end must not take the host's.
        "--size",
        str(workfolder.WORK_FOLDER_MB * 1024 * 1024),
        "--tmpfs",
        "/tmp",
        "--size",
        str(16 * 1024 * 1024),
        "--tmpfs",
        "/run",
        "--bind",
        str(workdir),
        SANDBOX_MOUNT,
        *extra,
        "--chdir",
        SANDBOX_MOUNT,
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
    ]


def _user_kwargs(uid: int) -> dict[str, object]:
    return {"user": uid, "group": uid, "extra_groups": []}


def as_user(uid: int | None) -> tuple[list[str], dict[str, object]]:
    """The command prefix and ``Popen`` arguments that run a command as ``uid`` (no groups).

    util-linux's ``setpriv`` switches the user after the exec, so ``Popen`` can start the child
    with ``vfork``. Asking ``Popen`` itself to switch forces a full ``fork`` of the parent, whose
    page tables grow with the runner's memory: CPU spent on every step, most of it holding the
    GIL that the other executions wait for (docs/benchmark.md).
    """
    if uid is None:
        return [], {}
    if _setpriv():
        return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"], {}
    return [], _user_kwargs(uid)


@cache
def _setpriv() -> bool:
    return shutil.which("setpriv") is not None


_LEASE_TURN = itertools.count()


class UidLease:
    """A uid from a small pool, held with a file lock so parallel runs never share one."""

    def __init__(self, base: int = UID_BASE, slots: int = UID_SLOTS) -> None:
        self.uid: int | None = None
        self._fd: int | None = None
        self._base, self._slots = base, slots

    def __enter__(self) -> UidLease:
        lock_dir = Path(tempfile.gettempdir()) / "workbench-uids"
        lock_dir.mkdir(mode=0o700, exist_ok=True)
        # Round robin, not lowest first: where PID 1 is slow to reap orphans (some containers),
        # a uid's zombies count towards its process limit until they are reaped.
        start = next(_LEASE_TURN)
        for i in range(self._slots):
            uid = self._base + (start + i) % self._slots
            fd = os.open(lock_dir / f"{uid}.lock", os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self.uid, self._fd = uid, fd
            return self
        raise RuntimeError(f"all {self._slots} sandbox uids from {self._base} are busy")

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)


def _is_zombie(proc_dir: str) -> bool:
    # A dead process waiting for its parent to reap it holds nothing but its pid, and cannot be
    # killed again. Where PID 1 does not reap orphans (some containers), bwrap's own monitor
    # process stays a zombie after every run; waiting for it would make every step sit out the
    # sweep's whole retry loop.
    with open(f"{proc_dir}/stat", "rb") as handle:
        return handle.read().rsplit(b")", 1)[1][:3].strip() == b"Z"


def kill_uid(uid: int) -> int:
    """SIGKILL every process owned by ``uid`` until none is left; returns how many were killed."""
    killed = 0
    pause = 0.001  # most often the sandbox's own init is just exiting: look again soon
    for _ in range(50):
        pids = []
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                if entry.stat().st_uid == uid and not _is_zombie(entry.path):
                    pids.append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError):
                continue
        if not pids:
            return killed
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        time.sleep(pause)
        pause = min(pause * 2, 0.01)
    return killed


def prlimit_args(limits: RunLimits, cpu: bool = True) -> list[str]:
    """``prlimit`` with the rlimits of ``limits``; ``cpu=False`` leaves CPU time unlimited."""
    mem = limits.memory_mb * 1024 * 1024
    fsize = limits.file_size_mb * 1024 * 1024
    return [
        "prlimit",
        f"--as={mem}",
        f"--nproc={limits.processes}",
        f"--fsize={fsize}",
        *([f"--cpu={int(limits.timeout) + 2}"] if cpu else []),
        "--core=0",
        "--",
    ]


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


class Capture:
    """Keeps the head and the tail of a stream, counting every byte."""

    def __init__(self) -> None:
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = TAIL_BYTES - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            self.tail += chunk
            del self.tail[: max(0, len(self.tail) - TAIL_BYTES)]

    def text(self) -> str:
        if self.total <= len(self.head) + len(self.tail):
            return _decode(bytes(self.head + self.tail))
        skipped = self.total - len(self.head) - len(self.tail)
        return (
            _decode(bytes(self.head))
            + f"\n[... {skipped} bytes not kept ...]\n"
            + _decode(bytes(self.tail))
        )


def run_confined(
    command: Sequence[str],
    workdir: Path,
    limits: RunLimits,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    binds: Mapping[str, Path] | None = None,
) -> RunResult:
    """Run ``command`` inside ``workdir`` under the machine's sandbox and ``limits``.

    The work folder appears as ``SANDBOX_MOUNT`` inside bubblewrap; commands should use relative
    paths. ``binds`` maps sandbox paths to host files shown read-only (bubblewrap mode only).
    The whole process tree is killed on timeout or when output exceeds its cap, and every
    process of the sandbox uid is swept afterwards, so nothing outlives the call.
    """
    info = sandbox_info()
    with UidLease() if info.uid_isolation else _NoLease() as lease:
        uid = lease.uid
        if uid is not None:
            os.chown(workdir, uid, uid)
            for root, dirs, files in os.walk(workdir):
                for name in dirs + files:
                    path = os.path.join(root, name)
                    # Hard links are shared read-only files (prebuilt dependencies): their owner
                    # stays root, so the sandbox can read but never change them.
                    if name in files and os.lstat(path).st_nlink > 1:
                        continue
                    os.lchown(path, uid, uid)
        prefix, popen_user = as_user(uid)
        argv = [*prefix, *prlimit_args(limits)]
        if info.mode == "bwrap":
            argv += ["bwrap", *bwrap_args(workdir, binds), *command]
            cwd = workdir
        else:
            argv += list(command)
            cwd = workdir
        home = SANDBOX_MOUNT if info.mode == "bwrap" else str(workdir)
        full_env = {
            "PATH": search_path(),
            "HOME": home,
            "TMPDIR": "/tmp" if info.mode == "bwrap" else str(workdir),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            **(env or {}),
        }
        try:
            result = _communicate(
                argv, cwd, full_env, limits, stdin, popen_user, info.mode == "bwrap"
            )
            result.uid = uid
            return result
        finally:
            if uid is not None:
                kill_uid(uid)


class _NoLease:
    uid: int | None = None

    def __enter__(self) -> _NoLease:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def _communicate(
    argv: list[str],
    cwd: Path,
    env: dict[str, str],
    limits: RunLimits,
    stdin: bytes | None,
    popen_user: Mapping[str, object],
    via_bwrap: bool,
) -> RunResult:
    """Run ``argv`` to its end or its limits: spawn it, pump its output until it exits (or the
    deadline passes, or the output outgrows its cap), kill its process group, reap it, and say
    what happened."""
    start = time.monotonic()
    try:
        proc = _spawn(argv, cwd, env, stdin, popen_user)
    except OSError as exc:
        return RunResult(None, None, "", "", 0.0, False, False, 0, 0, f"cannot start: {exc}")
    # A pidfd turns readable the moment the process ends, so the exit wakes the pump instead
    # of being polled for (a poll's sleep is idle time on a machine with work waiting).
    pidfd = _pidfd(proc.pid)
    try:
        pumped = _pump(proc, pidfd, start + limits.timeout, limits.output_bytes)
        kill_group(proc.pid)
        status, rusage = pumped.exited or _reap(proc.pid, pidfd)
    finally:
        if pidfd is not None:
            os.close(pidfd)
    proc.returncode = 0  # reaped by wait4; keep Popen from waiting again
    for stream in (proc.stdout, proc.stderr, proc.stdin):
        if stream is not None:
            stream.close()
    return _result(status, rusage, pumped, time.monotonic() - start, via_bwrap)


def _spawn(
    argv: list[str],
    cwd: Path,
    env: dict[str, str],
    stdin: bytes | None,
    popen_user: Mapping[str, object],
) -> subprocess.Popen[bytes]:
    """Start ``argv`` in a session of its own with piped output, and hand it ``stdin``."""
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        close_fds=True,
        **popen_user,  # type: ignore[arg-type]
    )
    if stdin is not None and proc.stdin is not None:
        try:
            proc.stdin.write(stdin)
            proc.stdin.close()
        except BrokenPipeError:
            pass
    return proc


@dataclass
class _Pumped:
    """What the pump read and why it stopped: ``exited`` holds the status and rusage when the
    process ended under the limits."""

    out: Capture
    err: Capture
    timed_out: bool = False
    truncated: bool = False
    exited: tuple[int, os.struct_rusage] | None = None


def _pump(
    proc: subprocess.Popen[bytes], pidfd: int | None, deadline: float, max_output: int
) -> _Pumped:
    """Read stdout and stderr until the process has exited and closed them (children that keep
    them open get ``EXIT_GRACE`` seconds more), the ``deadline`` passes, or more than
    ``max_output`` bytes came."""
    pumped = _Pumped(Capture(), Capture())
    sel = selectors.DefaultSelector()
    assert proc.stdout is not None and proc.stderr is not None
    sel.register(proc.stdout, selectors.EVENT_READ, pumped.out)
    sel.register(proc.stderr, selectors.EVENT_READ, pumped.err)
    if pidfd is not None:
        sel.register(pidfd, selectors.EVENT_READ, None)
    watching, open_streams, drain_until = pidfd is not None, 2, float("inf")
    try:
        while open_streams or pumped.exited is None:
            now = time.monotonic()
            if pumped.exited is None and now >= deadline:
                pumped.timed_out = True
                break
            if now >= drain_until:
                break  # children of an exited program still hold the pipes: stop listening
            wait = (deadline if pumped.exited is None else drain_until) - now
            closed, ended = _read_ready(sel, wait if watching else min(wait, 0.05))
            open_streams -= closed
            watching = watching and not ended
            if pumped.out.total + pumped.err.total > max_output:
                pumped.truncated = True
                break
            if pumped.exited is None:
                wpid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
                if wpid == proc.pid:
                    pumped.exited = (status, rusage)
                    drain_until = time.monotonic() + EXIT_GRACE
    finally:
        sel.close()
    return pumped


def _read_ready(sel: selectors.BaseSelector, timeout: float) -> tuple[int, bool]:
    """Read what the registered streams hold within ``timeout`` into their captures; returns
    how many streams closed and whether the pidfd said the process ended."""
    closed, ended = 0, False
    for key, _ in sel.select(timeout=max(timeout, 0.0)):
        if key.data is None:  # the pidfd: the process has ended
            sel.unregister(key.fileobj)
            ended = True
            continue
        chunk = os.read(key.fd, 65536)
        if not chunk:
            sel.unregister(key.fileobj)
            closed += 1
            continue
        key.data.add(chunk)
    return closed, ended


def _result(
    status: int, rusage: os.struct_rusage, pumped: _Pumped, duration: float, via_bwrap: bool
) -> RunResult:
    """The ``RunResult`` of a reaped process: exit code or signal (bubblewrap's 128 + N read
    as signal N), the captured output, and a failure of the sandbox itself, when that is it."""
    exit_code = os.waitstatus_to_exitcode(status)
    sig = -exit_code if exit_code < 0 else None
    if via_bwrap and 128 < exit_code <= 128 + 64:
        # bubblewrap reports a child killed by signal N as exit status 128 + N.
        exit_code, sig = -1, exit_code - 128
    stderr = pumped.err.text()
    sandbox_error = None
    if exit_code == 1 and stderr.startswith(("bwrap: ", "prlimit: ", "setpriv: ")):
        sandbox_error = stderr.strip()  # the sandbox itself failed before the program started
    return RunResult(
        exit_code=exit_code if exit_code >= 0 else None,
        signal=sig,
        stdout=pumped.out.text(),
        stderr=stderr,
        duration=duration,
        timed_out=pumped.timed_out,
        output_truncated=pumped.truncated,
        output_bytes=pumped.out.total + pumped.err.total,
        max_rss_kb=rusage.ru_maxrss if rusage else 0,
        sandbox_error=sandbox_error,
    )


def kill_group(pid: int) -> None:
    """SIGKILL the process group led by ``pid`` (gone already: nothing to do)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _pidfd(pid: int) -> int | None:
    """A pidfd for ``pid`` (Linux 5.3+), or None where the kernel has none (then: polling)."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _reap(pid: int, pidfd: int | None) -> tuple[int, os.struct_rusage]:
    """Wait for ``pid`` (already sent SIGKILL) to end and reap it: status and rusage."""
    delay = 0.001
    while True:
        wpid, status, rusage = os.wait4(pid, os.WNOHANG)
        if wpid == pid:
            return status, rusage
        if pidfd is not None:
            select.select([pidfd], [], [], 1.0)
        else:
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
