"""Stage: generate samples with a transformers causal LM (prompts, model, batched engine, output in
the official evaluator's layout)."""
