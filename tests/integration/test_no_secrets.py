"""No secret leaves through output, reports or logs.

harden.yml (audit, then apply with the opt-in admin user whose password is generated),
contain.yml and investigate.yml run with -vvv on the insecure seed; stdout, stderr, the Ansible
log file and every file written under the test's directory (drift reports, credential report
exports, evidence, the investigation's evidence directory)
are searched for every secret the seed created (tests/support/seed.SECRETS: secret access
keys, console passwords), the test credentials' secret key and the generated admin password.
The one file allowed to hold a secret is the admin password file, and it is mode 0600.
"""

import os
import stat

from tests.support import seed
from tests.support.moto_server import TEST_CREDENTIALS
from tests.support.playbook import REPO, run_playbook

SECRET_FILE = "admin-password"


def scan(texts, secrets):
    """[(where, secret prefix)] for every secret found in any text."""
    return [(where, secret[:4] + "...") for where, text in texts.items() for secret in secrets if secret in text]


def files_under(root, skip=()):
    out = {}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            if path in skip or os.path.islink(path):
                continue
            with open(path, "rb") as f:
                out[os.path.relpath(path, root)] = f.read().decode("utf-8", "replace")
    return out


def test_scanner_finds_what_it_looks_for(tmp_path):
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "report.json").write_text('{"message": "key wJalrXUtnFEMI/K7MDENG leaked"}')
    found = scan(dict(files_under(str(tmp_path)), stdout="nothing here"), {"wJalrXUtnFEMI/K7MDENG"})
    assert found == [(os.path.join("reports", "report.json"), "wJal...")]


def test_no_secret_in_output_reports_or_logs(moto_server, tmp_path):
    seed.seed("insecure", moto_server.url)
    secrets = set(seed.SECRETS) | {TEST_CREDENTIALS["AWS_SECRET_ACCESS_KEY"]}
    secret_keys = [s for s in seed.SECRETS if s != seed.CONSOLE_PASSWORD]
    assert len(secret_keys) >= 4 and seed.CONSOLE_PASSWORD in secrets  # the seed really made secrets
    work = tmp_path / "work"
    (work / "secrets").mkdir(parents=True)
    password_file = str(work / "secrets" / SECRET_FILE)
    log = str(work / "ansible.log")
    env = moto_server.env()
    extra = {"ANSIBLE_LOG_PATH": log, "BULWARK_EVIDENCE_DIR": str(work / "evidence")}

    texts = {}
    runs = [
        ("audit", ["--check"]),
        ("apply", ["-e", "bulwark_iam_create_admin_group=true", "-e", "bulwark_iam_admin_user=ops-admin",
                   "-e", "bulwark_iam_admin_user_password_file=%s" % password_file]),
    ]
    for name, args in runs:
        run = run_playbook("harden.yml", env, "-vvv", *args, report_dir=work / name, extra_env=extra)
        assert run.returncode == 0, run
        texts["%s stdout" % name], texts["%s stderr" % name] = run.stdout, run.stderr

    # The generated admin password exists only in its file, readable by the operator alone.
    assert os.path.isfile(password_file), "the apply did not create the admin user's password file"
    assert stat.S_IMODE(os.stat(password_file).st_mode) == 0o600
    with open(password_file) as f:
        password = f.read().strip()
    assert len(password) >= 16
    secrets.add(password)

    if os.path.exists(os.path.join(REPO, "playbooks", "contain.yml")):
        for name, args in (("contain-check", ["--check"]), ("contain", [])):
            run = run_playbook("playbooks/contain.yml", env, "-vvv", "-e", "user=bob-two-keys", *args,
                               report_dir=work / name, extra_env=extra)
            assert "iam_contain" in run.stdout, run  # the containment module really ran
            texts["%s stdout" % name], texts["%s stderr" % name] = run.stdout, run.stderr

    # investigate.yml writes its evidence (timeline, inventory, summary) under its report directory.
    # moto_server lacks LookupEvents: the run ends with exit status 2 after writing the evidence.
    run = run_playbook("playbooks/investigate.yml", env, "-vvv", "-e", "user=bob-two-keys",
                       report_dir=work / "investigate", extra_env=dict(extra, AWS_MAX_ATTEMPTS="2"))
    assert os.path.isfile(str(work / "investigate" / "investigation" / "inventory.json")), run
    texts["investigate stdout"], texts["investigate stderr"] = run.stdout, run.stderr

    assert os.path.getsize(log) > 0
    texts.update(files_under(str(work), skip={password_file}))
    assert any(path.endswith("report.json") for path in texts)
    assert scan(texts, secrets) == []


def test_connection_secrets_are_no_log():
    """Ansible masks a no_log option's value everywhere it would print it. (Modules' own
    options with secret-like names are checked by ansible-test's validate-modules: no-log-needed.)"""
    from ansible_collections.bulwark.aws.plugins.module_utils.core import aws

    for option in ("secret_key", "session_token", "external_id"):
        assert aws.AWS_ARGUMENT_SPEC[option].get("no_log") is True, option
