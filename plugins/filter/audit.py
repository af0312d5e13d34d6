# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The posture audit's rules: facts read from a deployed environment in, one finding per rule out."""

from __future__ import annotations

import fnmatch
import ipaddress

# The action that reads a secret's value, and the log exports every environment keeps.
READ_SECRET = "secretsmanager:GetSecretValue"
LOG_EXPORTS = ("postgresql", "upgrade")
# Where a route can lead, in the order a route names its target (EC2 API, the Route data type).
ROUTE_TARGETS = (
    "gateway_id", "nat_gateway_id", "transit_gateway_id", "vpc_peering_connection_id", "egress_only_internet_gateway_id",
    "network_interface_id", "instance_id", "local_gateway_id", "carrier_gateway_id", "core_network_arn",
)
ROUTE_DESTINATIONS = ("destination_cidr_block", "destination_ipv6_cidr_block", "destination_prefix_list_id")


def _listed(value) -> list:
    """A policy element that may be one item or a list, as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _matches(patterns, text: str) -> bool:
    """Whether any IAM-style pattern (``*`` and ``?`` wildcards, case-insensitive) matches ``text``."""
    return any(fnmatch.fnmatchcase(text.lower(), str(pattern).lower()) for pattern in patterns)


def _grants_read(statement: dict, secret_arn: str) -> bool:
    """Whether an Allow statement lets its principal read the secret's value. Conditions are not evaluated, so
    a conditional grant counts as a grant: the audit errs towards reporting."""
    if statement.get("Effect") != "Allow":
        return False
    if "NotAction" in statement:
        action = not _matches(_listed(statement["NotAction"]), READ_SECRET)
    else:
        action = _matches(_listed(statement.get("Action")), READ_SECRET)
    if "NotResource" in statement:
        resource = not _matches(_listed(statement["NotResource"]), secret_arn)
    else:
        # A resource policy may leave Resource out: it then applies to the secret it is attached to.
        resource = "Resource" not in statement or _matches(_listed(statement["Resource"]), secret_arn)
    return action and resource


def _statements(document) -> list:
    return _listed((document or {}).get("Statement"))


def _principals(statement: dict) -> list[str]:
    """The principals a resource policy statement names, each as text (``*`` for anyone)."""
    principal = statement.get("Principal", "*")
    if not isinstance(principal, dict):
        return [str(principal)]
    return [str(value) for values in principal.values() for value in _listed(values)]


def _finding(rule: int, name: str, problems: list[str], passed_detail: str) -> dict:
    return {"rule": rule, "name": name, "passed": not problems, "detail": "; ".join(problems) if problems else passed_detail}


def _instance_finding(rule: int, name: str, facts: dict, check) -> dict:
    """A rule on the instance's own settings: ``check(settings, identifier)`` gives (problems, detail if passed)."""
    rds = facts.get("rds") or {}
    identifier = rds.get("instance_identifier")
    settings = rds.get("settings") or {}
    if not settings:
        return _finding(rule, name, [f"no DB instance {identifier}"], "")
    problems, detail = check(settings, identifier)
    return _finding(rule, name, problems, detail)


def _not_public(settings: dict, identifier: str):
    if settings.get("publicly_accessible"):
        return [f"{identifier} is publicly accessible"], ""
    return [], f"{identifier} is not publicly accessible"


def _encrypted(settings: dict, identifier: str):
    if not settings.get("storage_encrypted"):
        return [f"{identifier} storage is not encrypted"], ""
    return [], f"{identifier} storage is encrypted"


def _forces_tls(facts: dict):
    group = ((facts.get("rds") or {}).get("settings") or {}).get("parameter_group")
    parameters = facts.get("parameters") or {}

    def check(settings, identifier):  # pylint: disable=unused-argument  # the group comes from the settings above
        value = (parameters.get("rds.force_ssl") or {}).get("value")
        if str(value) != "1":
            return [f"parameter group {group} has rds.force_ssl = {value if value is not None else 'unset'}"], ""
        return [], f"parameter group {group} has rds.force_ssl = 1"

    return check


def _proxy_requires_tls(facts: dict) -> dict:
    proxy = facts.get("rds_proxy") or {}
    name = proxy.get("proxy_name")
    if not proxy.get("proxy_arn"):
        return _finding(4, "proxy-requires-tls", [f"no DB proxy {name}"], "")
    if proxy.get("require_tls") is not True:
        return _finding(4, "proxy-requires-tls", [f"{name} accepts connections without TLS"], "")
    return _finding(4, "proxy-requires-tls", [], f"{name} requires TLS")


