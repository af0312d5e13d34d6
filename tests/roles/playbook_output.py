"""Reading ansible-playbook's default output: the recap, success, and the tasks that changed."""

import re


def recap(result) -> dict[str, int]:
    """The PLAY RECAP counters of localhost, summed over the playbook's plays."""
    lines = re.findall(r"^localhost\s+:\s+(.*)$", result.stdout, re.MULTILINE)
    assert len(lines) == 1, result.stdout[-3000:] + result.stderr[-2000:]
    return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", lines[0])}


def ok(result) -> dict[str, int]:
    """The recap of a run that succeeded; a failed run fails the test with the end of its output."""
    counts = recap(result)
    assert result.returncode == 0 and counts["failed"] == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return counts


def changed_tasks(result) -> list[str]:
    """The names of the tasks that reported a change, in order."""
    names, task = [], None
    for line in result.stdout.splitlines():
        header = re.match(r"^TASK \[(.*)\] \*+$", line)
        if header:
            task = header.group(1)
        elif line.startswith("changed: [localhost]") and task not in names:
            names.append(task)
    return names


def task_statuses(result, task: str) -> list[str]:
    """How each run of the task ended (ok, changed, skipping, fatal), in order, from default or -v... output."""
    statuses, current = [], None
    for line in result.stdout.splitlines():
        header = re.match(r"^TASK \[(.*)\] \*+$", line)
        if header:
            current = header.group(1)
            continue
        status = re.match(r"^(ok|changed|skipping|fatal): \[localhost\]", line)
        if status and current == task:
            statuses.append(status.group(1))
            current = None
    return statuses
