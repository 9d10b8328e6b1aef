"""The molecule scenarios pass the seed's owner values (tests/support/seed.playbook_vars())."""

import os

import pytest
import yaml

from tests.support import seed

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.parametrize("scenario", ["default", "audit"])
def test_molecule_seed_vars_match_the_seed(scenario):
    with open(os.path.join(REPO, "extensions", "molecule", scenario, "molecule.yml")) as f:
        config = yaml.safe_load(f)
    host = config["provisioner"]["inventory"]["hosts"]["all"]["hosts"]["localhost"]
    assert host["moto_seed_vars"] == seed.playbook_vars()
    assert config["driver"]["options"]["managed"] is False
