"""Inputs: McEval tasks (``tasks``) and model outputs (``samples``) read into DataFrames, with
errors that name the file, line and field (``jsonl``)."""
