# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""UTC times as bulwark.aws writes them in evidence and results: 2026-12-06T14:00:00Z."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utc_now():
    """Now, in UTC, to the second."""
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def utc_text(value):
    """A datetime as UTC text (a naive one is taken as UTC); anything else as it is."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.astimezone(datetime.timezone.utc).strftime(TIME_FORMAT)
    return value
