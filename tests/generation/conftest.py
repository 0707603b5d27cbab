"""Tiny random causal LMs built on the fly (no download): a byte-level BPE trained on McEval's own
task texts, saved to a folder and loaded back through AutoModelForCausalLM / AutoTokenizer.
One is a 2-layer GPT-2 without a chat template, one a 2-layer Llama with one."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from workbench.paths import shared_dir

pytest.importorskip("torch", reason="generation needs torch (the ml/dev extras)")
pytest.importorskip("transformers", reason="generation needs transformers (the ml/dev extras)")
pytest.importorskip("tokenizers", reason="generation needs tokenizers (the ml/dev extras)")

SHARED = shared_dir()
EXAMPLES = SHARED / "model-outputs" / "mceval-examples" if SHARED is not None else None
CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}<|end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)
LANGUAGES = ("C", "Python", "AWK")


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path_factory):
    """Every test runs as on a machine without the hub: nothing may be downloaded.

    huggingface_hub reads these variables once, when it is first imported (which may be before
    this fixture, by another test): its constants are set too, else the hub client would try
    the network and retry for most of a minute."""
    from huggingface_hub import constants

    home = tmp_path_factory.getbasetemp() / "hf-home"
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(home))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(constants, "HF_HOME", str(home))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(home / "hub"))


def _texts(mceval: Path) -> list[str]:
    files = [
        mceval / kind / f"{lang}.jsonl"
        for kind in ("generation", "explanation")
        for lang in LANGUAGES
    ]
    files += [mceval / "completion" / "light" / f"{lang}.jsonl" for lang in LANGUAGES]
    texts = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            texts += [record.get("instruction", ""), record.get("canonical_solution", "")]
    return texts


def build_model(
    folder: Path, mceval: Path, *, chat: bool, layers: int = 2, width: int = 64
) -> Path:
    """A random causal LM and a BPE tokenizer trained on task texts, saved to ``folder``."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import (
        GPT2Config,
        GPT2LMHeadModel,
        LlamaConfig,
        LlamaForCausalLM,
        PreTrainedTokenizerFast,
    )

    bpe = ByteLevelBPETokenizer()
    specials = ["<|endoftext|>", "<|pad|>", "<|user|>", "<|assistant|>", "<|system|>", "<|end|>"]
    bpe.train_from_iterator(
        _texts(mceval), vocab_size=1000, min_frequency=2, special_tokens=specials
    )
    bpe.save(str(folder / "bpe.json"))
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_file=str(folder / "bpe.json"),
        bos_token="<|endoftext|>",
        eos_token="<|endoftext|>",
        pad_token="<|pad|>",
    )
    if chat:
        tokenizer.chat_template = CHAT_TEMPLATE
    tokenizer.save_pretrained(folder)
    ids = {
        "vocab_size": len(tokenizer),
        "bos_token_id": tokenizer.bos_token_id,
        "eos_token_id": tokenizer.eos_token_id,
        "pad_token_id": tokenizer.pad_token_id,
    }
    torch.manual_seed(0)
    if chat:
        config = LlamaConfig(
            hidden_size=width,
            intermediate_size=2 * width,
            num_hidden_layers=layers,
            num_attention_heads=4,
            num_key_value_heads=2,
            max_position_embeddings=4096,
            **ids,
        )
        model = LlamaForCausalLM(config)
    else:
        config = GPT2Config(n_embd=width, n_layer=layers, n_head=4, n_positions=4096, **ids)
        model = GPT2LMHeadModel(config)
    model.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory, mceval_dir) -> Path:
    """A 2-layer GPT-2 whose tokenizer has no chat template."""
    return build_model(tmp_path_factory.mktemp("tiny-gpt2"), mceval_dir, chat=False)


@pytest.fixture(scope="session")
def chat_model(tmp_path_factory, mceval_dir) -> Path:
    """A 2-layer Llama whose tokenizer has a chat template."""
    return build_model(tmp_path_factory.mktemp("tiny-llama-chat"), mceval_dir, chat=True)


@pytest.fixture(scope="session")
def examples() -> Path:
    """The official repository's example outputs (real model answers) by path."""
    if EXAMPLES is None or not (EXAMPLES / "generation" / "C.jsonl").is_file():
        pytest.skip("McEval example outputs not found (../shared/model-outputs/mceval-examples)")
    return EXAMPLES


def offline_env() -> dict[str, str]:
    """The environment for a subprocess: offline, and the package importable from the checkout."""
    root = Path(__file__).resolve().parents[2]
    return {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(root)}
