"""Loading: a local folder through AutoModelForCausalLM / AutoTokenizer, device and dtype, the
chat template used when the tokenizer has one, and a clear error at once for a model that cannot
be found offline."""

from __future__ import annotations

import pytest

from workbench.errors import InputError
from workbench.generation.model import ModelNotFound, choose_dtype, load_model


@pytest.mark.timeout(60)  # offline means no retries against an unreachable hub
def test_missing_hub_model_offline_fails_at_once_naming_it():
    with pytest.raises(ModelNotFound, match="'someone/no-such-coder-7b'.*HF_HUB_OFFLINE"):
        load_model("someone/no-such-coder-7b")


def test_missing_folder_and_folder_without_config(tmp_path):
    with pytest.raises(ModelNotFound, match="no such folder"):
        load_model(str(tmp_path / "nowhere"))
    with pytest.raises(ModelNotFound, match="no config.json"):
        load_model(tmp_path)


def test_local_folder_loads_on_cpu_in_float32(tiny_model):
    loaded = load_model(tiny_model)
    assert loaded.device == "cpu" and loaded.dtype == "float32"
    assert type(loaded.model).__name__ == "GPT2LMHeadModel"
    assert loaded.folder_name == tiny_model.name
    assert loaded.eos_ids == (loaded.tokenizer.eos_token_id,)
    assert loaded.pad_id == loaded.tokenizer.pad_token_id
    assert loaded.revision is None  # a local folder has no hub commit
    # No chat template: the plain instruction is sent, with the system prompt before it.
    assert not loaded.chat
    assert loaded.prompt("Write a C function") == "Write a C function"
    assert loaded.prompt("Write", system_prompt="Be brief.") == "Be brief.\n\nWrite"
    with pytest.raises(InputError, match="no chat template"):
        load_model(tiny_model, chat_template="on")


def test_chat_template_used_when_present(chat_model):
    loaded = load_model(chat_model, dtype="bfloat16")
    assert loaded.chat and loaded.dtype == "bfloat16"
    text = loaded.prompt("Write a C function", system_prompt="You write code.")
    assert text == (
        "<|system|>\nYou write code.<|end|>\n<|user|>\nWrite a C function<|end|>\n<|assistant|>\n"
    )
    # The template's special tokens are in the text: none are added when it is encoded.
    ids = loaded.encode(text)
    assert ids[0] == loaded.tokenizer.convert_tokens_to_ids("<|system|>")
    plain = load_model(chat_model, chat_template="off")
    assert not plain.chat and plain.prompt("Write a C function") == "Write a C function"


def test_dtype_choice():
    import torch

    assert choose_dtype("auto", "cpu") == torch.float32
    assert choose_dtype("fp16", "cpu") == torch.float16
    with pytest.raises(InputError, match="unknown dtype 'float8'"):
        choose_dtype("float8", "cpu")
