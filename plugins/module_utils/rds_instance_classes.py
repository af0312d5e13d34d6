# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The RDS instance classes the collection knows: vCPUs and memory, for pricing and for sizing alarms."""

from __future__ import annotations

# RDS user guide, "Hardware specifications for DB instance classes" (vCPU and memory columns).
SOURCE = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Summary.html"

# Sizes shared by every family below: (vCPUs, memory GiB) by size, per memory ratio.
_BURSTABLE = {"micro": (2, 1), "small": (2, 2), "medium": (2, 4), "large": (2, 8), "xlarge": (4, 16), "2xlarge": (8, 32)}
_GENERAL = {"large": (2, 8), "xlarge": (4, 16), "2xlarge": (8, 32), "4xlarge": (16, 64)}
_MEMORY = {"large": (2, 16), "xlarge": (4, 32), "2xlarge": (8, 64), "4xlarge": (16, 128)}
_FAMILIES = {"t3": _BURSTABLE, "t4g": _BURSTABLE, "m5": _GENERAL, "m6g": _GENERAL, "m6i": _GENERAL,
             "r5": _MEMORY, "r6g": _MEMORY, "r6i": _MEMORY}

# "db.t3.medium": {"vcpus": 2, "memory_gib": 4}, ...
INSTANCE_CLASSES: dict[str, dict[str, int]] = {
    f"db.{family}.{size}": {"vcpus": vcpus, "memory_gib": memory}
    for family, sizes in _FAMILIES.items()
    for size, (vcpus, memory) in sizes.items()
}


def instance_class(name: str) -> dict[str, int] | None:
    """The vCPUs and memory of a class, or None for a class this table does not hold."""
    return INSTANCE_CLASSES.get(name)
