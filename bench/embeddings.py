"""Embedding throughput of a CodeBERT-size encoder on this machine's CPU cores.

Builds RoBERTa-base (12 layers, 768 hidden, 50265-token vocabulary, 514 positions: CodeBERT's
architecture) with random weights, a byte-level BPE tokenizer trained on the snippets, and runs
the workbench's TransformerEmbedder over McEval generation snippets (or synthetic code when the
data is absent), with and without batching by length. Random weights time the same as trained
ones. Usage: ``python bench/embeddings.py [--n 96] [--batch-size 16] [--threads 2]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path


def snippets(n: int) -> tuple[list[str], str]:
    """``n`` code snippets: McEval canonical solutions spread over languages, else synthetic."""
    try:
        from workbench.analysis.representation import snippets_from_tasks
        from workbench.inputs.tasks import load_tasks

        frame = snippets_from_tasks(load_tasks(None, task="generation"))
        rng = random.Random(0)
        texts = rng.sample(list(frame["text"]), min(n, len(frame)))
        return texts, f"McEval generation snippets ({len(texts)} sampled, seed 0)"
    except Exception:  # no data here: synthetic snippets of varied length keep the bench usable
        rng = random.Random(0)
        lines = [
            "int x = {i} * y;",
            "if (a > {i}) {{ return b; }}",
            "for i in range({i}):",
            "    total += i",
        ]
        texts = [
            "\n".join(rng.choice(lines).format(i=j) for j in range(rng.randint(3, 60)))
            for _ in range(n)
        ]
        return texts, f"synthetic snippets ({n})"


def build_model(folder: Path, texts: list[str]) -> None:
    """Save a random CodeBERT-size RoBERTa and a tokenizer trained on ``texts`` to ``folder``."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast, RobertaConfig, RobertaModel

    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(
        texts,
        trainers.BpeTrainer(
            vocab_size=8000,
            special_tokens=specials,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        ),
    )
    tok.post_processor = processors.RobertaProcessing(
        ("</s>", tok.token_to_id("</s>")), ("<s>", tok.token_to_id("<s>"))
    )
    PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        pad_token="<pad>",
        mask_token="<mask>",
    ).save_pretrained(folder)
    torch.manual_seed(0)
    config = RobertaConfig(
        vocab_size=50265,
        hidden_size=768,
        num_hidden_layers=12,
        num_attention_heads=12,
        intermediate_size=3072,
        max_position_embeddings=514,
        pad_token_id=tok.token_to_id("<pad>"),
        bos_token_id=tok.token_to_id("<s>"),
        eos_token_id=tok.token_to_id("</s>"),
        type_vocab_size=1,
    )
    RobertaModel(config).save_pretrained(folder)


def main() -> None:
    """Run the benchmark and print snippets/s for each batching strategy."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=96, help="snippets to embed")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    import torch

    from workbench.analysis.representation import TransformerEmbedder

    torch.set_num_threads(args.threads)
    texts, source = snippets(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        build_model(folder, texts)
        print(f"model: RoBERTa-base size (CodeBERT architecture), random weights; {source}")
        print(
            f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch size {args.batch_size}"
        )
        for sort in (True, False):
            embedder = TransformerEmbedder(folder, batch_size=args.batch_size, sort_by_length=sort)
            lengths = embedder.token_lengths(texts)
            embedder.embed(texts[: args.batch_size])  # warm-up
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                embedder.embed(texts)
                times.append(time.perf_counter() - started)
            best = min(times)
            label = "batched by length" if sort else "input order      "
            print(
                f"{label}: {len(texts) / best:6.1f} snippets/s  ({best:.1f} s for {len(texts)}; "
                f"tokens/snippet mean {statistics.mean(lengths):.0f}, max {max(lengths)})"
            )


if __name__ == "__main__":
    main()
