"""A local stand-in for Stripe's `POST /v1/transfers`, for the provider's tests.

It answers the documented shapes: a transfer object `{"id": "tr_…", "object": "transfer", …}`,
errors `{"error": {"type", "code", "message"}}` with a 4xx status, and it honours the
`Idempotency-Key` header the way Stripe documents it: the first response for a key is stored and
replayed for any repeat with the same parameters; a repeat with other parameters is a 400
`idempotency_error`.

Tell it what to do with the next requests by appending to `script` (one behaviour per request,
then back to normal):

- "ok" — transfer and answer 200;
- "decline" — 400 `balance_insufficient` (nothing transferred; the answer is stored for the key);
- "lost" — transfer, store the answer, then drop the connection without answering
  (the provider paid but the response was lost);
- "hang" — transfer, store the answer, then hold the answer until `release` is set (at the
  latest after `hang_seconds`), so the client's own timeout fires first;
- "500", "429" — fail before anything happens (not stored, like a gateway error or the rate
  limiter in front of the API).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

API_KEY = "sk_test_fake"


@dataclass
class FakeStripe:
    script: list[str] = field(default_factory=list)
    transfers: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    hang_seconds: float = 5.0
    release: threading.Event = field(default_factory=threading.Event)
    stored: dict[str, tuple[dict[str, str], int, dict[str, Any]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def next_behaviour(self) -> str:
        with self.lock:
            return self.script.pop(0) if self.script else "ok"

    def handle(
        self, headers: dict[str, str], params: dict[str, str]
    ) -> tuple[int, dict[str, Any], str]:
        """(status, body, behaviour) for one request; performs the transfer when it should."""
        if headers.get("authorization") != f"Bearer {API_KEY}":
            return 401, _error("invalid_request_error", "api_key_invalid", "Invalid API Key."), "ok"
        behaviour = self.next_behaviour()
        if behaviour == "500":
            return 500, _error("api_error", "", "An unknown error occurred."), behaviour
        if behaviour == "429":
            return 429, _error("rate_limit_error", "rate_limit", "Too many requests."), behaviour
        key = headers.get("idempotency-key", "")
        with self.lock:
            if key and key in self.stored:
                original, status, body = self.stored[key]
                if original != params:
                    return (
                        400,
                        _error(
                            "idempotency_error",
                            "idempotency_key_in_use",
                            "Keys for idempotent requests can only be used with the same "
                            "parameters they were first used with.",
                        ),
                        "ok",
                    )
                return status, body, "replay"
            status, body = self._execute(params, behaviour)
            if key:
                self.stored[key] = (params, status, body)
        return status, body, behaviour

    def _execute(self, params: dict[str, str], behaviour: str) -> tuple[int, dict[str, Any]]:
        missing = [name for name in ("amount", "currency", "destination") if not params.get(name)]
        if missing:
            return 400, _error(
                "invalid_request_error",
                "parameter_missing",
                f"Missing required param: {missing[0]}.",
            )
        if not params["amount"].isdigit() or int(params["amount"]) <= 0:
            return 400, _error("invalid_request_error", "amount_too_small", "Invalid amount.")
        if not params["destination"].startswith("acct_"):
            return 400, _error("invalid_request_error", "resource_missing", "No such destination.")
        if behaviour == "decline":
            return 400, _error(
                "invalid_request_error",
                "balance_insufficient",
                "You have insufficient funds in your Stripe account.",
            )
        transfer = {
            "id": f"tr_fake{len(self.transfers) + 1:06d}",
            "object": "transfer",
            "amount": int(params["amount"]),
            "amount_reversed": 0,
            "balance_transaction": f"txn_fake{len(self.transfers) + 1:06d}",
            "created": int(time.time()),
            "currency": params["currency"],
            "description": params.get("description"),
            "destination": params["destination"],
            "livemode": False,
            "metadata": {
                k[len("metadata[") : -1]: v for k, v in params.items() if k.startswith("metadata[")
            },
            "reversed": False,
            "source_type": "card",
            "transfer_group": None,
        }
        self.transfers.append(transfer)
        return 200, transfer


def _error(kind: str, code: str, message: str) -> dict[str, Any]:
    error = {"type": kind, "message": message}
    if code:
        error["code"] = code
    return {"error": error}


def _handler(fake: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet tests

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            params = dict(parse_qsl(raw, keep_blank_values=True))
            headers = {k.lower(): v for k, v in self.headers.items()}
            fake.requests.append({"path": self.path, "headers": headers, "params": params})
            if self.path != "/v1/transfers":
                self._send(404, _error("invalid_request_error", "", "Unrecognized request URL."))
                return
            status, body, behaviour = fake.handle(headers, params)
            if behaviour == "lost":
                self.close_connection = True
                self.connection.close()
                return
            if behaviour == "hang":
                fake.release.wait(fake.hang_seconds)
            self._send(status, body)

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up (timeout test)

    return Handler


def start() -> FakeStripe:
    fake = FakeStripe()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.server = server
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake


def stop(fake: FakeStripe) -> None:
    fake.release.set()
    if fake.server is not None:
        fake.server.shutdown()
        fake.server.server_close()
