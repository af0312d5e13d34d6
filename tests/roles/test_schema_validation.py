"""A bad schema setting fails before the secret is read or the database reached, with one line naming the variable.

Every rule is the schema_settings_errors filter's, tested in tests/unit/plugins/filter/test_settings_errors.py; this run
shows the filter stops the layer.
"""

from tests.roles.conftest import CLOSED_PORT, ansible_playbook
from tests.roles.playbook_output import recap


def test_a_reserved_application_role_stops_the_layer_naming_the_variable():
    result = ansible_playbook("tests/playbooks/schema_settings.yml", "-e", "schema_db_host=proxy.invalid",
                              "-e", "schema_secret_arn=shoppulse-analytics/rds/master", "-e", "schema_app_role=public",
                              port=CLOSED_PORT)

    counts = recap(result)
    assert result.returncode != 0 and (counts["failed"], counts["changed"]) == (1, 0), result.stdout[-2000:]
    assert "schema_app_role: public must be lower-case letters, digits and underscores (at most 63), not pg_*, rds* or public" \
        in result.stdout
    assert "Read the database username and password from the secret" not in result.stdout
