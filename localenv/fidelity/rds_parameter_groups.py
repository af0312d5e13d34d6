"""RDS parameter groups: a named group that does not exist is a fault, as the RDS API reference describes."""

from __future__ import annotations

import functools
from typing import Any

from localenv.fidelity import entry


@entry(
    key="rds-describe-parameter-group-not-found",
    api="DescribeDBParameterGroups",
    moto="answers an unknown `DBParameterGroupName` with an empty list (amazon.aws.rds_instance_param_group then "
    "fails with `list index out of range` in check mode)",
    aws="an unknown `DBParameterGroupName` is the fault `DBParameterGroupNotFound` (HTTP 404)",
    reference="https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBParameterGroups.html",
)
def parameter_group_not_found() -> None:
    from moto.rds import exceptions, models  # pylint: disable=import-outside-toplevel  # patched at start, before serving

    original = models.RDSBackend.describe_db_parameter_groups

    @functools.wraps(original)
    def describe_db_parameter_groups(self: Any, db_parameter_group_kwargs: dict[str, Any]) -> list[Any]:
        name = db_parameter_group_kwargs.get("db_parameter_group_name")
        if name and name not in self.db_parameter_groups:
            raise exceptions.DBParameterGroupNotFoundError(name)
        return original(self, db_parameter_group_kwargs)

    models.RDSBackend.describe_db_parameter_groups = describe_db_parameter_groups
