"""The HTTP side of the fake: a threaded server that turns requests into `Request`s.

Parameters are merged from the query string (what pyTelegramBotAPI uses) and from the body:
x-www-form-urlencoded, JSON or multipart/form-data (text parts become parameters, parts with a
filename become files).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from support.local_http import FastHandler, LocalServer

Files = dict[str, tuple[str, bytes]]


@dataclass(frozen=True)
class Request:
    http_method: str
    path: str
    params: dict[str, object]
    files: Files = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"

    @classmethod
    def json(cls, status: int, payload: object) -> Reply:
        return cls(status, json.dumps(payload, ensure_ascii=False).encode())


def _error(status: int, description: str) -> Reply:
    return Reply.json(status, {"ok": False, "error_code": status, "description": description})


App = Callable[[Request], Reply | None]  # None: drop the connection without answering


def _split_params(header_value: str) -> tuple[str, dict[str, str]]:
    """`form-data; name="a"; filename=b` -> ("form-data", {"name": "a", "filename": "b"}).

    Handles quoted and bare values (telebot sends non-ASCII filenames bare), urllib3's %22/%0A/%0D
    escapes inside quotes, and RFC 2231 `filename*=utf-8''...`."""
    items: list[str] = []
    current: list[str] = []
    quoted = False
    escaped = False
    for char in header_value:
        if escaped:
            current.append(char)
            escaped = False
        elif quoted and char == "\\":
            current.append(char)
            escaped = True
        elif char == '"':
            quoted = not quoted
            current.append(char)
        elif char == ";" and not quoted:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    main, *rest = (item.strip() for item in items)
    params: dict[str, str] = {}
    for item in rest:
        key, _, value = item.partition("=")
        key, value = key.strip().lower(), value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            value = value.replace("%22", '"').replace("%0A", "\n").replace("%0D", "\r")
        if key.endswith("*"):
            _charset, _, encoded = value.partition("''")
            key, value = key[:-1], unquote(encoded)
        params[key] = value
    return main.lower(), params


def parse_multipart(body: bytes, boundary: str) -> tuple[dict[str, object], Files]:
    params: dict[str, object] = {}
    files: Files = {}
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    for chunk in (b"\r\n" + body).split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, content = chunk.partition(b"\r\n\r\n")
        headers: dict[str, str] = {}
        for raw_line in head.split(b"\r\n"):
            try:
                line = raw_line.decode()
            except UnicodeDecodeError:
                line = raw_line.decode("latin-1")
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        _kind, disposition = _split_params(headers.get("content-disposition", ""))
        name = disposition.get("name", "")
        if "filename" in disposition:
            files[name] = (disposition["filename"], content)
        else:
            params[name] = content.decode(errors="replace")
    return params, files


class _Handler(FastHandler):
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _params(self, query: str, body: bytes) -> tuple[dict[str, object], Files]:
        params: dict[str, object] = dict(parse_qsl(query, keep_blank_values=True))
        files: Files = {}
        content_type = self.headers.get_content_type()
        if content_type == "application/x-www-form-urlencoded":
            params.update(parse_qsl(body.decode(), keep_blank_values=True))
        elif content_type == "application/json" and body.strip():
            decoded: Any = json.loads(body)
            if isinstance(decoded, dict):
                params.update(decoded)
        elif content_type == "multipart/form-data":
            boundary = self.headers.get_param("boundary")
            if isinstance(boundary, str):
                form, files = parse_multipart(body, boundary)
                params.update(form)
        return params, files

    def _serve(self) -> None:
        url = urlsplit(self.path)
        try:
            params, files = self._params(url.query, self._body())
        except ValueError as exc:  # malformed JSON, bad UTF-8, bad chunk sizes
            reply: Reply | None = _error(400, f"Bad Request: can't parse request: {exc}")
        else:
            try:
                reply = self.server.app(Request(self.command, unquote(url.path), params, files))
            except Exception as exc:  # a bug in the fake: answer like a broken server, don't hang
                reply = _error(500, f"Internal Server Error: {exc!r}")
        if reply is None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)


class _Server(LocalServer):
    def __init__(self, address: tuple[str, int], app: App) -> None:
        self.app = app
        super().__init__(address, _Handler)


class HttpServer:
    """Binds at construction (so the port is known), serves on a daemon thread after `start()`."""

    def __init__(self, host: str, port: int, app: App) -> None:
        self._server = _Server((host, port), app)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.01},
                name=f"fake-telegram-{self.port}",
                daemon=True,
            )
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.close_connections()
        self._server.server_close()
