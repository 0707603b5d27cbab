"""Evaluation: many samples at once. ``runner`` prepares, queues and executes them on a
``backends`` pool (local threads or Dask workers), finds identical work by its ``cache`` key and
commits every verdict to the DuckDB ``store``; ``verify`` runs every canonical solution."""
