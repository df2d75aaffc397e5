"""One webhook POST: signed JSON over urllib to a checked address, redirects not followed.

The signature lets a receiver check that a request came from Stride and was not replayed:
``Stride-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>``.
``signature_verify`` is the reference check a receiver can copy.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import socket
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from .targets import Target, TargetRefused, target_resolve

# Seconds to wait for the connection and for each read of the answer.
TIMEOUT_SECONDS = 10.0
# How much of a receiver's answer is read (and kept, truncated, when it is an error).
RESPONSE_READ_LIMIT = 4096
# A receiver that takes longer than this to check a request should refuse it as a replay.
SIGNATURE_TOLERANCE_SECONDS = 300


def _user_agent() -> str:
    try:
        version = metadata.version("stride")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return f"Stride-Webhooks/{version}"


def signature_header(*, secret: str, body: bytes, timestamp: int) -> str:
    """Return the ``Stride-Signature`` value for ``body`` sent at ``timestamp`` (Unix time)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def signature_verify(
    *,
    secret: str,
    body: bytes,
    header: str,
    now: float | None = None,
    tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
) -> bool:
    """Return whether ``header`` signs ``body`` with ``secret`` within ``tolerance`` seconds."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature_header(secret=secret, body=body, timestamp=timestamp)
    given = f"t={timestamp},v1={fields.get('v1', '')}"
    return hmac.compare_digest(expected.encode(), given.encode())


@dataclass(frozen=True)
class PostResult:
    """What came of one POST: the HTTP status (None when no answer came) and any error text."""

    status_code: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Answer a 3xx as the error it is here: a redirect could point anywhere, unchecked."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _pin(connection: http.client.HTTPConnection, address: str) -> http.client.HTTPConnection:
    """Make ``connection`` connect to ``address`` while Host and TLS still name its host."""

    def create_connection(
        host_port: tuple[str, int], timeout: Any = None, source_address: Any = None
    ) -> socket.socket:
        return socket.create_connection((address, host_port[1]), timeout, source_address)

    # HTTPConnection.connect (and so HTTPSConnection's) opens its socket through this hook.
    connection._create_connection = create_connection  # type: ignore[attr-defined]
    return connection


def _pinned(cls: type[http.client.HTTPConnection], address: str) -> Any:
    return lambda host, **kwargs: _pin(cls(host, **kwargs), address)


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_pinned(http.client.HTTPConnection, self.address), req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(
            _pinned(http.client.HTTPSConnection, self.address),
            req,
            context=ssl.create_default_context(),
        )


def _opener(target: Target) -> urllib.request.OpenerDirector:
    # No ProxyHandler from the environment: the request goes to the address that was checked.
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        _NoRedirect(),
        _PinnedHTTPHandler(target.address),
        _PinnedHTTPSHandler(target.address),
    )


def _error_text(exc: BaseException) -> str:
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, TimeoutError):
        return f"Timed out after {TIMEOUT_SECONDS:g} s."
    if isinstance(reason, ConnectionRefusedError):
        return "Connection refused."
    text = str(reason) or type(reason).__name__
    return f"{type(reason).__name__}: {text}"


def webhook_post(*, url: str, body: bytes, headers: dict[str, str]) -> PostResult:
    """POST ``body`` to ``url`` with ``headers``; return the outcome, never raise for network
    trouble.

    The host is resolved and checked first (``targets.target_resolve``); a refused address is
    an error result and nothing is sent.
    """
    started = time.monotonic()

    def result(status_code: int | None, error: str) -> PostResult:
        elapsed = int((time.monotonic() - started) * 1000)
        return PostResult(status_code=status_code, error=error, duration_ms=elapsed)

    try:
        target = target_resolve(url)
    except TargetRefused as exc:
        return result(None, f"Refused: {exc}")
    # target_resolve allowed only http(s) URLs.
    request = urllib.request.Request(  # noqa: S310 (http(s) only, see above)
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": _user_agent(), **headers},
    )
    try:
        with _opener(target).open(request, timeout=TIMEOUT_SECONDS) as response:
            response.read(RESPONSE_READ_LIMIT)
            return result(response.status, "")
    except urllib.error.HTTPError as exc:
        try:
            answer = exc.read(RESPONSE_READ_LIMIT).decode("utf-8", "replace").strip()
        except OSError:
            answer = ""
        finally:
            exc.close()
        error = f"HTTP {exc.code}" + (f": {answer}" if answer else "")
        return result(exc.code, error)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        # URLError (refused, DNS, TLS), timeouts, resets, malformed answers.
        return result(None, _error_text(exc))
