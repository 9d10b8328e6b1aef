# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read-only incident investigation (bulwark.aws.investigate_principal, playbooks/investigate.yml):
run.py (options, input check, body), timeline.py (CloudTrail LookupEvents), inventory.py (what
exists), evidence.py (the evidence directory)."""