def _declared_sources(sources) -> tuple[set, set]:
    """The declared security group ids and networks (rds_extra_ingress: CIDRs, group ids, or dicts with ``source``)."""
    groups, networks = set(), set()
    for item in sources or []:
        source = str(item.get("source") if isinstance(item, dict) else item)
        if source.startswith("sg-"):
            groups.add(source)
        else:
            networks.add(ipaddress.ip_network(source, strict=False))
    return groups, networks


def _ingress_problems(permission: dict, port: int, group_id: str, declared: tuple[set, set]) -> list[str]:
    """What one ingress permission admits beyond the group itself and the declared sources on the database port."""
    protocol = str(permission.get("ip_protocol"))
    if protocol == "-1":
        ports = "all traffic"
    elif protocol == "tcp" and permission.get("from_port") == permission.get("to_port") == port:
        ports = None
    else:
        low, high = permission.get("from_port"), permission.get("to_port")
        ports = f"{protocol} {low}" if low == high else f"{protocol} {low}-{high}"
    groups, networks = declared
    sources = [(pair.get("group_id"), pair.get("group_id") in groups | {group_id}) for pair in permission.get("user_id_group_pairs") or []]
    sources += [(entry.get("cidr_ip"), ipaddress.ip_network(entry.get("cidr_ip"), strict=False) in networks)
                for entry in permission.get("ip_ranges") or []]
    sources += [(entry.get("cidr_ipv6"), ipaddress.ip_network(entry.get("cidr_ipv6"), strict=False) in networks)
                for entry in permission.get("ipv6_ranges") or []]
    sources += [(entry.get("prefix_list_id"), False) for entry in permission.get("prefix_list_ids") or []]
    return [f"{ports or f'tcp {port}'} from {source}" for source, allowed in sources if ports or not allowed]


def _security_group(facts: dict) -> dict:
    rds = facts.get("rds") or {}
    group_id = rds.get("security_group_id")
    if not group_id:
        return _finding(5, "security-group-closed", ["no database security group"], "")
    port = int(rds.get("port") or 0)
    declared = _declared_sources((facts.get("expected") or {}).get("extra_ingress"))
    admitted = [problem for permission in rds.get("security_group_ingress") or []
                for problem in _ingress_problems(permission, port, group_id, declared)]
    problems = [f"{group_id} admits {', '.join(admitted)}"] if admitted else []
    # Another group on the instance would let in whatever it admits, whatever this one says.
    others = [group for group in (rds.get("settings") or {}).get("security_groups") or [] if group != group_id]
    problems += [f"the instance is also in {group}" for group in others]
    return _finding(5, "security-group-closed", problems, f"{group_id} admits only itself and the declared sources on tcp {port}")


def _route_out(route: dict) -> str | None:
    """A route that leaves the VPC, in words, or None for a local route."""
    target = next((route[key] for key in ROUTE_TARGETS if route.get(key)), None)
    if target == "local":
        return None
    destination = next((route[key] for key in ROUTE_DESTINATIONS if route.get(key)), "?")
    return f"{destination} -> {target or 'unknown target'}"


def _table_of(subnet_id: str, tables: list) -> tuple[dict | None, bool]:
    """The route table a subnet uses: its own association, else the VPC's main table (second item True)."""
    for table in tables:
        if any(link.get("subnet_id") == subnet_id for link in table.get("associations") or []):
            return table, False
    main = next((table for table in tables if any(link.get("main") for link in table.get("associations") or [])), None)
    return main, True


def _isolated_routes(facts: dict) -> dict:
    vpc = facts.get("vpc") or {}
    subnets, tables = vpc.get("isolated_subnet_ids") or [], vpc.get("route_tables") or []
    if not subnets:
        return _finding(6, "isolated-no-egress", [f"no isolated subnets in VPC {vpc.get('vpc_id')}"], "")
    problems = []
    for subnet in subnets:
        table, main = _table_of(subnet, tables)
        if table is None:
            problems.append(f"{subnet} has no route table")
            continue
        name = f"{table.get('id') or table.get('route_table_id')}{' (main)' if main else ''}"
        problems += [f"{subnet} via {name}: {out}" for out in map(_route_out, table.get("routes") or []) if out]
    return _finding(6, "isolated-no-egress", problems, f"{len(subnets)} isolated subnets have local routes only")


def _flow_logs(facts: dict) -> dict:
    vpc = facts.get("vpc") or {}
    vpc_id = vpc.get("vpc_id")
    if not vpc_id:
        return _finding(7, "flow-logs-all", ["no VPC"], "")
    logs = [log for log in vpc.get("flow_logs") or [] if log.get("resource_id") == vpc_id]
    good = [log for log in logs if log.get("flow_log_status") == "ACTIVE" and log.get("traffic_type") == "ALL"]
    if good:
        return _finding(7, "flow-logs-all", [], f"{good[0].get('flow_log_id')} captures ALL traffic of {vpc_id}, ACTIVE")
    if not logs:
        return _finding(7, "flow-logs-all", [f"no flow log on {vpc_id}"], "")
    seen = ", ".join(f"{log.get('flow_log_id')}: {log.get('traffic_type')} traffic, {log.get('flow_log_status')}" for log in logs)
    return _finding(7, "flow-logs-all", [f"no ACTIVE flow log of ALL traffic on {vpc_id} ({seen})"], "")


