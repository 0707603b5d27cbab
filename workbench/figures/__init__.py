"""Regenerate the McEval paper's analyses and appendix figures from data.

Modules (each figure is computed from a tidy table that is saved next to it as CSV):

- ``theme``: the registered "workbench" altair theme and :func:`theme.save_figure` (SVG + PNG + CSV).
- ``paper``: loaders for data/paper (leaderboard, task counts, models and aliases) and for
  MultiPL-E results (BigCode leaderboard CSV, MultiPL-E result directories, harness JSON).
- ``per_language``: per-language pass@1 bar charts per task kind and model size group.
- ``categories``: paradigm and application-scenario tables pooled as the paper pools them.
- ``stats``: dataset statistics (counts by kind/subset/level, token lengths, test cases).
- ``difficulty``: pass@1 by easy/middle/hard with task counts and confidence intervals.
- ``multiple``: McEval vs MultiPL-E scatter panels with correlations and the alias join report.
- ``compare``: per-language comparison of result sets (base model vs fine-tune).
- ``embeddings``: CodeBERT / MiniLM / TF-IDF embeddings, t-SNE, silhouette, dendrogram.
- ``results``: per-task and per-language scores from a results store's executions.
- ``cli``: :func:`cli.run`, behind ``workbench figures``.

Heavy dependencies (altair, scipy, torch) load only when a module is imported.
"""
