"""A PNG of a report.html as a browser shows it: headless chromium, the top of the page in a
1280 x 900 window (docs/images/report-html.png is the demo's verify run).

    python scripts/report_screenshot.py bulwark-reports/demo-<time>/3-verify/report.html docs/images/report-html.png
    python scripts/report_screenshot.py report.html findings.png --scroll-to '#findings'
    python scripts/report_screenshot.py report.html page.png --width 1440 --height 1200 --full-page

Chromium is Debian's (scripts/ensure_chromium.sh installs it when missing, as root), driven over
the DevTools protocol by tests/support/cdp.py. Exits 1, writing nothing, when the page reports a
console error, an exception or a Content-Security-Policy violation.
"""

import argparse
import base64
import json
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from tests.support.cdp import Chromium, find_chromium  # noqa: E402


def screenshot(report_html, png, width=1280, height=900, full_page=False, scroll_to=None):
    """Write the PNG of ``report_html`` to ``png``, the window scrolled to the element ``scroll_to``
    (a CSS selector) when given; [] or the problems the page reported (then no PNG)."""
    executable, why_not = find_chromium()
    if not executable:
        raise SystemExit(why_not)
    browser = Chromium(executable, width=width, height=height)
    try:
        browser.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                     mobile=False)
        browser.navigate("file://" + os.path.abspath(report_html))
        if scroll_to:
            found = browser.evaluate("(function () { var e = document.querySelector(%s); if (e) { e.scrollIntoView(); }"
                                     " return !!e; })()" % json.dumps(scroll_to))
            if not found:
                return ["no element matches %s" % scroll_to]
        problems = browser.problems()
        if problems:
            return problems
        data = browser.call("Page.captureScreenshot", format="png", captureBeyondViewport=full_page)["data"]
    finally:
        browser.close()
    os.makedirs(os.path.dirname(os.path.abspath(png)), exist_ok=True)
    with open(png, "wb") as out:
        out.write(base64.b64decode(data))
    return []


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report_html", help="the report.html to open")
    parser.add_argument("png", help="where to write the PNG")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--full-page", action="store_true", help="the whole page, not only the window")
    parser.add_argument("--scroll-to", metavar="SELECTOR", help="scroll this element (a CSS selector) to the top first")
    args = parser.parse_args(argv)
    if not os.path.isfile(args.report_html):
        parser.error("no such file: %s" % args.report_html)
    problems = screenshot(args.report_html, args.png, args.width, args.height, args.full_page, args.scroll_to)
    if problems:
        print("the page reported problems, no screenshot written:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    print("%s (%d bytes)" % (args.png, os.path.getsize(args.png)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
