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
