"""Generation throughput: tokens/s batched against one prompt at a time, for a tiny random model
and a ~100M-parameter random model (no download: both are built here, with a byte-level BPE
trained on McEval's own task texts, saved, and loaded back through ``load_model`` as a user's
model is).

For each model, the same McEval generation prompts (longest first, as ``generate`` orders them)
are decoded greedily twice: (a) one prompt at a time, (b) in left-padded batches. A random model
never says end-of-sequence, so every prompt yields exactly ``--max-new-tokens`` tokens in both
runs and tokens/s compare like for like. The ratio (b)/(a) is the figure that matters on a CPU;
on a GPU the absolute numbers are the point too.

    python bench/generate.py [--prompts 16] [--max-new-tokens 64] [--batch-size 8]
                             [--models tiny,100m] [--device auto] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from workbench.generation.engine import Engine, Request, Sampling  # noqa: E402
from workbench.generation.model import choose_device, load_model  # noqa: E402
from workbench.generation.prompts import instruction  # noqa: E402
from workbench.inputs.tasks import load_tasks  # noqa: E402

LANGUAGES = ["C", "Python", "Java", "Rust"]
# (layers, hidden size, MLP size, heads): about 0.3M and 100M parameters with a 2000-token vocab.
MODELS = {"tiny": (2, 64, 128, 4), "100m": (14, 768, 2048, 12)}


def build(folder: Path, texts: list[str], shape: tuple[int, int, int, int]) -> int:
    """A random Llama-style model and a BPE tokenizer trained on ``texts``; its parameter count."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(texts, vocab_size=2000, special_tokens=["<|endoftext|>", "<|pad|>"])
    bpe.save(str(folder / "bpe.json"))
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_file=str(folder / "bpe.json"),
        bos_token="<|endoftext|>",
        eos_token="<|endoftext|>",
        pad_token="<|pad|>",
    )
    tokenizer.save_pretrained(folder)
    layers, hidden, mlp, heads = shape
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        intermediate_size=mlp,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        max_position_embeddings=4096,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    model.save_pretrained(folder)
    return sum(p.numel() for p in model.parameters())


def measure(engine: Engine, requests: list[Request]) -> dict[str, float]:
    """Tokens generated and seconds spent over ``requests``, from the engine's batch reports."""
    engine.reports.clear()
    started = time.perf_counter()
    engine.run(requests, lambda batch: None)
    wall = time.perf_counter() - started
    tokens = sum(r.tokens for r in engine.reports)
    return {"tokens": tokens, "seconds": round(wall, 3), "tokens_per_s": round(tokens / wall, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=16)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--batch-size", default="8", help="batched run's size, or auto")
    parser.add_argument("--models", default="tiny,100m")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--data", default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    tasks = load_tasks(args.data, languages=LANGUAGES)
    texts = [t for column in ("instruction", "canonical_solution") for t in tasks[column]]
    chosen = tasks.groupby("language").head(-(-args.prompts // len(LANGUAGES))).head(args.prompts)
    batch_size = args.batch_size if args.batch_size == "auto" else int(args.batch_size)
    device = choose_device(args.device)
    print(
        f"device {device}, torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, {platform.machine()}"
    )
    print(
        f"{len(chosen)} McEval generation prompts ({', '.join(LANGUAGES)}), greedy, "
        f"{args.max_new_tokens} new tokens each\n"
    )
    rows = []
    for name in args.models.split(","):
        with tempfile.TemporaryDirectory() as folder:
            parameters = build(Path(folder), texts, MODELS[name])
            loaded = load_model(folder, device=device)
            sampling = Sampling(max_new_tokens=args.max_new_tokens)
            requests = [
                Request(i, tuple(loaded.encode(loaded.prompt(instruction(task)))))
                for i, task in enumerate(chosen.to_dict("records"))
            ]
            # A short warm-up: the first call pays for lazy initialisation.
            Engine(loaded, Sampling(max_new_tokens=2), batch_size=2).run(
                requests[:2], lambda batch: None
            )
            single = measure(Engine(loaded, sampling, batch_size=1), requests)
            batched_engine = Engine(loaded, sampling, batch_size=batch_size)
            batched = measure(batched_engine, requests)
        row = {
            "model": name,
            "parameters": parameters,
            "dtype": loaded.dtype,
            "prompt_tokens": [min(len(r.ids) for r in requests), max(len(r.ids) for r in requests)],
            "one_at_a_time": single,
            "batched": {**batched, "batch_size": batched_engine.batch_size},
            "ratio": round(batched["tokens_per_s"] / single["tokens_per_s"], 2),
        }
        rows.append(row)
        print(
            f"{name:>5}: {parameters / 1e6:6.1f}M parameters, {loaded.dtype}, prompts "
            f"{row['prompt_tokens'][0]}-{row['prompt_tokens'][1]} tokens | one at a time "
            f"{single['tokens_per_s']:8.1f} tokens/s ({single['seconds']:.1f} s) | batched "
            f"(batches of {batched_engine.batch_size}) {batched['tokens_per_s']:8.1f} tokens/s "
            f"({batched['seconds']:.1f} s) | batched / one at a time: {row['ratio']:.2f}x"
        )
    if args.json:
        args.json.write_text(json.dumps({"device": device, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
