# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The posture audit's rules: facts read from a deployed environment in, one finding per rule out."""

from __future__ import annotations

import fnmatch
import ipaddress

from ansible_collections.shoppulse.analytics.plugins.filter.rds import rds_instance_settings

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


def _instances(facts: dict) -> list[dict]:
    """Every DB instance the audit judges, each ``{identifier, settings}``: ``instances`` when the facts have them (the
    environment's instance and every other one in its VPC or groups), else the environment's instance alone."""
    if "instances" in facts:
        return list(facts.get("instances") or [])
    rds = facts.get("rds") or {}
    settings = rds.get("settings") or {}
    return [{"identifier": rds.get("instance_identifier"), "settings": settings}] if settings else []


def _instance_finding(rule: int, name: str, facts: dict, check) -> dict:
    """A rule on each instance's own settings: ``check(settings, identifier)`` gives (problems, detail if passed)."""
    rds = facts.get("rds") or {}
    problems, details = [], []
    if not rds.get("settings"):
        problems.append(f"no DB instance {rds.get('instance_identifier')}")
    for instance in _instances(facts):
        found, detail = check(instance.get("settings") or {}, instance.get("identifier"))
        problems += found
        details += [detail] if detail and not found else []
    return _finding(rule, name, problems, "; ".join(details))


def _not_public(settings: dict, identifier: str):
    if settings.get("publicly_accessible"):
        return [f"{identifier} is publicly accessible"], ""
    return [], f"{identifier} is not publicly accessible"


def _encrypted(settings: dict, identifier: str):
    if not settings.get("storage_encrypted"):
        return [f"{identifier} storage is not encrypted"], ""
    return [], f"{identifier} storage is encrypted"


def _forces_tls(facts: dict):
    groups = facts.get("parameter_groups")

    def check(settings, identifier):
        group = settings.get("parameter_group")
        parameters = (groups or {}).get(group) or {} if groups is not None else facts.get("parameters") or {}
        value = (parameters.get("rds.force_ssl") or {}).get("value")
        # Named with the instance only when the audit judges more than the environment's own.
        whose = f"{identifier}: " if groups is not None and len(_instances(facts)) > 1 else ""
        if str(value) != "1":
            return [f"{whose}parameter group {group} has rds.force_ssl = {value if value is not None else 'unset'}"], ""
        return [], f"{whose}parameter group {group} has rds.force_ssl = 1"

    return check


def _proxies(facts: dict) -> list[dict]:
    """Every proxy the audit judges: ``proxies`` when the facts have them, else the environment's proxy alone."""
    if "proxies" in facts:
        return list(facts.get("proxies") or [])
    proxy = facts.get("rds_proxy") or {}
    return [proxy] if proxy.get("proxy_arn") else []


def _proxy_requires_tls(facts: dict) -> dict:
    proxy = facts.get("rds_proxy") or {}
    problems = [] if proxy.get("proxy_arn") else [f"no DB proxy {proxy.get('proxy_name')}"]
    names = [member.get("proxy_name") or member.get("db_proxy_name") for member in _proxies(facts)]
    problems += [f"{name} accepts connections without TLS" for name, member in zip(names, _proxies(facts))
                 if member.get("require_tls") is not True]
    return _finding(4, "proxy-requires-tls", problems, f"{', '.join(names)} require{'s' if len(names) == 1 else ''} TLS")


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
    # Another group on an instance or a proxy would let in whatever it admits, whatever this one says.
    members = [(instance.get("identifier"), (instance.get("settings") or {}).get("security_groups"))
               for instance in _instances(facts)]
    members += [(proxy.get("proxy_name") or proxy.get("db_proxy_name"), proxy.get("vpc_security_group_ids"))
                for proxy in _proxies(facts) if "proxies" in facts]
    problems += [f"{member} is also in {group}" for member, groups in members for group in groups or [] if group != group_id]
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


def _policy_readers(principals: list, secret_arn: str, allowed_roles: set) -> list[str]:
    """The IAM roles, users and groups other than the allowed roles whose policies let them read the secret."""
    readers = []
    for principal in principals or []:
        if principal.get("type") == "role" and principal.get("name") in allowed_roles:
            continue
        granting = [policy.get("name") for policy in principal.get("policies") or []
                    if any(_grants_read(statement, secret_arn) for statement in _statements(policy.get("document")))]
        if granting:
            readers.append(f"{principal.get('type')} {principal.get('name')} ({', '.join(granting)})")
    return readers


