"""Run `ansible-test sanity` on this checkout, offline, from any clone.

ansible-test only runs from a directory whose real path ends in
``ansible_collections/<namespace>/<name>``, so this copies the collection's files (what git
tracks plus untracked files .gitignore does not exclude; every file when there is no git)
to ``<tmp>/ansible_collections/bulwark/aws`` and runs there. The test results are copied back
to ``tests/output/sanity/``.

ansible-test makes one virtual environment per sanity test under ``~/.ansible/test/venv``
(reused by later runs) and installs each test's pinned requirements into it from PyPI. It
bootstraps pip into those environments with get-pip.py, which it downloads from a host that
is not a package registry; with no such download possible, a stand-in that bootstraps pip
with the standard library's ``ensurepip`` (then installs the pinned pip from PyPI) is put
where ansible-test looks for its cached copy. A real cached get-pip.py is left alone.

Usage: scripts/sanity.py [extra ansible-test sanity arguments, e.g. --test pylint]
Environment: SANITY_PYTHON (default: the running Python's X.Y), SANITY_KEEP=1 keeps the copy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMESPACE, NAME = "bulwark", "aws"

# Never copied, even where git does not know them (a tree without .git): generated output,
# environments and caches.
EXCLUDED_DIRS = {".venv", ".collections", ".git", "build", "reports", ".pytest_cache", "__pycache__",
                 ".demo", ".tox", ".mypy_cache", ".ruff_cache"}
EXCLUDED_PATHS = {"tests/output", "benchmarks/output"}
EXCLUDED_SUFFIXES = (".pyc", ".tar.gz")

# Tests left out: none is skipped for its findings. The ignore files must stay empty.
SKIPPED_TESTS = []

GET_PIP_STAND_IN = '''\
"""Stand-in for get-pip.py written by bulwark.aws scripts/sanity.py (offline machines).

ansible-test runs it in a fresh virtual environment with pip options and the pinned
packages (pip==X.Y). It bootstraps pip from the standard library, then installs the
requested packages from the configured package index.
"""
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"],
                      stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet"] + args)
'''


def log(msg):
    print("sanity: %s" % msg, flush=True)


def collection_files(root):
    """Relative paths of the files that make up the collection in this checkout."""
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            check=True, capture_output=True).stdout
        candidates = [p for p in out.decode("utf-8").split("\0") if p]
    except (OSError, subprocess.CalledProcessError):
        candidates = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in EXCLUDED_DIRS]
            for filename in filenames:
                candidates.append(os.path.relpath(os.path.join(dirpath, filename), root))
    files = []
    for rel in sorted(set(candidates)):
        parts = rel.split("/")
        if set(parts) & EXCLUDED_DIRS or rel.endswith(EXCLUDED_SUFFIXES):
            continue
        if any(rel == p or rel.startswith(p + "/") for p in EXCLUDED_PATHS):
            continue
        if not os.path.lexists(root / rel):  # deleted in the work tree, still in the index
            continue
        files.append(rel)
    return files


def copy_tree(root, dest):
    for rel in collection_files(root):
        src, dst = root / rel, dest / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), dst)
        else:
            shutil.copy2(src, dst)


def ensure_get_pip(pip_version):
    cache = Path.home() / ".ansible" / "test" / "cache" / ("get_pip_%s.py" % pip_version.replace(".", "_"))
    if cache.exists():
        return
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    tmp.write_text(GET_PIP_STAND_IN)
    tmp.replace(cache)
    log("wrote the offline pip bootstrap stand-in %s" % cache)


def ansible_test_pip_version():
    """The pip version ansible-test bootstraps into its environments (24.2 in ansible-core 2.19)."""
    try:
        from ansible_test._internal.python_requirements import get_venv_packages  # pylint: disable=import-outside-toplevel
        from ansible_test._internal.host_configs import NativePythonConfig  # pylint: disable=import-outside-toplevel
        return get_venv_packages(NativePythonConfig(version="%d.%d" % sys.version_info[:2]))["pip"]
    except Exception:  # pylint: disable=broad-except
        return "24.2"


def main(argv):
    python = os.environ.get("SANITY_PYTHON", "%d.%d" % sys.version_info[:2])
    ansible_test = shutil.which("ansible-test")
    if not ansible_test:
        log("ansible-test not found on PATH (run `make setup` first)")
        return 2
    ensure_get_pip(ansible_test_pip_version())

    for ignore in sorted((ROOT / "tests" / "sanity").glob("ignore-*.txt")):
        if ignore.read_text().strip():
            log("%s has entries: fix the code instead of ignoring sanity errors" % ignore.relative_to(ROOT))
            return 1

    base = Path(tempfile.mkdtemp(prefix="bulwark-sanity-")).resolve()
    dest = base / "ansible_collections" / NAMESPACE / NAME
    try:
        copy_tree(ROOT, dest)
        cmd = [ansible_test, "sanity", "--python", python, "--color", "no", "--local"]
        for test in SKIPPED_TESTS:
            cmd += ["--skip-test", test]
        cmd += argv
        log("running in %s: %s" % (dest, " ".join(cmd[1:])))
        env = dict(os.environ)
        env.pop("ANSIBLE_CONFIG", None)  # the repository's ansible.cfg is for playbooks, not for ansible-test
        env.pop("ANSIBLE_COLLECTIONS_PATH", None)
        env.pop("ANSIBLE_COLLECTIONS_PATHS", None)
        started = time.monotonic()
        rc = subprocess.call(cmd, cwd=str(dest), env=env)
        log("ansible-test sanity exited %d after %.0f s" % (rc, time.monotonic() - started))
        results = dest / "tests" / "output"
        if results.is_dir():
            target = ROOT / "tests" / "output" / "sanity"
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(results, target, ignore=shutil.ignore_patterns(".tmp"), dirs_exist_ok=True)
        return rc
    finally:
        if os.environ.get("SANITY_KEEP"):
            log("kept %s" % dest)
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
