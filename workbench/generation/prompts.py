"""The benchmark's prompts: what a model is asked for each task, as McEval defines it.

Generation and completion send the record's ``instruction``. The explanation task takes two
passes (the official ``gen_stage2_instruction.py``): stage 1 sends the explanation record's
``instruction`` (the model describes the code), stage 2 asks for the code back from that
description, with the templates below.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.errors import InputError

STAGE2_TEMPLATE = (
    "Write a {language} function `{signature}` to solve the following problem:\n{description}"
)
# Languages whose answer is not a function have a stage-2 template of their own.
STAGE2_TEMPLATES = {
    "AWK": "Using the awk command in Linux, complete the following task:\n{description}",
    "HTML": "Generate HTML code according to the following requirements:\n{description}",
    "JSON": "Create a JSON object according to the following requirements:\n{description}",
    "Markdown": "Generate Markdown code according to the following requirements:\n{description}",
}


def _field(task: Mapping[str, Any], name: str) -> str:
    value = task.get(name)
    if not isinstance(value, str) or not value:
        raise InputError(
            f"task {task.get('task_id')!r} has no {name}",
            file=task.get("source_file"),
            line=task.get("source_line"),
            field=name,
        )
    return value


def instruction(task: Mapping[str, Any]) -> str:
    """The first (or only) prompt of a task: its record's ``instruction``."""
    return _field(task, "instruction")


def stage2_instruction(task: Mapping[str, Any], description: str) -> str:
    """The explanation task's second prompt: write the code back from the model's own
    ``description`` of it (stage 1's answer, used verbatim as the official script does)."""
    # The official script names the language by the id's prefix, which is McEval's file name.
    language = task.get("language") or _field(task, "task_id").split("/", 1)[0]
    template = STAGE2_TEMPLATES.get(language, STAGE2_TEMPLATE)
    signature = _field(task, "signature") if "{signature}" in template else ""
    return template.format(language=language, signature=signature, description=description)
