"""EC2 VPCs, subnets and route tables: DHCP options, filters and members as the EC2 API reference describes them."""

from __future__ import annotations

import functools
from typing import Any

from localenv.fidelity import entry

EC2_API = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference"
DEFAULT_DHCP = "_shoppulse_default_dhcp_options"


def _models() -> Any:
    from moto.ec2 import models  # pylint: disable=import-outside-toplevel  # patched at start, before serving

    return models


def default_dhcp_options(backend: Any) -> Any:
    """The Region's default DHCP option set, made on first use: Amazon's DNS server and the Region's internal domain."""
    options = backend.__dict__.get(DEFAULT_DHCP)
    if options is None:
        region = backend.region_name
        domain = "ec2.internal" if region == "us-east-1" else f"{region}.compute.internal"
        options = backend.create_dhcp_options(domain_name_servers=["AmazonProvidedDNS"], domain_name=[domain])
        backend.__dict__[DEFAULT_DHCP] = options
    return options


@entry(
    key="ec2-vpc-default-dhcp-options",
    api="CreateVpc, DescribeVpcs, DescribeDhcpOptions, DeleteVpc",
    moto="a new VPC (the default VPC included) reports `DhcpOptionsId: default` and no DHCP option set exists, so the "
    "`dhcp-options-id` filter of `DescribeVpcs` matches nothing",
    aws="every Region has a default DHCP option set (`dopt-...`: `domain-name-servers` AmazonProvidedDNS, `domain-name` "
    "`ec2.internal` in us-east-1, `<region>.compute.internal` elsewhere) that new VPCs are associated with; "
    "`AssociateDhcpOptions` with `default` leaves a VPC with no options (`DhcpOptionsId: default`); deleting a VPC "
    "keeps its option set",
    reference=f"{EC2_API}/API_CreateVpc.html",
)
def vpc_default_dhcp_options() -> None:
    models = _models()
    backend_class = models.vpcs.VPCBackend
    original_create, original_delete = backend_class.create_vpc, backend_class.delete_vpc

    @functools.wraps(original_create)
    def create_vpc(self: Any, *args: Any, **kwargs: Any) -> Any:
        vpc = original_create(self, *args, **kwargs)
        self.associate_dhcp_options(default_dhcp_options(self), vpc)
        return vpc

    @functools.wraps(original_delete)
    def delete_vpc(self: Any, vpc_id: str) -> Any:
        vpc = self.vpcs.get(vpc_id)
        options = vpc.dhcp_options if vpc is not None else None
        if options is not None:
            vpc.dhcp_options = None  # moto deletes a deleted VPC's option set; AWS keeps it
        try:
            return original_delete(self, vpc_id)
        except Exception:
            if vpc is not None:
                vpc.dhcp_options = options
            raise
        finally:
            if options is not None and options.vpc is vpc:
                options.vpc = next((other for other in self.vpcs.values() if other.dhcp_options is options), None)

    backend_class.create_vpc = create_vpc
    backend_class.delete_vpc = delete_vpc


_SUBNET_IPV6_FILTERS = {
    "ipv6-cidr-block-association.ipv6-cidr-block": lambda association: association["ipv6CidrBlock"],
    "ipv6-cidr-block-association.association-id": lambda association: association["associationId"],
    "ipv6-cidr-block-association.state": lambda association: association["ipv6CidrBlockState"]["State"],
}


@entry(
    key="ec2-describe-subnets-ipv6-filters",
    api="DescribeSubnets",
    moto="the `ipv6-cidr-block-association.ipv6-cidr-block`, `.association-id` and `.state` filters are not implemented: "
    "HTTP 500",
    aws="the filters match a subnet by any of its IPv6 CIDR block associations",
    reference=f"{EC2_API}/API_DescribeSubnets.html",
)
def describe_subnets_ipv6_filters() -> None:
    subnet_class = _models().subnets.Subnet
    original = subnet_class.get_filter_value

    @functools.wraps(original)
    def get_filter_value(self: Any, filter_name: str, method_name: str | None = None) -> Any:
        read = _SUBNET_IPV6_FILTERS.get(filter_name)
        if read is not None:
            return [read(association) for association in self.ipv6_cidr_block_associations.values()]
        return original(self, filter_name, method_name)

    subnet_class.get_filter_value = get_filter_value


@entry(
    key="ec2-route-tables-gateway-association",
    api="DescribeRouteTables",
    moto="the `association.gateway-id` filter is not implemented (HTTP 500), `association.subnet-id` also matches a "
    "gateway's association, and route tables have no `PropagatingVgws`",
    aws="`association.gateway-id` matches a table by the gateways associated with it (edge associations) and "
    "`association.subnet-id` by its subnets; each table lists `PropagatingVgws`, the virtual private gateways "
    "propagating routes to it (none here: moto has no route propagation)",
    reference=f"{EC2_API}/API_DescribeRouteTables.html",
)
def route_tables_gateway_association() -> None:
    table_class = _models().route_tables.RouteTable
    original = table_class.get_filter_value

    @functools.wraps(original)
    def get_filter_value(self: Any, filter_name: str, method_name: str | None = None) -> Any:
        targets = list(self._associations.values())  # pylint: disable=protected-access
        if filter_name == "association.gateway-id":
            return [target for target in targets if not target.startswith("subnet-")]
        if filter_name == "association.subnet-id":
            return [target for target in targets if target.startswith("subnet-")]
        return original(self, filter_name, method_name)

    table_class.get_filter_value = get_filter_value
    table_class.propagating_vgws = property(lambda self: [])
