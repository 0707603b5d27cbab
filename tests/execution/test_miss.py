"""The kinds of miss, each on its own, then their order (issue 26, docs/checks.md): values as
the covered languages print them, read back by ``parse_value``."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.execution.miss import (
    Char,
    Raw,
    Tagged,
    call_args,
    formatting,
    is_edge_input,
    miss_kind,
    miss_kinds,
    off_by_one,
    parse_value,
    precision,
    sign,
    type_,
    value_kinds,
)


@pytest.mark.parametrize(
    "text, value",
    [
        ("42", 42),
        ("-1.5e3", -1500.0),
        ('"a\\"b"', 'a"b'),
        ("'x'", Char("x")),
        ("'xy'", "xy"),
        ("True", True),
        ("nil", None),
        ("[1, [2, 3]]", (1, (2, 3))),
        ("[]int{1, 2}", Tagged("[]int", (1, 2))),
        ("Ok(20)", Tagged("Ok", (20,))),
        ('{"a"=>1, "b": 2}', (("a", 1), ("b", 2))),
        ("java.lang.Object@1b6d3586", Raw("java.lang.Object@1b6d3586")),
    ],
)
def test_parse_value(text, value):
    assert parse_value(text) == value


def test_off_by_one():
    assert off_by_one(5, 4) and off_by_one(0, 1)
    assert off_by_one((1, 2, 3), (2, 3, 4))  # every element one up
    assert off_by_one((1, 2, 3), (2, 3))  # the first element lost
    assert off_by_one(Tagged("Ok", (20,)), Tagged("Ok", (21,)))
    assert not off_by_one(5, 7) and not off_by_one(True, False) and not off_by_one((1, 2), (2, 4))


def test_sign():
    assert sign(3, -3) and sign((1, -2), (-1, 2))
    assert not sign(0, 0) and not sign(3, -4)


def test_precision():
    assert precision(1581.42, 1581.4166) and precision(0.1, 0.10000000000000001 + 1e-9)
    assert not precision(2, 3) and not precision(1.0, 1.5) and not precision(3, 3)


def test_formatting():
    assert formatting("Hello, World", "hello world") and formatting("a b", "a  b")
    assert formatting((1, 2, 3), (3, 1, 2))  # the same elements in another order
    assert not formatting("abc", "abd") and not formatting((1, 2), (1, 3))


def test_type():
    assert type_(3, "3") and type_(1, True) and type_(Char("a"), "a") and type_((7,), 7)
    assert not type_(3, 3) and not type_(3, "4")


def test_value_kinds_need_both_values():
    assert value_kinds("6", "7") == {"off_by_one"}
    assert value_kinds('"HELLO"', '"hello"') == {"formatting"}
    assert value_kinds(None, "7") == set()


def test_edge_inputs():
    others = [[(1, 2, 3)], [(4, 5, 6, 7)], [()]]
    assert is_edge_input([()], others) and is_edge_input([0], [[0], [5]])
    assert is_edge_input([-3], [[-3], [5]]) and is_edge_input([(9,)], others)
    assert is_edge_input([(4, 5, 6, 7)], others)  # the longest input of the test
    assert not is_edge_input([(1, 2, 3)], others)
    assert not is_edge_input([5], [[5], [5], [2]])  # a largest value shared is no edge
    assert call_args("f((int[]){1, 2}, 0)") == [(1, 2), 0]
    assert call_args("f(x)") is None


def _checks(*rows):
    return [dict(zip(("passed", "expected", "actual", "check_call"), r, strict=True)) for r in rows]


def test_order_of_the_kinds():
    # Some pass: edge_case only when every failing input is an edge, else partial.
    assert (
        miss_kind(_checks((True, "6", "6", "f([1, 2, 3])"), (False, "0", "-1", "f([])")))
        == "edge_case"
    )
    assert (
        miss_kind(
            _checks(
                (True, "6", "6", "f([1, 2, 3])"),
                (False, "9", "8", "f([2, 3, 4])"),
                (False, "0", "0", "f([])"),
            )
        )
        == "partial"
    )
    assert miss_kind(_checks((True, "6", "6", "f(a)"), (False, "0", "-1", "f(b)"))) == "partial"
    # None pass: the value kind all failing checks share, first in order; else all_wrong.
    assert miss_kind(_checks((False, "6", "7", None), (False, "0", "1", None))) == "off_by_one"
    assert (
        miss_kind(_checks((False, "1", "-1", None), (False, "2", "-2", None))) == "sign"
    )  # 1/-1 is not ±1
    assert miss_kind(_checks((False, "6", "7", None), (False, "2", "-2", None))) == "all_wrong"
    assert (
        miss_kind(
            _checks(
                (False, None, "IndexError", None),
            )
        )
        == "all_wrong"
    )
    assert (
        miss_kind(
            _checks(
                (True, "1", "1", None),
            )
        )
        is None
    )


def test_miss_kinds_per_sample():
    key = {"task": "generation", "task_id": "C/1", "model": "m", "sample_index": 0}
    frame = pd.DataFrame(
        [
            {
                **key,
                "check_index": i,
                "passed": False,
                "expected": e,
                "actual": a,
                "check_call": None,
            }
            for i, (e, a) in enumerate([("6", "7"), ("22", "23")])
        ]
    )
    out = miss_kinds(frame)
    assert out.to_dict("records") == [
        {**key, "checks_passed": 0, "checks_total": 2, "miss": "off_by_one"}
    ]
