"""describe_error: the one line an error finding carries, whatever the endpoint answered."""

import pytest
from botocore.exceptions import ClientError

from ansible_collections.bulwark.aws.plugins.module_utils.core.aws import describe_error

HTML_500 = ("<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>"
            "\n<p>The server encountered an internal error and was unable to complete your request.</p>")
HTML_404 = "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1><p>The requested URL</p>"


def error(code, message, operation, status=400):
    return ClientError({"Error": {"Code": code, "Message": message},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, operation)


@pytest.mark.parametrize("exc,service,expected", [
    (error("500", HTML_500, "ListAnalyzers", 500), "access-analyzer",
     "access-analyzer ListAnalyzers failed: 500 (Internal Server Error); this endpoint does not implement the call"),
    (error("404", HTML_404, "GetEnabledStandards", 404), "securityhub",
     "securityhub GetEnabledStandards failed: 404 (Not Found); this endpoint does not implement the call"),
    (error("500", "<html><body>oops</body></html>", "ListDetectors", 500), "guardduty",
     "guardduty ListDetectors failed: 500; this endpoint does not implement the call"),
    (error("AccessDenied", "User: arn:aws:iam::1:user/x is not authorized.\n", "ListDetectors"), "guardduty",
     "guardduty ListDetectors failed: AccessDenied (User: arn:aws:iam::1:user/x is not authorized); "
     "grant guardduty:ListDetectors to the identity running bulwark (see docs/policies/)"),
])
def test_one_plain_line(exc, service, expected):
    text = describe_error(exc, service)
    assert text == expected
    assert "\n" not in text and "<" not in text
