"""The collection builds with ansible-galaxy and its tarball installs without a network.

The build runs on a copy of the checkout in which every kind of generated output exists
(.venv, .collections, reports, build, tests/output, benchmarks/output...), so the test proves
galaxy.yml's build_ignore keeps them out, whatever this checkout happens to contain.
"""

import json
import os
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)

with open(os.path.join(REPO, "galaxy.yml")) as _f:
    GALAXY = yaml.safe_load(_f)

# Generated output, environments and caches: never in the tarball.
GENERATED = (".venv", ".collections", ".git", "reports", "build", "tests/output", "benchmarks/output",
             ".pytest_cache", ".demo", "bulwark-reports")
# Run output where a run from elsewhere in the tree would leave it: never in the tarball either.
RUN_OUTPUT = ("playbooks/reports/credential-report-123456789012.csv",
              "playbooks/bulwark-reports/20261206T040000Z/report.json",
              "roles/iam/bulwark-reports/latest/credential-report-123456789012.json",
              "credential-report-123456789012.csv")
# What a user of the collection needs.
REQUIRED = ("MANIFEST.json", "FILES.json", "README.md", "meta/runtime.yml", "plugins/modules", "plugins/module_utils",
            "plugins/doc_fragments", "roles", "playbooks", "docs")
COPY_IGNORE = shutil.ignore_patterns(*(set(p.split("/", maxsplit=1)[0] for p in GENERATED) | {"__pycache__", "*.pyc", "*.tar.gz"}))


def galaxy(*args, cwd, collections_path):
    """ansible-galaxy with no way to reach a network: an unroutable Galaxy server and proxy."""
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(collections_path),
        ANSIBLE_GALAXY_SERVER="http://127.0.0.1:9/",
        ANSIBLE_GALAXY_SERVER_TIMEOUT="5",
        HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9",
        http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9",
        ANSIBLE_NOCOLOR="1",
    )
    env.pop("ANSIBLE_CONFIG", None)
    env.pop("ANSIBLE_COLLECTIONS_PATHS", None)
    env.pop("NO_PROXY", None)
    env.pop("no_proxy", None)
    cmd = [os.path.join(BIN, "ansible-galaxy")] + list(args)
    run = subprocess.run(cmd, cwd=str(cwd), env=env, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, "%s\n--- stdout\n%s\n--- stderr\n%s" % (" ".join(cmd), run.stdout, run.stderr)
    return run


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(tarball path, member names, install dir) of a build of a copy of the checkout."""
    tmp = tmp_path_factory.mktemp("collection-build")
    src = tmp / "src"
    shutil.copytree(REPO, str(src), symlinks=True, ignore=COPY_IGNORE)
    for generated in GENERATED:  # every kind of generated output, as a busy checkout has
        os.makedirs(str(src / generated), exist_ok=True)
        (src / generated / "generated.yml").write_text("generated: true\n")
    for path in RUN_OUTPUT:
        os.makedirs(os.path.dirname(str(src / path)), exist_ok=True)
        (src / path).write_text("user,arn\n")
    os.makedirs(str(src / ".collections" / "ansible_collections" / "bulwark"), exist_ok=True)
    os.symlink("../../..", str(src / ".collections" / "ansible_collections" / "bulwark" / "aws"))

    out = tmp / "out"
    galaxy("collection", "build", "--output-path", str(out), str(src), cwd=tmp, collections_path=tmp / "none")
    tarball = out / ("%s-%s-%s.tar.gz" % (GALAXY["namespace"], GALAXY["name"], GALAXY["version"]))
    assert tarball.is_file(), os.listdir(str(out))
    with tarfile.open(str(tarball)) as tar:
        names = tar.getnames()

    installed = tmp / "installed"
    galaxy("collection", "install", "--offline", "-p", str(installed), str(tarball), cwd=tmp, collections_path=installed)
    return tarball, names, installed / "ansible_collections" / GALAXY["namespace"] / GALAXY["name"]


def test_galaxy_yml_identity():
    assert (GALAXY["namespace"], GALAXY["name"], GALAXY["version"]) == ("bulwark", "aws", "0.1.0")
    # The user agent the modules send names the collection version.
    assert aws.COLLECTION_VERSION == GALAXY["version"]


def test_build_ignore_lists_generated_output():
    ignored = set(GALAXY.get("build_ignore") or [])
    for path in GENERATED:
        assert path in ignored, "galaxy.yml build_ignore misses %s" % path


def test_tarball_has_no_run_output(built):
    _tarball, names, _installed = built
    leaked = [n for n in names if "bulwark-reports" in n or "credential-report" in n or "/reports/" in n]
    assert leaked == []


def test_tarball_has_what_users_need(built):
    _tarball, names, _installed = built
    for path in REQUIRED:
        assert any(n == path or n.startswith(path + "/") for n in names), "%s missing from the tarball" % path
    modules = [n for n in names if n.startswith("plugins/modules/") and n.endswith(".py")]
    assert modules, "no module in the tarball"


def test_tarball_has_no_generated_output(built):
    _tarball, names, _installed = built
    for path in GENERATED:
        leaked = [n for n in names if n == path or n.startswith(path + "/")]
        assert not leaked, "generated output in the tarball: %s" % leaked[:5]
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".tar.gz"))]


def test_installed_manifest(built):
    _tarball, _names, installed = built
    with open(str(installed / "MANIFEST.json")) as f:
        info = json.load(f)["collection_info"]
    assert info["namespace"] == "bulwark"
    assert info["name"] == "aws"
    assert info["version"] == "0.1.0"
    assert info["dependencies"] == {}


def test_installed_collection_is_usable(built):
    """ansible-doc finds a module of the installed copy (its doc fragment included)."""
    _tarball, _names, installed = built
    collections_path = installed.parent.parent.parent
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections_path), ANSIBLE_NOCOLOR="1")
    env.pop("ANSIBLE_CONFIG", None)
    run = subprocess.run([os.path.join(BIN, "ansible-doc"), "--json", "-t", "module",
                          "bulwark.aws.iam_password_policy_check"], cwd=str(collections_path), env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)["bulwark.aws.iam_password_policy_check"]["doc"]
    assert doc["filename"].startswith(str(installed))
    assert "endpoint_url" in doc["options"]  # from the bulwark.aws.connection doc fragment