def _performance_insights(settings: dict, identifier: str):
    if not settings.get("performance_insights_enabled"):
        return [f"{identifier} has Performance Insights off"], ""
    return [], f"{identifier} has Performance Insights on"


def _log_exports(settings: dict, identifier: str):
    missing = [name for name in LOG_EXPORTS if name not in (settings.get("log_exports") or [])]
    if missing:
        return [f"{identifier} does not export {', '.join(missing)}"], ""
    return [], f"{identifier} exports {', '.join(LOG_EXPORTS)}"


def _policy_readers(principals: list, secret_arn: str, proxy_role: str | None) -> list[str]:
    """The IAM roles, users and groups other than the proxy's role whose policies let them read the secret."""
    readers = []
    for principal in principals or []:
        if principal.get("type") == "role" and principal.get("name") == proxy_role:
            continue
        granting = [policy.get("name") for policy in principal.get("policies") or []
                    if any(_grants_read(statement, secret_arn) for statement in _statements(policy.get("document")))]
        if granting:
            readers.append(f"{principal.get('type')} {principal.get('name')} ({', '.join(granting)})")
    return readers


def _secret_readers(facts: dict) -> dict:
    secrets = facts.get("secrets") or {}
    proxy = facts.get("rds_proxy") or {}
    secret_arn = secrets.get("secret_arn")
    if not secret_arn:
        return _finding(10, "secret-proxy-only", [f"no secret {secrets.get('secret_name')}"], "")
    proxy_role, proxy_arn = proxy.get("role_name"), proxy.get("role_arn")
    problems = [f"resource policy lets {principal} read it"
                for statement in _statements(secrets.get("resource_policy")) if _grants_read(statement, secret_arn)
                for principal in _principals(statement) if not proxy_arn or principal != proxy_arn]
    problems += [f"{reader} may read it" for reader in _policy_readers(facts.get("principals"), secret_arn, proxy_role)]
    return _finding(10, "secret-proxy-only", problems, f"only role {proxy_role} may read {secrets.get('secret_name')}")


def _deletion_protection(facts: dict):
    wanted = bool((facts.get("expected") or {}).get("deletion_protection"))

    def check(settings, identifier):
        if wanted and not settings.get("deletion_protection"):
            return [f"{identifier} has deletion protection off (rds_deletion_protection is true)"], ""
        if wanted:
            return [], f"{identifier} has deletion protection on"
        return [], f"not asked for (rds_deletion_protection is false); {'on' if settings.get('deletion_protection') else 'off'}"

    return check


def posture_findings(facts: dict) -> list[dict]:
    """One finding per rule, in rule order: ``{rule, name, passed, detail}``.

    ``facts``: ``vpc``, ``secrets``, ``rds``, ``rds_proxy`` (the layers' *_outputs as the discover entry points publish
    them), ``parameters`` (the instance's parameter group, as rds_db_parameters_info returns them), ``principals``
    (the account's IAM roles, users and groups, as iam_authorization_details_info returns them) and ``expected``
    (``deletion_protection``, ``extra_ingress``: what the inventory asks for).
    """
    return [
        _instance_finding(1, "instance-not-public", facts, _not_public),
        _instance_finding(2, "storage-encrypted", facts, _encrypted),
        _instance_finding(3, "instance-forces-tls", facts, _forces_tls(facts)),
        _proxy_requires_tls(facts),
        _security_group(facts),
        _isolated_routes(facts),
        _flow_logs(facts),
        _instance_finding(8, "performance-insights", facts, _performance_insights),
        _instance_finding(9, "log-exports", facts, _log_exports),
        _secret_readers(facts),
        _instance_finding(11, "deletion-protection", facts, _deletion_protection(facts)),
    ]


def posture_table(findings: list[dict]) -> str:
    """The findings as text, one line each: PASS or FAIL, the rule's number and name, its detail."""
    width = max((len(finding["name"]) for finding in findings), default=0)
    return "\n".join(
        f"{'PASS' if finding['passed'] else 'FAIL'} {finding['rule']:>2} {finding['name']:<{width}}  {finding['detail']}" for finding in findings
    )


class FilterModule:
    """Posture audit filters."""

    def filters(self):
        return {"posture_findings": posture_findings, "posture_table": posture_table}
