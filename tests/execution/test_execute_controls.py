"""Negative controls: every way a program can go wrong is contained and named correctly."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterable

import pytest

from tests.conftest import SKELETON_LANGUAGES, require_toolchain
from workbench.execution.execute import execute
from workbench.execution.records import Program
from workbench.execution.sandbox import UID_BASE, UID_SLOTS, sandbox_info
from workbench.registry.languages import get_language

RUN_TIMEOUT = 3.0
MEMORY_TIMEOUT = 20.0  # bash needs ~8 s to grow a string to the 2 GB limit
GIB10 = 10 * 1024**3

# One program per (language, control). {port} is a listening TCP port on the host.
CONTROLS: dict[str, dict[str, str]] = {
    "Python": {
        "ok": "assert sum([1, 2]) == 3\nprint('fine')\n",
        "syntax": "def f(:\n    return 1\n",
        "wrong": "def f():\n    return 2\nassert f() == 3\n",
        "crash": "def f():\n    return {}['missing']\nf()\n",
        "loop": "while True:\n    pass\n",
        "forkbomb": "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
        "memory": f"x = bytearray({GIB10})\nx[-1] = 1\n",
        "output": "import sys\nchunk = 'x' * 1048576\nfor _ in range(1024):\n    sys.stdout.write(chunk)\n",
        "network": "import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2).sendall(b'hi')\n",
    },
    "C": {
        "ok": "#include <assert.h>\nint main(){ assert(1 + 2 == 3); return 0; }\n",
        "syntax": "int main(){ return 0 }\n",
        "wrong": "#include <assert.h>\nint f(void){ return 2; }\nint main(){ assert(f() == 3); return 0; }\n",
        "crash": '#include <stdio.h>\nint main(){ int *p = 0; printf("%d", *p); return 0; }\n',
        "loop": "int main(){ volatile int x = 0; while (1) { x++; } return 0; }\n",
        "forkbomb": "#include <unistd.h>\nint main(){ while (1) fork(); return 0; }\n",
        "memory": '#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\nint main(){ size_t n = 10UL << 30; char *p = malloc(n); if (!p) { perror("malloc"); return 1; } memset(p, 1, n); return p[n - 1]; }\n',
        "output": "#include <stdio.h>\nint main(){ for (long i = 0; i < (1L << 30); i++) putchar('x'); return 0; }\n",
        "network": '#include <arpa/inet.h>\n#include <stdio.h>\n#include <sys/socket.h>\nint main(){ int s = socket(AF_INET, SOCK_STREAM, 0); struct sockaddr_in a = {0}; a.sin_family = AF_INET; a.sin_port = htons({port}); a.sin_addr.s_addr = htonl(0x7f000001); if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); return 1; } return 0; }\n',
    },
    "CPP": {
        "ok": "#include <cassert>\nint main(){ assert(1 + 2 == 3); return 0; }\n",
        "syntax": "int main(){ return 0 }\n",
        "wrong": "#include <cassert>\nint f(){ return 2; }\nint main(){ assert(f() == 3); return 0; }\n",
        "crash": "#include <vector>\nint main(){ std::vector<int> v; return v.at(3); }\n",
        "loop": "int main(){ volatile int x = 0; while (true) { x++; } }\n",
        "forkbomb": "#include <unistd.h>\nint main(){ while (true) fork(); }\n",
        "memory": '#include <vector>\n#include <cstdio>\nint main(){ std::vector<char> v(10UL << 30, 1); std::printf("%d", v.back()); }\n',
        "output": "#include <cstdio>\nint main(){ for (long i = 0; i < (1L << 30); i++) std::putchar('x'); }\n",
        "network": '#include <arpa/inet.h>\n#include <cstdio>\n#include <sys/socket.h>\nint main(){ int s = socket(AF_INET, SOCK_STREAM, 0); sockaddr_in a{}; a.sin_family = AF_INET; a.sin_port = htons({port}); a.sin_addr.s_addr = htonl(0x7f000001); if (connect(s, (sockaddr *)&a, sizeof a) != 0) { std::perror("connect"); return 1; } }\n',
    },
    "JavaScript": {
        "ok": "console.assert(1 + 2 === 3);\nconsole.log('fine');\n",
        "syntax": "function f( {\n  return 1;\n}\n",
        "wrong": "function f() { return 2; }\nconsole.assert(f() === 3);\n",
        "crash": "const o = undefined;\nconsole.log(o.field);\n",
        "loop": "while (true) {}\n",
        "forkbomb": "const { spawn } = require('child_process');\nfunction bomb() { try { spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)']); } catch (e) {} setImmediate(bomb); }\nbomb();\n",
        "memory": "const keep = [];\nwhile (true) { keep.push(new Array(1e6).fill(1.5)); }\n",
        "output": "const chunk = 'x'.repeat(1 << 20);\nfor (let i = 0; i < 1024; i++) process.stdout.write(chunk);\n",
        "network": "const net = require('net');\nconst s = net.connect({port}, '127.0.0.1', () => s.write('hi'));\ns.on('error', (e) => { console.error('connect: ' + e.message); process.exit(1); });\n",
    },
    "Java": {
        "ok": 'class Main { public static void main(String[] a) { assert 1 + 2 == 3; System.out.println("fine"); } }\n',
        "syntax": "class Main { public static void main(String[] a) { int x = 1 } }\n",
        "wrong": "class Main { static int f() { return 2; } public static void main(String[] a) { assert f() == 3; } }\n",
        "crash": "class Main { public static void main(String[] a) { String s = null; System.out.println(s.length()); } }\n",
        "loop": "class Main { public static void main(String[] a) { long x = 0; while (true) { x++; } } }\n",
        "forkbomb": 'class Main { public static void main(String[] a) throws Exception { while (true) { try { new ProcessBuilder("sleep", "100").start(); } catch (Exception e) { } } } }\n',
        "memory": "class Main { public static void main(String[] a) { long[][] k = new long[1280][]; for (int i = 0; i < k.length; i++) k[i] = new long[1 << 20]; System.out.println(k.length); } }\n",
        "output": 'class Main { public static void main(String[] a) { String c = "x".repeat(1 << 20); for (int i = 0; i < 1024; i++) System.out.print(c); } }\n',
        "network": 'class Main { public static void main(String[] a) throws Exception { new java.net.Socket("127.0.0.1", {port}).getOutputStream().write(1); } }\n',
    },
    "Shell": {
        "ok": "f() { echo 3; }\n[[ $(f) == 3 ]] || { echo 'Test 1 failed'; exit 1; }\n",
        "syntax": "f() {\n  if [ 1 -eq 1 ]; then echo x\n}\n",
        "wrong": "f() { echo 2; }\n[[ $(f) == 3 ]] || { echo 'Test 1 failed'; exit 1; }\n",
        "crash": 'set -u\necho "$undefined_variable"\n',
        "loop": "while true; do :; done\n",
        "forkbomb": "bomb() { bomb | bomb & }\nbomb\nwait\nsleep 100\n",
        # tail -c keeps the last N bytes of a pipe in memory: past the limit within seconds
        # (a bash variable grown by $(...) takes most of the run limit on a loaded machine).
        "memory": f"head -c {GIB10} /dev/zero | tail -c {GIB10} > /dev/null\n",
        "output": "yes xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx | head -c 1073741824\n",
        "network": "exec 3<>/dev/tcp/127.0.0.1/{port} && echo hi >&3\n",
    },
}

EXPECTED = {
    "ok": {"passed"},
    "wrong": {"failed"},
    "crash": {"runtime_error"},
    "loop": {"timeout"},
    "memory": {"memory_limit"},
    "output": {"output_limit"},
    "network": {"runtime_error"},
    # A fork bomb either hits the process limit and dies, or spins until the time limit.
    "forkbomb": {"timeout", "runtime_error"},
}
SYNTAX = {
    "Python": "compile_error",
    "C": "compile_error",
    "CPP": "compile_error",
    "JavaScript": "compile_error",
    "Java": "compile_error",
    "Shell": "compile_error",
}


class Listener:
    """A TCP server on loopback that records whether anything connected."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


