"""The report package keeps its seams (plugins/plugin_utils/report/): collect builds the document,
render turns it into the three files' contents, write puts them on disk, gate decides the exit,
summary builds the end-of-run lines; frameworks and changes build the v2 views, baseline reads
the previous report. Each module imports only the jobs before it, and only write
touches the file system."""

import ast
import datetime
import os

import pytest

from ansible_collections.bulwark.aws.plugins.module_utils.core.findings import finding
from ansible_collections.bulwark.aws.plugins.plugin_utils.report import collect, gate, html, render, summary, write

PACKAGE = os.path.dirname(collect.__file__)
PREFIX = "ansible_collections.bulwark.aws.plugins.plugin_utils.report"
# module -> the modules of the package it may import.
ALLOWED = {
    "text": set(),
    "frameworks": set(),
    "changes": set(),
    "baseline": set(),
    "collect": {"text", "frameworks", "changes"},
    "render": {"collect", "text"},
    "html": {"collect"},
    "write": {"render", "html"},
    "merge": {"collect", "frameworks", "changes"},
    "gate": set(),
    "summary": {"collect", "render", "gate", "text"},
    "__init__": {"gate", "write"},
}
NOW = datetime.datetime(2026, 3, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)


def _imports(name):
    with open(os.path.join(PACKAGE, name + ".py")) as fh:
        tree = ast.parse(fh.read())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PREFIX):
            rest = node.module[len(PREFIX):].lstrip(".")
            out |= {rest} if rest else {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return out


def test_the_package_holds_these_modules_only():
    names = sorted(n[:-3] for n in os.listdir(PACKAGE) if n.endswith(".py"))
    assert names == sorted(ALLOWED)


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_each_module_imports_only_the_jobs_before_it(name):
    own = {n for n in _imports(name) if n in ALLOWED}
    assert own <= ALLOWED[name], name


@pytest.mark.parametrize("name", sorted(set(ALLOWED) - {"write", "gate", "baseline"}))
def test_only_write_touches_the_file_system(name):
    # gate imports os for os.path.join only (the report.md path in its message); baseline reads
    # the previous report (and writes nothing: test_report_v2.py).
    assert not _imports(name) & {"os", "shutil", "tempfile"}, name
    assert "files" not in _imports(name)


def test_gate_uses_os_path_only():
    with open(os.path.join(PACKAGE, "gate.py")) as fh:
        tree = ast.parse(fh.read())
    uses = {"%s.%s" % (n.value.id, n.attr) for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "os"}
    assert uses == {"os.path"}


def test_write_puts_on_disk_exactly_what_render_returns(tmp_path):
    accounts = [collect.account_section("h", "111111111111", [
        finding("iam.user_mfa", "fail", u"alice \u2713 has no MFA", resource="alice"),
        finding("guardduty.enabled", "drift", "off", resource="gd", region="eu-west-1")])]
    document = collect.build_report(accounts, "check", NOW)
    paths = write.write_report(document, str(tmp_path))
    expected = [render.render_json(document).encode("utf-8"), render.render_markdown(document).encode("utf-8"),
                html.render_html(document).encode("utf-8"), render.render_junit(document)]
    got = []
    for path in paths:
        with open(path, "rb") as fh:
            got.append(fh.read())
    assert [os.path.basename(p) for p in paths] == list(write.FILES)
    assert got == expected


def test_rendering_gating_and_summing_up_write_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    document = collect.build_report([collect.account_section("h", None, failures=["boom"], selected=["root.mfa"])],
                                    "check", NOW)
    render.render_json(document), render.render_markdown(document), render.render_junit(document)
    summary.summary_lines(document, str(tmp_path), gate.gate(document, "", str(tmp_path)))
    assert os.listdir(str(tmp_path)) == []
