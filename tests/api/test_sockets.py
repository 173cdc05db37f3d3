"""The socket bounds' own bookkeeping: counts that free up when a socket ends, and typing's token bucket."""
from __future__ import annotations

import time

import pytest

from api.web.sockets import POLICY, CloseSocket, OpenSockets, TypingLimit


def test_a_key_holds_its_limit_of_sockets_and_frees_them_when_they_end() -> None:
    sockets = OpenSockets()
    with sockets.hold("ip:203.0.113.9", 2, "too many"), sockets.hold("ip:203.0.113.9", 2, "too many"):
        with pytest.raises(CloseSocket) as refused, sockets.hold("ip:203.0.113.9", 2, "too many from your address"):
            pass
        assert refused.value.code == POLICY and refused.value.reason == "too many from your address"
        with sockets.hold("ip:198.51.100.1", 2, "too many"):  # another address has its own count
            assert sockets.count("ip:198.51.100.1") == 1
    assert sockets.count("ip:203.0.113.9") == 0


def test_a_reason_fits_a_close_frame() -> None:
    assert len(CloseSocket(POLICY, "é" * 200).reason.encode()) <= 123


def test_typing_passes_a_burst_then_the_rate_and_drops_the_rest() -> None:
    typing = TypingLimit(per_second=4, burst=3)
    assert [typing.allow() for _ in range(50)].count(True) == 3
    time.sleep(0.3)  # one more token (a second one would take until 0.5 s)
    assert [typing.allow() for _ in range(50)].count(True) == 1
