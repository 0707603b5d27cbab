"""A toy causal language model built on the spot: a byte-level BPE tokenizer trained on the given
texts and a two-layer GPT-2 with random weights, saved as a transformers model folder.

It stands in for a real model where none can be downloaded (CI, an offline machine, the
``11_generate`` notebook's defaults): it loads, generates and is evaluated exactly as a real
model is, through ``load_model`` and ``generate``. Its answers are random tokens, so they fail;
what it shows is the pipeline, not a score.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

SPECIAL_TOKENS = ("<|endoftext|>", "<|pad|>")


def toy_model(
    folder: str | Path,
    texts: Iterable[str],
    *,
    vocab_size: int = 1000,
    layers: int = 2,
    width: int = 64,
    seed: int = 0,
) -> Path:
    """Train a BPE on ``texts``, build a random GPT-2 of ``layers`` x ``width`` on it, and save
    both in ``folder`` (created); returns the folder, which ``generate`` takes as a model."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        [t for t in texts if t], vocab_size=vocab_size, special_tokens=list(SPECIAL_TOKENS)
    )
    bpe.save(str(folder / "bpe.json"))
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_file=str(folder / "bpe.json"),
        bos_token=SPECIAL_TOKENS[0],
        eos_token=SPECIAL_TOKENS[0],
        pad_token=SPECIAL_TOKENS[1],
    )
    tokenizer.save_pretrained(folder)
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_embd=width,
        n_layer=layers,
        n_head=4,
        n_positions=4096,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(seed)
    GPT2LMHeadModel(config).save_pretrained(folder)
    return folder