def _rotation_role(facts: dict) -> str | None:
    """The name of the execution role of the rotation function the secret names, when that function exists: the one
    reader besides the proxy that rotation needs (it reads and writes the secret's versions)."""
    function = (facts.get("secrets") or {}).get("rotation_lambda_arn")
    roles = {_unqualified(arn): role for arn, role in (facts.get("function_roles") or {}).items()}
    role = roles.get(_unqualified(function)) if function else None
    return str(role).rsplit("/", 1)[-1] if role else None


def _secret_readers(facts: dict) -> dict:
    secrets = facts.get("secrets") or {}
    proxy = facts.get("rds_proxy") or {}
    secret_arn = secrets.get("secret_arn")
    if not secret_arn:
        return _finding(10, "secret-proxy-only", [f"no secret {secrets.get('secret_name')}"], "")
    proxy_role, proxy_arn = proxy.get("role_name"), proxy.get("role_arn")
    rotation_role = _rotation_role(facts)
    problems = [f"resource policy lets {principal} read it"
                for statement in _statements(secrets.get("resource_policy")) if _grants_read(statement, secret_arn)
                for principal in _principals(statement) if not proxy_arn or principal != proxy_arn]
    problems += [f"{reader} may read it"
                 for reader in _policy_readers(facts.get("principals"), secret_arn, {proxy_role, rotation_role} - {None})]
    readers = f"role {proxy_role}" + (f" and its rotation function's role {rotation_role}" if rotation_role else "")
    return _finding(10, "secret-proxy-only", problems, f"only {readers} may read {secrets.get('secret_name')}")


def _unqualified(function_arn: str) -> str:
    """A Lambda function ARN without its version or alias (arn:aws:lambda:<region>:<account>:function:<name>)."""
    return ":".join(str(function_arn).split(":")[:7])


def _rotation_function(facts: dict) -> dict:
    secrets = facts.get("secrets") or {}
    function = secrets.get("rotation_lambda_arn")
    if not secrets.get("secret_arn"):
        return _finding(12, "rotation-function-exists", [f"no secret {secrets.get('secret_name')}"], "")
    if not function:
        return _finding(12, "rotation-function-exists", [], f"no rotation function configured on {secrets.get('secret_name')}")
    existing = {_unqualified(arn) for arn in facts.get("functions") or []}
    if _unqualified(function) not in existing:
        return _finding(12, "rotation-function-exists", [f"rotation function {function} does not exist"], "")
    return _finding(12, "rotation-function-exists", [], f"rotation function {function} exists")


def _deletion_protection(facts: dict):
    wanted = bool((facts.get("expected") or {}).get("deletion_protection"))

    def check(settings, identifier):
        if wanted and not settings.get("deletion_protection"):
            return [f"{identifier} has deletion protection off (rds_deletion_protection is true)"], ""
        if wanted:
            return [], f"{identifier} has deletion protection on"
        return [], f"not asked for (rds_deletion_protection is false); {'on' if settings.get('deletion_protection') else 'off'}"

    return check


def _functions_secret(facts: dict) -> dict:
    """Rule 13: the functions log in with the application secret, never the master's: the application secret exists
    apart from the master's with another user, and no Lambda function's environment names the master secret."""
    name = "functions-secret"
    secrets, app = facts.get("secrets") or {}, facts.get("secrets_app") or {}
    if not app.get("secret_arn"):
        return _finding(13, name, [f"no application secret {app.get('secret_name')}"], "")
    master_arn, master_name = secrets.get("secret_arn"), secrets.get("secret_name")
    problems = []
    if app.get("secret_arn") == master_arn or str(app.get("username")).lower() == str(secrets.get("username")).lower():
        problems.append(f"the application secret {app.get('secret_name')} is the master's or holds the master user")
    for function in facts.get("lambda_environments") or []:
        named = sorted(key for key, value in (function.get("variables") or {}).items()
                       if master_arn and value in (master_arn, master_name))
        if named:
            problems.append(f"function {function.get('name')} gets the master secret in {', '.join(named)}")
    return _finding(13, name, problems, f"the functions' secret is {app.get('secret_name')} (user {app.get('username')})")


def _unreadable_database(facts: dict) -> str | None:
    database = facts.get("database") or {}
    if not database.get("reachable"):
        return f"database {database.get('database')} could not be read ({database.get('reason') or 'not reachable'})"
    return None


def _tenant_tables_isolated(facts: dict) -> dict:
    """Rule 14: every tenant table (a table with tenant_id, and at least the data model's) has row-level security
    enabled with a policy on tenant_id against the transaction's app.tenant_id."""
    name, database = "tenant-tables-rls", facts.get("database") or {}
    unreadable = _unreadable_database(facts)
    if unreadable:
        return _finding(14, name, [unreadable], "")
    tables = {table.get("name"): table for table in database.get("tables") or []}
    problems = [f"{table} has no tenant_id" for table in database.get("expected_tables") or [] if table not in tables]
    problems += [f"{table} has row-level security disabled" for table, found in sorted(tables.items()) if not found.get("rls")]
    problems += [f"{table} has no policy on tenant_id" for table, found in sorted(tables.items()) if not found.get("tenant_policies")]
    return _finding(14, name, problems, f"{len(tables)} tenant tables have row-level security with a tenant_id policy")


