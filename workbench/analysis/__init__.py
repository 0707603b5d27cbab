"""Analysis: numbers computed from results and data, as tidy DataFrames (no drawing)."""
