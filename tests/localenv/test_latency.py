"""The latency profile states every modelled transition with a sourced figure; the scale comes from the environment."""

import pytest
import yaml

from localenv import latency


def test_the_shipped_profile_times_every_transition_with_a_public_source():
    raw = yaml.safe_load(latency.DEFAULT_PROFILE.read_text(encoding="utf-8"))
    timed = latency.load_profile(latency.DEFAULT_PROFILE)
    assert set(timed) == set(latency.TRANSITIONS)
    for (resource, transition), states in latency.TRANSITIONS.items():
        for state in states:
            figure = raw[resource][transition][state]
            assert figure["source"].startswith("https://") and figure["note"].strip(), (resource, transition, state)
            assert figure["evidence"] in latency.EVIDENCE


def test_scale_zero_is_the_default_and_times_nothing():
    off = latency.from_env({})
    assert not off.active and off.phases("db_proxy", "create") == ()
    assert latency.from_env({latency.SCALE_VARIABLE: "0"}) == off


def test_the_scale_multiplies_every_figure():
    tenth = latency.from_env({latency.SCALE_VARIABLE: "0.1"})
    shipped = latency.load_profile(latency.DEFAULT_PROFILE)
    assert tenth.active and tenth.describe().startswith("latency scale 0.1 of ")
    assert tenth.phases("db_instance", "create") == tuple((state, seconds * 0.1) for state, seconds in shipped[("db_instance", "create")])
    assert [state for state, _seconds in tenth.phases("db_instance", "create", skip=frozenset({"backing-up"}))] == ["creating"]


@pytest.mark.parametrize("value", ["fast", "-1", "inf", "nan"])
def test_a_bad_scale_names_the_variable(value):
    with pytest.raises(latency.LatencyError, match=f"^{latency.SCALE_VARIABLE}: '{value}' is not a scale factor"):
        latency.from_env({latency.SCALE_VARIABLE: value})


def test_a_missing_profile_names_the_variable(tmp_path):
    with pytest.raises(latency.LatencyError, match=f"^{latency.PROFILE_VARIABLE}: cannot read"):
        latency.from_env({latency.SCALE_VARIABLE: "1", latency.PROFILE_VARIABLE: str(tmp_path / "none.yml")})


@pytest.mark.parametrize(("change", "message"), [
    (lambda p: p["db_proxy"].pop("modify"), "db_proxy.modify: expected the states modifying in that order"),
    (lambda p: p["db_instance"]["create"].pop("backing-up"), "db_instance.create: expected the states creating, backing-up"),
    (lambda p: p["nat_gateway"]["create"]["pending"].update(seconds=-5), "nat_gateway.create.pending.seconds: -5 is not a number"),
    (lambda p: p["db_snapshot"]["create"]["creating"].update(source="a blog"), "db_snapshot.create.creating.source: a public https://"),
    (lambda p: p["db_proxy_target"]["register"]["REGISTERING"].update(evidence="hearsay"), "REGISTERING.evidence: 'hearsay' is not one of"),
], ids=["missing-transition", "missing-state", "negative-seconds", "no-source", "unknown-evidence"])
def test_a_profile_is_checked_key_by_key(tmp_path, change, message):
    profile = yaml.safe_load(latency.DEFAULT_PROFILE.read_text(encoding="utf-8"))
    change(profile)
    path = tmp_path / "profile.yml"
    path.write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")
    with pytest.raises(latency.LatencyError, match=message):
        latency.from_env({latency.SCALE_VARIABLE: "1", latency.PROFILE_VARIABLE: str(path)})


def test_a_hold_keeps_the_last_state_until_it_has_been_read_that_often_whatever_the_clock(monkeypatch):
    from localenv.fidelity import lifecycle  # pylint: disable=import-outside-toplevel  # the lifecycles read the hold

    class Resource:  # pylint: disable=too-few-public-methods
        pass

    monkeypatch.setattr(latency, "clock", lambda: 1000.0)
    held = latency.from_env({latency.SCALE_VARIABLE: "1", latency.HOLD_VARIABLE: "3"})
    previous = latency.configure(latency.Latency(scale=1, seconds=latency.uniform(0.5).seconds, hold_reads=held.hold_reads))
    try:
        resource = Resource()
        assert lifecycle.begin(resource, "db_instance", "create", frozenset({"backing-up"}))
        monkeypatch.setattr(latency, "clock", lambda: 5000.0)  # long past its 0.5 s, as on a slow machine
        assert [lifecycle.passing(resource) for _read in range(4)] == ["creating", "creating", "creating", None]
    finally:
        latency.configure(previous)
    assert held.hold_reads == 3 and "held for 3 reads" in held.describe()
    assert latency.from_env({latency.SCALE_VARIABLE: "1"}).hold_reads == 0
    with pytest.raises(latency.LatencyError, match=f"^{latency.HOLD_VARIABLE}: 'a few' is not a number of reads"):
        latency.from_env({latency.HOLD_VARIABLE: "a few"})
