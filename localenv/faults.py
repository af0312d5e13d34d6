"""Injected conditions: throttling and one-off faults, answered the way each AWS service answers them.

These are not AWS behaviour the fidelity layer corrects but conditions AWS produces now and then, injected on demand
so that retries and error paths run locally. Both are chosen when the emulator starts:

    SHOPPULSE_EMULATOR_THROTTLE_RATE      fraction of calls (0 to 1) answered with the service's throttling error
    SHOPPULSE_EMULATOR_THROTTLE_SEED      seed of the generator that picks them (default 0): same seed, same calls
    SHOPPULSE_EMULATOR_THROTTLE_SERVICES  comma-separated services to throttle (default: all listed in SERVICES)
    SHOPPULSE_EMULATOR_FAIL_ONCE          comma-separated service:Operation[:ErrorCode], each answered once with the
                                          service's internal error (e.g. rds:CreateDBProxy), which clients retry, or
                                          with an error the operation documents, which they do not (e.g.
                                          rds:CreateDBProxy:DBProxyQuotaExceededFault)

The injection is WSGI middleware in front of moto's server: a chosen call never reaches moto, so it changes nothing.
Calls are told apart by the SigV4 credential scope (service) and the X-Amz-Target header or the Action parameter.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import threading
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

THROTTLE_RATE = "SHOPPULSE_EMULATOR_THROTTLE_RATE"
THROTTLE_SEED = "SHOPPULSE_EMULATOR_THROTTLE_SEED"
THROTTLE_SERVICES = "SHOPPULSE_EMULATOR_THROTTLE_SERVICES"
FAIL_ONCE = "SHOPPULSE_EMULATOR_FAIL_ONCE"


@dataclass(frozen=True)
class Answer:
    """One error answer: its code, HTTP status and message."""

    code: str
    status: int
    message: str


@dataclass(frozen=True)
class Service:
    """How a service reports errors (its protocol), and the throttling and internal errors it answers with."""

    protocol: str  # "ec2", "query" or "json", as botocore's service model names it
    throttle: Answer
    fault: Answer
    xmlns: str = ""


_UNKNOWN_FAILURE = "The request processing has failed because of an unknown error, exception or failure."

# Codes and statuses from each service's API reference and botocore's retry rules (docs/emulator-realism.md lists the
# sources); every throttling code is one botocore retries (legacy: _retry.json, standard: its throttling codes).
SERVICES: dict[str, Service] = {
    "ec2": Service("ec2", Answer("RequestLimitExceeded", 503, "Request limit exceeded."),
                   Answer("InternalError", 500, "An internal error has occurred.")),
    "rds": Service("query", Answer("Throttling", 400, "Rate exceeded"), Answer("InternalFailure", 500, _UNKNOWN_FAILURE),
                   xmlns="http://rds.amazonaws.com/doc/2014-10-31/"),
    "iam": Service("query", Answer("Throttling", 400, "Rate exceeded"), Answer("ServiceFailure", 500, _UNKNOWN_FAILURE),
                   xmlns="https://iam.amazonaws.com/doc/2010-05-08/"),
    "secretsmanager": Service("json", Answer("ThrottlingException", 400, "Rate exceeded"),
                              Answer("InternalServiceError", 500, "An error occurred on the server side.")),
    "logs": Service("json", Answer("ThrottlingException", 400, "Rate exceeded"),
                    Answer("ServiceUnavailableException", 500, "The service cannot complete the request.")),
    "ssm": Service("json", Answer("ThrottlingException", 400, "Rate exceeded"),
                   Answer("InternalServerError", 500, "An error occurred on the server side.")),
}

_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,]+/\d{8}/[^/,]+/([^/,]+)/aws4_request")


class FaultsError(ValueError):
    """The fault settings are unusable; the message names the variable."""


@dataclass(frozen=True)
class Faults:
    """What to inject: a throttled fraction of calls (picked by a seeded generator) and operations to fail once."""

    throttle_rate: float = 0.0
    seed: int = 0
    throttle_services: frozenset[str] = field(default_factory=lambda: frozenset(SERVICES))
    # (service, Operation) answered with the internal error, or (service, Operation, ErrorCode) with that error.
    fail_once: tuple[tuple[str, ...], ...] = ()

    @property
    def active(self) -> bool:
        return self.throttle_rate > 0 or bool(self.fail_once)

    def describe(self) -> str:
        parts = []
        if self.throttle_rate > 0:
            parts.append(f"throttling {self.throttle_rate:.0%} of {', '.join(sorted(self.throttle_services))} calls "
                         f"(seed {self.seed})")
        if self.fail_once:
            parts.append("failing once: " + ", ".join(":".join(call) for call in self.fail_once))
        return "; ".join(parts) or "no injected faults"


def _service_model(service: str) -> Any:
    import botocore.session  # pylint: disable=import-outside-toplevel  # only to check names, when asked

    return botocore.session.get_session().get_service_model(service)


def documented_error(service: str, operation: str, code: str) -> Answer | None:
    """The error ``code`` as the operation's API model documents it (status and description), or None."""
    for shape in _service_model(service).operation_model(operation).error_shapes:
        error = shape.metadata.get("error", {})
        if error.get("code", shape.name) == code:
            message = re.sub(r"<[^>]+>", "", shape.documentation or "").strip() or code
            return Answer(code, int(error.get("httpStatusCode", 400)), message)
    return None


