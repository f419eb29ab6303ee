"""The load generator's protocol client reads Streamlit's messages as the browser does."""

from __future__ import annotations

import asyncio

from google.protobuf.json_format import ParseDict
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.st_protocol import RunResult, StreamlitClient
from tests.async_run import run_async


def element(**fields) -> ForwardMsg:
    msg = ForwardMsg()
    msg.delta.fragment_id = fields.pop("fragment_id", "")
    for kind, value in fields.items():
        ParseDict(value, getattr(msg.delta.new_element, kind))
    return msg


def test_a_run_as_the_browser_sees_it():
    async def run() -> tuple[StreamlitClient, RunResult, str]:
        client = StreamlitClient("http://127.0.0.1:1", "/activations/", "?arch=vgg16")
        client._run = RunResult(0.0, "")
        client._done = asyncio.get_running_loop().create_future()
        new = ForwardMsg()
        new.new_session.initialize.session_id = "s-1"
        new.new_session.page_script_hash = "h-1"
        info = ForwardMsg()
        info.page_info_changed.query_string = "arch=vgg16&layer=block2_conv1"
        slider = element(fragment_id="f-1", slider={"id": "$$ID-ab12-act_layer",
                                                     "options": ["a — 1", "b — 2"]})  # fmt: skip
        for msg in (
            new,
            info,
            slider,
            element(markdown={"body": "16 of the 64 channels of block1_conv1."}),
            element(imgs={"imgs": [{"url": "/media/x.png"}, {"url": "/media/y.png"}]}),
            element(alert={"body": "no such layer", "format": 1}),
            element(alert={"body": "just a note", "format": 3}),
            element(exception={"type": "ValueError", "message": "boom"}),
        ):
            client._on_message(msg)
        done = ForwardMsg()
        done.script_finished = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
        client._on_message(done)
        return client, client._run, await client._done

    client, result, finished = run_async(run())
    assert (client.session_id, client.page_hash, client.page) == ("s-1", "h-1", "activations")
    assert client.query == "arch=vgg16&layer=block2_conv1"
    assert client.url == "http://127.0.0.1:1/activations?arch=vgg16&layer=block2_conv1"
    layer = client.widgets["act_layer"]
    assert (layer.kind, layer.options, layer.fragment_id) == ("slider", ["a — 1", "b — 2"], "f-1")
    assert finished == "fragment"
    assert result.images == ["/media/x.png", "/media/y.png"]
    assert result.errors == ["no such layer"]  # an st.error box; st.info is not an error
    assert result.exceptions == ["ValueError: boom"] and not result.ok
    assert result.texts == ["16 of the 64 channels of block1_conv1."]


def test_a_run_that_finishes_early_for_a_rerun_is_not_the_end():
    async def run() -> bool:
        client = StreamlitClient("http://127.0.0.1:1", "/")
        client._done = asyncio.get_running_loop().create_future()
        early = ForwardMsg()
        early.script_finished = ForwardMsg.FINISHED_EARLY_FOR_RERUN  # st.rerun(): more follows
        client._on_message(early)
        return client._done.done()

    assert run_async(run()) is False
