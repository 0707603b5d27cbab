"""McEval Workbench: run, inspect and analyse McEval evaluations."""
__version__ = "0.1.0"
