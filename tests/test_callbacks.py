"""Callback data is read in one place (bot/callbacks.py), strictly: a forged button decodes to
None (the stale-button answer), never to something a handler's arithmetic trips on."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.callbacks import KINDS, MAX_CALLBACK_BYTES, Callback, decode
from bot.ids import ROW_ID_MAX, USER_ID_MAX, parse_int, row_id, user_id

FORGED = [
    "1:k:²", "1:c:16.03.01:²", "1:L:x:²",            # issue 16: raised in regions/handlers.py
    "1:P:99999999999999999999:y", "1:J:²:p",          # OverflowError, ValueError
    "1:k:٣", "1:k:-1", "1:k: 1", "1:k:1_0", "1:k:00", "1:k:99999",
    "1:O:0:a", "1:O:-5:a", "1:O:12:x", "1:O:12", "1:O:12:a:b",
    "1:A:abcdef:K²", "1:A:abcdef:D1.²", "1:A:abcdef:P٣", "1:A:abcdef:T1:2", "1:A::x",
    "1:A:abcdef:c²", "1:A:abcdef:c99999", "1:A:abcdef:c01", "1:A:abcdef:c-",
    "1:t:", "1:t:ｈａｋ", "1:e:a b", "1:f:x:hak_pilih", "1:d:yes", "1:l:ind",
    "1:v:99.01.01.1001:extra", "1:Q:XYZ:h", "1:m:extra", "1:S:1", "1:zz:1", "2:m:", ":m:",
    "1", "1:", "", "1:t:" + "a" * 61,
]


@pytest.mark.parametrize("data", FORGED)
def test_forged_data_decodes_to_nothing(data: str) -> None:
    assert decode(data) is None


def test_ids_are_bounded_by_what_they_name() -> None:
    assert decode(f"1:P:{ROW_ID_MAX}:y") == Callback("P", f"{ROW_ID_MAX}:y")
    assert decode(f"1:P:{ROW_ID_MAX + 1}:y") is None         # SQLite: OverflowError
    assert decode(f"1:J:{ROW_ID_MAX + 1}:p") is None
    assert decode(f"1:O:{USER_ID_MAX}:a") is not None       # Telegram: at most 52 bits
    assert decode(f"1:O:{USER_ID_MAX + 1}:a") is None
    pressed = decode("1:J:42:c")
    assert pressed is not None and (pressed.number, pressed.choice) == (42, "c")
    place = decode("1:c:99.01.01:3")
    assert place is not None and (place.text, place.number) == ("99.01.01", 3)


def test_strict_numbers() -> None:
    assert user_id("123") == 123 and user_id(str(USER_ID_MAX)) == USER_ID_MAX
    for bad in ("", "0", "-1", "+1", "²", "٣", "1 2", "1.0", "1e3", str(USER_ID_MAX + 1),
                "9" * 400):
        assert user_id(bad) is None, bad
    assert row_id(str(ROW_ID_MAX)) == ROW_ID_MAX and row_id(str(ROW_ID_MAX + 1)) is None
    assert parse_int("3", 0, 2) is None and parse_int("2", 0, 2) == 2
    assert parse_int("0", 0, -1) is None          # an empty list has no index


def test_the_bot_never_writes_a_button_it_would_not_read_back() -> None:
    with pytest.raises(ValueError):
        Callback("k", "²").encode()
    with pytest.raises(ValueError):
        Callback("O", f"{USER_ID_MAX + 1}:a").encode()
    with pytest.raises(ValueError):
        Callback("t", "x" * 80).encode()
    assert Callback("c", "99.01.01:0").encode() == "1:c:99.01.01:0"


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(KINDS)),
       st.text(st.characters(blacklist_categories=("Cs",)), max_size=70)
       | st.from_regex(r"[0-9:.\-²٣yn]{0,30}", fullmatch=True)
       | st.integers(-2**70, 2**70).map(str))
def test_any_data_decodes_to_a_checked_callback_or_nothing(kind: str, arg: str) -> None:
    data = f"1:{kind}:{arg}"
    cb = decode(data)
    if cb is None:
        return
    assert cb.kind == kind and cb.encode() == data           # round trip
    assert data.isascii() and len(data.encode()) <= MAX_CALLBACK_BYTES
    if cb.number is not None:
        assert 0 <= cb.number <= KINDS[kind].maximum
