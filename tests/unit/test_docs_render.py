"""ansible-doc renders every module and plugin of the collection, as a user would see it.

One case per plugin: `ansible-doc -t <type> bulwark.aws.<name>` with the checkout found as
bulwark.aws through .collections/ must exit 0 and show the plugin's short_description.
Filter and test plugins are documented per function (plugins/filter/<name>.yml), so every
name a FilterModule / TestModule exports is a case.
"""

import glob
import importlib
import json
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO, ".collections")
PLUGINS = os.path.join(REPO, "plugins")

# plugins/<directory> -> ansible-doc -t <type>. One file is one plugin.
FILE_PLUGINS = {
    "modules": "module",
    "callback": "callback",
    "inventory": "inventory",
    "lookup": "lookup",
    "connection": "connection",
    "become": "become",
    "cache": "cache",
    "cliconf": "cliconf",
    "httpapi": "httpapi",
    "netconf": "netconf",
    "shell": "shell",
    "strategy": "strategy",
    "vars": "vars",
}
# plugins/<directory> -> (type, class, method): one file holds several plugins.
FUNCTION_PLUGINS = {
    "filter": ("filter", "FilterModule", "filters"),
    "test": ("test", "TestModule", "tests"),
}


def _file_plugins():
    cases = []
    for directory, plugin_type in sorted(FILE_PLUGINS.items()):
        for path in sorted(glob.glob(os.path.join(PLUGINS, directory, "*.py"))):
            name = os.path.splitext(os.path.basename(path))[0]
            if name != "__init__":
                cases.append((plugin_type, name))
    return cases


def _function_plugins():
    cases = []
    for directory, (plugin_type, class_name, method) in sorted(FUNCTION_PLUGINS.items()):
        for path in sorted(glob.glob(os.path.join(PLUGINS, directory, "*.py"))):
            module_name = os.path.splitext(os.path.basename(path))[0]
            if module_name == "__init__":
                continue
            module = importlib.import_module("ansible_collections.bulwark.aws.plugins.%s.%s" % (directory, module_name))
            for name in sorted(getattr(getattr(module, class_name)(), method)()):
                cases.append((plugin_type, name))
    return cases


PLUGIN_CASES = _file_plugins() + _function_plugins()


def ansible_doc(*args):
    env = dict(os.environ)
    env["ANSIBLE_COLLECTIONS_PATH"] = COLLECTIONS
    env["ANSIBLE_NOCOLOR"] = "1"
    env["ANSIBLE_FORCE_COLOR"] = "0"
    env["ANSIBLE_CONFIG"] = os.path.join(REPO, "ansible.cfg")
    env.pop("ANSIBLE_COLLECTIONS_PATHS", None)
    env["PAGER"] = "cat"
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-doc")] + list(args)
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)


_LISTINGS = {}
_DOCS = {}


def listing(plugin_type):
    """{fqcn: short_description} of the collection's plugins of a type (ansible-doc -l)."""
    if plugin_type not in _LISTINGS:
        run = ansible_doc("--json", "-t", plugin_type, "-l", "bulwark.aws")
        assert run.returncode == 0, run.stderr
        _LISTINGS[plugin_type] = json.loads(run.stdout)
    return _LISTINGS[plugin_type]


def doc_of(plugin_type, fqcn):
    """The plugin's documentation from ansible-doc --json: one call for every plugin of a type;
    when that fails (one broken plugin fails it all), one call for this plugin, so the failure
    names the plugin at fault."""
    if plugin_type not in _DOCS:
        names = ["bulwark.aws.%s" % name for kind, name in PLUGIN_CASES if kind == plugin_type]
        run = ansible_doc("--json", "-t", plugin_type, *names)
        ok = run.returncode == 0 and "[WARNING]" not in run.stderr
        _DOCS[plugin_type] = dict((k, v["doc"]) for k, v in json.loads(run.stdout).items()) if ok else None
    if _DOCS[plugin_type] is not None:
        return _DOCS[plugin_type].get(fqcn)
    run = ansible_doc("--json", "-t", plugin_type, fqcn)
    assert run.returncode == 0, "ansible-doc --json -t %s %s failed:\n%s" % (plugin_type, fqcn, run.stderr)
    assert "[WARNING]" not in run.stderr, run.stderr
    return json.loads(run.stdout)[fqcn]["doc"]


def squash(text):
    return " ".join(text.split())


def test_there_is_something_to_render():
    assert any(plugin_type == "module" for plugin_type, _name in PLUGIN_CASES)


@pytest.mark.parametrize("plugin_type,name", PLUGIN_CASES, ids=["%s:%s" % case for case in PLUGIN_CASES])
def test_ansible_doc_renders(plugin_type, name):
    fqcn = "bulwark.aws.%s" % name
    doc = doc_of(plugin_type, fqcn)
    assert doc, "ansible-doc --json -t %s %s returned no documentation" % (plugin_type, fqcn)
    short = (doc.get("short_description") or "").strip()
    assert short, "%s has no short_description" % fqcn
    description = doc.get("description") or []
    if isinstance(description, str):
        description = [description]
    assert description, "%s has no description" % fqcn

    # The listing users browse shows the short description.
    assert squash(listing(plugin_type).get(fqcn) or "") == squash(short)

    # The text view renders (ansible-doc formats O(), V(), C() markup on the way) and shows the
    # plugin and its description; it wraps lines, so compare with whitespace collapsed.
    text = ansible_doc("-t", plugin_type, fqcn)
    assert text.returncode == 0, "ansible-doc -t %s %s failed:\n%s" % (plugin_type, fqcn, text.stderr)
    assert "[WARNING]" not in text.stderr, text.stderr
    rendered = squash(text.stdout)
    assert fqcn in rendered
    plain_words = [w for w in squash(description[0]).split(" ") if w.isalpha()][:4]
    for word in plain_words:
        assert word in rendered, text.stdout[:2000]
