"""Containers of the runtime image, each with a long-lived agent: the Docker backend's pool.

Every container runs ``python -m workbench.execution.agent`` (through the engine's exec API, on
one stream for the container's life) and judges one program at a time with the same
``execute`` as the local backend. A container has no network, a read-only root, a tmpfs /tmp
(work folders), memory, CPU and process limits, no capabilities, no new privileges, and an
unprivileged uid of its own (``UID_BASE`` + n, so one container's programs never count towards
another's process limit).

Inside, each program step runs under bubblewrap as on a local machine: its own PID, network,
mount and user namespaces, a read-only view of the image, only its work folder writable, and the
registry's read-only mounts (recipe scripts, fixtures, warm-compiler programs) at their paths.
bubblewrap needs two things Docker's defaults forbid a container: creating a user namespace
(the default seccomp profile) and mounting a fresh /proc (the masked /proc paths); the pool
turns both off for its containers (``bubblewrap=True``), which is what keeps programs apart from
the agent and from each other. With ``bubblewrap=False`` the containers keep Docker's defaults
and programs run under rlimits only, sharing the container's uid and /tmp with the agent; the
agent then kills whatever they leave behind after each request, but recipes that need
read-only mounts cannot work there.

A container that dies or stops answering is removed and replaced, and its program is run once
more on the new one; a second loss is an ``infrastructure_error``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import json
import os
import select
import socket
import tarfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError
from workbench.execution.records import Execution, Program, StepReport
from workbench.execution.warm_compilers.pool import START_TIMEOUT
from workbench.registry.languages import Limits

DEFAULT_IMAGE = "mceval-workbench:latest"
IMAGE_ENV = "WORKBENCH_IMAGE"


def runtime_image(image: str | None = None) -> str:
    """The Docker backend's runtime image: ``image``, else ``$WORKBENCH_IMAGE``, else
    ``DEFAULT_IMAGE``."""
    return image or os.environ.get(IMAGE_ENV) or DEFAULT_IMAGE


IMAGE_TITLE = "mceval-workbench"  # the image's org.opencontainers.image.title
TOOLCHAINS_LABEL = "org.mceval-workbench.toolchains"
TOOLCHAINS_FILE = "/opt/workbench/toolchains.json"
POOL_LABEL = "org.mceval-workbench.pool"
OWNER_LABEL = "org.mceval-workbench.owner"  # host name and pid of the process that started it
AGENT_PYTHON = "/opt/workbench/venv/bin/python"
SOURCE_MOUNT = "/opt/workbench/src"
UID_BASE = 62000  # the image names 62000-62063
UID_SLOTS = 64
HELLO_TIMEOUT = 60.0
_UIDS = itertools.count(os.getpid() * 7)  # spread: two pools on one machine rarely share a uid


class DockerUnavailable(WorkbenchError):
    """No Docker engine can be used from here; the message says why."""


def docker_client(timeout: int = 120) -> Any:
    """A client of the local Docker engine (``DOCKER_HOST`` or the default socket).

    Raises ``DockerUnavailable`` saying what is missing: the ``docker`` package, or an engine
    that answers."""
    try:
        import docker
    except ImportError as exc:
        raise DockerUnavailable(
            "the docker Python package is missing (pip install docker)"
        ) from exc
    try:
        client = docker.from_env(timeout=timeout)
        client.ping()
    except Exception as exc:  # the SDK raises several kinds for a missing or dead engine
        raise DockerUnavailable(
            f"no Docker engine answers ({type(exc).__name__}: {exc}); install docker.io and "
            "start dockerd, or set DOCKER_HOST"
        ) from exc
    return client


def engine_status() -> tuple[bool, str]:
    """Whether a Docker engine answers here, and its version or why not (for ``doctor``)."""
    try:
        client = docker_client(timeout=10)
    except DockerUnavailable as exc:
        return False, str(exc)
    version = client.version()
    client.close()
    return True, f"Docker engine {version.get('Version', '?')} ({version.get('Os', '?')})"


def image_record(image: str = DEFAULT_IMAGE, client: Any = None) -> dict[str, Any] | None:
    """What the runtime image says of itself: ``languages`` (name -> toolchain version or
    None), ``built``, and from ``workbench image build`` also ``base`` and ``vendor``. Read from
    the image's label, else from its versions file; None when the image is not here."""
    import docker.errors

    client = client or docker_client()
    try:
        found = client.images.get(image)
    except docker.errors.ImageNotFound:
        return None
    label = (found.labels or {}).get(TOOLCHAINS_LABEL)
    if label:
        return json.loads(label)
    raw = client.containers.run(image, ["cat", TOOLCHAINS_FILE], remove=True, network_mode="none")
    return json.loads(raw)


