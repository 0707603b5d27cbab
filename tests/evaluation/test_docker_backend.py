"""The Docker backend against the local one, on a real engine with the real runtime image: the
same canonical verdicts from the same registry, hostile programs contained inside the container
with nothing left running, a killed container replaced and its program retried, and Dask
workers in containers of the image giving the local verdicts.

The containers run the image's own workbench, which must be built from this checkout (`make
image`; the fixture checks the digest the image records), so the code under test is what judges.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import DEMO, DOCKER_IMAGE, PROJECT, require_toolchain
from tests.execution.test_execute_controls import (
    CONTROLS,
    EXPECTED,
    MEMORY_TIMEOUT,
    RUN_TIMEOUT,
    SYNTAX,
    Listener,
)
from workbench.evaluation.backends import DockerBackend
from workbench.evaluation.containers import (
    AGENT_PYTHON,
    POOL_LABEL,
    ContainerPool,
    image_record,
)
from workbench.evaluation.runner import evaluate
from workbench.evaluation.verify import canonical_samples
from workbench.execution.records import Program
from workbench.execution.toolchain import missing_tools, toolchain_version
from workbench.inputs.tasks import load_tasks, resolve_source
from workbench.registry.languages import all_languages, get_language

IMAGE = DOCKER_IMAGE
KEYS = ["task_id", "model", "sample_index"]


@pytest.fixture(scope="module")
def client(docker_engine):
    return docker_engine


@pytest.fixture(scope="module")
def image_languages(client) -> dict[str, str | None]:
    record = image_record(IMAGE, client)
    assert record is not None
    return record["languages"]


def served_by_both(image_languages: dict[str, str | None]) -> list[str]:
    """Languages with a recipe whose toolchain is both here and in the image."""
    return [
        lang.name
        for lang in all_languages()
        if lang.has_recipe and not missing_tools(lang) and image_languages.get(lang.name)
    ]


@pytest.fixture(scope="module")
def pool(client):
    pool = ContainerPool(IMAGE, size=1, client=client)
    yield pool
    pool.close()


def container_processes(pool: ContainerPool) -> dict[int, str]:
    """pid -> command line of every process in the pool's (only) container, but the probe."""
    (agent,) = pool.live.values()
    script = (
        "import json, os\n"
        "out = {}\n"
        "for p in os.listdir('/proc'):\n"
        "    if p.isdigit() and int(p) != os.getpid():\n"
        "        try:\n"
        "            state = open(f'/proc/{p}/stat').read().rsplit(')', 1)[1].split()[0]\n"
        "            cmd = open(f'/proc/{p}/cmdline', 'rb').read().replace(b'\\0', b' ')\n"
        "        except OSError:\n"
        "            continue\n"
        "        if state != 'Z':\n"
        "            out[p] = cmd.decode(errors='replace').strip()\n"
        "print(json.dumps(out))\n"
    )
    code, output = agent.container.exec_run([AGENT_PYTHON, "-c", script])
    assert code == 0, output
    return {int(k): v for k, v in json.loads(output).items()}


def warm_compiler(command: str) -> bool:
    return "CompileServer" in command or "server.sh" in command or "tsc_server" in command


