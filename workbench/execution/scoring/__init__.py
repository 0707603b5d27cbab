"""Scorers: judge languages whose answers are compared rather than run against a test.

A scorer is called by ``execute`` with the language, the program (the model's answer), the
limits, the prepared work folder (support files already copied in, the answer written to the
language's source file) and a partly filled ``Execution``; it returns that Execution with its
status and reason set. The registry names a scorer with ``scorer = "<key of SCORERS>"``; each scorer is a module of this folder.

Every normalisation below is documented, next to what the official evaluator does, in
``docs/scoring.md``.

* ``json``: parsed-structure equality (object key order and whitespace ignored, ``true`` is not
  ``1``); invalid JSON is a ``compile_error`` with the parser's message.
* ``html``: normalised DOM comparison, parsed with Python's ``html.parser`` into a small tree
  (tag-name case, attribute order, whitespace between tags, optional closing tags, the
  document wrapper, comments and doctype normalised away).
* ``markdown``: exact text after normalising line endings, trailing whitespace, blank lines at
  the ends, the answer's own fence and a code fence left open at the end.
* ``awk_output``: the answer (a shell command line) and the task's canonical command run in the
  same sandboxed work folder; their standard outputs must be equal.
"""

from __future__ import annotations

from workbench.execution.scoring.awk_output import score_awk
from workbench.execution.scoring.common import Scorer
from workbench.execution.scoring.html_tree import score_html
from workbench.execution.scoring.json_equal import score_json
from workbench.execution.scoring.markdown_text import score_markdown

SCORERS: dict[str, Scorer] = {
    "json": score_json,
    "html": score_html,
    "markdown": score_markdown,
    "awk_output": score_awk,
}
