"""Generate McEval samples with a transformers causal LM, from a laptop CPU to a GPU.

The prompts are the benchmark's (``prompts``), sent through the model's chat template when it has
one (``model``), decoded in length-sorted, left-padded batches (``engine``) and written in the
official evaluator's layout as each batch finishes (``output``). A run resumes: the (task, sample
index) pairs already in the output are not generated again.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import InputError
from workbench.generation.engine import Engine, Generated, Request, Sampling
from workbench.generation.model import LoadedModel, load_model, locate, torch_ready
from workbench.generation.output import (
    Output,
    append_records,
    check_settings,
    compact,
    done_samples,
    read_records,
    read_settings,
    record_key,
    sample_record,
    write_settings,
)
from workbench.generation.prompts import instruction, stage2_instruction
from workbench.inputs.samples import load_samples, task_kind


def _label(kinds: pd.Series, tasks: pd.DataFrame) -> str:
    """The default output's folder for these tasks: their kind (and completion subset)."""
    names = set(kinds)
    if len(names) != 1:
        return "mixed"
    subsets = set(tasks["subset"].dropna()) if "subset" in tasks.columns else set()
    return names.pop() + (f"-{subsets.pop()}" if len(subsets) == 1 else "")


def _progress(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="generate", unit="sample")


class _Generation:
    """One ``generate`` call: what is missing, the prompts, the batches written as they end."""

    def __init__(
        self,
        loaded: LoadedModel,
        rows: list[dict[str, Any]],
        output: Output,
        engine: Engine,
        system_prompt: str | None,
        bar: Any,
    ) -> None:
        self.loaded, self.rows, self.output, self.engine = loaded, rows, output, engine
        self.system_prompt, self.bar = system_prompt, bar
        self.sent: dict[int, str] = {}  # row position -> the exact prompt sent
        self.stage1: dict[str, dict[str, str]] = {}  # task id -> stage-1 answer and prompt
        self.sequences = self.tokens = 0

    def _prompt(self, position: int, text: str) -> tuple[int, ...]:
        self.sent[position] = self.loaded.prompt(text, self.system_prompt)
        return tuple(self.loaded.encode(self.sent[position]))

    def _count(self, batch: list[Generated]) -> None:
        self.sequences += len(batch)
        self.tokens += sum(g.tokens for g in batch)
        if self.bar is not None:
            seconds = sum(r.seconds for r in self.engine.reports) or 1e-9
            self.bar.set_postfix({"tokens/s": f"{self.tokens / seconds:.1f}"}, refresh=False)
            self.bar.update(len(batch))

    # -- stage 1 of the explanation task: the model describes the code -----------------------
    def read_stage1(self) -> None:
        for path in self.output.stage1_files():
            for record in read_records(path):
                texts = record.get("raw_generation") or []
                if texts:
                    self.stage1[record["task_id"]] = {
                        "text": texts[0],
                        "model_input": record.get("model_input", ""),
                    }

    def stage1_todo(self, positions: list[int]) -> list[int]:
        return [p for p in positions if self.rows[p]["task_id"] not in self.stage1]

    def run_stage1(self, positions: list[int]) -> None:
        if self.bar is not None and positions:
            self.bar.set_description("explain (stage 1)")
        requests = [Request(p, self._prompt(p, instruction(self.rows[p]))) for p in positions]
        self.engine.run(requests, self._stage1_done)

    def _stage1_done(self, batch: list[Generated]) -> None:
        files: dict[Path, list[dict[str, Any]]] = defaultdict(list)
        for item in batch:
            row = self.rows[item.request.key]
            files[self.output.stage1_file(row["language"])].append(
                sample_record(row, [item.text], [0], self.sent[item.request.key])
            )
            self.stage1[row["task_id"]] = {
                "text": item.text,
                "model_input": self.sent[item.request.key],
            }
        for path, records in files.items():
            append_records(path, records)
        self._count(batch)

    # -- the answers ---------------------------------------------------------------------------
    def run_answers(self, missing: dict[int, list[int]]) -> None:
        if self.bar is not None:
            self.bar.set_description("generate")
        requests = []
        for position, indices in missing.items():
            row = self.rows[position]
            if row["task"] == "explanation":  # stage 1 has run for every task by now
                text = stage2_instruction(row, self.stage1[row["task_id"]]["text"])
            else:
                text = instruction(row)
            ids = self._prompt(position, text)
            requests += [Request((position, index), ids) for index in indices]
        self.engine.run(requests, self._answers_done)

    def _answers_done(self, batch: list[Generated]) -> None:
        by_task: dict[int, list[Generated]] = defaultdict(list)
        for item in batch:
            by_task[item.request.key[0]].append(item)
        files: dict[Path, list[dict[str, Any]]] = defaultdict(list)
        for position, items in by_task.items():
            row = self.rows[position]
            stage1 = None
            if row["task"] == "explanation":
                first = self.stage1[row["task_id"]]
                stage1 = {**first, "instruction": stage2_instruction(row, first["text"])}
            tokens = {
                "generated_tokens": [g.tokens for g in items],
                "token_limit_reached": [not g.stopped for g in items],
            }
            files[self.output.records_file(row["language"])].append(
                sample_record(
                    row,
                    [g.text for g in items],
                    [g.request.key[1] for g in items],
                    self.sent[position],
                    stage1,
                    tokens,
                )
            )
        for path, records in files.items():
            append_records(path, records)
        self._count(batch)


