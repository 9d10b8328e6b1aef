# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Attributes of the bulwark.aws modules that are action plugins on the controller and never call AWS."""

    DOCUMENTATION = r"""
attributes:
  check_mode:
    support: full
    description: Runs the same in check mode; what it writes is on the controller, not in AWS.
  diff_mode:
    support: none
    description: Changes nothing in AWS, so there is no diff.
  platform:
    support: full
    platforms: controller
    description: An action plugin; it runs on the controller whatever the host.
"""
