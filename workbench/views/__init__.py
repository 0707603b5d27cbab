"""Views: thin, interactive and shareable faces of the failure analysis (the last stage; only
the CLI and the public API import it). They show what ``analysis/`` computed: no view filters
or groups results by itself.

- ``samples``: the sample table the views filter — facets, message clusters, notes — and its
  vectorised filter and text search.
- ``detail``: one sample's detail as escaped HTML (shared by every view).
- ``tasks``: the McEval task behind a stored sample (instruction, canonical program, reruns).
- ``export``: samples with their notes as CSV, Parquet or JSONL.
- ``failure_browser``: the ``FailureBrowser`` notebook widget.
- ``model_comparison``: the ``ModelComparison`` notebook widget.
- ``report``: ``workbench report``, one self-contained HTML file.
- ``text``: the analysis tables as the command line prints them.
- ``scores``: pass@k in its two readings (benchmark rules, defective tasks set aside) and the
  footnote naming the tasks set aside; ``score_table`` for a notebook.
- ``busy``: the widgets' busy line (a spinner and what runs, buttons disabled meanwhile).
- ``notebook``: charts that render with no network in Jupyter, and tables that show their text
  as text.
- ``teaching``: the exercise checks and small simulations of the teaching notebooks.
"""
