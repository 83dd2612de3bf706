"""Fault injection over real HTTP: deterministic rates, Retry-After, timeouts, down switch."""

from __future__ import annotations

import http.client
import json
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from ingest.simulator.network import Network, Scenario, build_network
from ingest.simulator.server import FaultConfig, SimulatorServer

N_REQUESTS = 400


@pytest.fixture(scope="module")
def net() -> Network:
    return build_network(Scenario(n_epochs=3, stake_accounts_per_validator=5))


def _outcomes(server: SimulatorServer, n: int) -> list[str]:
    body = {"jsonrpc": "2.0", "id": 1, "method": "getSlot", "params": []}
    out = []
    with httpx.Client(timeout=10) as client:
        for _ in range(n):
            try:
                resp = client.post(server.rpc_url, json=body)
            except httpx.RemoteProtocolError:  # body cut off mid-transfer
                out.append("truncated")
                continue
            if resp.status_code == 429:
                assert resp.headers["Retry-After"].isdigit()
                out.append("429")
            elif resp.status_code >= 500:
                out.append("5xx")
            else:
                try:
                    assert json.loads(resp.content)["result"] == server.tip_slot
                    out.append("ok")
                except ValueError:
                    out.append("malformed")
    return out


def test_fault_rates_roughly_as_configured_and_deterministic(net: Network) -> None:
    cfg = FaultConfig(seed=11, rate_429=0.1, rate_5xx=0.1, rate_malformed=0.1, rate_truncated=0.05)
    with SimulatorServer(net, faults=cfg) as srv:
        first = _outcomes(srv, N_REQUESTS)
        log = srv.fault_log
        assert srv.request_log == {"getSlot": N_REQUESTS}
        srv.reset_faults(
            FaultConfig(
                seed=11, rate_429=0.1, rate_5xx=0.1, rate_malformed=0.1, rate_truncated=0.05
            )
        )
        again = _outcomes(srv, N_REQUESTS)
        srv.reset_faults(
            FaultConfig(
                seed=12, rate_429=0.1, rate_5xx=0.1, rate_malformed=0.1, rate_truncated=0.05
            )
        )
        other = _outcomes(srv, N_REQUESTS)
    counts = Counter(first)
    assert 20 <= counts["429"] <= 60
    assert 20 <= counts["5xx"] <= 60
    assert 20 <= counts["malformed"] <= 60
    assert 8 <= counts["truncated"] <= 35
    for kind in ("429", "5xx", "malformed", "truncated"):
        assert log[kind] == counts[kind], kind
    assert again == first  # same seed, same request numbers: same faults
    assert other != first


def test_draws_are_a_pure_function_of_seed_and_counter() -> None:
    cfg = FaultConfig(seed=5, rate_429=0.3, rate_5xx=0.3)
    seq = [cfg.draw(n) for n in range(200)]
    assert seq == [FaultConfig(seed=5, rate_429=0.3, rate_5xx=0.3).draw(n) for n in range(200)]
    assert set(seq) == {"429", "5xx", None}
    assert FaultConfig().draw(0) is None


def test_429_on_kobe_with_retry_after(net: Network) -> None:
    with SimulatorServer(net, faults=FaultConfig(rate_429=1.0, retry_after_s=0)) as srv:
        resp = httpx.post(f"{srv.kobe_url}/api/v1/validators", json={"epoch": 0}, timeout=5)
        assert resp.status_code == 429 and resp.headers["Retry-After"] == "0"
        assert srv.request_log == {"kobe:/api/v1/validators": 1}


def test_timeout_fault_delays_the_answer(net: Network) -> None:
    cfg = FaultConfig(rate_timeout=1.0, timeout_delay_s=0.5)
    body = {"jsonrpc": "2.0", "id": 1, "method": "getSlot"}
    with SimulatorServer(net, faults=cfg) as srv:
        with pytest.raises(httpx.TimeoutException):
            httpx.post(srv.rpc_url, json=body, timeout=0.1)
        srv.reset_faults(FaultConfig())
        assert httpx.post(srv.rpc_url, json=body, timeout=5).json()["result"] == srv.tip_slot


@pytest.fixture()
def plain(net: Network) -> Iterator[SimulatorServer]:
    with SimulatorServer(net) as srv:
        yield srv


def test_down_switch(plain: SimulatorServer) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "getEpochInfo"}
    with httpx.Client(timeout=5) as client:
        assert client.post(plain.rpc_url, json=body).status_code == 200
        plain.set_down(True)
        assert client.post(plain.rpc_url, json=body).status_code == 503
        kobe = client.post(f"{plain.kobe_url}/api/v1/validators", json={"epoch": 0})
        assert kobe.status_code == 503
        plain.set_down(False)
        assert client.post(plain.rpc_url, json=body).status_code == 200
    assert plain.fault_log == {"down": 2}


def test_truncated_body_is_half_of_the_announced_length(net: Network) -> None:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "getEpochSchedule"})
    headers = {"Content-Type": "application/json"}
    with (
        SimulatorServer(net) as good,
        SimulatorServer(net, faults=FaultConfig(rate_truncated=1.0)) as bad,
    ):
        full = httpx.post(good.rpc_url, content=body, headers=headers, timeout=5).content
        conn = http.client.HTTPConnection("127.0.0.1", bad.port, timeout=5)
        conn.request("POST", "/rpc", body=body, headers=headers)
        resp = conn.getresponse()
        assert resp.status == 200 and resp.getheader("Content-Length") == str(len(full))
        with pytest.raises(http.client.IncompleteRead) as cut:
            resp.read()
        conn.close()
    assert cut.value.partial == full[: len(full) // 2]


def test_fault_config_is_copied(net: Network) -> None:
    cfg = FaultConfig()
    with SimulatorServer(net, faults=cfg) as a, SimulatorServer(net, faults=cfg) as b:
        a.set_down(True)
        assert a.faults.down and not b.faults.down and not cfg.down
