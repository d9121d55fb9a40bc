"""A fake OpenAI API for tests: images (generations, edits) and moderations over real HTTP.

with FakeOpenAI() as fake:
    client = openai.OpenAI(api_key="sk-test", base_url=fake.base_url)
    fake.fail("images/generations", status=429, retry_after=2)  # the next call only
    fake.flag(["knife"], category="violence")
    ...
    [request] = fake.requests_to("images/generations")

It answers like the real service where tests depend on it: OpenAI-shaped error bodies, base64 PNGs
for GPT image models (which refuse `response_format`), every moderation category key.
"""

from __future__ import annotations

import base64
import io
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from email.message import Message
from email.parser import BytesHeaderParser
from typing import Any

from PIL import Image, ImageDraw

from support.local_http import FastHandler, LocalServer, ServedFake

ENDPOINTS = ("images/generations", "images/edits", "moderations")
CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/instructions",
    "self-harm/intent",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)
FLAG_AT = 0.5  # the fake's own line between a score and a flag
RETIRED_MODELS = frozenset({"dall-e-2", "dall-e-3", "gpt-image-1"})
SIZES = frozenset({"auto", "1024x1024", "1536x1024", "1024x1536"})
_ERROR_TYPES = {400: "invalid_request_error", 401: "invalid_request_error", 429: "requests"}


