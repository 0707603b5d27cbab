"""Batched decoding with a real (tiny, random) model: left padding gives each prompt the answer
it gets alone, batches go longest first, sequences stop at end-of-sequence, sampling follows its
seed, and a batch that runs out of memory is halved and retried."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import textwrap

import pytest

from tests.generation.conftest import offline_env
from workbench.errors import InputError
from workbench.generation.engine import Engine, Request, Sampling, plan_batches
from workbench.generation.model import load_model


@pytest.fixture(scope="module")
def loaded(tiny_model):
    return load_model(tiny_model)


def _requests(loaded, texts):
    return [Request(i, tuple(loaded.encode(t))) for i, t in enumerate(texts)]


def _run(engine, requests):
    batches = []
    engine.run(requests, batches.append)
    return batches


TEXTS = [
    "Write a C function `int add(int a, int b)` to solve the following problem:\nAdd two numbers.",
    "Return the sum.",
    "Write a Python function `def f(x)`:\nReturn x squared, or -1 when x is negative, as the "
    "examples show: f(2) == 4, f(-3) == -1.",
    "Count words.",
    "Using the awk command in Linux, complete the following task:\nPrint the second column.",
]


def test_plan_batches_longest_first():
    assert plan_batches([3, 9, 1, 9, 5], 2) == [[1, 3], [4, 0], [2]]


def test_left_padding_gives_each_prompt_its_own_answer(loaded):
    requests = _requests(loaded, TEXTS)
    sampling = Sampling(max_new_tokens=12)
    alone = {}
    for request in requests:
        (batch,) = _run(Engine(loaded, sampling, batch_size=1), [request])
        alone[request.key] = batch[0].text
    engine = Engine(loaded, sampling, batch_size=3)
    batches = _run(engine, requests)
    # Longest prompts first, in batches of 3: widths never grow, and each batch is padded only
    # to its own longest prompt.
    assert [len(b) for b in batches] == [3, 2]
    widths = [r.width for r in engine.reports]
    assert widths == sorted(widths, reverse=True)
    assert widths[0] == max(len(r.ids) for r in requests)
    assert widths[1] == max(len(b.request.ids) for b in batches[1])
    together = {g.request.key: g.text for b in batches for g in b}
    assert together == alone
    assert all(g.tokens == 12 and not g.stopped for b in batches for g in b)


def test_generation_stops_at_end_of_sequence(loaded):
    (request,) = _requests(loaded, TEXTS[:1])
    (batch,) = _run(Engine(loaded, Sampling(max_new_tokens=10), batch_size=1), [request])
    free = loaded.encode(batch[0].text)
    # Make the third token this prompt generates the end of sequence: generation stops there,
    # the text ends before it and the token is counted.
    third = loaded.tokenizer(batch[0].text, add_special_tokens=False)["input_ids"][2]
    stopping = dataclasses.replace(loaded, eos_ids=(third,))
    (batch,) = _run(Engine(stopping, Sampling(max_new_tokens=10), batch_size=1), [request])
    (item,) = batch
    assert item.stopped and item.tokens <= 3
    assert loaded.encode(item.text) == free[: item.tokens - 1]


def test_sampling_follows_the_seed(loaded):
    requests = [Request((0, i), tuple(loaded.encode(TEXTS[1]))) for i in range(4)]
    sampling = Sampling(n=4, temperature=1.5, top_p=0.95, max_new_tokens=8, seed=7)

    def texts():
        return [g.text for b in _run(Engine(loaded, sampling, batch_size=4), requests) for g in b]

    first = texts()
    assert len(set(first)) > 1  # four draws from one prompt differ
    assert texts() == first  # the same seed draws them again


def test_sampling_settings_are_checked():
    with pytest.raises(InputError, match="n=5 samples .* temperature above 0") as caught:
        Sampling(n=5)
    assert caught.value.field == "temperature"
    with pytest.raises(InputError, match="top_p"):
        Sampling(top_p=0)


OOM_SCRIPT = textwrap.dedent(
    """
    import json, resource, sys
    import torch
    from workbench.generation.engine import Engine, Request, Sampling
    from workbench.generation.model import load_model

    model, megabytes, prompts, tokens = sys.argv[1], *map(int, sys.argv[2:])
    loaded = load_model(model)
    # Attention weights in full: the memory a batch needs grows with its size.
    loaded.model.set_attn_implementation("eager")
    torch.manual_seed(0)
    requests = [
        Request(i, tuple(torch.randint(10, 900, (tokens,)).tolist())) for i in range(prompts)
    ]
    engine = Engine(loaded, Sampling(max_new_tokens=4), batch_size=prompts)
    with open("/proc/self/status") as status:
        size = next(int(l.split()[1]) * 1024 for l in status if l.startswith("VmSize"))
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    resource.setrlimit(resource.RLIMIT_AS, (size + megabytes * 2**20, hard))
    done = []
    try:
        engine.run(requests, lambda batch: done.extend(g.request.key for g in batch))
        error = None
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
    print(json.dumps({"done": done, "sizes": [r.size for r in engine.reports], "error": error}))
    """
)


def _oom_run(tiny_model, megabytes, prompts, tokens):
    """Generate in a subprocess whose address space is capped ``megabytes`` above its size."""
    command = [sys.executable, "-c", OOM_SCRIPT, str(tiny_model)]
    proc = subprocess.run(
        command + [str(megabytes), str(prompts), str(tokens)],
        capture_output=True,
        text=True,
        env=offline_env(),
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_out_of_memory_halves_the_batch_and_retries(tiny_model):
    # 16 prompts of 1200 tokens need well over a gigabyte at once, a few of them far less.
    result = _oom_run(tiny_model, 400, 16, 1200)
    assert result["error"] is None
    assert sorted(result["done"]) == list(range(16))  # every prompt, each once
    sizes = result["sizes"]
    assert max(sizes) < 16 and sum(sizes) == 16


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_out_of_memory_with_one_prompt_is_a_clear_error(tiny_model):
    result = _oom_run(tiny_model, 50, 1, 4000)
    assert result["done"] == []
    assert result["error"].startswith("GenerationError: out of memory with a single prompt")
