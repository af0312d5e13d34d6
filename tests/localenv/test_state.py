"""localenv/state.py writes what pickle alone cannot: the kinds of objects moto's backends hold after a rollout."""

import collections
import io
import pickle
import threading

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from localenv import latency, state


def round_trip(value):
    buffer = io.BytesIO()
    state._Pickler(buffer, {}).dump(value)  # pylint: disable=protected-access
    return pickle.loads(buffer.getvalue())


def test_a_moto_default_dictionary_subclass_keeps_its_items_attributes_and_factory():
    from moto.ssm.models import ParameterDict  # pylint: disable=import-outside-toplevel

    parameters = ParameterDict("123456789012", "eu-west-1")
    parameters["/a"].append("v1")
    loaded = round_trip(parameters)
    assert isinstance(loaded, ParameterDict) and dict(dict.items(loaded)) == dict(dict.items(parameters)) != {}
    assert (loaded.account_id, loaded.region_name, loaded.default_factory) == ("123456789012", "eu-west-1", list)


def test_a_lambda_factory_is_written_as_one_that_returns_the_same_empty_value():
    nested = collections.defaultdict(lambda: collections.defaultdict(dict))
    nested["a"]["b"]["c"] = 1
    loaded = round_trip(nested)
    assert loaded["a"]["b"] == {"c": 1}
    assert loaded["new"] == {} and isinstance(loaded["new"], collections.defaultdict)
    loaded["new"]["x"]["y"] = 2  # the new entry's own factory works too
    assert loaded["other"] == {}  # and each default is a copy, not one shared value


def test_locks_and_keys_are_written_as_new_locks_and_their_pem_text():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    lock, reentrant, loaded_key = round_trip([threading.Lock(), threading.RLock(), key])
    assert lock.acquire(blocking=False) and reentrant.acquire() and reentrant.acquire()
    assert loaded_key.private_numbers() == key.private_numbers()


def test_a_state_is_not_saved_while_a_latency_scale_is_on(monkeypatch):
    monkeypatch.setattr(latency, "_current", latency.Latency(scale=1.0))
    with pytest.raises(state.StateError, match="latency scale above 0"):
        state.dumps()


def test_a_file_that_is_not_a_state_is_named(tmp_path):
    (tmp_path / "broken").write_bytes(b"not a pickle")
    with pytest.raises(state.StateError, match=f"^{tmp_path / 'broken'} is not an emulator state"):
        state.load(tmp_path / "broken")
    with pytest.raises(state.StateError, match=f"^cannot read the emulator state {tmp_path / 'missing'}"):
        state.load(tmp_path / "missing")
