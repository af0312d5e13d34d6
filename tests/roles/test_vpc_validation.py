"""A bad VPC input fails before any AWS call, with one line naming the variable.

Every rule about the network's values is the vpc_settings_errors filter's (the address plan's through vpc_plan_errors),
tested in tests/unit/plugins/filter/test_network.py and test_settings_errors.py; here, one of them shows the filter
stops site.yml, and the argument spec's retention choices are shown the same way.
"""

import re

import pytest


@pytest.mark.parametrize(
    "extra_vars, expected",
    [
        (['{"vpc_isolated_subnet_cidrs": ["10.0.0.0/23", "10.0.5.0/24"]}'],
         "vpc_isolated_subnet_cidrs: 10.0.0.0/23 overlaps a subnet of vpc_public_subnet_cidrs"),
        (['vpc_flow_log_retention_days=42'], "vpc_flow_log_retention_days"),
    ],
)
def test_bad_vpc_input_fails_first_naming_the_variable(run_site, extra_vars, expected):
    result = run_site(*extra_vars)
    assert result.returncode != 0
    assert expected in result.stdout, result.stdout[-2000:]
    assert "EndpointConnectionError" not in result.stdout and "Could not connect" not in result.stdout
    assert re.search(r"localhost\s*: ok=\d+\s+changed=0\s", result.stdout)
