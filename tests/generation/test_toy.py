"""The toy model loads and generates through the same path as a real model, and what it writes is
evaluated like any model's output (no download: built from McEval's own texts)."""

from __future__ import annotations

from tests.conftest import require_toolchain
from workbench.evaluation.runner import evaluate
from workbench.generation.generate import generate
from workbench.generation.model import load_model
from workbench.generation.toy import toy_model
from workbench.inputs.tasks import load_tasks


def test_the_toy_model_generates_and_its_samples_are_judged(tmp_path, mceval_dir):
    require_toolchain("C")
    tasks = load_tasks(mceval_dir, task="generation", languages=["C"]).head(2)
    folder = toy_model(tmp_path / "toy", list(tasks["instruction"]) + list(tasks["prompt"]))
    assert (folder / "config.json").is_file() and (folder / "tokenizer.json").is_file()
    loaded = load_model(folder)
    assert loaded.decode(loaded.encode("int main(void)")) == "int main(void)"  # BPE round trip

    samples = generate(
        folder, tasks, max_new_tokens=8, out=tmp_path / "out", progress=False, device="cpu"
    )
    assert list(samples["task_id"]) == list(tasks["task_id"])
    assert samples["raw_generation"].map(lambda t: isinstance(t, str)).all()
    again = generate(
        folder, tasks, max_new_tokens=8, out=tmp_path / "again", progress=False, device="cpu"
    )
    assert list(again["raw_generation"]) == list(samples["raw_generation"])  # seeded, greedy

    results = evaluate(samples, tasks, progress=False)
    assert len(results) == 2
    assert set(results["status"]) <= {"compile_error", "runtime_error", "failed"}
