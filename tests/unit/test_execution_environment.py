"""The execution environment definitions stay in step with the collection (ansible-builder v3)."""

import os

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load(path):
    with open(os.path.join(REPO, path)) as f:
        return yaml.safe_load(f)


GALAXY = load("galaxy.yml")
TARBALL = "%s-%s-%s.tar.gz" % (GALAXY["namespace"], GALAXY["name"], GALAXY["version"])


def test_ee_installs_the_tarball_make_build_writes():
    ee = load("execution-environment.yml")
    assert ee["version"] == 3 and ee["images"]["base_image"]["name"]
    deps = ee["dependencies"]
    assert deps["ansible_core"]["package_pip"].startswith("ansible-core")
    assert deps["ansible_runner"]["package_pip"] == "ansible-runner"
    assert os.path.isfile(os.path.join(REPO, deps["python"]))
    # additional_build_files copies build/<tarball> to <context>/_build/collections/, the
    # directory ansible-galaxy runs in during the build: the requirement names it relatively.
    [copied] = ee["additional_build_files"]
    assert copied == {"src": "build/" + TARBALL, "dest": "collections"}
    assert deps["galaxy"]["collections"] == [{"name": "collections/" + TARBALL, "type": "file"}]


def test_collection_declares_its_python_dependencies():
    meta = load("meta/execution-environment.yml")
    assert meta["version"] == 3
    requirements = os.path.join(REPO, meta["dependencies"]["python"])
    with open(requirements) as f:
        names = [line.split(">")[0].split("=")[0].strip() for line in f if line.strip() and not line.startswith("#")]
    assert {"boto3", "botocore"} <= set(names)
    # ansible-builder reads the file from the installed collection: it must be in the tarball.
    assert "requirements.txt" not in (GALAXY.get("build_ignore") or [])
