"""A bad VPC input fails before any AWS call, with one line naming the variable."""

import re

import pytest


@pytest.mark.parametrize(
    "extra_vars, expected",
    [
        (['vpc_cidr=10.0.0.7/16'], "vpc_cidr: '10.0.0.7/16' is not an IPv4 network"),
        (['{"vpc_private_subnet_cidrs": ["10.9.2.0/24", "10.0.3.0/24"]}'], "vpc_private_subnet_cidrs: 10.9.2.0/24 is outside vpc_cidr"),
        (['{"vpc_isolated_subnet_cidrs": ["10.0.0.0/23", "10.0.5.0/24"]}'],
         "vpc_isolated_subnet_cidrs: 10.0.0.0/23 overlaps a subnet of vpc_public_subnet_cidrs"),
        (['vpc_az_count=3'], "vpc_public_subnet_cidrs: has 2 subnets but the VPC spans 3 availability zones"),
        (['{"vpc_azs": ["us-east-1a"]}'], "vpc_azs: names 1 zones but vpc_az_count is 2"),
        (['vpc_flow_log_retention_days=42'], "vpc_flow_log_retention_days"),
    ],
)
def test_bad_vpc_input_fails_first_naming_the_variable(run_site, extra_vars, expected):
    result = run_site(*extra_vars)
    assert result.returncode != 0
    assert expected in result.stdout, result.stdout[-2000:]
    assert "EndpointConnectionError" not in result.stdout and "Could not connect" not in result.stdout
    assert re.search(r"localhost\s*: ok=\d+\s+changed=0\s", result.stdout)
