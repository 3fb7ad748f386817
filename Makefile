# 预算执行与绩效运行监控看板 — one command to run, one to test, one to benchmark.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DB ?= data/monitor.duckdb
PORT ?= 8501

.PHONY: run test bench system-deps clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

# Debian's chromium (browser tests), LibreOffice Writer (report → PDF), CJK fonts, the PostgreSQL
# server (tests of the shared store start a throwaway cluster of their own) and nginx (the reverse
# proxy of the cluster test and benchmark, run in a temporary folder), when missing.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-writer"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing fonts-noto-cjk"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$$missing nginx-light"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

run: $(VENV)/.installed
	$(VENV)/bin/monitor --db $(DB) demo --if-empty
	MONITOR_DB=$(DB) $(VENV)/bin/streamlit run dashboard/app.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

test: $(VENV)/.installed system-deps
	$(VENV)/bin/ruff check monitor dashboard tests bench
	$(PY) -m pytest -q

bench: $(VENV)/.installed system-deps
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache bench/out