def sandbox_processes(uids: Iterable[int] = range(UID_BASE, UID_BASE + UID_SLOTS)) -> list[int]:
    uids = set(uids)
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid not in uids:
                    continue
                with open(f"/proc/{entry.name}/stat") as fh:
                    state = fh.read().rsplit(")", 1)[1].split()[0]
            except (FileNotFoundError, ProcessLookupError):
                continue
            if state != "Z":  # a zombie is an exit status waiting for its parent, not a process
                found.append(int(entry.name))
    return found


CASES = [(lang, control) for lang in SKELETON_LANGUAGES for control in CONTROLS[lang]]
# The controls that wait for a limit (seconds each): Python's run under `make check`, every
# language's under `make test`.
WAITING = {"loop", "forkbomb", "memory", "output"}
PARAMS = [
    pytest.param(
        lang,
        control,
        id=f"{lang}-{control}",
        marks=[pytest.mark.slow] if control in WAITING and lang != "Python" else [],
    )
    for lang, control in CASES
]


@pytest.mark.parametrize("language,control", PARAMS)
def test_control(language: str, control: str) -> None:
    require_toolchain(language)
    if control == "network" and sandbox_info().mode != "bwrap":
        pytest.skip("network isolation needs bubblewrap (bwrap not usable here)")
    listener = Listener() if control == "network" else None
    source = CONTROLS[language][control].replace("{port}", str(listener.port if listener else 0))
    run_timeout = MEMORY_TIMEOUT if control == "memory" else RUN_TIMEOUT
    limits = get_language(language).limits.scaled(run_timeout=run_timeout)
    start = time.monotonic()
    try:
        result = execute(Program(language, source), limits)
    finally:
        if listener:
            listener.close()
    elapsed = time.monotonic() - start
    expected = {SYNTAX[language]} if control == "syntax" else EXPECTED[control]
    assert result.status in expected, (result.status, result.reason, result.stderr[-500:])
    assert elapsed < limits.compile_timeout + run_timeout + 5
    if control == "loop":
        assert result.run_seconds < RUN_TIMEOUT + 1.5
    if control == "output":
        assert result.output_truncated
    if listener is not None:
        assert listener.connections == 0, "a sandboxed program reached the host network"
    # Only this execution's uids: a parallel test run may be using others from the pool.
    assert sandbox_processes(result.sandbox_uids) == [], "a sandboxed process survived"