@dataclass(frozen=True)
class ContainerLimits:
    """Limits of one container of the pool (its programs also get the registry's limits)."""

    memory_mb: int = 4096  # the container's memory, its tmpfs /tmp and warm compilers included
    # None: every core of the machine. Containers of a pool have equal CPU shares, so under load
    # each gets its part, and a program alone can use what the machine has, as it would locally.
    cpus: float | None = None
    pids: int = 2048
    tmp_mb: int = 2048


def hardened_host_config(
    client: Any,
    limits: ContainerLimits,
    bubblewrap: bool = True,
    binds: dict[str, dict[str, str]] | None = None,
    read_only: bool = True,
) -> dict[str, Any]:
    """The engine's host configuration of a container that runs programs: no network, the
    limits, a tmpfs /tmp, no capabilities, no new privileges, a read-only root (unless
    ``read_only=False``), and with ``bubblewrap`` the two relaxations bubblewrap needs."""
    security = ["no-new-privileges"]
    if bubblewrap:
        # bubblewrap makes a user namespace and mounts a fresh /proc: Docker's seccomp profile
        # forbids the first and its masked /proc paths the second.
        security.append("seccomp=unconfined")
    config = client.api.create_host_config(
        init=True,  # the engine's init reaps what programs orphan
        network_mode="none",
        mem_limit=f"{limits.memory_mb}m",
        memswap_limit=f"{limits.memory_mb}m",
        nano_cpus=int((limits.cpus or os.cpu_count() or 1) * 1e9),
        pids_limit=limits.pids,
        read_only=read_only,
        tmpfs={"/tmp": f"rw,exec,nosuid,nodev,size={limits.tmp_mb}m,mode=1777"},
        cap_drop=["ALL"],
        security_opt=security,
        binds=binds or {},
    )
    if bubblewrap:
        config["MaskedPaths"] = []  # what `--security-opt systempaths=unconfined` sets
        config["ReadonlyPaths"] = []
    return config


class AgentLost(Exception):
    """The agent stopped answering: its container died, or a request outran its deadline."""


