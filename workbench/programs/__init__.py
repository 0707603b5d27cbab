"""Programs: the code taken from a model's text (``extract``), the program assembled around it as
McEval joins them (``assemble``), both applied to a table of samples (``prepare``), and the
known-good and mutated programs of the self-test (``mutants``)."""