def _app_role_least_privilege(facts: dict) -> dict:
    """Rule 15: the application role owns nothing, may create nothing (no DDL) and is a member of no role."""
    name, database = "app-role-no-ddl", facts.get("database") or {}
    unreadable = _unreadable_database(facts)
    if unreadable:
        return _finding(15, name, [unreadable], "")
    role, app = database.get("app_role"), database.get("app")
    if not app:
        return _finding(15, name, [f"no application role {role} in database {database.get('database')}"], "")
    problems = [f"{role} has {', '.join(app['ddl'])}"] if app.get("ddl") else []
    problems += [f"{role} may create in schema {', '.join(app['create_on_schemas'])}"] if app.get("create_on_schemas") else []
    problems += [f"{role} owns {', '.join(app['owns'])}"] if app.get("owns") else []
    problems += [f"{role} is a member of {', '.join(app['member_of'])}"] if app.get("member_of") else []
    return _finding(15, name, problems, f"{role} owns nothing, creates nothing and is a member of no role")


# AWS's recommended RDS alarms (CloudWatch user guide, "Recommended alarms") and the proxy's connection metrics: each
# must have an alarm whose actions include the environment's alarm topic (the monitoring layer, docs/monitoring.md).
RECOMMENDED_INSTANCE_ALARMS = ("CPUUtilization", "DatabaseConnections", "FreeableMemory", "FreeStorageSpace", "ReadLatency",
                               "WriteLatency", "DBLoad")
RECOMMENDED_PROXY_ALARMS = ("ClientConnections", "DatabaseConnections")


def _alarmed(alarms: list, metric: str, dimension: str, value: str, topic: str) -> bool:
    for alarm in alarms:
        dimensions = {d.get("name"): d.get("value") for d in alarm.get("dimensions") or []}
        if alarm.get("metric_name") == metric and dimensions.get(dimension) == value and topic in (alarm.get("alarm_actions") or []):
            return True
    return False


def _recommended_alarms(facts: dict) -> dict:
    """Rule 16: each recommended alarm of the instance and the proxy acts on the environment's alarm topic."""
    monitoring = facts.get("monitoring") or {}
    topic = monitoring.get("topic_arn")
    if not topic:
        return _finding(16, "recommended-alarms", ["no alarm topic (the monitoring layer is not built)"], "")
    alarms = monitoring.get("alarms") or []
    wanted = [(metric, "DBInstanceIdentifier", (facts.get("rds") or {}).get("instance_identifier")) for metric in RECOMMENDED_INSTANCE_ALARMS]
    if (facts.get("rds_proxy") or {}).get("proxy_arn"):
        wanted += [(metric, "ProxyName", facts["rds_proxy"]["proxy_name"]) for metric in RECOMMENDED_PROXY_ALARMS]
    missing = [f"{value} {metric}" for metric, dimension, value in wanted if not _alarmed(alarms, metric, dimension, value, topic)]
    problems = [f"no alarm with an action to {topic} on {', '.join(missing)}"] if missing else []
    return _finding(16, "recommended-alarms", problems, f"{len(wanted)} recommended alarms act on {topic}")


def posture_findings(facts: dict) -> list[dict]:
    """One finding per rule, in rule order: ``{rule, name, passed, detail}``.

    ``facts``: ``vpc``, ``secrets``, ``rds``, ``rds_proxy`` (the layers' *_outputs as the discover entry points publish
    them), ``instances`` and ``proxies`` (every DB instance and proxy of the environment, as environment_databases
    gives them; without them the environment's own alone), ``parameter_groups`` (each instance's parameter group by
    name, its parameters as rds_db_parameters_info returns them; or ``parameters``, the environment's group alone),
    ``principals`` (the account's IAM roles, users and groups, as iam_authorization_details_info returns them),
    ``functions`` (the ARNs of the account's Lambda functions), ``function_roles`` (each function's ARN to its role's
    ARN) and ``expected`` (``deletion_protection``, ``extra_ingress``: what the inventory asks for); for rules 13-15, ``secrets_app`` (the application secret's
    outputs), ``lambda_environments`` (``{name, variables}`` of each function) and ``database`` (the schema role's
    ``schema_posture``); for rule 16, ``monitoring`` (monitoring_outputs as the monitoring role's discover
    entry point publishes it: ``topic_arn`` and the described ``alarms``).
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
        _rotation_function(facts),
        _functions_secret(facts),
        _tenant_tables_isolated(facts),
        _app_role_least_privilege(facts),
        _recommended_alarms(facts),
    ]


def posture_table(findings: list[dict]) -> str:
    """The findings as text, one line each: PASS or FAIL, the rule's number and name, its detail."""
    width = max((len(finding["name"]) for finding in findings), default=0)
    return "\n".join(
        f"{'PASS' if finding['passed'] else 'FAIL'} {finding['rule']:>2} {finding['name']:<{width}}  {finding['detail']}" for finding in findings
    )


