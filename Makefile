# The two commands: `make demo` and `make test`. Both set up .venv on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LINK := .collections/ansible_collections/bulwark/aws
export PATH := $(CURDIR)/$(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
PYTEST_WORKERS ?= 2

.PHONY: help setup demo test unit integration sanity lint molecule docs docs-check build benchmarks clean

help:
	@echo "make demo   run the hardening job against a local moto account it seeds itself"
	@echo "make test   docs check, sanity, lint, unit, integration and molecule tests"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

$(LINK):
	mkdir -p $(dir $(LINK))
	ln -sfn ../../.. $(LINK)

setup: $(VENV)/.installed $(LINK)

demo: setup
	$(BIN)/python -m tests.support.demo

test: docs-check sanity lint unit integration molecule

unit: setup
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) tests/unit

# tests/integration/test_report_html_browser.py opens report.html in Debian's chromium:
# scripts/ensure_chromium.sh installs it when missing (as root); elsewhere that test skips, saying why.
integration: setup
	scripts/ensure_chromium.sh || echo "chromium could not be installed: the report.html browser test will skip"
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --durations=10 tests/integration

# docs/controls.md comes from the control catalogue; each roles/<role>/README.md from the role's
# meta/argument_specs.yml, rendered by aar-doc (.aar_doc.yml, template scripts/role_readme.md.j2);
# CHANGELOG.md from changelogs/ (antsibull-changelog: add a fragment per user-visible change).
DOC_ROLES := $(patsubst roles/%/meta/argument_specs.yml,%,$(wildcard roles/*/meta/argument_specs.yml))
AAR_DOC = $(BIN)/aar-doc --config-file .aar_doc.yml

docs: setup
	$(BIN)/python scripts/render_controls_doc.py
	@for role in $(DOC_ROLES); do \
	  $(AAR_DOC) --output-file roles/$$role/README.md roles/$$role markdown || exit 1; \
	  echo "wrote roles/$$role/README.md"; \
	done

# Renders every role README into a temporary directory and compares: a README edited by hand, or
# argument specs changed without `make docs`, fails here.
docs-check: setup
	@status=0; \
	$(BIN)/python scripts/render_controls_doc.py --check || status=1; \
	$(BIN)/antsibull-changelog lint || status=1; \
	$(BIN)/antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml || status=1; \
	tmp=$$(mktemp -d); \
	for role in $(DOC_ROLES); do \
	  if ! $(AAR_DOC) --output-file $$tmp/$$role.md roles/$$role markdown >$$tmp/$$role.log 2>&1; then \
	    cat $$tmp/$$role.log; echo "aar-doc could not render roles/$$role/README.md"; status=1; continue; \
	  fi; \
	  if ! diff -u roles/$$role/README.md $$tmp/$$role.md; then \
	    echo "roles/$$role/README.md is stale: it is generated from roles/$$role/meta/argument_specs.yml; run make docs"; \
	    status=1; \
	  fi; \
	done; \
	rm -rf $$tmp; \
	if [ $$status -eq 0 ]; then echo "docs-check: docs/controls.md and $(words $(DOC_ROLES)) role READMEs are up to date"; fi; \
	exit $$status

# ansible-test sanity on a copy of the tree under <tmp>/ansible_collections/bulwark/aws, offline
# (scripts/sanity.py says how). SANITY_ARGS="--test pylint" runs one test.
SANITY_ARGS ?=
sanity: setup
	$(BIN)/python scripts/sanity.py $(SANITY_ARGS)

# Configuration in .ansible-lint (profile production, offline) and .yamllint.
lint: setup
	$(BIN)/ansible-lint --offline --profile production

# Both scenarios; each starts and stops its own moto_server.
molecule: setup
	cd $(CURDIR) && $(BIN)/molecule test -s default
	cd $(CURDIR) && $(BIN)/molecule test -s audit

# Build the tarball into build/, then prove it installs offline into a scratch directory.
COLLECTION_TARBALL = build/bulwark-aws-$(shell sed -n 's/^version: *//p' galaxy.yml).tar.gz
build: setup
	$(BIN)/ansible-galaxy collection build --force --output-path build/
	@scratch=$$(mktemp -d) && \
	  ANSIBLE_COLLECTIONS_PATH="$$scratch" $(BIN)/ansible-galaxy collection install --offline --force \
	    -p "$$scratch" $(COLLECTION_TARBALL) >/dev/null && \
	  test -f "$$scratch/ansible_collections/bulwark/aws/MANIFEST.json" && \
	  echo "build: $(COLLECTION_TARBALL) installs offline" ; \
	  rc=$$? ; rm -rf "$$scratch" ; exit $$rc

clean:
	rm -rf build reports tests/output .pytest_cache