def generate(
    model: str | Path | LoadedModel,
    tasks: pd.DataFrame,
    *,
    n: int = 1,
    temperature: float = 0.0,
    top_p: float = 0.95,
    max_new_tokens: int = 1024,
    batch_size: int | str = "auto",
    device: str = "auto",
    dtype: str = "auto",
    chat_template: bool | str = "auto",
    system_prompt: str | None = None,
    out: str | Path | None = None,
    seed: int = 0,
    progress: bool = True,
) -> pd.DataFrame:
    """Generate ``n`` samples per task with ``model`` (a hub id, a local folder or a
    ``LoadedModel``) and return them as ``load_samples`` reads them, plus ``model_input`` (the
    exact prompt sent).

    ``tasks`` come from ``load_tasks`` (any kind; the explanation task runs its two passes).
    Greedy at temperature 0 (the paper's setting); ``n > 1`` samples by temperature and
    ``top_p``. The samples go to ``out`` (a folder, or a ``.jsonl`` file), by default
    ``generations/<task>/<model name>``; what is already there is kept and not generated again.
    """
    torch_ready()
    sampling = Sampling(n, temperature, top_p, max_new_tokens, seed)
    if tasks.empty:
        raise InputError("no tasks to generate samples for", field="tasks")
    frame = tasks.reset_index(drop=True)
    kinds = frame["task"] if "task" in frame.columns else frame["task_id"].map(task_kind)
    rows = [
        {**row, "task": kind} for row, kind in zip(frame.to_dict("records"), kinds, strict=True)
    ]
    source = model.source if isinstance(model, LoadedModel) else locate(model)
    name = model.folder_name if isinstance(model, LoadedModel) else Path(str(model)).name
    output = Output.at(out, name, _label(kinds, frame))
    settings = {"model": source, "system_prompt": system_prompt, **sampling.to_dict()}
    check_settings(output.settings_file, settings)  # before a long load
    loaded = (
        model
        if isinstance(model, LoadedModel)
        else load_model(model, device=device, dtype=dtype, chat_template=chat_template)
    )
    settings = _start(output, loaded, settings, batch_size)

    order = {(row["task"], row["task_id"]): p for p, row in enumerate(rows)}
    done = done_samples(output.record_files())
    missing = {
        p: [i for i in range(n) if i not in done.get((row["task"], row["task_id"]), set())]
        for p, row in enumerate(rows)
    }
    missing = {p: indices for p, indices in missing.items() if indices}
    engine = Engine(loaded, sampling, batch_size)
    started, clock = datetime.now(UTC), time.perf_counter()
    run = _Generation(loaded, rows, output, engine, system_prompt, None)
    run.read_stage1()
    explain = run.stage1_todo([p for p in missing if rows[p]["task"] == "explanation"])
    run.bar = _progress(len(explain) + sum(len(v) for v in missing.values()), progress)
    try:
        run.run_stage1(explain)
        run.run_answers(missing)
    finally:
        if run.bar is not None:
            run.bar.close()
    for path in output.stage1_files():
        compact(path, {row["task_id"]: p for p, row in enumerate(rows)}, lambda r: r["task_id"])
    records = [r for path in output.record_files() for r in compact(path, order)]
    seconds = time.perf_counter() - clock
    settings["runs"].append(
        {
            "started": started.isoformat(timespec="seconds"),
            "seconds": round(seconds, 3),
            "sequences": run.sequences,
            "tokens": run.tokens,
            "tokens_per_second": round(run.tokens / seconds, 2) if seconds else None,
            "final_batch_size": engine.batch_size,
        }
    )
    write_settings(output.settings_file, settings)
    return _samples(output, records, order, n)


def _start(
    output: Output, loaded: LoadedModel, settings: dict[str, Any], batch_size: int | str
) -> dict[str, Any]:
    """The run's settings, checked against the output's and written before any sample, so a
    killed run still says how its samples were made."""
    settings = {
        **settings,
        "revision": loaded.revision,
        "chat_template": loaded.chat,
        "device": loaded.device,
        "dtype": loaded.dtype,
        "batch_size": batch_size,
    }
    check_settings(output.settings_file, settings)
    previous = read_settings(output.settings_file) or {}
    settings["n"] = max(settings["n"], previous.get("n", 0))
    settings["versions"] = _versions()
    settings["runs"] = previous.get("runs", [])
    write_settings(output.settings_file, settings)
    return settings


def _samples(
    output: Output, records: list[dict[str, Any]], order: dict[tuple[str, str], int], n: int
) -> pd.DataFrame:
    """The requested samples as ``load_samples`` reads the output, in the order of the tasks,
    with the prompt sent."""
    frame = load_samples(output.path)
    keys = list(zip(frame["task"], frame["task_id"], strict=True))
    position = pd.Series([order.get(k, -1) for k in keys], index=frame.index)
    wanted = (position >= 0) & (frame["sample_index"] < n)
    frame = frame.assign(_position=position)[wanted]
    frame = frame.sort_values(["_position", "sample_index"], kind="stable")
    sent = {record_key(r): r.get("model_input") for r in records}
    frame["model_input"] = [sent.get(k) for k in zip(frame["task"], frame["task_id"], strict=True)]
    return frame.drop(columns="_position").reset_index(drop=True)


def _versions() -> dict[str, str | None]:
    import torch
    import transformers

    try:
        workbench = metadata.version("mceval-workbench")
    except metadata.PackageNotFoundError:  # run from a checkout that is not installed
        workbench = None
    return {
        "workbench": workbench,
        "transformers": transformers.__version__,
        "torch": torch.__version__,
    }
