# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The database layer's resources read as the amazon.aws modules that build them read them, each in that module's
result shape: the instance (rds_instance_info), its security group (ec2_security_group_info), its DB subnet group
(rds_subnet_group) and its DB parameter group with the parameters it declares (rds_instance_param_group). The filters
rds_security_group_as_declared, rds_subnet_group_as_declared and rds_parameter_group_as_declared compare them as
those modules compare them."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.rds import describe_db_instances
from ansible_collections.amazon.aws.plugins.module_utils.rds import list_tags_for_resource
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.transformation import ansible_dict_to_boto3_filter_list
from ansible_collections.amazon.aws.plugins.module_utils.transformation import camel_dict_to_snake_dict

# DescribeDBParameters key -> the key a parameter is returned under.
PARAMETER_FIELDS = {
    "ParameterValue": "value",
    "Source": "source",
    "ApplyType": "apply_type",
    "ApplyMethod": "apply_method",
    "DataType": "data_type",
    "AllowedValues": "allowed_values",
    "IsModifiable": "is_modifiable",
}


@AWSRetry.jittered_backoff()
def describe_parameters(client, **params) -> list:
    """Every parameter of the group matching ``params``, across pages."""
    return client.get_paginator("describe_db_parameters").paginate(**params).build_full_result()["Parameters"]


def read_parameters(client, name: str, names=(), source: str | None = None) -> dict | None:
    """The group's parameters by name (only ``names`` when given; only those of ``source`` when given), each in
    PARAMETER_FIELDS' keys; None when the group does not exist."""
    params = {"DBParameterGroupName": name, **({"Source": source} if source else {})}
    try:
        found = describe_parameters(client, **params)
    except is_boto3_error_code("DBParameterGroupNotFound"):
        return None
    return {parameter["ParameterName"]: {key: parameter.get(field) for field, key in PARAMETER_FIELDS.items()}
            for parameter in found if not names or parameter["ParameterName"] in names}


def read_instances(client, identifier: str) -> list:
    """The instance as amazon.aws.rds_instance_info returns it (a list of one, or empty)."""
    found = describe_db_instances(client, DBInstanceIdentifier=identifier)
    for instance in found:
        instance["Tags"] = boto3_tag_list_to_ansible_dict(instance.pop("TagList", []))
    return [camel_dict_to_snake_dict(instance, ignore_list=["Tags"]) for instance in found]


def read_security_group(client, name: str, vpc_id: str | None) -> dict:
    """The security group of that name, in the VPC ``vpc_id`` or (None) the first of any VPC, as
    amazon.aws.ec2_security_group_info returns it; {} when there is none."""
    filters = ansible_dict_to_boto3_filter_list({"group-name": name, **({"vpc-id": vpc_id} if vpc_id else {})})
    found = client.get_paginator("describe_security_groups").paginate(Filters=filters).build_full_result()["SecurityGroups"]
    return security_group_shape(found[0]) if found else {}


def security_group_shape(group: dict) -> dict:
    """A DescribeSecurityGroups entry as amazon.aws.ec2_security_group_info returns it."""
    shaped = camel_dict_to_snake_dict(group, ignore_list=["Tags"])
    shaped["tags"] = boto3_tag_list_to_ansible_dict(shaped.pop("tags", []))
    return shaped


def read_subnet_group(client, name: str) -> dict:
    """The DB subnet group as amazon.aws.rds_subnet_group returns it (RDS keeps its name in lower case); {} when
    there is none."""
    try:
        found = client.describe_db_subnet_groups(DBSubnetGroupName=name.lower())["DBSubnetGroups"]
    except is_boto3_error_code("DBSubnetGroupNotFoundFault"):
        return {}
    group = camel_dict_to_snake_dict(found[0])
    group["tags"] = boto3_tag_list_to_ansible_dict(list_tags_for_resource(client, group["db_subnet_group_arn"]))
    return group


def read_parameter_group(client, name: str, names) -> dict:
    """The DB parameter group as amazon.aws.rds_instance_param_group returns it, with ``parameters``: those of
    ``names`` (read_parameters, every source, as that module compares them); {} when there is none."""
    try:
        found = client.describe_db_parameter_groups(DBParameterGroupName=name)["DBParameterGroups"]
    except is_boto3_error_code("DBParameterGroupNotFound"):
        return {}
    group = camel_dict_to_snake_dict(found[0])
    group["tags"] = boto3_tag_list_to_ansible_dict(list_tags_for_resource(client, group["db_parameter_group_arn"]))
    group["parameters"] = (read_parameters(client, name, names) or {}) if names else {}
    return group
