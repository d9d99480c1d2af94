"""A real ``Elasticsearch`` client whose node records each request instead of sending it, and answers
with canned responses: the requests go through the client's own serialization, so tests see exactly the
method, path and body a live server would receive."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport._node._base import NodeApiResponse
from elasticsearch import Elasticsearch


@dataclass
class Call:
    method: str
    path: str
    body: Any


@dataclass
class Recorder:
    calls: list[Call] = field(default_factory=list)
    responder: Callable[[str, str, Any], tuple[int, Any]] = lambda method, path, body: (200, {"acknowledged": True})

    def find(self, method: str, fragment: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and fragment in c.path]


def _decode(body: bytes | None) -> Any:
    if not body:
        return None
    text = body.decode()
    try:
        return json.loads(text)
    except ValueError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]  # ndjson (bulk)


def recording_client(recorder: Recorder) -> Elasticsearch:
    class RecordingNode(BaseNode):
        def perform_request(self, method, target, body=None, headers=None, request_timeout=None):  # noqa: ARG002
            decoded = _decode(body)
            recorder.calls.append(Call(method, target, decoded))
            status, payload = recorder.responder(method, target, decoded)
            meta = ApiResponseMeta(
                status=status,
                http_version="1.1",
                headers=HttpHeaders({"x-elastic-product": "Elasticsearch", "content-type": "application/json"}),
                duration=0.0,
                node=self.config,
            )
            return NodeApiResponse(meta, json.dumps(payload).encode())

    return Elasticsearch("http://es.invalid:9200", node_class=RecordingNode, max_retries=0)