def _restored_by_the_collection(instance: dict, environment: dict) -> bool:
    """Whether an instance is one the collection restored for the environment: it carries the restore tag, the
    environment's tags and a Name tag that is its own identifier (a copy of another instance's tags names that one)."""
    tags = instance.get("tags") or {}
    wanted = environment.get("tags") or {}
    return (environment.get("restored_from_tag") in tags and tags.get("Name") == instance.get("db_instance_identifier")
            and all(str(tags.get(key)) == str(value) for key, value in wanted.items() if key != "Name"))


def _instance_uses(instance: dict, environment: dict) -> list[str]:
    """What of the environment an instance (as amazon.aws.rds_instance_info returns it) uses, in words."""
    subnet_group = instance.get("db_subnet_group") or {}
    groups = [group.get("vpc_security_group_id") for group in instance.get("vpc_security_groups") or []]
    parameter_groups = [group.get("db_parameter_group_name") for group in instance.get("db_parameter_groups") or []]
    uses = [
        f"subnet group {environment.get('subnet_group')}" if subnet_group.get("db_subnet_group_name") == environment.get("subnet_group") else "",
        f"security group {environment.get('security_group_id')}" if environment.get("security_group_id") in groups else "",
        f"parameter group {environment.get('parameter_group')}" if environment.get("parameter_group") in parameter_groups else "",
        f"VPC {environment.get('vpc_id')}" if environment.get("vpc_id") and subnet_group.get("vpc_id") == environment.get("vpc_id") else "",
    ]
    return [use for use in uses if use]


def _proxy_uses(proxy: dict, environment: dict) -> list[str]:
    """What of the environment a proxy (as shoppulse.analytics.rds_proxy_info returns it) uses, in words."""
    uses = [
        f"security group {environment.get('security_group_id')}"
        if environment.get("security_group_id") in (proxy.get("vpc_security_group_ids") or []) else "",
        f"VPC {environment.get('vpc_id')}" if environment.get("vpc_id") and proxy.get("vpc_id") == environment.get("vpc_id") else "",
    ]
    return [use for use in uses if use]


def environment_databases(instances: list, proxies: list, environment: dict) -> dict:
    """The DB instances and proxies of an environment: its own instance and proxy, and every other one in its VPC,
    DB subnet group, database security group or parameter group, each told apart as the collection's or not.

    ``instances``: amazon.aws.rds_instance_info's ``instances``; ``proxies``: shoppulse.analytics.rds_proxy_info's
    ``proxies``; ``environment``: ``instance_identifier``, ``proxy_name``, ``vpc_id``, ``subnet_group``,
    ``security_group_id``, ``parameter_group``, ``tags`` (the tags the collection gives an instance) and
    ``restored_from_tag`` (the tag a restore made by the collection carries).
    """
    own_instance = str(environment.get("instance_identifier") or "").lower()
    members = []
    for instance in instances or []:
        identifier = instance.get("db_instance_identifier")
        uses = _instance_uses(instance, environment)
        if uses or identifier == own_instance:
            ours = identifier == own_instance or _restored_by_the_collection(instance, environment)
            members.append({"identifier": identifier, "ours": ours, "restored": ours and identifier != own_instance,
                            "uses": uses, "status": instance.get("db_instance_status"),
                            "settings": rds_instance_settings(instance)})
    proxy_members = []
    for proxy in proxies or []:
        name = proxy.get("db_proxy_name")
        uses = _proxy_uses(proxy, environment)
        if uses or name == environment.get("proxy_name"):
            proxy_members.append({**proxy, "proxy_name": name, "ours": name == environment.get("proxy_name"), "uses": uses})
    foreign = [f"DB instance {member['identifier']} ({', '.join(member['uses'])})" for member in members if not member["ours"]]
    foreign += [f"DB proxy {member['proxy_name']} ({', '.join(member['uses'])})" for member in proxy_members if not member["ours"]]
    return {"instances": members, "proxies": proxy_members, "foreign": foreign}


class FilterModule:
    """Posture audit filters."""

    def filters(self):
        return {"posture_findings": posture_findings, "posture_table": posture_table, "environment_databases": environment_databases}
