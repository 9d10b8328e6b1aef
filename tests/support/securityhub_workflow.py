"""EMULATION for tests: Security Hub BatchUpdateFindings, which moto 5.2 does not implement.

moto answers it 404 ("Not yet implemented"). bulwark.aws.securityhub_export calls it to set the
workflow of the findings it resolves, so ``install()`` adds it to moto's Security Hub: the URL
and a response method that sets Workflow.Status on moto's stored findings. mock_aws and
tests/support/moto_server.py both call install(); nothing in plugins/ knows of it.

What is emulated, as AWS documents it: FindingIdentifiers (Id and ProductArn must both match a
stored finding, else an UnprocessedFindings entry FindingNotFound) and Workflow.Status. Not
emulated: the other updatable fields (Note, Severity, VerificationState, ...), which the
product does not send. The request shape is also held by botocore's Stubber in
tests/unit/test_securityhub_export.py.
"""

import json

URL_PATH = "{0}/findings/batchupdate$"


def batch_update_findings(response):
    """SecurityHubResponse.batch_update_findings: the emulated answer."""
    body = json.loads(response.body.decode("utf-8") if isinstance(response.body, bytes) else response.body)
    status = (body.get("Workflow") or {}).get("Status")
    stored = dict((f.id, f) for f in response.securityhub_backend.findings)
    processed, unprocessed = [], []
    for ident in body.get("FindingIdentifiers") or []:
        finding = stored.get(ident.get("Id"))
        if finding is None or finding.data.get("ProductArn") != ident.get("ProductArn"):
            unprocessed.append({"FindingIdentifier": ident, "ErrorCode": "FindingNotFound",
                                "ErrorMessage": "Finding Not Found"})
            continue
        if status:
            finding.data["Workflow"] = {"Status": status}
        processed.append(ident)
    return json.dumps({"ProcessedFindings": processed, "UnprocessedFindings": unprocessed})


def install():
    """Add the emulated BatchUpdateFindings to moto (idempotent); call before mock_aws starts or
    before moto_server builds its Security Hub application."""
    from moto.securityhub import responses, urls

    urls.url_paths.setdefault(URL_PATH, responses.SecurityHubResponse.dispatch)
    responses.SecurityHubResponse.batch_update_findings = batch_update_findings
