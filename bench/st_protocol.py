"""A browser-less Streamlit client: the messages the web frontend sends, over its websocket.

Speaks Streamlit's own protocol (``streamlit.proto``): a ``BackMsg.rerun_script`` with
the page's query string and page name, widget states for a widget change (inside a
fragment: a fragment rerun), ``file_urls_request`` then an HTTP PUT to
``/_stcore/upload_file/<session>/<file>`` for an upload. It reads the ``ForwardMsg``
stream: deltas (widgets by key, images, exceptions, error alerts), the query string
the script writes, and ``script_finished``. Like the browser it keeps its cookies
(XSRF token, a balancer's affinity cookie) and, when the connection drops,
reconnects and reruns its current URL, which is how a view survives a replica's death.

Used by ``bench/load_ws.py`` (load) and ``tests/test_deploy.py`` (failover).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import requests
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileURLs, UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

XSRF_COOKIE = "_streamlit_xsrf"
MEDIA_CONNECTIONS = 6
DONE = {
    ForwardMsg.FINISHED_SUCCESSFULLY: "full",
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY: "fragment",
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR: "compile error",
}


class Disconnected(ConnectionError):
    """The websocket closed while a run was awaited (e.g. its replica died)."""


@dataclass
class RunResult:
    """One script run as the browser sees it: how long, what it showed, what went wrong."""

    seconds: float
    finished: str  # "full", "fragment", "compile error"
    exceptions: list[str] = field(default_factory=list)  # st.exception / uncaught errors
    errors: list[str] = field(default_factory=list)  # st.error boxes
    images: list[str] = field(default_factory=list)  # media URLs of st.image elements
    texts: list[str] = field(default_factory=list)  # markdown and captions
    media_seconds: float = 0.0  # fetching those images, as the browser would

    @property
    def ok(self) -> bool:
        return self.finished != "compile error" and not self.exceptions


@dataclass
class Widget:
    id: str
    kind: str  # the Element oneof: "slider", "file_uploader", ...
    options: list[str]
    fragment_id: str


class StreamlitClient:
    """One simulated browser tab on ``base_url`` + ``path`` (e.g. ``/activations``)."""

    def __init__(self, base_url: str, path: str, query: str = "", timeout: float = 120.0) -> None:
        self.base = base_url.rstrip("/")
        self.page = path.strip("/")
        self.query = query.lstrip("?")
        self.timeout = timeout
        self.http = requests.Session()  # connection reuse only; cookies live in ``cookies``
        self.cookies: dict[str, str] = {}
        self.session_id = ""
        self.page_hash = ""
        self.widgets: dict[str, Widget] = {}  # by user key
        self.states: dict[str, WidgetState] = {}  # what this "browser" sends, by widget id
        self._ws: websockets.ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._run: RunResult | None = None
        self._done: asyncio.Future[str] | None = None
        self._urls: dict[str, asyncio.Future[list[FileURLs]]] = {}

    # ------------------------------------------------------------------ connection

    @property
    def connected(self) -> bool:
        return self._reader is not None and not self._reader.done()

    @property
    def url(self) -> str:
        return f"{self.base}/{self.page}" + (f"?{self.query}" if self.query else "")

    def _cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def _keep_cookies(self, set_cookies: list[str]) -> None:
        for value in set_cookies:
            for morsel in SimpleCookie(value).values():
                self.cookies[morsel.key] = morsel.value

    def _http(self, method: str, path: str, **kwargs) -> bytes:
        headers = {"Cookie": self._cookie_header(), **kwargs.pop("headers", {})}
        response = self.http.request(
            method, self.base + path, headers=headers, timeout=self.timeout, **kwargs
        )
        self._keep_cookies(response.raw.headers.getlist("Set-Cookie"))
        self.http.cookies.clear()
        response.raise_for_status()
        return response.content

    async def connect(self) -> None:
        """What the frontend does: health check (sets the XSRF cookie), then the websocket."""
        await asyncio.to_thread(self._http, "GET", "/_stcore/health")
        xsrf = self.cookies.get(XSRF_COOKIE, "")
        netloc = urlsplit(self.base).netloc
        self._ws = await websockets.connect(
            f"ws://{netloc}/_stcore/stream",
            subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],  # type: ignore[list-item]
            additional_headers={"Cookie": self._cookie_header(), "Origin": self.base},
            max_size=None,
            open_timeout=self.timeout,
        )
        if self._ws.response is not None:
            self._keep_cookies(self._ws.response.headers.get_all("Set-Cookie"))
        self._reader = asyncio.create_task(self._read(self._ws))

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        self.http.close()

    async def _read(self, ws: websockets.ClientConnection) -> None:
        try:
            async for data in ws:
                msg = ForwardMsg()
                msg.ParseFromString(data)  # type: ignore[arg-type]
                self._on_message(msg)
        except websockets.ConnectionClosed:
            pass
        finally:
            if self._done is not None and not self._done.done():
                self._done.set_exception(Disconnected("websocket closed during a run"))
            for waiting in self._urls.values():
                if not waiting.done():
                    waiting.set_exception(Disconnected("websocket closed during an upload"))

    # ------------------------------------------------------------------ what the server says

    def _on_message(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.session_id = msg.new_session.initialize.session_id or self.session_id
            self.page_hash = msg.new_session.page_script_hash or self.page_hash
        elif kind == "navigation":
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "file_urls_response":
            waiting = self._urls.pop(msg.file_urls_response.response_id, None)
            if waiting is not None and not waiting.done():
                waiting.set_result(list(msg.file_urls_response.file_urls))
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._on_element(msg.delta)
        elif kind == "script_finished" and msg.script_finished in DONE:
            self._finish(DONE[msg.script_finished])

    def _finish(self, how: str) -> None:
        if self._done is not None and not self._done.done():
            self._done.set_result(how)

    def _on_element(self, delta) -> None:
        element = delta.new_element
        kind = element.WhichOneof("type")
        run = self._run
        if kind == "exception" and run is not None:
            run.exceptions.append(f"{element.exception.type}: {element.exception.message}"[:300])
        elif kind == "alert" and element.alert.format == element.alert.ERROR and run is not None:
            run.errors.append(element.alert.body[:300])
        elif kind == "markdown" and run is not None:
            run.texts.append(element.markdown.body)
        elif kind == "imgs" and run is not None:
            run.images += [image.url for image in element.imgs.imgs]
        widget_id = getattr(getattr(element, kind, None), "id", "")
        if isinstance(widget_id, str) and widget_id.startswith("$$ID-"):
            key = widget_id.split("-", 2)[2]
            options = list(getattr(getattr(element, kind), "options", []))
            self.widgets[key] = Widget(widget_id, kind, options, delta.fragment_id)

    # ------------------------------------------------------------------ what the user does

    async def open(self) -> RunResult:
        """Open the page's URL (a share link), as a fresh tab or after a reconnect."""
        if not self.connected:
            self.widgets.clear()
            self.states.clear()  # a new server session knows none of this tab's widgets
            await self.connect()
        return await self._rerun(fragment_id="")

    async def set_widget(self, key: str, state: WidgetState) -> RunResult:
        """Change the widget with user key ``key``; inside a fragment only the fragment reruns."""
        widget = self.widgets[key]
        state.id = widget.id
        self.states[widget.id] = state
        return await self._rerun(fragment_id=widget.fragment_id)

    async def pick_option(self, key: str, index: int) -> RunResult:
        """A select_slider/selectbox-like widget: its ``index``-th (formatted) option, cyclic."""
        options = self.widgets[key].options
        option = options[index % len(options)]
        state = WidgetState()
        state.string_array_value.data.append(option)
        return await self.set_widget(key, state)

    async def upload(self, key: str, name: str, data: bytes, mime: str = "image/png") -> RunResult:
        """The uploader's flow: ask for an upload URL, PUT the file there, rerun with its info."""
        widget = self.widgets[key]
        started = time.perf_counter()  # the user chose the file
        request_id = uuid.uuid4().hex
        waiting = asyncio.get_running_loop().create_future()
        self._urls[request_id] = waiting
        msg = BackMsg()
        msg.file_urls_request.request_id = request_id
        msg.file_urls_request.file_names.append(name)
        msg.file_urls_request.session_id = self.session_id
        await self._send(msg)
        (urls,) = await asyncio.wait_for(waiting, self.timeout)
        await asyncio.to_thread(self._put, urls.upload_url, name, data, mime)
        state = WidgetState(id=widget.id)
        info = UploadedFileInfo(name=name, size=len(data), file_id=urls.file_id)
        info.file_urls.CopyFrom(urls)
        state.file_uploader_state_value.uploaded_file_info.append(info)
        self.states[widget.id] = state
        return await self._rerun(fragment_id=widget.fragment_id, started=started)

    def _put(self, path: str, name: str, data: bytes, mime: str) -> None:
        headers = {"X-Xsrftoken": self.cookies.get(XSRF_COOKIE, "")}
        self._http("PUT", path, files={"file": (name, data, mime)}, headers=headers)

    async def _fetch(self, urls: list[str]) -> None:
        """Fetch pictures as a browser does: up to six at a time (its per-host limit)."""
        headers = {"Cookie": self._cookie_header()}  # a balancer routes by its cookie

        def get(url: str) -> None:
            requests.get(self.base + url, headers=headers, timeout=self.timeout).raise_for_status()

        for start in range(0, len(urls), MEDIA_CONNECTIONS):
            batch = urls[start : start + MEDIA_CONNECTIONS]
            await asyncio.gather(*(asyncio.to_thread(get, url) for url in batch))

    async def _send(self, msg: BackMsg) -> None:
        if self._ws is None or not self.connected:
            raise Disconnected("not connected")
        try:
            await self._ws.send(msg.SerializeToString())
        except websockets.ConnectionClosed as closed:
            raise Disconnected(str(closed)) from closed

    async def _rerun(self, fragment_id: str, started: float | None = None) -> RunResult:
        """Send a rerun with this tab's URL and widget states; wait until the run finishes."""
        started = time.perf_counter() if started is None else started
        self._run = RunResult(0.0, "")
        self._done = asyncio.get_running_loop().create_future()
        msg = BackMsg()
        client = msg.rerun_script
        client.query_string = self.query
        client.page_name = self.page
        client.page_script_hash = self.page_hash
        client.fragment_id = fragment_id
        client.widget_states.widgets.extend(self.states.values())
        client.context_info.timezone = "UTC"
        client.context_info.locale = "en-US"
        client.context_info.url = self.url
        await self._send(msg)
        try:
            finished = await asyncio.wait_for(self._done, self.timeout)
        finally:
            run, self._run, self._done = self._run, None, None
        run.finished = finished
        media = time.perf_counter()
        await self._fetch(list(dict.fromkeys(run.images)))  # each picture once
        run.media_seconds = time.perf_counter() - media
        run.seconds = time.perf_counter() - started
        return run
