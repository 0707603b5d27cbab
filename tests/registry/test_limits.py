from workbench.registry.languages import get_language
from workbench.registry.limits import CEILING, FACTOR, task_limits, write_canonical_times


def test_run_limit_follows_the_canonical_runtime_with_a_floor():
    java = get_language("Java")
    floor = java.limits.run_timeout
    times = {"Java/1": 0.5, "Java/2": floor, "Java/3": 1000.0}
    assert task_limits(java, "Java/1", times=times).run_timeout == floor  # fast: the floor
    assert task_limits(java, "Java/2", times=times).run_timeout == FACTOR * floor
    assert task_limits(java, "Java/3", times=times).run_timeout == CEILING
    assert task_limits(java, "Java/9", times=times).run_timeout == floor  # unknown task
    assert task_limits(java, "Java/2", {"run_timeout": 3.0}, times=times).run_timeout == 3.0


def test_canonical_times_round_trip(tmp_path):
    path = tmp_path / "t.csv"
    write_canonical_times(
        [
            {"task_id": "C/2", "run_seconds": 0.123, "status": "passed"},
            {"task_id": "C/1", "run_seconds": 9.0, "status": "timeout"},
        ],
        path,
    )
    assert path.read_text() == "task_id,run_seconds\nC/2,0.12\n"
