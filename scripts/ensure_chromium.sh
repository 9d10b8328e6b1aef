#!/usr/bin/env bash
# Makes sure Debian's chromium is installed, for tests/integration/test_report_html_browser.py
# (it opens report.html in headless chromium). Idempotent: does nothing when chromium is on
# PATH. Installs it with apt-get when running as root (CI, the dev container); otherwise says
# how and exits 1, and the browser test skips with that reason. Concurrent callers (pytest
# workers) wait on one lock, so apt-get runs once.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "chromium is not installed and this is not root: run 'sudo apt-get install -y chromium'" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium is not installed and there is no apt-get here: install chromium by hand" >&2
  exit 1
fi
lock="${TMPDIR:-/tmp}/bulwark-ensure-chromium.lock"
exec 9>"$lock"
flock 9
if command -v chromium >/dev/null 2>&1; then  # another caller installed it while this one waited
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends chromium; then
  apt-get update
  apt-get install -y --no-install-recommends chromium
fi
command -v chromium >/dev/null
echo "installed $(chromium --version 2>/dev/null || echo chromium)"
