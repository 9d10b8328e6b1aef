"""Fixtures shared by unit and integration tests. Tests talk to moto only."""

import json
import os
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(REPO, ".collections")
_LINK = os.path.join(COLLECTIONS, "ansible_collections", "bulwark", "aws")
if not os.path.exists(_LINK):  # `make` creates it too; a bare `pytest` must work as well
    os.makedirs(os.path.dirname(_LINK), exist_ok=True)
    os.symlink(os.path.relpath(REPO, os.path.dirname(_LINK)), _LINK)
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)

from tests.support.moto_server import TEST_CREDENTIALS, MotoServer  # noqa: E402


@pytest.fixture(autouse=True)
def _offline_aws(monkeypatch):
    """Every test starts with fake credentials and no path to real AWS configuration."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
                 "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("BULWARK_BASELINE", raising=False)  # a report test never compares with the user's runs
    for name, value in TEST_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="session")
def _moto_server():
    server = MotoServer().start()
    yield server
    server.stop()


@pytest.fixture
def moto_server(_moto_server, monkeypatch):
    """A moto_server on 127.0.0.1 (free port), reset before each test; AWS_ENDPOINT_URL points at it."""
    _moto_server.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL", _moto_server.url)
    return _moto_server


class ModuleResult(dict):
    def statuses(self):
        return dict((f["control"], f["status"]) for f in self.get("findings", []))

    def by_control(self, control):
        return [f for f in self.get("findings", []) if f["control"] == control]


def _run(main, args, check_mode=False, diff=False):
    from ansible.module_utils.testing import patch_module_args

    args = dict(args or {})
    if check_mode:
        args["_ansible_check_mode"] = True
    if diff:
        args["_ansible_diff"] = True
    import io
    from contextlib import redirect_stdout

    out = io.StringIO()
    with patch_module_args(args), redirect_stdout(out):
        with pytest.raises(SystemExit):
            main()
    result = ModuleResult(json.loads(out.getvalue()))
    FIXED_SEEN.update(f["control"] for f in result.get("findings", []) if f.get("status") == "fixed")
    return result


# --- every fix the catalogue promises is performed by a test ---------------------------------
# A control remediated `auto` or `opt_in` must end `fixed` in at least one unit test (moto or
# botocore's Stubber), else the catalogue promises what no code does. Checked when the whole
# tests/unit suite ran, over every xdist worker; a missing one fails the session.
FIXED_SEEN = set()


def _whole_unit_suite(config):
    unit = os.path.join(REPO, "tests", "unit")
    args = [os.path.abspath(a).rstrip(os.sep) for a in config.args]
    return (args == [unit] and not config.getoption("keyword") and not config.getoption("markexpr")
            and not config.getoption("lf", False) and not config.getoption("deselect", None))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    FIXED_SEEN.update(getattr(node, "workeroutput", {}).get("fixed", []))


def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput"):  # an xdist worker: its share goes to the controller
        session.config.workeroutput["fixed"] = sorted(FIXED_SEEN)
        return
    if exitstatus != 0 or not _whole_unit_suite(session.config):
        return
    from ansible_collections.bulwark.aws.plugins.module_utils.core import controls

    promised = [c.id for c in controls.all_controls() if c.remediation_kind in ("auto", "opt_in")]
    missing = [c for c in promised if c not in FIXED_SEEN]
    if missing:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        reporter.write_line("FAILED catalogue promises a fix that no unit test performs (no `fixed` finding): %s"
                            % ", ".join(missing), red=True)
        session.exitstatus = 1


@pytest.fixture
def run_module():
    """run_module(module.main, {args}, check_mode=False, diff=False) -> the module's result dict."""
    return _run
