"""Remediation texts name role variables users can set: every bulwark_* name they mention exists."""

import os
import re

import yaml

from ansible_collections.bulwark.aws.plugins.module_utils.core import controls

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def role_variables():
    names = set()
    for role in os.listdir(os.path.join(REPO, "roles")):
        path = os.path.join(REPO, "roles", role, "defaults", "main.yml")
        if os.path.exists(path):
            with open(path) as f:
                names |= set(yaml.safe_load(f) or {})
    return names


def test_remediation_texts_name_existing_variables():
    known = role_variables()
    missing = []
    for control in controls.all_controls():
        for name in re.findall(r"bulwark_[a-z0-9_]+", control.remediation):
            if name not in known:
                missing.append((control.id, name))
    assert not missing, missing
