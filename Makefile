# Two commands do everything on a fresh machine:
#   make demo   set up, install the demo's toolchains (as root on Debian), run the demo
#   make test   set up with the dev extras, install toolchains, run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_LANGUAGES := Python C CPP JavaScript Java Shell

.PHONY: demo test check lock toolchains toolchains-demo lint ipynb notebooks lab figures verify image clean language-id-table

# Every install takes the versions CI tested: constraints.txt pins the whole environment
# (`make lock` rewrites it from pyproject.toml with pip-tools; see the README).
CONSTRAINTS := constraints.txt
PIP := $(BIN)/pip install -q -c $(CONSTRAINTS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip

$(VENV)/.installed: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP) -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP) -e '.[dev]'
	touch $@ $(VENV)/.installed

# The pins of every dependency (all extras), resolved by pip-tools against the indexes this
# machine's pip uses (torch: the CPU build they serve). Run after changing pyproject.toml's
# dependencies, then `make test`, and commit both files.
lock: $(VENV)/.dev-installed
	$(BIN)/pip-compile --quiet --all-extras --strip-extras --allow-unsafe --no-emit-index-url \
		--no-emit-find-links --output-file $(CONSTRAINTS) pyproject.toml
	touch $(VENV)/.installed $(VENV)/.dev-installed

# As root on Debian/Ubuntu these install (idempotently); elsewhere they print what is missing,
# and the tests that need a missing toolchain skip with its name.
toolchains-demo: $(VENV)/.installed
	$(BIN)/workbench toolchains install --languages $(DEMO_LANGUAGES) || [ "$$(id -u)" != 0 ]

# `workbench doctor` then says what runs here, and builds the language identifier the causes
# consult (wrong_language) from the McEval data, once per machine, so no run waits for it.
toolchains: $(VENV)/.installed
	$(BIN)/workbench toolchains install || [ "$$(id -u)" != 0 ]
	$(BIN)/workbench doctor

demo: $(VENV)/.installed toolchains-demo
	$(BIN)/workbench demo

test: $(VENV)/.dev-installed toolchains ipynb
	$(BIN)/pytest

# The contributor's fast check (minutes): lint, then the tests that need no Docker engine, no
# browser, no notebook run and no toolchain beyond the demo's six (tests/conftest.py fails a test
# that reaches for one without its marker). `make test` is the whole suite, as CI runs it.
CHECK_MARKERS := not (docker or browser or notebook or toolchains or slow)

check: lint toolchains-demo ipynb
	WORKBENCH_FAST_CHECK=1 $(BIN)/pytest -o addopts=-ra -p no:nbmake -m "$(CHECK_MARKERS)"

# The full canonical sweep (all task kinds take longer): writes docs/verification.md.
verify: $(VENV)/.installed toolchains
	$(BIN)/workbench verify --report docs/verification.md

# The notebooks' scripts are linted like the code.
LINTED := workbench tests bench $(wildcard notebooks/*.py)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

# The notebooks are their percent-format scripts, notebooks/NN_name.py: the only form git tracks.
# `ipynb` makes each notebooks/NN_name.ipynb (git-ignored) that JupyterLab opens and pytest runs,
# and carries the newer of a pair to the other (an edit saved in JupyterLab reaches the script).
# Run, saved, and not edited, a notebook leaves its script byte for byte as it was
# (notebooks/jupytext.toml keeps kernel and outputs out of it), so JupyterLab never dirties the
# checkout. It needs only jupytext at $(BIN) (make lab and make test install it), so a test can
# run it in a copy.
NOTEBOOK_SCRIPTS = $(wildcard notebooks/[0-9][0-9]_*.py)

ipynb:
	$(BIN)/jupytext --quiet --sync --set-kernel python3 $(NOTEBOOK_SCRIPTS)

# After editing a script by hand: formatted like the code, and carried to its notebook.
notebooks: $(VENV)/.dev-installed ipynb
	$(BIN)/ruff format $(NOTEBOOK_SCRIPTS)
	$(BIN)/jupytext --quiet --sync $(NOTEBOOK_SCRIPTS)

# JupyterLab with the project's environment, reachable from this machine only; it prints the URL
# to open, with its token. LAB_PORT=9000 picks another port. .jupyter/jupyter_server_config.json
# hides the notebooks' scripts from the file browser, so each notebook is listed once.
LAB_PORT ?= 8888

lab: $(VENV)/.dev-installed ipynb
	@echo "JupyterLab on 127.0.0.1: open the http://127.0.0.1:... URL printed below (Ctrl-C stops it)"
	JUPYTER_CONFIG_PATH=$(CURDIR)/.jupyter $(BIN)/jupyter lab --no-browser --ip=127.0.0.1 \
		--port=$(LAB_PORT) --ServerApp.root_dir=notebooks $$([ "$$(id -u)" = 0 ] && echo --allow-root)

# The Docker backend's runtime image with the Debian and npm toolchains (root, docker.io and
# debootstrap: the base is made here); `workbench image build` without --no-vendor adds Julia,
# Swift, Dart, PowerShell and .NET where their vendors are reachable.
image: $(VENV)/.installed
	$(BIN)/workbench image build --no-vendor

figures: $(VENV)/.installed
	$(BIN)/workbench figures

# Throughput: workbench (all cores) vs serial vs warm cache, per installed language, then each
# prebuilt templates and warm compilers against none; BENCH_ARGS e.g. "--limit 10 --languages Python C" for a quick run.
bench: $(VENV)/.installed toolchains
	$(BIN)/python bench/throughput.py $(BENCH_ARGS)
	$(BIN)/python bench/prebuilt.py
	$(BIN)/python bench/floor.py $(BENCH_ARGS)

# The language identifier's held-out accuracy per language (wrong_language, issue 23): trains ten
# models on the McEval data (a few minutes) and rewrites its table in docs/causes.md.
language-id-table: $(VENV)/.installed
	$(BIN)/python bench/language_id.py --write docs/causes.md

clean:
	rm -rf $(VENV) workbench-demo.duckdb .pytest_cache
