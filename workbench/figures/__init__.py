"""Figures: charts drawn from the tables of ``workbench.analysis``; nothing is computed here.

Modules (each figure is saved with the tidy table behind it as CSV):

- ``theme``: the registered "workbench" altair theme, fixed model/language colours, and
  :func:`theme.save_figure` (SVG + PNG + CSV), the one way every figure is written.
- ``per_language``: per-language pass@1 bars per task kind and model size group, of a results
  store, and the demo's chart (:func:`per_language.pass_at_1_chart`).
- ``categories``: paradigm and application-scenario heatmaps and their tables.
- ``dataset``: dataset statistics (counts by kind/subset/level, token lengths, test cases).
- ``difficulty``: pass@1 by easy/middle/hard with task counts and Wilson intervals.
- ``multiple``: McEval vs MultiPL-E scatter panels with correlations.
- ``compare``: per-language comparison of result sets (base model vs fine-tune).
- ``representation``: t-SNE scatter and dendrogram of code embeddings.
- ``build``: :func:`build.build_figures`, behind ``workbench figures``.

Heavy dependencies (altair, scipy, torch) load only when a module is imported.
"""
