"""Warm compilers: long-lived kotlinc / scalac / tsc / javac processes, each in the sandbox, that
compile sample after sample (``pool``), and the small server programs they run (``programs/``)."""
