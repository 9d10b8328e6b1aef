# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The organization inventory's cache: what an entry is keyed by (the configuration file, plus
everything that changes what is read, never a secret itself) and which entries are still usable."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json

# 2: ou_path escapes / and \ inside OU names; accounts have ou_names; the OU tree's paths are kept.
CACHE_FORMAT = 2


def cache_key(file_key, params, include_tags, filters, exclude_filters):
    """``file_key`` (the configuration file's key) and a digest of what is read with ``params``
    (the connection parameters) and the options."""
    scope = dict(profile=params["profile"], region=params["region"], endpoint_url=params["endpoint_url"],
                 access_key=params["access_key"], include_tags=include_tags,
                 filters=filters, exclude_filters=exclude_filters)
    digest = hashlib.sha256(json.dumps(scope, sort_keys=True, default=str).encode("utf-8")).hexdigest()[:12]
    return "%s_%s" % (file_key, digest)


def cached(cache, key):
    """The data cached under ``key``; None when there is none, or it is of another format (written
    by another version of the plugin)."""
    try:
        data = cache[key]
    except KeyError:
        return None
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
        return None
    return data
