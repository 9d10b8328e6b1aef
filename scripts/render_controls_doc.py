"""Write docs/controls.md from the control catalogue (make docs). --check: exit 1 when stale."""

import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, ".collections"))

from ansible_collections.bulwark.aws.plugins.module_utils.core import controls  # noqa: E402

TARGET = os.path.join(REPO, "docs", "controls.md")


def main(argv):
    text = controls.render_markdown() + "\n"
    if "--check" in argv:
        with open(TARGET) as f:
            if f.read() != text:
                print("docs/controls.md is stale: run make docs")
                return 1
        return 0
    with open(TARGET, "w") as f:
        f.write(text)
    print("wrote docs/controls.md (%d controls)" % len(controls.CONTROLS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
