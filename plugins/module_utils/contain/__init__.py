# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Incident containment (playbooks/contain.yml): steps.py (the steps a containment reports and
the writes it makes or would make, shared by iam_contain and ec2_contain), addresses.py
(block_ips, also checked by contain.yml's filter before any call), ec2.py (bulwark.aws.ec2_contain)."""
