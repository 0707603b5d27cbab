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


def test_a_limit_given_as_an_int_or_a_float_is_the_same_limit_and_cache_key():
    from workbench.evaluation.cache import cache_key
    from workbench.registry.languages import get_language

    limits = get_language("Python").limits
    as_int, as_float = limits.scaled(run_timeout=5), limits.scaled(run_timeout=5.0)
    assert as_int == as_float and isinstance(as_int.run_timeout, float)
    assert isinstance(limits.scaled(memory_mb=512.0).memory_mb, int)
    assert cache_key("Python", "print(1)", as_int, version="3") == cache_key(
        "Python", "print(1)", as_float, version="3"
    )
