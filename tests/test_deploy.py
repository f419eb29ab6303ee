"""The replicas recipe (deploy/): HAProxy in front of two app processes, one killed mid-class.

Students are browser-less clients speaking Streamlit's protocol (bench/st_protocol.py).
Their tabs spread over both replicas; one replica is SIGKILLed while every student
moves the layer slider. Each student's next action must succeed: the ones that lost
their replica reconnect through the balancer to the other one and get the same view
back from their URL (network, layer); uploads then reach the replica that holds the
session (cookie affinity). Needs Debian's haproxy (installed by .ci/run); skipped without it.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess

import pytest

from bench.st_protocol import Disconnected, StreamlitClient
from deploy.replicas import haproxy_config, start
from tests.apptest import as_read
from tests.async_run import run_async
from tests.browser.harness import free_port
from tests.conftest import ROOT

pytestmark = [
    pytest.mark.keras,
    pytest.mark.skipif(shutil.which("haproxy") is None, reason="haproxy not installed"),
]
STUDENTS = 4
LINK = "arch=vgg11&input=64x64x3&top=0&layer=block2_conv1"  # small: quick to build twice
REPLICA_COOKIE = "VGGX_REPLICA"


def maps_of(run) -> str:
    """The layer named in the maps' caption ('16 of the 128 channels of block2_conv1.')."""
    found = [text.rsplit(" ", 1)[-1].rstrip(".") for text in run.texts if "channels of" in text]
    assert found, run.texts
    return found[0]


def layer_in(query: str) -> str:
    return dict(p.split("=", 1) for p in query.split("&"))["layer"]


def test_config_has_affinity_websockets_and_health_checks(tmp_path):
    text = haproxy_config(9000, [9001, 9002])
    assert "cookie VGGX_REPLICA insert" in text and "timeout tunnel" in text
    assert "uri /_stcore/health" in text and "option redispatch" in text
    assert text.count("check cookie app") == 2
    config = tmp_path / "haproxy.cfg"
    config.write_text(text)
    checked = subprocess.run(["haproxy", "-c", "-f", str(config)], capture_output=True)
    assert checked.returncode == 0, checked.stderr.decode()


async def failover(url: str, kill) -> list[str]:
    """Run the class; ``kill()`` kills the replica of student 0 while slider moves are in flight."""
    students = [StreamlitClient(url, "/activations", LINK, timeout=180) for _ in range(STUDENTS)]
    notes: list[str] = []
    try:
        for client in students:  # one by one: leastconn alternates the replicas
            first = await client.open()
            assert first.ok and not first.errors, first.exceptions + first.errors
            assert maps_of(first) == "block2_conv1"
        replicas = [client.cookies[REPLICA_COOKIE] for client in students]
        assert len(set(replicas)) == 2, replicas  # the class is spread over both
        doomed = replicas[0]
        for client in students:  # pick a layer: it goes into each tab's URL
            run = await client.pick_option("act_layer", 4)
            assert run.ok and layer_in(client.query) == maps_of(run) != "block2_conv1"

        async def move(client: StreamlitClient):
            try:
                return await client.pick_option("act_layer", 5)
            except Disconnected:
                return None  # the in-flight run of a killed replica: the only thing lost

        moving = [asyncio.create_task(move(client)) for client in students]
        await asyncio.sleep(0.05)
        await asyncio.to_thread(kill, doomed)
        results = await asyncio.gather(*moving)
        for client, replica, result in zip(students, replicas, results, strict=True):
            if replica == doomed:
                for _ in range(100):  # the tab notices its websocket closed
                    if not client.connected:
                        break
                    await asyncio.sleep(0.05)
                assert not client.connected
                # the tab reconnects (through the balancer, to the live replica) and reruns
                # its URL: the view as it was (with the move if the dead replica had
                # already put it in the URL)
                view = client.query
                again = await client.open()
                assert again.ok and not again.errors, again.exceptions + again.errors
                assert client.cookies[REPLICA_COOKIE] != doomed
                assert client.query == view and maps_of(again) == layer_in(view)
                notes.append("moved")
            else:
                assert result is not None and result.ok
                assert client.cookies[REPLICA_COOKIE] == replica
            # the next action succeeds wherever the tab is now, uploads included
            run = await client.pick_option("act_layer", 6)
            assert run.ok and maps_of(run) == layer_in(client.query)
            photo = (ROOT / "assets" / "samples" / "coffee.jpg").read_bytes()
            uploaded = await client.upload("act_image_upload", "mine.jpg", photo, "image/jpeg")
            assert uploaded.ok and not uploaded.errors, uploaded.exceptions + uploaded.errors
            assert any("mine.jpg" in as_read(text) for text in uploaded.texts)  # shown escaped
    finally:
        await asyncio.gather(*(client.close() for client in students))
    return notes


def test_a_killed_replica_loses_only_the_in_flight_run(tmp_path):
    cluster = start(2, free_port(), work=tmp_path)
    try:

        def kill(cookie: str) -> None:
            cluster.kill_replica(int(cookie.removeprefix("app")) - 1)

        moved = run_async(failover(cluster.url, kill))
        assert len(moved) == STUDENTS // 2  # leastconn put half the class on each replica
    finally:
        cluster.stop()
