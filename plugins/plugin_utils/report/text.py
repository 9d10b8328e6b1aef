# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Text the report shows: one line, bounded, writable as UTF-8, whatever a host kept."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.module_utils.common.text.converters import to_text

MESSAGE_LIMIT = 2000
ELLIPSIS = u"\u2026"
_SURROGATE = re.compile(u"[\ud800-\udfff]")


def one_line(value, limit=MESSAGE_LIMIT):
    """``value`` as text: no line break, a lone surrogate replaced (it cannot be written as
    UTF-8), at most ``limit`` characters, the last one an ellipsis when it was cut."""
    text = to_text(value if value is not None else "", errors="surrogate_or_replace")
    text = _SURROGATE.sub(u"\ufffd", text)
    text = " ".join(text.split()) if "\n" in text or "\r" in text else text
    return text if len(text) <= limit else text[:limit - 1] + ELLIPSIS
