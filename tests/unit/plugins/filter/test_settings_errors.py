"""The layers' settings filters (vpc, rds_proxy, cost schedule, schema): each rule names its variable, the defaults
pass, and every problem is listed, not only the first, so that a layer's one validation task stops at the first."""

import pytest

from ansible_collections.shoppulse.analytics.plugins.filter.cost import FilterModule as CostFilters
from ansible_collections.shoppulse.analytics.plugins.filter.cost import cost_schedule_errors
from ansible_collections.shoppulse.analytics.plugins.filter.network import FilterModule as NetworkFilters
from ansible_collections.shoppulse.analytics.plugins.filter.network import vpc_settings_errors
from ansible_collections.shoppulse.analytics.plugins.filter.rds_proxy import FilterModule as ProxyFilters
from ansible_collections.shoppulse.analytics.plugins.filter.rds_proxy import rds_proxy_settings_errors
from ansible_collections.shoppulse.analytics.plugins.filter.schema import FilterModule as SchemaFilters
from ansible_collections.shoppulse.analytics.plugins.filter.schema import schema_settings_errors

VPC = {"vpc_cidr": "10.0.0.0/16", "vpc_public_subnet_cidrs": ["10.0.0.0/24", "10.0.1.0/24"],
       "vpc_private_subnet_cidrs": ["10.0.2.0/24", "10.0.3.0/24"], "vpc_isolated_subnet_cidrs": ["10.0.4.0/24", "10.0.5.0/24"],
       "vpc_az_count": 2, "vpc_azs": [], "vpc_nat_gateway_wait_delay": 15, "vpc_nat_gateway_wait_timeout": 600}
PROXY = {"rds_proxy_name": "shoppulse-analytics-proxy", "rds_proxy_state": "present", "rds_proxy_idle_client_timeout": 1800,
         "rds_proxy_max_connections_percent": 100, "rds_proxy_max_idle_connections_percent": 50,
         "rds_proxy_connection_borrow_timeout": 120, "rds_proxy_wait_timeout": 900, "rds_proxy_wait_delay": 15}
SCHEDULE = {"cost_stop_schedule": "cron(0 20 ? * MON-FRI *)", "cost_stop_schedule_timezone": "Europe/Berlin",
            "shoppulse_stop_allowed": True, "shoppulse_environment": "dev"}
SCHEMA = {"host": "proxy.example", "port": 5432, "schema_secret_arn": "shoppulse-analytics/rds/master", "schema_ssl_mode": "require",
          "schema_ca_cert": "", "schema_database": "shoppulse", "schema_app_role": "shoppulse_app",
          "schema_app_append_only_tables": ["audit_logs"], "schema_migrations_dir": "sql/migrations", "schema_seed_dir": "sql/seed",
          "schema_load_seed_data": True, "migration_files": 3, "seed_files": 1}


def test_each_filter_is_registered_and_passes_sound_settings():
    for filters, name, check, settings in ((NetworkFilters, "vpc_settings_errors", vpc_settings_errors, VPC),
                                           (ProxyFilters, "rds_proxy_settings_errors", rds_proxy_settings_errors, PROXY),
                                           (CostFilters, "cost_schedule_errors", cost_schedule_errors, SCHEDULE),
                                           (SchemaFilters, "schema_settings_errors", schema_settings_errors, SCHEMA)):
        assert filters().filters()[name] is check
        assert check(settings) == [], name


@pytest.mark.parametrize("change, expected", [
    ({"vpc_isolated_subnet_cidrs": ["10.0.0.0/23", "10.0.5.0/24"]}, "vpc_isolated_subnet_cidrs: 10.0.0.0/23 overlaps a subnet of vpc_public_subnet_cidrs"),
    ({"vpc_azs": ["us-east-1a"]}, "vpc_azs: names 1 zones but vpc_az_count is 2"),
    ({"vpc_nat_gateway_wait_delay": 0}, "vpc_nat_gateway_wait_delay: 0 must be at least 1 second and at most vpc_nat_gateway_wait_timeout (600)"),
    ({"vpc_nat_gateway_wait_delay": 601}, "vpc_nat_gateway_wait_delay: 601 must be at least 1 second"),
])
def test_vpc_settings_name_the_variable(change, expected):
    assert [error for error in vpc_settings_errors({**VPC, **change}) if error.startswith(expected)], vpc_settings_errors({**VPC, **change})


def test_vpc_settings_list_every_problem():
    assert [error.split(":", maxsplit=1)[0] for error in vpc_settings_errors({**VPC, "vpc_azs": ["a"], "vpc_nat_gateway_wait_delay": 0})] \
        == ["vpc_azs", "vpc_nat_gateway_wait_delay"]
    assert vpc_settings_errors({**VPC, "vpc_azs": ["us-east-1a", "us-east-1b"]}) == []


