# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The input checks of the operations playbooks that change or remove an environment (destroy.yml, restore.yml): each
returns every problem, one line naming its variable, so that the playbook's one validation task stops at the first
before any AWS call."""

from __future__ import annotations

from ansible_collections.shoppulse.analytics.plugins.filter.cost import boolean
from ansible_collections.shoppulse.analytics.plugins.filter.rds import rds_identifier_errors


def _text(value) -> str:
    return "" if value is None else str(value)


def _boolean_errors(settings: dict, names: tuple) -> list[str]:
    """A boolean given as anything but a boolean or one of the words -e hands one over as (read as text, as the
    cost filters read shoppulse_stop_allowed, so that YAML's true and 1 pass too)."""
    value_of = {name: settings.get(name, False) for name in names}
    return [f"{name}: '{value}' is not true or false" for name, value in value_of.items() if boolean(str(value)) is None]


def destroy_settings_errors(settings: dict) -> list[str]:
    """playbooks/destroy.yml's inputs: the run names the inventory's environment (``destroy_confirm`` against
    ``shoppulse_environment``), ``destroy_skip_final_snapshot`` and ``destroy_disable_deletion_protection`` are booleans,
    and ``destroy_secret_recovery_days`` is 0 (delete at once) or 7-30 (DeleteSecret's RecoveryWindowInDays)."""
    environment, confirm = _text(settings.get("shoppulse_environment")), _text(settings.get("destroy_confirm"))
    errors = []
    if confirm != environment:
        wrong = f"'{confirm}' is not this inventory's environment; " if confirm else ""
        errors.append(f"destroy_confirm: {wrong}pass -e destroy_confirm={environment} to destroy the environment {environment}")
    errors += _boolean_errors(settings, ("destroy_skip_final_snapshot", "destroy_disable_deletion_protection"))
    days = _text(settings.get("destroy_secret_recovery_days", 30)).strip()
    if not (days.isdigit() and (int(days) == 0 or 7 <= int(days) <= 30)):
        errors.append(f"destroy_secret_recovery_days: '{settings.get('destroy_secret_recovery_days')}' must be 0 (delete at once,"
                      " without recovery) or 7 to 30 days")
    return errors


def restore_settings_errors(settings: dict) -> list[str]:
    """playbooks/restore.yml's inputs: a snapshot to restore and a new instance to restore into, both named (only that is
    said while either is missing); the snapshot an identifier, automated one or ARN; the instance a DB instance
    identifier other than the environment's own (``rds_instance_identifier``; RDS identifiers ignore case); and
    ``restore_repoint_proxy`` a boolean."""
    snapshot, identifier = _text(settings.get("restore_snapshot")), _text(settings.get("restore_instance_identifier"))
    named = []
    if not snapshot:
        named.append("restore_snapshot: name the DB snapshot to restore (-e restore_snapshot=<identifier>)")
    if not identifier:
        named.append("restore_instance_identifier: name the new instance to restore into (-e restore_instance_identifier=<identifier>)")
    if named:
        return named
    errors = (rds_identifier_errors(snapshot, "restore_snapshot", "snapshot_source")
              + rds_identifier_errors(identifier, "restore_instance_identifier"))
    if identifier.lower() == _text(settings.get("rds_instance_identifier")).lower():
        errors.append(f"restore_instance_identifier: {identifier} is the environment's instance (rds_instance_identifier);"
                      " restore into a new identifier")
    return errors + _boolean_errors(settings, ("restore_repoint_proxy",))


class FilterModule:
    """Input checks of the operations playbooks."""

    def filters(self):
        return {
            "destroy_settings_errors": destroy_settings_errors,
            "restore_settings_errors": restore_settings_errors,
        }
