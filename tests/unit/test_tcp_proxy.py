"""The TCP proxy the network-cut tests stand on: each mode does to real sockets what it says."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.fakes.tcp_proxy import Mode, TcpProxy
from tests.fakes.twilio_server import FakeTwilio

MESSAGES = "/2010-04-01/Accounts/AC1/Messages.json"


@pytest.fixture
def proxy(twilio: FakeTwilio) -> Iterator[TcpProxy]:
    port = int(twilio.base_url.rsplit(":", 1)[1])
    with TcpProxy(("127.0.0.1", port)) as running:
        yield running


def test_pass_forwards_and_drop_resets_open_and_new_connections(
    proxy: TcpProxy, twilio: FakeTwilio
):
    http = requests.Session()
    assert http.get(proxy.base_url + "/x", timeout=5).status_code == 404  # the fake's answer
    proxy.set_mode(Mode.DROP)
    with pytest.raises(requests.ConnectionError):
        http.get(proxy.base_url + "/x", timeout=5)
    with pytest.raises(requests.ConnectionError):
        requests.get(proxy.base_url + "/x", timeout=5)
    proxy.set_mode(Mode.PASS)
    assert http.get(proxy.base_url + "/x", timeout=5).status_code == 404
    assert len(twilio.requests) == 2, "nothing passed while dropping"


def test_stall_accepts_and_never_answers(proxy: TcpProxy, twilio: FakeTwilio):
    proxy.set_mode(Mode.STALL)
    with pytest.raises(requests.ReadTimeout):
        requests.get(proxy.base_url + "/x", timeout=(5, 0.3))
    assert twilio.requests == []
    proxy.set_mode(Mode.PASS)
    assert requests.get(proxy.base_url + "/x", timeout=5).status_code == 404


@pytest.mark.parametrize("mode", [Mode.DROP, Mode.STALL])
def test_a_cut_at_the_reply_lets_the_request_through_and_loses_its_answer(
    proxy: TcpProxy, twilio: FakeTwilio, mode: Mode
):
    proxy.cut_at_reply(b"POST " + MESSAGES.encode(), mode)
    with pytest.raises((requests.ConnectionError, requests.ReadTimeout)):
        requests.post(proxy.base_url + MESSAGES, data={"To": "+1"}, timeout=(5, 0.3))
    [request] = twilio.requests
    assert request.form == {"To": "+1"}
    assert (proxy.mode, proxy.withheld_replies) == (mode, 1)