PROXY_RULES = [
    ({"rds_proxy_name": "1proxy"}, "rds_proxy_name: 1proxy must be 2 to 63 letters"),
    ({"rds_proxy_name": "p"}, "rds_proxy_name: p must be 2 to 63 letters"),
    ({"rds_proxy_name": "a--b"}, "rds_proxy_name: a--b must be"),
    ({"rds_proxy_name": "proxy-"}, "rds_proxy_name: proxy- must be"),
    ({"rds_proxy_name": "p" * 64}, "rds_proxy_name: " + "p" * 64 + " must be"),
    ({"rds_proxy_idle_client_timeout": 0}, "rds_proxy_idle_client_timeout: 0 is outside 1-28800"),
    ({"rds_proxy_idle_client_timeout": 28801}, "rds_proxy_idle_client_timeout: 28801 is outside 1-28800"),
    ({"rds_proxy_max_connections_percent": 101}, "rds_proxy_max_connections_percent: 101 is outside 1-100"),
    ({"rds_proxy_max_idle_connections_percent": 60, "rds_proxy_max_connections_percent": 50},
     "rds_proxy_max_idle_connections_percent: 60 is outside 0-50 (rds_proxy_max_connections_percent)"),
    ({"rds_proxy_connection_borrow_timeout": 301}, "rds_proxy_connection_borrow_timeout: 301 is outside 0-300"),
    ({"rds_proxy_wait_timeout": 0}, "rds_proxy_wait_timeout: 0 must be a positive number of seconds"),
    ({"rds_proxy_wait_delay": 901}, "rds_proxy_wait_delay: 901 must be at least 1 second and at most rds_proxy_wait_timeout (900)"),
]


def test_an_absent_proxy_is_checked_for_its_name_only():
    bad_pool = {**PROXY, "rds_proxy_state": "absent", "rds_proxy_max_connections_percent": 0}
    assert rds_proxy_settings_errors(bad_pool) == []
    assert len(rds_proxy_settings_errors({**bad_pool, "rds_proxy_name": "-"})) == 1


SCHEDULE_RULES = [
    ({"cost_stop_schedule": "0 20 * * ?"}, "cost_stop_schedule: '0 20 * * ?' is not an EventBridge Scheduler cron expression of six fields"),
    ({"cost_stop_schedule": "cron(0 20 * * *)"}, "cost_stop_schedule: 'cron(0 20 * * *)' is not"),
    ({"cost_stop_schedule": "cron(0 20 * * * *)"}, "cost_stop_schedule: 'cron(0 20 * * * *)' is not an EventBridge Scheduler cron expression of six fields"),
    ({"cost_stop_schedule": "cron(0 20 ? * ? *)"}, "cost_stop_schedule: 'cron(0 20 ? * ? *)' is not"),
    ({"cost_stop_schedule_timezone": "Europe Berlin"}, "cost_stop_schedule_timezone: 'Europe Berlin' is not a time zone name"),
    ({"shoppulse_stop_allowed": "maybe"}, "shoppulse_stop_allowed: 'maybe' is not true or false"),
    ({"shoppulse_stop_allowed": "no"}, "shoppulse_stop_allowed: the inventory of dev does not allow stopping its database"),
]


def test_no_schedule_needs_no_permission_and_any_boolean_word_is_taken():
    assert cost_schedule_errors({**SCHEDULE, "cost_stop_schedule": None, "shoppulse_stop_allowed": False}) == []
    assert cost_schedule_errors({**SCHEDULE, "cost_stop_schedule": "", "shoppulse_stop_allowed": "off"}) == []
    for word in ("true", "yes", "on", "1", "True", 1, True):
        assert cost_schedule_errors({**SCHEDULE, "shoppulse_stop_allowed": word}) == [], word


SCHEMA_RULES = [
    ({"host": ""}, "schema_db_host: give the endpoint to connect to"),
    ({"port": 0}, "schema_connect_port/schema_db_port: 0 is not a TCP port (1-65535)"),
    ({"port": 65536}, "schema_connect_port/schema_db_port: 65536 is not a TCP port"),
    ({"schema_secret_arn": ""}, "schema_secret_arn: give the ARN or name of the secret"),
    ({"schema_ssl_mode": "verify-full"}, "schema_ca_cert: schema_ssl_mode verify-full verifies the server certificate and needs a CA bundle"),
    ({"schema_database": "Shop"}, "schema_database: Shop must be lower-case letters"),
    ({"schema_app_role": "app-role"}, "schema_app_role: app-role must be lower-case letters"),
    ({"schema_app_role": "pg_app"}, "schema_app_role: pg_app must be"),
    ({"schema_app_role": "rdsadmin"}, "schema_app_role: rdsadmin must be"),
    ({"schema_app_role": "public"}, "schema_app_role: public must be"),
    ({"schema_app_role": "postgres"}, "schema_app_role: postgres must be"),
    ({"schema_app_append_only_tables": ["audit_logs", "Orders"]}, "schema_app_append_only_tables: ['audit_logs', 'Orders'] must list"),
    ({"migration_files": 0}, "schema_migrations_dir: sql/migrations holds no *.sql migration files"),
    ({"seed_files": 0}, "schema_seed_dir: sql/seed holds no *.sql seed files, and schema_load_seed_data is true"),
]


def test_schema_settings_accept_a_verified_tls_with_its_bundle_and_no_seed_without_files():
    assert schema_settings_errors({**SCHEMA, "schema_ssl_mode": "verify-full", "schema_ca_cert": "/etc/rds.pem"}) == []
    assert schema_settings_errors({**SCHEMA, "schema_load_seed_data": False, "seed_files": 0}) == []
    assert len(schema_settings_errors({**SCHEMA, "host": "", "schema_secret_arn": ""})) == 2


@pytest.mark.parametrize("check, settings, change, expected", [
    pytest.param(check, settings, change, expected, id=f"{check.__name__}-{expected.split(':', 1)[0]}-{number}")
    for check, settings, rules in ((rds_proxy_settings_errors, PROXY, PROXY_RULES), (cost_schedule_errors, SCHEDULE, SCHEDULE_RULES),
                                   (schema_settings_errors, SCHEMA, SCHEMA_RULES))
    for number, (change, expected) in enumerate(rules)])
def test_a_broken_rule_is_the_first_problem_named_with_its_variable(check, settings, change, expected):
    errors = check({**settings, **change})
    assert errors and errors[0].startswith(expected), errors
