"""EC2 security group rules: any IP protocol, and the answers of the description updates, as the EC2 API reference says."""

from __future__ import annotations

import copy
import functools
from typing import Any

from localenv.fidelity import entry
from localenv.fidelity.ec2_vpc import EC2_API

# Protocols whose rules have ports (or ICMP type and code), by name and number; any other protocol covers all ports.
_PORTED = {"tcp", "6", "udp", "17", "icmp", "1", "icmpv6", "58", "-1", "all"}


@entry(
    key="ec2-security-group-rule-any-protocol",
    api="AuthorizeSecurityGroupIngress, AuthorizeSecurityGroupEgress, DescribeSecurityGroups",
    moto="a rule for a protocol other than tcp, udp, icmp and all (e.g. `IpProtocol=47`, GRE) without ports is an "
    "HTTP 500 (it converts the missing ports to numbers)",
    aws="any protocol number may be given; for a protocol other than tcp, udp, icmp or icmpv6 the rule allows all ports "
    "and ports given are ignored",
    reference=f"{EC2_API}/API_IpPermission.html",
)
def security_group_rule_any_protocol() -> None:
    from moto.ec2.models.security_groups import SecurityGroupRule  # pylint: disable=import-outside-toplevel

    original = SecurityGroupRule.__init__

    @functools.wraps(original)
    def init(self: Any, ec2_backend: Any, ip_protocol: str, group_id: str, from_port: Any, to_port: Any,
             *args: Any, **kwargs: Any) -> None:
        protocol = str(ip_protocol).lower() if ip_protocol is not None else None
        if protocol is None or protocol in _PORTED:
            original(self, ec2_backend, ip_protocol, group_id, from_port, to_port, *args, **kwargs)
            return
        original(self, ec2_backend, "-1", group_id, None, None, *args, **kwargs)  # moto's all-ports path
        self.ip_protocol = protocol

    SecurityGroupRule.__init__ = init


@entry(
    key="ec2-update-security-group-rule-descriptions-return",
    api="UpdateSecurityGroupRuleDescriptionsIngress, UpdateSecurityGroupRuleDescriptionsEgress",
    moto="the answer has no `Return` member",
    aws="the answer is `Return: true` when the descriptions were updated",
    reference=f"{EC2_API}/API_UpdateSecurityGroupRuleDescriptionsIngress.html",
)
def update_rule_descriptions_return() -> None:
    from moto.core.responses import ActionResult  # pylint: disable=import-outside-toplevel
    from moto.ec2.responses.security_groups import SecurityGroups  # pylint: disable=import-outside-toplevel

    def returning(handler: Any) -> Any:
        @functools.wraps(handler)
        def wrapper(self: Any) -> Any:
            handler(self)
            return ActionResult({"Return": True})

        return wrapper

    for name in ("update_security_group_rule_descriptions_ingress", "update_security_group_rule_descriptions_egress"):
        setattr(SecurityGroups, name, returning(getattr(SecurityGroups, name)))


@entry(
    key="ec2-security-group-rule-identity",
    api="AuthorizeSecurityGroupIngress, AuthorizeSecurityGroupEgress, RevokeSecurityGroupIngress, RevokeSecurityGroupEgress, "
    "UpdateSecurityGroupRuleDescriptionsIngress, UpdateSecurityGroupRuleDescriptionsEgress",
    moto="a rule whose source is a security group is told apart by its description too: the same source with another "
    "description is authorized as a second rule, a description update changes nothing, and revoking the rule without "
    "its description is `InvalidPermission.NotFound`",
    aws="a rule is its protocol, ports and source, whatever its description (as for CIDR sources): authorizing it again "
    "is `InvalidPermission.Duplicate`, a description update replaces the rule's description, and a revoke need not "
    "give it",
    reference=f"{EC2_API}/API_UpdateSecurityGroupRuleDescriptionsIngress.html",
)
def security_group_rule_identity() -> None:
    from moto.ec2.models.security_groups import SecurityGroupRule  # pylint: disable=import-outside-toplevel

    original = SecurityGroupRule.__eq__

    def undescribed(source_group: dict) -> dict:
        return {key: value for key, value in source_group.items() if key != "Description"}

    @functools.wraps(original)
    def equal(self: Any, other: Any) -> bool:
        if undescribed(self.source_group) != undescribed(other.source_group):
            return False
        if self.source_group == other.source_group:
            return original(self, other)
        twin = copy.copy(other)  # the same source, another description: the rest compared as moto compares it
        twin.source_group = self.source_group
        return original(self, twin)

    SecurityGroupRule.__eq__ = equal
