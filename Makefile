# lifecircle: `make demo` runs the whole pipeline on the shipped demo; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
OUT ?= demo-output

.PHONY: install sysdeps demo test bench lint typecheck clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Debian chromium (map tests) and python3-qgis (GeoPackage style test); skipped when present.
sysdeps:
	@sh scripts/install-system-deps.sh

demo: install
	$(VENV)/bin/lifecircle run lifecircle/data/demo/project.toml -o $(OUT) --overwrite

# Bytecode caches are written even where PYTHONDONTWRITEBYTECODE is set: the suite starts
# dozens of Python processes (xdist workers, CLI runs, pool and Dask workers), and
# without the caches each compiles lifecircle and pytest rewrites every test module again.
test: install sysdeps
	env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest -n 2 --dist loadfile -q

bench: install
	$(PY) -m benchmarks

lint: install
	$(VENV)/bin/ruff check lifecircle tests benchmarks

# mypy on the typed seams listed in pyproject.toml [tool.mypy]
typecheck: install
	$(PY) -m mypy

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
