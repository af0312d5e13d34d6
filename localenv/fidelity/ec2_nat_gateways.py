"""EC2 NAT gateways: what a deleted gateway reports and lets go of, as the EC2 API reference describes."""

from __future__ import annotations

import functools
from typing import Any

from localenv.fidelity import entry
from localenv.fidelity.ec2_vpc import EC2_API


@entry(
    key="ec2-nat-gateway-delete-releases-address",
    api="DeleteNatGateway, DescribeNatGateways, DescribeAddresses, CreateNatGateway",
    moto="a deleted NAT gateway has no `DeleteTime` and keeps its Elastic IP address associated, so a new gateway on the "
    "same address fails with `Resource.AlreadyAssociated`",
    aws="a deleted NAT gateway reports its `DeleteTime`; its Elastic IP address is disassociated (not released from the "
    "account) and can be given to a new NAT gateway",
    reference=f"{EC2_API}/API_DeleteNatGateway.html",
)
def nat_gateway_delete_releases_address() -> None:
    from moto.core.utils import iso_8601_datetime_with_milliseconds, utcnow  # pylint: disable=import-outside-toplevel
    from moto.ec2.models import nat_gateways  # pylint: disable=import-outside-toplevel

    backend_class = nat_gateways.NatGatewayBackend
    original = backend_class.delete_nat_gateway

    @functools.wraps(original)
    def delete_nat_gateway(self: Any, nat_gateway_id: str) -> Any:
        gateway = original(self, nat_gateway_id)
        if "_shoppulse_deleted_at" not in gateway.__dict__:
            gateway.__dict__["_shoppulse_deleted_at"] = utcnow()
            for address in gateway.address_set:
                association = address.pop("associationId", None)
                if association and any(eip.association_id == association for eip in self.addresses):
                    self.disassociate_address(association_id=association)
        return gateway

    backend_class.delete_nat_gateway = delete_nat_gateway
    nat_gateways.NatGateway.delete_time = property(
        lambda self: iso_8601_datetime_with_milliseconds(self.__dict__["_shoppulse_deleted_at"])
        if "_shoppulse_deleted_at" in self.__dict__ else None)
