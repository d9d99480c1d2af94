# The two set-up commands are `make run` and `make test`; everything else here serves them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# axe-core (the accessibility checker the browser tests run in each page) comes from the npm registry into the
# ignored var/node, never committed; the file target makes a second `make install` a no-op.
AXE := var/node/node_modules/axe-core/axe.min.js

# Only the tests need it: without npm, `make run` still works and the accessibility test skips (CI fails it).
$(AXE):
	@if command -v npm >/dev/null 2>&1; then npm install --no-save --no-audit --no-fund --silent --prefix var/node axe-core@4; \
	else echo "npm not found: the accessibility browser test will skip (apt-get install -y npm)"; fi

install: $(STAMP)

## make run: install, migrate, load the demo, serve web + worker + scheduler on http://127.0.0.1:8000
run: install
	$(BIN)/sicrm migrate --noinput
	$(BIN)/sicrm demo
	$(BIN)/sicrm serve

## make test: install and run the whole test suite
test: install $(AXE)
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy backend workflows reports bench

## make messages: refresh the zh_Hans catalogue from the code and compile it (needs GNU gettext)
messages: install
	$(BIN)/sicrm makemessages --locale zh_Hans --no-obsolete --no-location \
		--ignore '.venv/*' --ignore 'tests/*' --ignore 'bench/*' --ignore '*/migrations/*'
	$(BIN)/sicrm compilemessages --locale zh_Hans --ignore '.venv'

clean:
	rm -rf $(VENV) var
