# Tensors, Tapes & Training — every command an author, learner or instructor needs.
# `make help` lists the targets. The environment lives in .venv, built from requirements.lock.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# `book`, `test` and `bench` bring .venv up to date with the lock; the everyday targets (lab,
# exercises, grade) only need one to exist (`venv-exists`): never a reinstall on the side.
# Quiet TensorFlow's import-time log lines (they would show in every TF page's Setup output).
export TF_CPP_MIN_LOG_LEVEL := 2
export TF_ENABLE_ONEDNN_OPTS := 0
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.DEFAULT_GOAL := help
.PHONY: help book test lab bench exercises grade dist system vendor lock clean venv-exists translations

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet "setuptools>=61"  # builds ttt's wheel (Python 3.12+ venvs lack it)
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e . || $(PY) -m pip install --quiet --no-deps -e .
	@touch $@

venv-exists:
	@test -f $(STAMP) || $(MAKE) --no-print-directory $(STAMP)

system: ## Install the Debian packages the tests need (chromium, a CJK font, bubblewrap, postgresql), where possible
	@sh tools/install-system-packages chromium fonts-wqy-microhei bubblewrap postgresql

vendor: $(STAMP) ## Fetch MathJax, require.js and the widget manager into book/_vendor (npm pack; not committed)
	@sh tools/install-system-packages npm
	$(PY) tools/fetch_vendor.py

# ALLOW_UNTRANSLATED=1: build the Chinese edition with the pages it has (else a page of
# _toc.yml without a Chinese page stops the build, naming it).
book: $(STAMP) vendor ## Build both editions into _build/html (Chinese: _build/html/zh-CN), executing every chapter
	$(PY) tools/build_book.py --jobs $(JOBS) $(if $(filter 1 yes true,$(ALLOW_UNTRANSLATED)),--allow-untranslated)

translations: venv-exists ## List the Chinese pages whose English prose changed since they were translated
	$(PY) tools/translations.py status

# Two passes, both run whatever the first finds. tests/autograder/ one test at a
# time: its tests watch the machine (memory, processes, timeouts) that a neighbour would
# disturb. The rest (the built book, Chromium, the learners' venv, the tools) on two
# workers, a file each (a file's fixtures are made once: the learners' venv takes a minute).
test: $(STAMP) system book ## Run the whole test suite
	$(VENV)/bin/pytest tests/autograder; alone=$$?; \
	$(VENV)/bin/pytest -n 2 --dist loadfile tests --ignore=tests/autograder; side_by_side=$$?; \
	test $$alone -eq 0 && test $$side_by_side -eq 0

lab: venv-exists ## Open JupyterLab on the chapters and exercises (widgets work)
	$(VENV)/bin/jupyter lab --notebook-dir=.

bench: $(STAMP) system ## Print build and grading benchmarks with their ratios
	$(PY) tests/bench/bench_book.py
	$(PY) tests/bench/bench_grading.py

dist: venv-exists ## Build the learners' ttt wheel and sdist into _build/dist, with requirements.txt for a course image
	$(PY) tools/build_dist.py --out _build/dist

exercises: venv-exists ## Write the parts' specs into solutions/, then regenerate exercises/ with nbgrader
	$(PY) -m autograder.release

grade: venv-exists ## Grade: make grade ASSIGNMENT=linear_fit SUBMISSIONS=dir OUT=dir [DB=url ONLY=ada,grace DUE=date]
	@sh tools/install-system-packages bubblewrap
	$(PY) -m autograder grade $(ASSIGNMENT) $(SUBMISSIONS) --out $(OUT) --jobs $(JOBS) \
		$(if $(DB),--db '$(DB)') $(if $(ONLY),--only '$(ONLY)') $(if $(DUE),--due '$(DUE)')

lock: ## Re-pin every package in .venv into requirements.lock (TensorFlow keeps its platform markers)
	{ echo "# Exact pins of every package in .venv (regenerate with: make lock)."; \
	  echo "# TensorFlow: the CPU wheel on Linux x86-64, the ordinary wheel elsewhere."; \
	  $(PY) -m pip freeze --exclude-editable | grep -v '^tensorflow' ; \
	  $(PY) -m pip freeze | sed -nE 's/^tensorflow[-_]cpu==(.*)$$/tensorflow-cpu==\1 ; sys_platform == "linux" and platform_machine == "x86_64"\ntensorflow==\1 ; sys_platform != "linux" or platform_machine != "x86_64"/p'; \
	} > requirements.lock.new && mv requirements.lock.new requirements.lock
	$(PY) tools/learner_requirements.py

# Keeps every gradebook (*.db, with SQLite's side files) it finds under _build/: grades are
# never a build product. The grading command moves one from the old default home.
clean: ## Remove the built book (keeps .venv and any gradebook under _build/)
	@test ! -d _build || { find _build ! -type d ! -name '*.db' ! -name '*.db-*' -delete && \
		find _build -depth -type d -empty -delete; }
	@kept=$$(find _build -name '*.db' 2>/dev/null); test -z "$$kept" || \
		echo "make clean: kept the gradebook(s) $$kept" >&2