def _services(raw: str, variable: str) -> list[str]:
    names = [name.strip() for name in raw.split(",") if name.strip()]
    for name in names:
        if name not in SERVICES:
            raise FaultsError(f"{variable}: {name!r} is not a service the emulator can fault ({', '.join(sorted(SERVICES))})")
    return names


def _fail_once(raw: str) -> tuple[tuple[str, ...], ...]:
    calls = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        service, _colon, rest = item.partition(":")
        operation, _colon, code = rest.partition(":")
        if not operation:
            raise FaultsError(f"{FAIL_ONCE}: {item!r} is not service:Operation[:ErrorCode] (e.g. rds:CreateDBProxy)")
        _services(service, FAIL_ONCE)
        if operation not in _service_model(service).operation_names:
            raise FaultsError(f"{FAIL_ONCE}: {service} has no operation {operation!r}")
        if code and documented_error(service, operation, code) is None:
            raise FaultsError(f"{FAIL_ONCE}: {service}:{operation} does not document the error {code!r}")
        calls.append((service, operation, code) if code else (service, operation))
    return tuple(calls)


def from_env(environ: dict[str, str] | None = None) -> Faults:
    """The faults the environment asks for; FaultsError (naming the variable) when a setting is unusable."""
    env = os.environ if environ is None else environ
    raw_rate = env.get(THROTTLE_RATE, "").strip() or "0"
    try:
        rate = float(raw_rate)
    except ValueError:
        rate = -1.0
    if not 0 <= rate <= 1:
        raise FaultsError(f"{THROTTLE_RATE}: {raw_rate!r} is not a fraction between 0 and 1")
    raw_seed = env.get(THROTTLE_SEED, "").strip() or "0"
    try:
        seed = int(raw_seed)
    except ValueError as exc:
        raise FaultsError(f"{THROTTLE_SEED}: {raw_seed!r} is not an integer") from exc
    services = env.get(THROTTLE_SERVICES, "").strip()
    chosen = frozenset(_services(services, THROTTLE_SERVICES)) if services else frozenset(SERVICES)
    return Faults(rate, seed, chosen, _fail_once(env.get(FAIL_ONCE, "")))


def identify(environ: dict[str, Any]) -> tuple[str, str] | None:
    """(service, operation) of an AWS API call to a service listed in SERVICES, or None.

    Reading a form body leaves an equal copy in ``wsgi.input`` for moto.
    """
    scope = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if scope is None or scope.group(1) not in SERVICES:
        return None
    service = scope.group(1)
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return service, target.rsplit(".", 1)[-1]
    action = parse_qs(environ.get("QUERY_STRING", "")).get("Action")
    if not action and "x-www-form-urlencoded" in environ.get("CONTENT_TYPE", ""):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        action = parse_qs(body.decode("utf-8", "replace")).get("Action")
    return (service, action[0]) if action else None


def render(service: str, answer: Answer) -> tuple[str, list[tuple[str, str]], bytes]:
    """(status line, headers, body) of an error answer in the service's own format."""
    spec = SERVICES[service]
    request_id = str(uuid.uuid4())
    code, message = escape(answer.code), escape(answer.message)
    if spec.protocol == "json":
        body = json.dumps({"__type": answer.code, "message": answer.message}).encode()
        content_type = "application/x-amz-json-1.1"
    elif spec.protocol == "ec2":
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code>'
                f"<Message>{message}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>").encode()
        content_type = "text/xml"
    else:
        fault_type = "Receiver" if answer.status >= 500 else "Sender"
        body = (f'<ErrorResponse xmlns="{spec.xmlns}"><Error><Type>{fault_type}</Type><Code>{code}</Code>'
                f"<Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>").encode()
        content_type = "text/xml"
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body))), ("x-amzn-RequestId", request_id)]
    return f"{answer.status} {HTTPStatus(answer.status).phrase}", headers, body


class Middleware:  # pylint: disable=too-few-public-methods  # a WSGI application
    """WSGI middleware that answers the chosen calls with the injected errors and passes the rest to ``app``."""

    def __init__(self, app: Callable[..., Iterable[bytes]], faults: Faults, log: Callable[[str], None] = print) -> None:
        self.app = app
        self.faults = faults
        self.log = log
        self._pending = {call[:2]: call[2] if len(call) > 2 else "" for call in faults.fail_once}
        self._random = random.Random(faults.seed)
        self._lock = threading.Lock()

    def choose(self, service: str, operation: str) -> tuple[Answer, str] | None:
        """The answer to inject for this call and why, or None to let it through."""
        with self._lock:
            if (service, operation) in self._pending:
                code = self._pending.pop((service, operation))
                return (documented_error(service, operation, code) if code else SERVICES[service].fault), "fail once"
            if self.faults.throttle_rate > 0 and service in self.faults.throttle_services \
                    and self._random.random() < self.faults.throttle_rate:
                return SERVICES[service].throttle, "throttled"
        return None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        call = identify(environ)
        if call is None:
            return self.app(environ, start_response)
        service, operation = call
        chosen = self.choose(service, operation)
        if chosen is None:
            return self.app(environ, start_response)
        answer, why = chosen
        self.log(f"injected {answer.code} ({answer.status}) for {service}:{operation}: {why}")
        status, headers, body = render(service, answer)
        start_response(status, headers)
        return [body]
