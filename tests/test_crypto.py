import pytest
from cryptography.exceptions import InvalidTag

from core import crypto


def test_round_trip_and_fresh_nonce():
    a, b = crypto.encrypt("11010519491231002X"), crypto.encrypt("11010519491231002X")
    assert a != b  # a new nonce every time: equal plaintexts do not show as equal
    assert crypto.decrypt(a) == crypto.decrypt(b) == "11010519491231002X"
    assert b"11010519491231002X" not in a


def test_tampering_is_detected():
    sealed = bytearray(crypto.encrypt("secret"))
    sealed[-1] ^= 1
    with pytest.raises(InvalidTag):
        crypto.decrypt(bytes(sealed))


def test_unknown_version_is_refused():
    sealed = bytearray(crypto.encrypt("secret"))
    sealed[0] = 9
    with pytest.raises(ValueError):
        crypto.decrypt(bytes(sealed))


def test_blind_index_is_keyed_and_purpose_bound(settings):
    one = crypto.blind_index("x", "person.id_number")
    assert one == crypto.blind_index("x", "person.id_number")
    assert one != crypto.blind_index("x", "other")
    settings.BLIND_INDEX_KEY = "aa" * 32
    crypto._key.cache_clear()
    try:
        assert crypto.blind_index("x", "person.id_number") != one
    finally:
        crypto._key.cache_clear()
