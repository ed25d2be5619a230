# rapidresponse: `make run` starts the product with the demo scenario, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
RR := $(VENV)/bin/rapidresponse
CHROMIUM ?= /usr/bin/chromium

.PHONY: setup run demo test lint lock bench browser-deps java-deps catalogs clean

setup: $(VENV)/.installed

# requirements.lock pins every package (the extras included) so that two machines install the same
# versions; `make lock` regenerates it after pyproject.toml changes.
$(VENV)/.installed: pyproject.toml requirements.lock
	@if ! command -v c++ >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq g++ >/dev/null; \
	  else echo "note: pdqhash is built from source and needs a C++ compiler (apt-get install g++)"; fi; \
	fi
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

lock:
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 --no-header \
	  -o requirements.lock

catalogs: setup
	$(VENV)/bin/pybabel compile --use-fuzzy -d src/rapidresponse/web/locale -D messages --statistics 2>/dev/null || true

run: setup catalogs
	$(RR) demo --serve

browser-deps:
	@if [ ! -x $(CHROMIUM) ] || ! ldconfig -p | grep -q libpangoft2; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium libpangoft2-1.0-0 \
	      fonts-dejavu-core >/dev/null; \
	  else echo "note: chromium or Pango is missing (apt-get install chromium libpangoft2-1.0-0 fonts-dejavu-core);" \
	    "browser and PDF tests will be skipped"; fi; \
	fi

# The metrics are also tested on Spark (pyspark, from the lock), which needs Java.
java-deps:
	@if ! command -v java >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
	  else echo "note: Java is missing (apt-get install default-jre-headless); the Spark test will be skipped"; fi; \
	fi

test: setup catalogs browser-deps java-deps lint
	$(PY) -m pytest --durations=25

lint: setup
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/mypy

bench: setup
	@for script in benchmarks/*.py; do \
	  case $$script in benchmarks/nab*.py) if [ -z "$$RAPIDRESPONSE_NAB_DIR" ]; then \
	    echo "== $$script: skipped, it scores a labelled NAB corpus: set RAPIDRESPONSE_NAB_DIR"; continue; fi;; esac; \
	  echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