@pytest.fixture
def linked_data(mceval_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``MCEVAL_DATA`` as users often have it: a relative path through a symbolic link (a
    shared disk, a dataset cache). Tasks name their support folders by the resolved path, and a
    worker mounts that same path (``resolve_source``), so every backend finds them (issue 21)."""
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "mceval").symlink_to(mceval_dir.resolve(), target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MCEVAL_DATA", "datasets/mceval")


# -- parity -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "per_language",
    [pytest.param(2, id="2-per-language"), pytest.param(10, marks=pytest.mark.slow, id="10")],
)
def test_canonical_verdicts_equal_the_local_backend(
    client, image_languages, linked_data, per_language
):
    languages = served_by_both(image_languages)
    assert len(languages) >= 30, languages  # every Debian/npm language of the registry
    tasks = load_tasks(None, languages=languages)  # MCEVAL_DATA: relative, through a link
    tasks = tasks.groupby("language", sort=False).head(per_language).reset_index(drop=True)
    samples = canonical_samples(tasks)
    local = evaluate(samples, tasks, jobs=2, progress=False, cache=False)
    backend = DockerBackend(IMAGE, jobs=2)
    docker = evaluate(samples, tasks, backend=backend, progress=False, cache=False)
    both = local[KEYS + ["status", "reason"]].merge(
        docker[KEYS + ["status", "reason", "sandbox"]], on=KEYS, suffixes=("", "_docker")
    )
    assert len(both) == len(tasks) == len(samples)
    diff = both[both["status"] != both["status_docker"]]
    assert diff.empty, diff.to_string()
    assert both["sandbox"].str.startswith("docker+bwrap").all(), both["sandbox"].unique()
    assert set(docker["language"]) == set(languages)
    # The pool's containers are gone with the run.
    assert not client.containers.list(
        all=True, filters={"label": f"{POOL_LABEL}={backend.pool.pool_id}"}
    )


def test_every_check_judged_in_containers_as_on_this_machine(client, image_languages):
    """``evaluate(..., checks=True)`` on the Docker backend: the failing samples' instrumented
    second run goes to the containers too, and every check's verdict, expected and actual value
    is the one the local backend reads (docs/checks.md)."""
    from workbench.evaluation.checks import run_checks
    from workbench.inputs.samples import load_samples, samples_of_languages

    languages = [lang for lang in ("Python", "C") if image_languages.get(lang)]
    for language in languages:
        require_toolchain(language)
    tasks = load_tasks(DEMO, languages=languages)
    samples = samples_of_languages(load_samples(DEMO / "samples.jsonl"), tasks, languages)
    limits = {"run_timeout": 5}
    local = evaluate(samples, tasks, progress=False, cache=False, limits=limits, checks=True)
    backend = DockerBackend(IMAGE, jobs=2)
    docker = evaluate(
        samples, tasks, backend=backend, progress=False, cache=False, limits=limits, checks=True
    )
    judged = ["status", "checks_passed", "checks_total", "miss", "expected", "actual"]
    both = local[KEYS + judged].merge(docker[KEYS + judged], on=KEYS, suffixes=("", "_docker"))
    assert len(both) == len(samples)
    opened = both["checks_total"].notna()
    assert opened.sum() >= 4, both[KEYS + ["status"]]  # wrong answers in both languages opened
    for column in judged:
        mine, theirs = both[column].astype(object), both[f"{column}_docker"].astype(object)
        same = (mine == theirs) | (mine.isna() & theirs.isna())
        assert same.all(), both.loc[~same, KEYS + [column, f"{column}_docker"]].to_string()
    # The instrumented programs ran in the containers' sandbox, not on this machine's.
    checked, _ = run_checks(docker, tasks, backend=DockerBackend(IMAGE, jobs=2), limits=limits)
    ran = checked[checked["checks_total"].notna()]
    assert len(ran) == opened.sum() and ran["sandbox"].str.startswith("docker+").all()


def test_pool_containers_are_closed_off(pool):
    """What the issue asks of every container, read back from the engine itself."""
    pool.run(Program("Shell", "echo up\n"), get_language("Shell").limits)
    (agent,) = pool.live.values()
    agent.container.reload()
    host = agent.container.attrs["HostConfig"]
    assert host["NetworkMode"] == "none"
    assert host["ReadonlyRootfs"] is True
    assert host["CapDrop"] == ["ALL"]
    assert host["Memory"] > 0 and host["PidsLimit"] > 0
    assert "/tmp" in host["Tmpfs"]
    assert "no-new-privileges" in host["SecurityOpt"]
    user = agent.container.attrs["Config"]["User"]
    assert user and not user.startswith(("0:", "root")), user
    code, output = agent.container.exec_run(
        [AGENT_PYTHON, "-c", "import socket; print(sorted(socket.if_nameindex()))"]
    )
    assert code == 0 and "eth0" not in output.decode(), output  # loopback only


def test_docker_cache_keys_name_the_image_toolchains(client, image_languages):
    backend = DockerBackend(IMAGE, jobs=1)
    try:
        for language in ("Python", "C"):
            version = backend.toolchain_version(language)
            assert version == f"image:{image_languages[language]}"
            assert version != toolchain_version(language)
    finally:
        backend.close([], interrupted=False)


# -- negative controls and hostile programs -----------------------------------------------------
LEFT_RUNNING = "(setsid sleep 300 < /dev/null > /dev/null 2>&1 &)\necho started\n"
OUTSIDE = "echo x > /opt/escape.txt || exit 3\necho x > /tmp/inside\n"
CASES = [(lang, control) for lang in CONTROLS for control in CONTROLS[lang]]


@pytest.mark.parametrize("language,control", CASES, ids=[f"{a}-{b}" for a, b in CASES])
def test_controls_are_contained_in_the_container(pool, image_languages, language, control):
    if not image_languages.get(language):
        pytest.fail(f"{language} has no toolchain in {IMAGE}")
    listener = Listener() if control == "network" else None
    source = CONTROLS[language][control].replace("{port}", str(listener.port if listener else 0))
    run_timeout = MEMORY_TIMEOUT if control == "memory" else RUN_TIMEOUT
    limits = get_language(language).limits.scaled(run_timeout=run_timeout)
    before = container_processes(pool)
    start = time.monotonic()
    try:
        result = pool.run(Program(language, source), limits)
    finally:
        if listener:
            listener.close()
    expected = {SYNTAX[language]} if control == "syntax" else EXPECTED[control]
    assert result.status in expected, (result.status, result.reason, result.stderr[-500:])
    assert time.monotonic() - start < limits.compile_timeout + run_timeout + 10
    if control == "output":
        assert result.output_truncated
    if listener is not None:
        assert listener.connections == 0, "a program in a container reached the host"
    left = {
        pid: cmd
        for pid, cmd in container_processes(pool).items()
        if pid not in before and not warm_compiler(cmd)
    }
    assert left == {}, f"processes survived the execution: {left}"


@pytest.mark.parametrize("where", ["local", "docker"])
def test_a_process_left_running_does_not_survive(pool, where):
    require_toolchain("Shell")
    from workbench.execution.execute import execute

    before = container_processes(pool)
    program = Program("Shell", LEFT_RUNNING)
    result = (
        execute(program) if where == "local" else pool.run(program, get_language("Shell").limits)
    )
    assert result.status == "passed", result.reason
    assert result.stdout.strip() == "started"
    if where == "docker":
        after = container_processes(pool)
        assert not [c for p, c in after.items() if p not in before and "sleep 300" in c]


def test_without_bubblewrap_the_agent_sweeps_what_programs_leave(client):
    # Docker's default seccomp profile: no namespaces inside, programs under rlimits only, so
    # the agent's own sweep is what ends a process a program left behind.
    pool = ContainerPool(IMAGE, size=1, client=client, bubblewrap=False)
    try:
        (agent,) = pool.live.values()
        assert agent.hello["sandbox"] == "rlimits"
        before = container_processes(pool)
        result = pool.run(Program("Shell", LEFT_RUNNING), get_language("Shell").limits)
        assert result.status == "passed" and result.stdout.strip() == "started", result.reason
        after = container_processes(pool)
        assert not [c for p, c in after.items() if p not in before and "sleep 300" in c]
        assert set(before) <= set(after)  # the container's init, its main process, the agent
    finally:
        pool.close()


def test_writes_outside_the_work_folder_fail_alike(pool):
    require_toolchain("Shell")
    from workbench.execution.execute import execute

    local = execute(Program("Shell", OUTSIDE))
    docker = pool.run(Program("Shell", OUTSIDE), get_language("Shell").limits)
    assert (
        (local.status, local.exit_code)
        == (docker.status, docker.exit_code)
        == (
            "runtime_error",
            3,
        )
    ), (local.reason, docker.reason, docker.stderr)


# -- lost containers ----------------------------------------------------------------------------
def test_a_killed_container_is_replaced_and_its_program_retried(client):
    pool = ContainerPool(IMAGE, size=1, client=client)
    try:
        (first,) = pool.live.values()
        marker = uuid.uuid4().hex
        program = Program("Shell", f"sleep 3\necho {marker}\n")

        def kill_soon() -> None:
            time.sleep(1.0)
            first.container.kill()

        killer = threading.Thread(target=kill_soon)
        killer.start()
        result = pool.run(program, get_language("Shell").limits)
        killer.join()
        assert result.status == "passed" and result.stdout.strip() == marker, result.reason
        assert pool.replaced == 1
        (second,) = pool.live.values()
        assert second.container.id != first.container.id
        import docker.errors

        with pytest.raises(docker.errors.NotFound):
            client.containers.get(first.container.id)  # removed, not left stopped
    finally:
        pool.close()


def test_a_program_that_kills_its_container_twice_is_an_infrastructure_error(client):
    # A program cannot reach the agent from its sandbox (next test); the engine, the machine or
    # an operator can still end a container. Here every attempt's container is killed.
    pool = ContainerPool(IMAGE, size=1, client=client)
    try:
        stop = threading.Event()

        def kill_every_container() -> None:
            while not stop.is_set():
                for agent in list(pool.live.values()):
                    if agent.served == 0 and time.monotonic() - agent.started > 1.0:
                        try:
                            agent.container.kill()
                        except Exception:
                            pass
                time.sleep(0.1)

        killer = threading.Thread(target=kill_every_container)
        killer.start()
        try:
            result = pool.run(Program("Shell", "sleep 5\n"), get_language("Shell").limits)
        finally:
            stop.set()
            killer.join()
        assert result.status == "infrastructure_error"
        assert "lost twice" in result.reason
        assert pool.replaced == 2
    finally:
        pool.close()


def test_a_program_that_kills_everything_it_can_only_ends_itself(pool):
    require_toolchain("Shell")
    from workbench.execution.execute import execute

    program = Program("Shell", "kill -9 -1\nsleep 1\necho survived\n")
    local = execute(program)
    replaced = pool.replaced
    (agent,) = pool.live.values()
    docker = pool.run(program, get_language("Shell").limits)
    # kill(-1) spares the caller: bash goes on, as it does on this machine.
    assert (docker.status, docker.stdout) == (local.status, local.stdout), (docker.reason,)
    # Its own PID namespace held nothing else: the agent and its container live on.
    assert pool.replaced == replaced and list(pool.live.values()) == [agent]
    again = pool.run(Program("Shell", "echo fine\n"), get_language("Shell").limits)
    assert again.status == "passed" and again.stdout.strip() == "fine"


# -- Dask workers in containers -----------------------------------------------------------------
def _compose_service(name: str, env: dict[str, str]) -> dict:
    """A service of docker/compose.yaml with its ${VAR} / ${VAR:-default} filled from ``env``."""
    import re

    import yaml

    text = (PROJECT / "docker" / "compose.yaml").read_text()

    def fill(match: re.Match[str]) -> str:
        var, _, default = match.group(1).partition(":-")
        var = var.split(":?")[0]
        return env.get(var) or default

    services = yaml.safe_load(re.sub(r"\$\{([^}]+)\}", fill, text))["services"]
    return services[name]


def _run_service(client, spec: dict, network: str, name: str, **extra):
    """Start one compose service with the SDK, as ``docker compose up`` would."""
    tmpfs = dict(entry.split(":", 1) for entry in spec.get("tmpfs", []))
    volumes = {}
    for entry in spec.get("volumes", []):
        source, target, mode = entry.split(":")
        volumes[source] = {"bind": target, "mode": mode}
    return client.containers.run(
        spec["image"],
        spec["command"],
        detach=True,
        init=spec.get("init", False),
        read_only=spec.get("read_only", False),
        cap_drop=spec.get("cap_drop"),
        security_opt=spec.get("security_opt"),
        environment=spec.get("environment"),
        tmpfs=tmpfs,
        volumes=volumes,
        mem_limit=spec.get("mem_limit"),
        nano_cpus=int(float(spec["cpus"]) * 1e9) if "cpus" in spec else None,
        pids_limit=spec.get("pids_limit"),
        network=network,
        name=name,
        **extra,
    )


def test_dask_workers_in_containers_give_the_local_verdicts(client, linked_data, tmp_path):
    distributed = pytest.importorskip("distributed")
    languages = ["Python", "C", "JavaScript", "Shell", "Rust", "HTML"]  # Rust, HTML: support files
    for language in languages:
        require_toolchain(language)
    tasks = load_tasks(None, languages=languages)  # MCEVAL_DATA: relative, through a link
    tasks = tasks.groupby("language", sort=False).head(2).reset_index(drop=True)
    samples = canonical_samples(tasks)
    # A wrong answer too, so the comparison is not only of passes.
    wrong = samples.head(1).assign(sample_index=1, completion="print('no')\n")
    samples = pd.concat([samples, wrong], ignore_index=True)
    local = evaluate(samples, tasks, jobs=2, progress=False, cache=False)

    # The workers mount the data where the tasks say it is: the one spelling resolve_source gives.
    env = {"MCEVAL_DATA": str(resolve_source(None)), "WORKBENCH_IMAGE": IMAGE}
    tag = uuid.uuid4().hex[:8]
    network = client.networks.create(f"wb-dask-{tag}")
    started = []
    try:
        scheduler = _run_service(
            client,
            _compose_service("scheduler", env),
            network.name,
            f"wb-dask-{tag}-scheduler",
            ports={"8786/tcp": None},  # a free host port
            hostname="scheduler",
        )
        started.append(scheduler)
        for i in range(2):
            worker = _compose_service(
                "worker", env | {"DASK_SCHEDULER_ADDRESS": f"tcp://wb-dask-{tag}-scheduler:8786"}
            )
            started.append(_run_service(client, worker, network.name, f"wb-dask-{tag}-worker-{i}"))
        deadline = time.monotonic() + 60
        while b"Scheduler at:" not in scheduler.logs() and time.monotonic() < deadline:
            time.sleep(0.2)  # the published port accepts before the scheduler listens
        scheduler.reload()
        port = scheduler.attrs["NetworkSettings"]["Ports"]["8786/tcp"][0]["HostPort"]
        with distributed.Client(f"tcp://127.0.0.1:{port}", timeout=60) as dask_client:
            dask_client.wait_for_workers(2, timeout=120)
            remote = evaluate(
                samples,
                tasks,
                cluster=dask_client,
                store=tmp_path / "dask.duckdb",
                progress=False,
                cache=False,
            )
    finally:
        for container in started:
            container.remove(force=True)
        network.remove()
    both = local[KEYS + ["status"]].merge(
        remote[KEYS + ["status"]], on=KEYS, suffixes=("", "_dask")
    )
    assert len(both) == len(samples)
    diff = both[both["status"] != both["status_dask"]]
    assert diff.empty, diff.to_string()
    assert set(remote["status"]) >= {"passed"} and (remote["status"] != "passed").any()
