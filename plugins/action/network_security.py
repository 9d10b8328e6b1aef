# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action of bulwark.aws.network_security: in a bulwark.aws role it plans the module for the account run
(plugin_utils/account_run.py), elsewhere it runs the module."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.plugin_utils.account_run import StepAction


class ActionModule(StepAction):
    pass
