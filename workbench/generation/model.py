"""Load a causal language model and its tokenizer (a hub id or a local folder), choose device and
dtype, and turn an instruction into the exact text the model is sent (its chat template or the
plain instruction)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import InputError, WorkbenchError

CHAT_TEMPLATE_CHOICES = ("auto", "on", "off")
_DTYPES = {
    "float32": "float32",
    "fp32": "float32",
    "bfloat16": "bfloat16",
    "bf16": "bfloat16",
    "float16": "float16",
    "fp16": "float16",
    "half": "float16",
}


class ModelNotFound(WorkbenchError):
    """A model that is neither a local folder nor loadable from the hub (or its cache)."""


@dataclass
class LoadedModel:
    """A model ready to generate, with what the output records about it."""

    name: str  # as the user gave it: a hub id or a folder
    source: str  # what was loaded: the folder, or the hub id
    model: Any
    tokenizer: Any
    device: str
    dtype: str
    chat: bool  # instructions go through the tokenizer's chat template
    revision: str | None  # the hub commit the files came from, when known
    eos_ids: tuple[int, ...]
    pad_id: int
    max_positions: int | None

    @property
    def folder_name(self) -> str:
        """The name the output folder takes: the last part of the id or path."""
        return Path(self.name.rstrip("/")).name or self.name

    def prompt(self, instruction: str, system_prompt: str | None = None) -> str:
        """The exact text sent for ``instruction``: the chat template applied to a user turn
        (after a system turn when given), or the plain instruction (after the system prompt)."""
        if not self.chat:
            return f"{system_prompt}\n\n{instruction}" if system_prompt else instruction
        messages = [{"role": "system", "content": system_prompt}] if system_prompt else []
        messages.append({"role": "user", "content": instruction})
        return self.tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=True
        )

    def encode(self, text: str) -> list[int]:
        """Token ids of a prompt; a chat-formatted text already holds its special tokens."""
        return list(self.tokenizer(text, add_special_tokens=not self.chat)["input_ids"])

    def decode(self, ids: list[int]) -> str:
        """Text of generated ids, special tokens left out (as the official vLLM run does)."""
        return self.tokenizer.decode(ids, skip_special_tokens=True)


def choose_device(device: str = "auto") -> str:
    """``auto``: the first GPU when there is one (CUDA, then Apple's MPS), else the CPU."""
    import torch

    if device != "auto":
        return device
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def choose_dtype(dtype: str, device: str) -> Any:
    """``auto``: bfloat16 on a GPU that has it (else float16), float32 on the CPU, where half
    precision is slow and inexact."""
    import torch

    if dtype != "auto":
        if dtype not in _DTYPES:
            raise InputError(
                f"unknown dtype {dtype!r}; expected auto or one of {', '.join(sorted(_DTYPES))}",
                field="dtype",
            )
        return getattr(torch, _DTYPES[dtype])
    if device.startswith("cuda"):
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device.startswith("mps"):
        return torch.float16
    return torch.float32


def locate(model: str | Path) -> str:
    """The folder (when ``model`` is one) or the hub id to load. Offline (``HF_HUB_OFFLINE``), a
    hub id must already be in the local cache: the error says so at once instead of retrying."""
    from huggingface_hub import constants, try_to_load_from_cache

    text = str(model)
    path = Path(text).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelNotFound(
                f"model folder {text!r} has no config.json (not a transformers model)"
            )
        return str(path.resolve())
    if text.startswith((".", "/", "~")) or text.count("/") > 1:
        raise ModelNotFound(f"model {text!r}: no such folder")
    if constants.is_offline_mode() and not isinstance(
        try_to_load_from_cache(text, "config.json"), str
    ):
        raise ModelNotFound(
            f"model {text!r} is not a local folder and not in the Hugging Face cache "
            f"({constants.HF_HUB_CACHE}), and HF_HUB_OFFLINE is set: download it where the hub "
            f"is reachable (hf download {text}) or pass its folder"
        )
    return text


def _chat(tokenizer: Any, chat_template: bool | str, name: str) -> bool:
    if chat_template in ("auto", None):
        return bool(getattr(tokenizer, "chat_template", None))
    if chat_template in (True, "on"):
        if not getattr(tokenizer, "chat_template", None):
            raise InputError(
                f"the tokenizer of {name!r} has no chat template", field="chat_template"
            )
        return True
    if chat_template in (False, "off"):
        return False
    if isinstance(chat_template, str):  # a Jinja template of the user's own
        tokenizer.chat_template = chat_template
        return True
    raise InputError(f"unknown chat_template {chat_template!r}", field="chat_template")


def _ids(value: Any) -> list[int]:
    if value is None:
        return []
    return [int(v) for v in value] if isinstance(value, list | tuple) else [int(value)]


def load_model(
    model: str | Path,
    *,
    device: str = "auto",
    dtype: str = "auto",
    chat_template: bool | str = "auto",
) -> LoadedModel:
    """Load ``model`` (a hub id or a local folder) with ``AutoModelForCausalLM`` and
    ``AutoTokenizer`` for generation. ``chat_template``: ``auto`` uses the tokenizer's template
    when it has one, ``on``/``off`` force it, any other string is a Jinja template to use."""
    import transformers
    from packaging.version import Version
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = locate(model)
    chosen_device = choose_device(device)
    chosen_dtype = choose_dtype(dtype, chosen_device)
    # transformers 4.56 renamed torch_dtype to dtype.
    new_api = Version(transformers.__version__) >= Version("4.56")
    dtype_arg = {"dtype" if new_api else "torch_dtype": chosen_dtype}
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        network = AutoModelForCausalLM.from_pretrained(source, **dtype_arg)
    except (OSError, ValueError) as exc:
        offline = " (HF_HUB_OFFLINE is set)" if os.environ.get("HF_HUB_OFFLINE") else ""
        raise ModelNotFound(f"cannot load model {str(model)!r}{offline}: {exc}") from exc
    network.to(chosen_device).eval()
    eos = _ids(network.generation_config.eos_token_id) + _ids(tokenizer.eos_token_id)
    if not eos:
        raise InputError(f"model {str(model)!r} names no end-of-sequence token", field="model")
    pad = tokenizer.pad_token_id
    if pad is None:
        pad = network.generation_config.pad_token_id
    config = network.config
    return LoadedModel(
        name=str(model),
        source=source,
        model=network,
        tokenizer=tokenizer,
        device=chosen_device,
        dtype=str(chosen_dtype).removeprefix("torch."),
        chat=_chat(tokenizer, chat_template, str(model)),
        revision=getattr(config, "_commit_hash", None),
        eos_ids=tuple(dict.fromkeys(eos)),
        pad_id=int(pad) if pad is not None else eos[0],
        max_positions=getattr(config, "max_position_embeddings", None)
        or getattr(config, "n_positions", None),
    )


def torch_ready() -> None:
    """Raise a clear error when the generation extras (torch, transformers) are not installed."""
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as exc:
        raise WorkbenchError(
            f"generation needs torch and transformers ({exc.name} is missing): "
            "pip install 'mceval-workbench[ml]'"
        ) from exc
