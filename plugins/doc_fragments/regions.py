# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The options of the modules that work region by region (core/regions.REGIONS_ARGUMENT_SPEC).
    A module says what its regions are for by giving its own O(regions) description."""

    DOCUMENTATION = r"""
options:
  regions:
    description:
      - Only these regions (names botocore knows, in the home region's partition). Default, every region
        enabled for the account.
      - A listed opt-in region that is not enabled is skipped with a warning.
    type: list
    elements: str
  region_concurrency:
    description: Regions worked on at the same time (1 to 64).
    type: int
    default: 32
"""
