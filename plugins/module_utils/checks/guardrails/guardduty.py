# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""guardduty.enabled of account_guardrails, per region: one detector, enabled, publishing at the
frequency asked, with the protection features asked for."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.bulwark.aws.plugins.module_utils.core import aws
from ansible_collections.bulwark.aws.plugins.module_utils.checks.guardrails.common import GUARDDUTY, R_DETECTOR, report


def guardduty_feature_names():
    import botocore.session

    model = botocore.session.get_session().get_service_model("guardduty")
    return list(model.shape_for("DetectorFeature").enum)


def check_guardduty(run):
    gd = run.client("guardduty")
    frequency = run.params["guardduty_finding_publishing_frequency"]
    features = run.params["guardduty_features"]
    detector_ids = sorted(aws.paginate(gd, "list_detectors", "DetectorIds"))
    if not detector_ids:
        create = dict(Enable=True, FindingPublishingFrequency=frequency)
        if features:
            create["Features"] = [{"Name": f, "Status": "ENABLED"} for f in features]
        report(run, GUARDDUTY, R_DETECTOR, ["no GuardDuty detector"],
               ["guardduty:CreateDetector"],
               lambda: gd.create_detector(**create))
        return
    detector_id = detector_ids[0]  # one detector per region: never a second one
    resource = "detector/%s" % detector_id
    detector = gd.get_detector(DetectorId=detector_id)
    current_features = dict((f.get("Name"), f.get("Status")) for f in detector.get("Features") or [])
    problems, update = [], {}
    if detector.get("Status") != "ENABLED":
        problems.append("the detector is suspended")
        update["Enable"] = True
    if detector.get("FindingPublishingFrequency") != frequency:
        problems.append("findings are published every %s, not %s" % (
            detector.get("FindingPublishingFrequency"), frequency))
        update["FindingPublishingFrequency"] = frequency
    off = [f for f in features if current_features.get(f) != "ENABLED"]
    if off:
        problems.append("protection %s off" % ", ".join(off))
        update["Features"] = [{"Name": f, "Status": "ENABLED"} for f in off]
    if not problems:
        run.add(GUARDDUTY, "pass", "GuardDuty is enabled (%s%s)" % (
            frequency, ", " + ", ".join(features) if features else ""), resource=resource)
        return
    report(run, GUARDDUTY, resource, problems, ["guardduty:UpdateDetector"],
           lambda: gd.update_detector(DetectorId=detector_id, **update))
