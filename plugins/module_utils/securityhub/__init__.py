# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Security Hub export (module bulwark.aws.securityhub_export): asff.py (a finding as ASFF)
and export.py (what to send and sending it)."""
