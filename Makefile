# Phteah: two commands do all set-up on a fresh machine.
#   make demo   install into .venv, migrate SQLite, load geography and the demo network, serve
#   make test   install test dependencies (and Debian's chromium if missing), run every test
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
export PHTEAH_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo test install install-test messages fonts chromium gettext poppler lint clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed messages fonts

install-test: $(VENV)/.installed-test messages fonts chromium gettext poppler

# Compile the Khmer catalogue (pure Python: no gettext tools needed).
messages: $(VENV)/.installed
	$(BIN)/phteah i18n compile

# Make the light Khmer web font (WOFF2) from the installed package's TTF; skipped when built.
fonts: $(VENV)/.installed
	$(BIN)/phteah fonts build

# Browser tests drive Debian's chromium; install it when missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The test that the Khmer catalogue is complete extracts the strings with GNU gettext.
gettext:
	@command -v xgettext >/dev/null 2>&1 || { \
	  echo "Installing GNU gettext for the translation catalogue test..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; }

# The tests of the PDF referral letters read the PDF's text and fonts with poppler's
# pdftotext and pdffonts; install them when missing.
poppler:
	@command -v pdftotext >/dev/null 2>&1 || { \
	  echo "Installing poppler-utils for the PDF tests..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; }

demo: install
	$(BIN)/phteah migrate --no-input -v 0
	$(BIN)/phteah demo
	PORT=$(PORT) $(BIN)/phteah serve

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests

clean:
	rm -rf $(VENV) var test-artifacts