def line_art_png(width: int = 1024, height: int = 1536) -> bytes:
    """A real PNG of the size GPT image models return for portrait pages: black outlines on
    white, like a coloring page (lines scale with the size, so a small one stays line art)."""
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    line = max(2, width // 150)
    draw.rectangle(
        (width // 16, height // 16, width - width // 16, height - height // 16),
        outline=0,
        width=line,
    )
    draw.ellipse((width // 4, height // 4, 3 * width // 4, height // 2), outline=0, width=line)
    draw.line((width // 8, 3 * height // 4, 7 * width // 8, 3 * height // 4), fill=0, width=line)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@dataclass(frozen=True)
class Upload:
    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request as it arrived (failed and stalled ones too), and the status answered."""

    endpoint: str  # "images/generations", ...
    path: str
    headers: dict[str, str]  # names in lower case, nothing redacted
    json: dict[str, Any] | None
    form: dict[str, str]  # multipart text fields
    uploads: tuple[Upload, ...]
    status: int | None = None  # None: stalled, no answer

    @property
    def fields(self) -> dict[str, Any]:
        """The parameters, whether sent as JSON or as multipart text fields."""
        return dict(self.json) if self.json is not None else dict(self.form)


@dataclass
class _Fault:
    remaining: int | None  # None: forever
    status: int = 200
    body: dict[str, Any] | None = None
    retry_after: float | None = None
    stall: float = 0.0


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: list[RecordedRequest] = field(default_factory=list)
    faults: dict[str, deque[_Fault]] = field(default_factory=dict)
    scores: dict[str, dict[str, float]] = field(default_factory=dict)  # word -> category scores


def _error(status: int, message: str, code: str | None = None, param: str | None = None) -> Any:
    kind = "insufficient_quota" if code == "insufficient_quota" else _ERROR_TYPES.get(status)
    kind = kind or ("server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def _parse_multipart(body: bytes, boundary: str) -> tuple[dict[str, str], list[Upload]]:
    form: dict[str, str] = {}
    uploads: list[Upload] = []
    for chunk in (b"\r\n" + body).split(b"\r\n--" + boundary.encode("latin-1"))[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, content = chunk.partition(b"\r\n\r\n")
        headers: Message = BytesHeaderParser().parsebytes(head.lstrip(b"\r\n") + b"\r\n\r\n")
        name = str(headers.get_param("name", "", header="content-disposition"))
        filename = headers.get_filename()
        if filename is None:
            form[name] = content.decode()
        else:
            uploads.append(Upload(name, filename, headers.get_content_type(), content))
    return form, uploads


class FakeOpenAI(ServedFake):
    """An OpenAI API on 127.0.0.1 for tests. Binds a free port at construction; `start()` serves
    on a daemon thread; `stop()` (or leaving the `with` block) wakes stalls and closes connections.

    Failures (`fail`, `stall`, `respond`) queue per endpoint and are consumed in order, one per
    request; with `times=None` one stays forever. Requests with none queued succeed."""

    thread_name = "fake-openai"

    def __init__(self, *, image: bytes | None = None, api_key: str | None = None) -> None:
        self.image = image if image is not None else line_art_png()
        self.api_key = api_key  # None: any non-empty bearer token is accepted
        self._state = _State()
        self._stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), self)
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    # -- what happened ----------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        with self._state.lock:
            return list(self._state.requests)

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.endpoint == endpoint]

    # -- behaviour --------------------------------------------------------------------------
    def fail(
        self,
        endpoint: str,
        *,
        status: int,
        times: int | None = 1,
        retry_after: float | None = None,
        code: str | None = None,
        message: str = "",
        param: str | None = None,
    ) -> None:
        """Answer the next `times` requests to `endpoint` with an OpenAI error."""
        body = _error(status, message or f"Injected error {status} ({code})", code, param)
        self._queue(endpoint, _Fault(times, status, body, retry_after))

    def stall(self, endpoint: str, *, seconds: float, times: int | None = 1) -> None:
        """Hold the next requests `seconds` (or until stop) before answering normally."""
        self._queue(endpoint, _Fault(times, stall=seconds))

    def respond(self, endpoint: str, body: dict[str, Any], *, times: int | None = 1) -> None:
        """Answer the next requests with this exact 200 body (an odd or empty response)."""
        self._queue(endpoint, _Fault(times, 200, body))

    def flag(
        self, words: Sequence[str], *, category: str = "violence", score: float = 0.97
    ) -> None:
        """Moderation flags inputs containing any of `words` (case-insensitive) in `category`."""
        for word in words:
            self.score(word, {category: score})

    def score(self, word: str, scores: Mapping[str, float]) -> None:
        """Inputs containing `word` get these category scores; flagged where >= FLAG_AT."""
        unknown = set(scores) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"unknown moderation categories: {sorted(unknown)}")
        with self._state.lock:
            self._state.scores[word.lower()] = dict(scores)

    def _queue(self, endpoint: str, fault: _Fault) -> None:
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; one of {ENDPOINTS}")
        with self._state.lock:
            self._state.faults.setdefault(endpoint, deque()).append(fault)

    def _next_fault(self, endpoint: str) -> _Fault | None:
        with self._state.lock:
            queue = self._state.faults.get(endpoint)
            if not queue:
                return None
            fault = queue[0]
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    queue.popleft()
            return fault

    # -- serving (called on handler threads) ------------------------------------------------
    def _handle(self, request: RecordedRequest) -> tuple[int, Any, dict[str, str]]:
        """(status, JSON body, extra headers); records the request with its answer."""
        with self._state.lock:  # recorded on arrival: a stalled request is seen while it waits
            index = len(self._state.requests)
            self._state.requests.append(request)
        status, body, headers = self._answer(request)
        with self._state.lock:
            self._state.requests[index] = replace(request, status=status)
        return status, body, headers

    def _answer(self, request: RecordedRequest) -> tuple[int, Any, dict[str, str]]:
        if request.endpoint not in ENDPOINTS:
            return 404, _error(404, f"Invalid URL (POST {request.path})"), {}
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not token or (self.api_key is not None and token != self.api_key):
            return 401, _error(401, f"Incorrect API key provided: {token}.", "invalid_api_key"), {}
        fault = self._next_fault(request.endpoint)
        if fault is not None and fault.stall:
            self._stopping.wait(fault.stall)
            fault = None
        if fault is not None and fault.body is not None:
            headers = {} if fault.retry_after is None else {"retry-after": f"{fault.retry_after:g}"}
            return fault.status, fault.body, headers
        if request.endpoint == "moderations":
            return self._moderate(request.fields)
        return self._draw(request)

    def _draw(self, request: RecordedRequest) -> tuple[int, Any, dict[str, str]]:
        fields = request.fields
        model = str(fields.get("model", ""))
        if model in RETIRED_MODELS:
            message = f"The model `{model}` does not exist or you do not have access to it."
            return 404, _error(404, message, "model_not_found"), {}
        if "response_format" in fields and model.startswith(("gpt-image", "chatgpt-image")):
            message = "Unknown parameter: 'response_format'."
            return 400, _error(400, message, "unknown_parameter", "response_format"), {}
        if not fields.get("prompt"):
            return 400, _error(400, "Missing required parameter: 'prompt'.", None, "prompt"), {}
        if request.endpoint == "images/edits" and not request.uploads:
            return 400, _error(400, "Missing required parameter: 'image'.", None, "image"), {}
        size = str(fields.get("size", "auto"))
        if size not in SIZES:
            return 400, _error(400, f"Invalid value: '{size}'.", "invalid_value", "size"), {}
        image = {"b64_json": base64.b64encode(self.image).decode("ascii")}
        usage = {
            "input_tokens": 50,
            "input_tokens_details": {"image_tokens": 0, "text_tokens": 50},
            "output_tokens": 4160,
            "total_tokens": 4210,
        }
        body = {
            "created": int(time.time()),
            "background": fields.get("background") or "opaque",
            "data": [image] * int(fields.get("n") or 1),
            "output_format": fields.get("output_format") or "png",
            "quality": fields.get("quality") or "medium",
            "size": "1024x1536" if size == "auto" else size,
            "usage": usage,
        }
        return 200, body, {}

    def _moderate(self, fields: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        given = fields.get("input")
        inputs = [given] if isinstance(given, str) else given
        if not isinstance(inputs, list) or not all(isinstance(i, str) for i in inputs):
            return 400, _error(400, "Invalid type for 'input'.", "invalid_type", "input"), {}
        with self._state.lock:
            rules = dict(self._state.scores)
        results = []
        for text in inputs:
            scores = dict.fromkeys(CATEGORIES, 1.2e-05)
            for word, given_scores in rules.items():
                if word in text.lower():
                    for category, value in given_scores.items():
                        scores[category] = max(scores[category], value)
            categories = {name: value >= FLAG_AT for name, value in scores.items()}
            results.append(
                {
                    "flagged": any(categories.values()),
                    "categories": categories,
                    "category_scores": scores,
                    "category_applied_input_types": {name: ["text"] for name in CATEGORIES},
                }
            )
        model = str(fields.get("model") or "omni-moderation-latest")
        return 200, {"id": f"modr-{uuid.uuid4().hex}", "model": model, "results": results}, {}


class _Handler(FastHandler):
    server: _Server

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0]
        endpoint = path.removeprefix("/v1/").strip("/")
        body = self._body()
        headers: dict[str, str] = {}
        try:
            payload, form, uploads = self._decode(body)
        except ValueError as exc:
            status, reply = 400, _error(400, f"We could not parse the body: {exc}")
        else:
            headers_in = {name.lower(): value for name, value in self.headers.items()}
            request = RecordedRequest(endpoint, path, headers_in, payload, form, tuple(uploads))
            status, reply, headers = self.server.fake._handle(request)
        data = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-request-id", f"req_{uuid.uuid4().hex[:16]}")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _decode(self, body: bytes) -> tuple[dict[str, Any] | None, dict[str, str], list[Upload]]:
        kind = self.headers.get_content_type()
        if kind == "multipart/form-data":
            boundary = self.headers.get_param("boundary")
            if not isinstance(boundary, str):
                raise ValueError("multipart without a boundary")
            form, uploads = _parse_multipart(body, boundary)
            return None, form, uploads
        decoded = json.loads(body or b"{}")
        if not isinstance(decoded, dict):
            raise ValueError("the body must be a JSON object")
        return decoded, {}, []


class _Server(LocalServer):
    def __init__(self, address: tuple[str, int], fake: FakeOpenAI) -> None:
        self.fake = fake
        super().__init__(address, _Handler)
