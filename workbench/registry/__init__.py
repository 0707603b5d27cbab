"""The language registry: one declarative TOML file per McEval language (``<lang>.toml``, with
any file its recipe needs next to it), read by ``languages``; run limits that follow each task's
canonical run time (``limits``). See ``README.md`` in this folder for the keys."""