@dataclass
class AgentContainer:
    """One container and the stream to its agent."""

    container: Any
    sock: Any
    raw: Any
    uid: int
    support: set[str] = field(default_factory=set)
    buffer: bytearray = field(default_factory=bytearray)
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    served: int = 0
    hello: dict[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    languages: set[str] = field(default_factory=set)  # judged here before: warm compilers, probes

    def send(self, message: dict[str, Any]) -> None:
        try:
            self.raw.sendall((json.dumps(message) + "\n").encode())
        except OSError as exc:
            raise AgentLost(f"cannot write to the agent: {exc}") from exc

    def receive(self, deadline: float) -> dict[str, Any]:
        """The agent's next line, parsed; ``AgentLost`` on EOF or past ``deadline``."""
        while b"\n" not in self.stdout:
            self._read_frame(deadline)
        line, _, rest = bytes(self.stdout).partition(b"\n")
        self.stdout[:] = rest
        try:
            return json.loads(line)
        except json.JSONDecodeError as exc:
            raise AgentLost(f"the agent wrote garbage: {line[:200]!r}") from exc

    def _read_frame(self, deadline: float) -> None:
        # Without a tty the engine multiplexes the exec's stdout and stderr: an 8-byte header
        # (stream, 0, 0, 0, big-endian length), then the payload.
        while len(self.buffer) < 8 or len(self.buffer) < 8 + int.from_bytes(
            self.buffer[4:8], "big"
        ):
            self._recv(deadline)
        size = int.from_bytes(self.buffer[4:8], "big")
        stream, payload = self.buffer[0], bytes(self.buffer[8 : 8 + size])
        del self.buffer[: 8 + size]
        if stream == 2:
            self.stderr += payload
            del self.stderr[: max(0, len(self.stderr) - 8192)]
        else:
            self.stdout += payload

    def _recv(self, deadline: float) -> None:
        pending = getattr(self.raw, "pending", lambda: 0)()  # TLS: bytes already decrypted
        if not pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AgentLost("no answer before the request's deadline")
            ready, _, _ = select.select([self.raw], [], [], remaining)
            if not ready:
                raise AgentLost("no answer before the request's deadline")
        try:
            chunk = self.raw.recv(65536)
        except OSError as exc:
            raise AgentLost(f"the stream to the agent broke: {exc}") from exc
        if not chunk:
            tail = self.stderr.decode("utf-8", "replace").strip()[-500:]
            raise AgentLost(
                "the agent's stream ended (container gone?)" + (f": {tail}" if tail else "")
            )
        self.buffer += chunk

    def close(self) -> None:
        """Close the stream and remove the container (whatever state either is in)."""
        try:
            self.sock.close()
        except OSError:
            pass
        try:
            self.container.remove(force=True)
        except Exception:  # the SDK's NotFound and APIError: gone already, or going
            pass


def _support_tar(folder: Path) -> tuple[str, str]:
    """(content key, base64 tar) of a support folder."""
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w:") as tar:
        for path in sorted(folder.rglob("*")):
            tar.add(path, arcname=str(path.relative_to(folder)), recursive=False)
    raw = data.getvalue()
    return hashlib.sha256(raw).hexdigest()[:24], base64.b64encode(raw).decode()


def request_deadline(limits: Limits) -> float:
    """Seconds an agent may take for one request before its container counts as lost: every
    step's own limit, a warm compiler's start, and room for the work folder around them."""
    return 2 * (limits.compile_timeout + limits.run_timeout) + START_TIMEOUT + 60


class ContainerPool:
    """``size`` containers of ``image``, each serving one program at a time.

    ``bubblewrap`` relaxes the containers' seccomp profile and /proc masks so each program
    gets bubblewrap's namespaces inside (see the module's docstring). ``source`` runs that
    workbench package (a checkout's ``workbench/`` folder) in place of the image's own, mounted
    read-only, for development; the image must then hold what the package stages at build time
    (recipe folders, warm-compiler programs, prebuilt dependencies) for the same registry.
    Containers are started at once, in parallel, and removed by ``close``."""

    def __init__(
        self,
        image: str = DEFAULT_IMAGE,
        size: int = 1,
        limits: ContainerLimits | None = None,
        source: Path | None = None,
        client: Any = None,
        bubblewrap: bool = True,
    ) -> None:
        self.client = client or docker_client()
        self.bubblewrap = bubblewrap
        self.image, self.size = image, size
        self.limits = limits or ContainerLimits()
        self.source = source
        self.pool_id = uuid.uuid4().hex[:12]
        self.idle: list[AgentContainer | None] = []  # None: a container still to be started
        self.idle_changed = threading.Condition()
        self.lock = threading.Lock()
        self.live: dict[str, AgentContainer] = {}
        self.replaced = 0
        self.cpu_seconds = 0.0  # CPU time of the pool's removed containers (their cgroups')
        self._supports: dict[Path, tuple[str, str]] = {}
        self.closed = False
        self._check_image()
        remove_stale_containers(self.client)
        starters = [threading.Thread(target=self._start_idle) for _ in range(size)]
        for thread in starters:
            thread.start()
        for thread in starters:
            thread.join()

    def _check_image(self) -> None:
        import docker.errors

        try:
            self.client.images.get(self.image)
        except docker.errors.ImageNotFound:
            raise DockerUnavailable(
                f"image {self.image} not found: build it with `workbench image build`"
            ) from None

    def _start_idle(self) -> None:
        try:
            self._give(self.start())
        except Exception:
            self._give(None)  # taken later: that request starts a container itself

    def start(self) -> AgentContainer:
        """A new container with its agent, answering."""
        if self.closed:
            raise RuntimeError("the pool is closed")
        uid = UID_BASE + next(_UIDS) % UID_SLOTS
        env = {"HOME": "/tmp", "PYTHONDONTWRITEBYTECODE": "1"}
        binds = {}
        if self.source is not None:
            binds[str(self.source)] = {"bind": f"{SOURCE_MOUNT}/workbench", "mode": "ro"}
            env["PYTHONPATH"] = SOURCE_MOUNT
        host_config = hardened_host_config(self.client, self.limits, self.bubblewrap, binds)
        created = self.client.api.create_container(
            self.image,
            user=f"{uid}:{uid}",
            environment=env,
            labels={
                POOL_LABEL: self.pool_id,
                OWNER_LABEL: f"{socket.gethostname()}:{os.getpid()}",
            },
            name=f"wb-{self.pool_id}-{uuid.uuid4().hex[:6]}",
            host_config=host_config,
        )
        container = self.client.containers.get(created["Id"])
        try:
            container.start()
            exec_id = self.client.api.exec_create(
                container.id,
                [AGENT_PYTHON, "-m", "workbench.execution.agent"],
                stdin=True,
                stdout=True,
                stderr=True,
                environment=env,
                workdir="/tmp",
            )["Id"]
            sock = self.client.api.exec_start(exec_id, socket=True)
            raw = getattr(sock, "_sock", sock)
            agent = AgentContainer(container, sock, raw, uid)
            agent.hello = agent.receive(time.monotonic() + HELLO_TIMEOUT)
        except BaseException:
            container.remove(force=True)
            raise
        with self.lock:
            self.live[container.id] = agent
        return agent

    def _take(self, language: str) -> AgentContainer | None:
        """An idle container for a program of ``language``: one whose agent has judged that
        language before (its warm compiler and toolchain probe are warm), else the one that knows
        the fewest languages, else one still to be started (None)."""
        with self.idle_changed:
            while not self.idle:
                self.idle_changed.wait()
            for i, agent in enumerate(self.idle):
                if agent is not None and language in agent.languages:
                    return self.idle.pop(i)
            best = min(
                range(len(self.idle)),
                key=lambda i: (self.idle[i] is None, len(getattr(self.idle[i], "languages", ()))),
            )
            return self.idle.pop(best)

    def _give(self, agent: AgentContainer | None) -> None:
        with self.idle_changed:
            self.idle.append(agent)
            self.idle_changed.notify()

    def _support(self, folder: Path | None) -> tuple[str, str] | None:
        if folder is None or not folder.is_dir():
            return None
        with self.lock:
            if folder not in self._supports:
                self._supports[folder] = _support_tar(folder)
            return self._supports[folder]

    def run(self, program: Program, limits: Limits) -> Execution:
        """Judge ``program`` in a container of the pool; a lost container is replaced and the
        program run once more."""
        support = self._support(program.support_dir)
        request: dict[str, Any] = {
            "language": program.language,
            "source": program.source,
            "task_id": program.task_id,
            "reference": program.reference,
            "limits": asdict(limits),
        }
        lost = []
        for _attempt in range(2):
            if self.closed:
                lost.append("the pool was closed")
                break
            agent = self._take(program.language)
            try:
                if agent is None:
                    agent = self.start()
                if support is not None:
                    key, tar = support
                    request["support"] = {"key": key, "name": program.support_dir.name}
                    if key not in agent.support:
                        request["support"]["tar"] = tar
                agent.send(request)
                reply = agent.receive(time.monotonic() + request_deadline(limits))
            except Exception as exc:  # the engine, the container or the agent failed
                lost.append(f"{type(exc).__name__}: {exc}")
                self._retire(agent)
                continue
            if support is not None:
                agent.support.add(support[0])
            agent.served += 1
            agent.languages.add(program.language)
            self._give(agent)
            if "error" in reply:
                return Execution(
                    status="infrastructure_error",
                    language=program.language,
                    reason=f"the agent could not judge it: {reply['error']}",
                    sandbox="docker",
                )
            return _execution(reply["execution"])
        why = "the container was lost twice: " if len(lost) == 2 else "not judged: "
        return Execution(
            status="infrastructure_error",
            language=program.language,
            reason=why + "; ".join(lost),
            sandbox="docker",
        )

    def _retire(self, agent: AgentContainer | None) -> None:
        """Remove a lost container; a fresh one takes its place (started by the next request
        that needs it, so a dead engine does not loop here)."""
        if agent is not None:
            self.cpu_seconds += _cpu_seconds(agent)
            agent.close()
            with self.lock:
                self.live.pop(agent.container.id, None)
                self.replaced += 1
        self._give(None)

    def close(self) -> None:
        """Remove every container of the pool (``cpu_seconds`` keeps what they used)."""
        self.closed = True
        with self.lock:
            agents = list(self.live.values())
            self.live.clear()
        self.cpu_seconds += sum(_cpu_seconds(agent) for agent in agents)
        for agent in agents:
            agent.close()
        self.client.close()


def _cpu_seconds(agent: AgentContainer) -> float:
    """CPU time a container has used (everything in it: agent, compilers, programs)."""
    try:
        stats = agent.container.stats(stream=False, one_shot=True)
        return stats["cpu_stats"]["cpu_usage"]["total_usage"] / 1e9
    except Exception:  # a container already gone has nothing more to say
        return 0.0


def _execution(data: dict[str, Any]) -> Execution:
    steps = [StepReport(**s) for s in data.pop("steps", [])]
    execution = Execution(**data, steps=steps)
    execution.sandbox = f"docker+{execution.sandbox}"
    return execution


def remove_stale_containers(client: Any = None) -> int:
    """Remove pool containers that processes of this machine started and left behind (killed
    before they could close their pool); returns how many."""
    client = client or docker_client()
    host = socket.gethostname()
    removed = 0
    for container in client.containers.list(all=True, filters={"label": POOL_LABEL}):
        owner = container.labels.get(OWNER_LABEL, "")
        name, _, pid = owner.rpartition(":")
        if name == host and pid.isdigit() and not Path(f"/proc/{pid}").exists():
            container.remove(force=True)
            removed += 1
    return removed
