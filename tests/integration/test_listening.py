"""The product listens on loopback only: Rasa and the api as `make run` starts them, with the default settings,
accept no connection from another machine (a shop puts its own reverse proxy in front)."""
from __future__ import annotations

import ipaddress

import psutil
import pytest

from runner.processes import Stack

pytestmark = pytest.mark.integration


def listening_addresses(pid: int) -> set[str]:
    process = psutil.Process(pid)
    return {conn.laddr.ip for proc in (process, *process.children(recursive=True))
            for conn in proc.net_connections(kind="inet") if conn.status == psutil.CONN_LISTEN}


@pytest.mark.parametrize("part", ["rasa", "api"])
def test_each_part_listens_on_loopback_only(stack: Stack, part: str) -> None:
    addresses = listening_addresses(getattr(stack, part).pid)
    assert addresses and all(ipaddress.ip_address(address).is_loopback for address in addresses), addresses
