"""Failure modes: messages from real toolchains (broken programs run in the real sandbox) are
normalised and clustered — the same error with other names, lines, values lands in one cluster,
different errors do not — and the table's counts, shares, examples and groupings add up."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

from tests.conftest import require_toolchain
from workbench.analysis.failure_modes import (
    KEY,
    cluster_templates,
    failure_messages,
    failure_modes,
    normalise,
)
from workbench.errors import InputError
from workbench.execution.execute import execute
from workbench.execution.records import Program
from workbench.views.text import format_failure_modes

# (kind, language, program): programs of one kind fail with the same error in other words.
BROKEN = [
    ("name", "Python", "def f():\n    return missing_value + 1\n\n\nf()\n"),
    ("name", "Python", "\n\n\nx = 2\nprint(x * other_thing)\n"),
    ("name", "Python", "value = 1\nprint(valeu)\n"),  # 3.10+ adds "Did you mean: 'value'?"
    ("zero", "Python", "print(7 // 0)\n"),
    ("zero", "Python", "a = [3]\n\nprint(a[0] % (a[0] - 3))\n"),
    ("index", "Python", "print([1, 2][5])\n"),
    ("index", "Python", "items = []\nfor i in range(3):\n    items.append(i)\nprint(items[9])\n"),
    (
        "address",
        "Python",
        "import tempfile\nraise ValueError(f'cannot use {object()!r} in {tempfile.mkdtemp()}')\n",
    ),
    (
        "address",
        "Python",
        "import tempfile\n\nd = tempfile.mkdtemp(prefix='tmp9')\n"
        "raise ValueError(f'cannot use {object()!r} in {d}')\n",
    ),
    ("undeclared", "C", "int main(void) {\n    return counter;\n}\n"),
    (
        "undeclared",
        "C",
        "#include <stdio.h>\n\nint helper(int x) {\n    int y = x * 2;\n"
        "    return y + offset_total;\n}\n\nint main(void) { return helper(1); }\n",
    ),
    ("unknown_type", "C", "def f(x):\n    return x\n"),
    ("unknown_type", "C", "int a;\n\nfloaty b = 2;\nint main(void) { return a; }\n"),
    (
        "assertion",
        "C",
        "#include <assert.h>\nint main(void) { int v = 3; assert(v == 4); return 0; }\n",
    ),
    (
        "assertion",
        "C",
        "#include <assert.h>\n#include <string.h>\n\n\nint main(void) {\n"
        '    assert(strcmp("abc", "abd") == 0);\n    return 0;\n}\n',
    ),
    ("reference", "JavaScript", "console.log(someName + 1);\n"),
    ("reference", "JavaScript", "function g() {\n  return other_name_2;\n}\n\ng();\n"),
    ("null_read", "JavaScript", "let o = null;\nconsole.log(o.length);\n"),
    ("null_read", "JavaScript", "const m = new Map();\n\nconsole.log(m.get('k').size);\n"),
]


@pytest.fixture(scope="module")
def broken_results() -> pd.DataFrame:
    for language in sorted({lang for _, lang, _ in BROKEN}):
        require_toolchain(language)
    with ThreadPoolExecutor(2) as pool:
        verdicts = list(pool.map(lambda case: execute(Program(case[1], case[2])), BROKEN))
    rows = []
    for i, ((kind, language, _), verdict) in enumerate(zip(BROKEN, verdicts, strict=True)):
        rows.append(
            {
                "task": "generation",
                "task_id": f"{language}/{i}",
                "model": "broken",
                "sample_index": 0,
                "language": language,
                "kind": kind,
                "status": verdict.status,
                "reason": verdict.reason,
                "stdout": verdict.stdout,
                "stderr": verdict.stderr,
            }
        )
    results = pd.DataFrame(rows)
    assert not results["status"].isin(["passed", "toolchain_missing"]).any(), results
    return results


def cluster_of_each_row(results: pd.DataFrame, **kwargs) -> pd.Series:
    table = failure_modes(results, examples=len(results), **kwargs)
    pairs = [
        ((e["task"], e["task_id"], e["model"], e["sample_index"]), row.cluster)
        for row in table.itertuples()
        for e in row.examples
    ]
    keys = pd.MultiIndex.from_tuples([k for k, _ in pairs], names=KEY)
    return pd.Series([c for _, c in pairs], index=keys).reindex(
        pd.MultiIndex.from_frame(results[KEY])
    )


def test_the_same_error_lands_in_one_cluster_and_different_errors_do_not(broken_results):
    clusters = cluster_of_each_row(broken_results, by=["language"])
    assert clusters.notna().all()
    kinds = broken_results["kind"].to_numpy()
    by_kind = pd.Series(clusters.to_numpy(), index=kinds).groupby(level=0).unique()
    messages = failure_messages(broken_results)
    for kind, found in by_kind.items():
        assert len(found) == 1, (kind, list(messages[kinds == kind]))
    assert by_kind.map(lambda c: c[0]).is_unique, by_kind


def test_messages_are_the_toolchains_error_lines(broken_results):
    messages = failure_messages(broken_results).tolist()
    assert messages[0] == "NameError: name 'missing_value' is not defined"
    assert messages[9].endswith("error: ‘counter’ undeclared (first use in this function)")
    assert messages[9].startswith("main.c:2:")
    assert messages[15] == "ReferenceError: someName is not defined"
    templates = normalise(pd.Series(messages))
    # Line numbers, names, addresses and temporary paths are what differs within a kind.
    assert (
        templates[9]
        == templates[10]
        == ("<LOC>: error: <Q> undeclared (first use in this function)")
    )
    assert (
        templates[7] == templates[8] == "ValueError: cannot use <object object at <HEX>> in <PATH>"
    )
    assert templates[0] == templates[1] == "NameError: name <Q> is not defined"
    assert templates[15] == templates[16] == "ReferenceError: <ID> is not defined"


def test_counts_shares_and_examples_add_up(broken_results):
    table = failure_modes(broken_results, by=["language"], examples=2)
    per_language = broken_results.groupby("language").size()
    assert table.groupby("language")["count"].sum().to_dict() == per_language.to_dict()
    assert (table["n_failures"] == table["language"].map(per_language)).all()
    assert table.groupby("language")["share"].sum().round(12).eq(1.0).all()
    keys = set(map(tuple, broken_results[KEY].to_numpy()))
    for row in table.itertuples():
        assert 1 <= len(row.examples) <= min(2, row.count)
        assert all(tuple(e[k] for k in KEY) in keys for e in row.examples)
        # The first example is a sample that printed the representative message.
        first = broken_results.set_index(KEY).loc[tuple(row.examples[0][k] for k in KEY)]
        assert failure_messages(first.to_frame().T).iloc[0] == row.message
    # Largest cluster first within each language.
    assert all(part["count"].is_monotonic_decreasing for _, part in table.groupby("language"))


def test_machine_statuses_and_passes_are_not_failures(broken_results):
    extra = broken_results.head(3).assign(
        task_id=["X/1", "X/2", "X/3"],
        status=["passed", "toolchain_missing", "infrastructure_error"],
    )
    table = failure_modes(pd.concat([broken_results, extra]), by=[])
    assert table["count"].sum() == len(broken_results)
    assert table["n_failures"].eq(len(broken_results)).all()
    assert failure_modes(extra.head(1), by=["language"]).empty


def test_grouping_by_several_columns_and_determinism(broken_results):
    shuffled = broken_results.sample(frac=1.0, random_state=7)
    a = failure_modes(broken_results, by=["model", "language"])
    b = failure_modes(shuffled, by=["model", "language"])
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns[:2]) == ["model", "language"]
    text = format_failure_modes(a, ["model", "language"], top=2)
    assert "model broken, language C:" in text and "e.g. C/" in text


def test_cause_columns_are_used_when_present(broken_results):
    # The cause rules' columns, as the store carries them once computed: the rules' error line
    # replaces the derived message and the dominant cause is reported per cluster.
    with_causes = broken_results.assign(
        cause=broken_results["kind"].map(lambda k: "undefined_name" if k == "name" else "other"),
        error_line=failure_messages(broken_results).where(broken_results["kind"] != "zero"),
    )
    with_causes.loc[with_causes["kind"] == "index", "error_line"] = "IndexError: out of range"
    table = failure_modes(with_causes, by=["language"])
    assert "cause" in table.columns
    name_row = table[table["template"] == "NameError: name <Q> is not defined"]
    assert name_row["cause"].tolist() == ["undefined_name"]
    assert "IndexError: out of range" in set(table["message"])
    assert "ZeroDivisionError: integer division or modulo by zero" in set(table["message"])
    by_cause = failure_modes(with_causes, by=["cause"])
    assert set(by_cause["cause"]) == {"undefined_name", "other"}
    assert "cause" not in by_cause.columns[1:].tolist()
    # A store whose causes were not computed for every row: those rows are a group of their own.
    partly = with_causes.assign(cause=with_causes["cause"].where(with_causes["kind"] != "zero"))
    table = failure_modes(partly, by=["cause", "language"])
    assert table["count"].sum() == len(partly)
    unknown = table[table["cause"].isna()]
    assert unknown["count"].sum() == 2 and unknown["template"].notna().all()
    assert "cause (none), language Python:" in format_failure_modes(table, ["cause", "language"])


def test_missing_columns_are_named(broken_results):
    with pytest.raises(InputError) as err:
        failure_modes(broken_results, by=["cause"])
    assert err.value.field == "cause" and "--refresh" in str(err.value)
    with pytest.raises(InputError) as err:
        failure_modes(broken_results.drop(columns="sample_index"))
    assert err.value.field == "sample_index"
    # Without any output columns the verdict's reason is the message.
    bare = broken_results[[*KEY, "language", "status", "reason"]]
    assert set(failure_messages(bare)) == set(bare["reason"])


def test_clustering_scales_past_the_dense_limit(monkeypatch):
    import workbench.analysis.failure_modes as fm

    templates = [
        "<LOC>: error: too many arguments to function <Q>",
        "<LOC>: error: too few arguments to function <Q>",
        "<LOC>: error: too many arguments to function <Q>; expected <N>",
        "<LOC>: error: <Q> undeclared (first use in this function)",
        "IndexError: list index out of range",
        "run step killed by signal <N>",
    ]
    weights = [9, 8, 7, 6, 5, 4]
    full = cluster_templates(templates, weights)
    monkeypatch.setattr(fm, "MAX_CLUSTERED", 2)
    capped = cluster_templates(templates, weights)
    for labels in (full, capped):
        # Cluster 0 holds the heaviest template; a near-duplicate beyond the cap joins it;
        # different errors stay apart.
        assert labels[0] == 0 and labels[2] == 0
        assert len({labels[0], labels[3], labels[4], labels[5]}) == 4
        assert sorted(set(labels)) == list(range(len(set(labels))))
