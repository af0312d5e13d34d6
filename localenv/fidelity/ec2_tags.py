"""EC2 tagging: resource type names as the EC2 API reference spells them."""

from __future__ import annotations

from localenv.fidelity import entry


@entry(
    key="ec2-describe-tags-natgateway",
    api="DescribeTags",
    moto="names a NAT gateway's resource type `nat-gateway`, so a `resource-type=natgateway` filter matches nothing "
    "(amazon.aws reads NAT gateway tags that way: tags look empty and are re-applied every run)",
    aws="the resource type of a NAT gateway is `natgateway`, in the filter and in each returned tag",
    reference="https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeTags.html",
)
def natgateway_resource_type() -> None:
    from moto.ec2 import utils  # pylint: disable=import-outside-toplevel  # patched at start, before serving

    utils.EC2_PREFIX_TO_RESOURCE[utils.EC2_RESOURCE_TO_PREFIX["nat-gateway"]] = "natgateway"
