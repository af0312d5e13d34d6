"""RDS DB subnet groups: a modified group stays, as the RDS API reference describes ModifyDBSubnetGroup."""

from __future__ import annotations

import functools
from typing import Any

from localenv.fidelity import entry
from localenv.fidelity.rds import API, _exceptions, _models


@entry(
    key="rds-modify-db-subnet-group",
    api="ModifyDBSubnetGroup",
    moto="removes the group it modifies (the next `DescribeDBSubnetGroups` is `DBSubnetGroupNotFoundFault`); an unknown "
    "name is an HTTP 500 (KeyError)",
    aws="the group keeps its name with the new subnets (and description, when given); an unknown name is "
    "`DBSubnetGroupNotFoundFault`",
    reference=f"{API}/API_ModifyDBSubnetGroup.html",
)
def modify_db_subnet_group() -> None:
    backend_class = _models().RDSBackend
    original = backend_class.modify_db_subnet_group

    @functools.wraps(original)
    def modify(self: Any, subnet_name: str, description: str | None, subnets: list[Any]) -> Any:
        group = self.subnet_groups.get(subnet_name)
        if group is None:
            raise _exceptions().DBSubnetGroupNotFoundError(subnet_name)
        group.subnets = subnets
        if subnets:
            group.vpc_id = subnets[0].vpc_id
        if description is not None:
            group.description = description
        return group

    backend_class.modify_db_subnet_group = modify
