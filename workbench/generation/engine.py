"""Batched decoding: prompts sorted by length and left-padded into batches, the batch size halved
and the batch retried on out-of-memory, each sequence cut at its end-of-sequence token."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.errors import InputError, WorkbenchError
from workbench.generation.model import LoadedModel

# "auto" on a CPU: 8 prompts a step already give several times the tokens/s of one
# (bench/generate.py); on a GPU, a start that out-of-memory halves.
CPU_BATCH = 8
GPU_BATCH = 64


class GenerationError(WorkbenchError):
    """Generation cannot go on (e.g. one prompt alone does not fit in memory)."""


@dataclass(frozen=True)
class Sampling:
    """How tokens are chosen: greedy at temperature 0 (the paper's setting), else sampling with
    ``temperature`` and nucleus ``top_p``; ``n`` samples per prompt."""

    n: int = 1
    temperature: float = 0.0
    top_p: float = 0.95
    max_new_tokens: int = 1024
    seed: int = 0

    def __post_init__(self) -> None:
        if self.n < 1:
            raise InputError(f"n must be at least 1, not {self.n}", field="n")
        if self.temperature < 0:
            raise InputError("temperature must be 0 (greedy) or more", field="temperature")
        if self.n > 1 and self.temperature == 0:
            raise InputError(
                f"n={self.n} samples per task are drawn by sampling, which needs a temperature "
                "above 0 (--temperature 0.8 is the usual setting for pass@10, 0.2 for pass@1)",
                field="temperature",
            )
        if not 0 < self.top_p <= 1:
            raise InputError("top_p must be in (0, 1]", field="top_p")
        if self.max_new_tokens < 1:
            raise InputError("max_new_tokens must be at least 1", field="max_new_tokens")

    @property
    def greedy(self) -> bool:
        """True for greedy decoding (temperature 0)."""
        return self.temperature == 0

    def to_dict(self) -> dict[str, Any]:
        """The settings as written to the output's side file."""
        return {
            "n": self.n,
            "decoding": "greedy" if self.greedy else "sampling",
            "temperature": self.temperature,
            "top_p": self.top_p,
            "top_k": None,
            "max_new_tokens": self.max_new_tokens,
            "seed": self.seed,
        }


@dataclass(frozen=True)
class Request:
    """One sequence to generate: ``key`` is the caller's (e.g. task and sample index)."""

    key: Hashable
    ids: tuple[int, ...]


@dataclass(frozen=True)
class Generated:
    """A finished sequence: its text (up to the end-of-sequence token) and its token count."""

    request: Request
    text: str
    tokens: int
    stopped: bool  # ended at end-of-sequence, not at max_new_tokens


@dataclass
class BatchReport:
    """What one batch took: for the progress bar, the side file and tests."""

    size: int
    width: int  # prompt tokens after padding
    tokens: int  # generated, end-of-sequence tokens included
    seconds: float


def longest_first(lengths: Sequence[int]) -> list[int]:
    """Indices of ``lengths``, longest first (ties in input order): prompts of similar length
    share a batch (little padding), and the batch most likely to run out of memory comes first,
    so the batch size shrinks before much time is spent."""
    return sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))


def plan_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices of ``lengths`` in batches of ``batch_size``, in ``longest_first`` order."""
    order = longest_first(lengths)
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def _is_out_of_memory(exc: BaseException) -> bool:
    import torch

    if isinstance(exc, torch.OutOfMemoryError | MemoryError):
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and (
        "out of memory" in text or "can't allocate memory" in text
    )


@dataclass
class Engine:
    """Generates batches of requests with one loaded model and one sampling setting."""

    loaded: LoadedModel
    sampling: Sampling
    batch_size: int | str = "auto"
    reports: list[BatchReport] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.batch_size == "auto":
            self.batch_size = CPU_BATCH if self.loaded.device == "cpu" else GPU_BATCH
        if not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise InputError(
                f"batch_size must be a positive integer or 'auto', not {self.batch_size!r}",
                field="batch_size",
            )
        self._config = self._generation_config()
        if not self.sampling.greedy:
            import torch

            torch.manual_seed(self.sampling.seed)

    def _generation_config(self) -> Any:
        from transformers import GenerationConfig

        # Every choice is set here, so the model's own generation_config.json (its sampling
        # defaults, repetition penalty) does not change what the settings say.
        common = {
            "max_new_tokens": self.sampling.max_new_tokens,
            "num_beams": 1,
            "eos_token_id": list(self.loaded.eos_ids),
            "pad_token_id": self.loaded.pad_id,
            "repetition_penalty": 1.0,
        }
        if self.sampling.greedy:
            return GenerationConfig(do_sample=False, **common)
        return GenerationConfig(
            do_sample=True,
            temperature=self.sampling.temperature,
            top_p=self.sampling.top_p,
            top_k=0,  # off, as in vLLM: only temperature and top_p shape the distribution
            **common,
        )

    def run(self, requests: Sequence[Request], on_batch: Callable[[list[Generated]], None]) -> None:
        """Generate every request, calling ``on_batch`` with each finished batch (in the order
        of ``plan_batches``). On out-of-memory the batch size is halved and the batch retried."""
        pending = [requests[i] for i in longest_first([len(r.ids) for r in requests])]
        while pending:
            batch, pending = pending[: self.batch_size], pending[self.batch_size :]
            try:
                finished = self._generate(batch)
            except Exception as exc:
                if not _is_out_of_memory(exc):
                    raise
                self._release()
                if len(batch) == 1:
                    raise GenerationError(
                        f"out of memory with a single prompt of {len(batch[0].ids)} tokens: "
                        "lower max_new_tokens, choose a smaller dtype or another device"
                    ) from exc
                self.batch_size = max(1, len(batch) // 2)
                pending = batch + pending
                continue
            on_batch(finished)

    def _release(self) -> None:
        import torch

        if self.loaded.device.startswith("cuda"):
            torch.cuda.empty_cache()

    def _generate(self, batch: list[Request]) -> list[Generated]:
        import torch

        started = time.perf_counter()
        width = max(len(r.ids) for r in batch)
        pad = self.loaded.pad_id
        # Left padding: every prompt ends where generation starts.
        ids = torch.tensor([[pad] * (width - len(r.ids)) + list(r.ids) for r in batch])
        mask = torch.tensor([[0] * (width - len(r.ids)) + [1] * len(r.ids) for r in batch])
        config = self._config
        room = self.loaded.max_positions
        if room is not None and width + config.max_new_tokens > room:
            if width >= room:
                raise InputError(
                    f"a prompt of {width} tokens does not fit the model's {room} positions",
                    field="max_new_tokens",
                )
            config = copy.deepcopy(config)
            config.max_new_tokens = room - width
        device = self.loaded.model.device
        with torch.inference_mode():
            output = self.loaded.model.generate(
                input_ids=ids.to(device), attention_mask=mask.to(device), generation_config=config
            )
        eos = set(self.loaded.eos_ids)
        finished, total = [], 0
        for request, row in zip(batch, output[:, width:].tolist(), strict=True):
            end = next((i for i, token in enumerate(row) if token in eos), None)
            kept = row if end is None else row[:end]
            tokens = len(kept) + (end is not None)
            total += tokens
            finished.append(Generated(request, self.loaded.decode(kept), tokens, end is not None))
        self.reports.append(BatchReport(len(batch), width, total, time.perf_counter() - started))
        return finished