def test_writes_outside_the_work_folder_are_refused(tmp_path):
    require_toolchain("Shell")
    target = tmp_path / "escape.txt"
    tmp_path.chmod(0o777)
    result = execute(Program("Shell", f"echo x > {target} || exit 3\necho x > /tmp/inside\n"))
    assert not target.exists()
    if sandbox_info().mode == "bwrap":
        assert result.status == "runtime_error" and result.exit_code == 3


def test_programs_run_as_a_throw_away_uid_with_no_groups_or_capabilities():
    require_toolchain("Shell")
    if not sandbox_info().uid_isolation:
        pytest.skip("not root: every program runs as the invoking user")
    result = execute(
        Program("Shell", "grep -E '^(Uid|Gid|Groups|CapPrm|CapEff):' /proc/self/status\n")
    )
    assert result.status == "passed", result.reason
    fields = dict(line.split(":", 1) for line in result.stdout.strip().splitlines())
    uids = {int(v) for v in fields["Uid"].split()}  # real, effective, saved, file system
    assert len(uids) == 1 and UID_BASE <= min(uids) < UID_BASE + UID_SLOTS
    assert {int(v) for v in fields["Gid"].split()} == uids
    assert fields["Groups"].strip() == ""
    assert int(fields["CapPrm"], 16) == 0 and int(fields["CapEff"], 16) == 0


def test_a_program_that_closes_its_output_still_runs_to_its_end():
    # The exit, not the end of the output, ends a step: a program that closes stdout and stderr
    # and goes on working is neither killed early nor waited for past its time limit.
    require_toolchain("Shell")
    result = execute(Program("Shell", "echo started\nexec >&- 2>&-\nsleep 0.5\nexit 3\n"))
    assert result.status == "runtime_error" and result.exit_code == 3, result.reason
    assert result.stdout.strip() == "started" and result.run_seconds >= 0.5
    limits = get_language("Shell").limits.scaled(run_timeout=RUN_TIMEOUT)
    looping = execute(Program("Shell", "exec >&- 2>&-\nwhile :; do :; done\n"), limits)
    assert looping.status == "timeout", looping.reason
    assert looping.run_seconds < RUN_TIMEOUT + 1.5
