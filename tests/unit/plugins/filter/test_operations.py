"""The operations playbooks' input checks (destroy.yml, restore.yml): sound inputs pass, each rule names its
variable with the message the playbook stops with, and every problem is listed. One playbook run each shows the check
stops the run before any AWS call (tests/operations/test_destroy.py, tests/operations/test_snapshot_restore.py)."""

import pytest

from ansible_collections.shoppulse.analytics.plugins.filter.operations import FilterModule
from ansible_collections.shoppulse.analytics.plugins.filter.operations import destroy_settings_errors
from ansible_collections.shoppulse.analytics.plugins.filter.operations import restore_settings_errors

DESTROY = {"destroy_confirm": "local", "shoppulse_environment": "local", "destroy_skip_final_snapshot": False,
           "destroy_disable_deletion_protection": False, "destroy_secret_recovery_days": 30}
RESTORE = {"restore_snapshot": "before-the-migration", "restore_instance_identifier": "shoppulse-restored-db",
           "rds_instance_identifier": "shoppulse-analytics", "restore_repoint_proxy": False}


def test_both_filters_are_registered_and_pass_sound_inputs_given_as_yaml_or_as_extra_vars_text():
    assert FilterModule().filters() == {"destroy_settings_errors": destroy_settings_errors,
                                        "restore_settings_errors": restore_settings_errors}
    assert destroy_settings_errors(DESTROY) == restore_settings_errors(RESTORE) == []
    as_text = {"destroy_skip_final_snapshot": "yes", "destroy_disable_deletion_protection": "True", "destroy_secret_recovery_days": "0"}
    assert destroy_settings_errors({**DESTROY, **as_text}) == []
    assert destroy_settings_errors({**DESTROY, "destroy_skip_final_snapshot": 1, "destroy_secret_recovery_days": 7}) == []
    assert restore_settings_errors({**RESTORE, "restore_repoint_proxy": "on", "restore_snapshot": "rds:shoppulse-analytics-2026-12-01-03-10"}) == []


@pytest.mark.parametrize("change, expected", [
    ({"destroy_confirm": ""}, "destroy_confirm: pass -e destroy_confirm=local to destroy the environment local"),
    ({"destroy_confirm": "prod"},
     "destroy_confirm: 'prod' is not this inventory's environment; pass -e destroy_confirm=local to destroy the environment local"),
    ({"destroy_secret_recovery_days": "3"},
     "destroy_secret_recovery_days: '3' must be 0 (delete at once, without recovery) or 7 to 30 days"),
    ({"destroy_secret_recovery_days": 31},
     "destroy_secret_recovery_days: '31' must be 0 (delete at once, without recovery) or 7 to 30 days"),
    ({"destroy_skip_final_snapshot": "maybe"}, "destroy_skip_final_snapshot: 'maybe' is not true or false"),
    ({"destroy_disable_deletion_protection": "please"}, "destroy_disable_deletion_protection: 'please' is not true or false"),
], ids=["unconfirmed", "another environment", "recovery days", "recovery past 30", "skip snapshot", "deletion protection"])
def test_each_destroy_rule_names_its_variable(change, expected):
    assert destroy_settings_errors({**DESTROY, **change}) == [expected]


def test_every_destroy_problem_is_listed_the_confirmation_first():
    problems = destroy_settings_errors({**DESTROY, "destroy_confirm": "dev", "destroy_secret_recovery_days": "a week",
                                        "destroy_skip_final_snapshot": "sure"})
    assert [problem.split(":", 1)[0] for problem in problems] == [
        "destroy_confirm", "destroy_skip_final_snapshot", "destroy_secret_recovery_days"]


@pytest.mark.parametrize("change, expected", [
    ({"restore_snapshot": ""}, ["restore_snapshot: name the DB snapshot to restore (-e restore_snapshot=<identifier>)"]),
    ({"restore_snapshot": None, "restore_instance_identifier": "9lives"},
     ["restore_snapshot: name the DB snapshot to restore (-e restore_snapshot=<identifier>)"]),
    ({"restore_instance_identifier": ""},
     ["restore_instance_identifier: name the new instance to restore into (-e restore_instance_identifier=<identifier>)"]),
    ({"restore_snapshot": "my_snapshot"},
     ["restore_snapshot: 'my_snapshot' is not a DB snapshot identifier (letters, digits and single hyphens, starting with a"
      " letter), an automated one (rds:...) or a snapshot ARN"]),
    ({"restore_instance_identifier": "9lives"},
     ["restore_instance_identifier: '9lives' must be 1-63 letters, digits or single hyphens, starting with a letter and not"
      " ending with a hyphen"]),
    ({"restore_instance_identifier": "SHOPPULSE-ANALYTICS"},
     ["restore_instance_identifier: SHOPPULSE-ANALYTICS is the environment's instance (rds_instance_identifier); restore into"
      " a new identifier"]),
    ({"restore_repoint_proxy": "maybe"}, ["restore_repoint_proxy: 'maybe' is not true or false"]),
], ids=["no snapshot named", "only the missing name is said", "no instance named", "bad snapshot", "bad identifier",
        "the environment's own", "not a boolean"])
def test_each_restore_rule_names_its_variable(change, expected):
    assert restore_settings_errors({**RESTORE, **change}) == expected


def test_every_restore_problem_is_listed_once_both_are_named():
    problems = restore_settings_errors({**RESTORE, "restore_snapshot": "my_snapshot", "restore_instance_identifier": "9lives",
                                        "restore_repoint_proxy": "sometimes"})
    assert [problem.split(":", 1)[0] for problem in problems] == [
        "restore_snapshot", "restore_instance_identifier", "restore_repoint_proxy"]
