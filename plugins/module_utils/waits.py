# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rule every wait the roles poll shares, for the layers' settings filters."""

from __future__ import annotations


def delay_errors(delay_variable: str, delay, timeout_variable: str, timeout) -> list[str]:
    """A wait that polls every ``delay`` seconds for up to ``timeout`` must poll at least once: a whole number of
    seconds from 1 to the timeout. One message naming ``delay_variable`` otherwise; [] when it can."""
    if isinstance(delay, int) and not isinstance(delay, bool) and 1 <= delay <= timeout:
        return []
    return [f"{delay_variable}: {delay!r} must be at least 1 second and at most {timeout_variable} ({timeout})"]
