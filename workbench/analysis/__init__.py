"""Analysis: numbers computed from results and data, as tidy DataFrames (no drawing).

One function per quantity:

- ``rows``: which rows a table counts — the scored runs (:func:`rows.of_kind`), the failing
  samples (:func:`rows.failing`), the task kinds present (:func:`rows.task_kinds`).
- ``passk``: :func:`passk.pass_at_k` (the unbiased estimator of one task),
  :func:`passk.task_scores` (one row per task), :func:`passk.pass_at_k_table` (per model and
  group, with intervals; the AVG row per model), :func:`passk.status_counts`.
- ``intervals``: the Wilson score interval over tasks and Kish's effective sample size.
- ``categories``: paradigm / scenario pooling of per-language scores (the leaderboard's).
- ``per_language``: per-language tables as the per-language figures show them.
- ``difficulty``: pass@1 per language and level.
- ``deltas``: result sets side by side with deltas to the first.
- ``multiple``: the McEval vs MultiPL-E join and its correlations.
- ``dataset``: dataset statistics and the tokenizers behind them.
- ``defects``: the shipped list of defective tasks (:func:`defects.shipped_defects`), the list
  that applies to a store (:func:`defects.defective_tasks`, with its marks), which rows they name
  (:func:`defects.defective_mask`, :func:`defects.applied_defects`) and the search for tests that
  expect a string the task's own text spells differently.
- ``representation``: embeddings, t-SNE, silhouette, dendrogram.
- ``failure_modes``: error-message templates of failing samples, clustered (per row:
  :func:`failure_modes.row_clusters`; per group: :func:`failure_modes.failure_modes`), and the
  failures per cause (:func:`failure_modes.cause_counts`, :func:`failure_modes.cause_table`).
- ``compare_models``: models compared sample by sample (:func:`compare_models.paired_frame`, the
  pairs; :func:`compare_models.compare_models`, the table and the exact McNemar test).
- ``health``: can the numbers be trusted? Six checks (controls, extraction, one error
  everywhere, limits, published numbers, flaky verdicts) returning findings (docs/health.md).

Column vocabulary, the same in every table, CSV and JSON the workbench writes:

- ``model``, ``task`` (generation / explanation / completion), ``subset`` (completion's single,
  multi, span, light; None otherwise), ``language``, ``task_id``, ``level`` (easy / middle /
  hard; "unknown" when grouping tasks that have none);
- ``n_tasks``: tasks with at least one judged sample; ``n_samples``: judged samples;
  ``n_passed``: samples that passed; ``n_excluded``: samples whose status is about the machine
  (``toolchain_missing``, ``infrastructure_error``: ``execution.records.MACHINE_STATUSES``),
  left out of every denominator;
- ``pass_at_{k}`` (``pass_at_1``, ``pass_at_10``), with ``pass_at_{k}_low`` and
  ``pass_at_{k}_high`` the bounds of its 95% interval.
- with defective tasks set aside (``pass_at_k_table(..., set_aside=...)``), beside those:
  ``n_defective_tasks`` (judged tasks set aside: a person's judgement of the data, unlike
  ``n_excluded``) and ``pass_at_{k}_defects_aside`` with its bounds.

Every table reads the ``scored`` rows (``row_kind``; ``execution.records.ROW_KINDS``): other
runs of a sample (controls, repeats, repairs) never count in one. Scores are fractions in [0, 1]
everywhere; percent appears only when printing (``views.text``).
"""
