"""test-db-connection: the seed's troubleshooting function. Connects to the database through the RDS Proxy, as the
platform's functions do, and says how far it got.

It reads the Lambda environment the stack outputs give (RDS_PROXY_ENDPOINT, RDS_PORT, RDS_DATABASE, RDS_SECRET_ARN),
fetches the credentials from Secrets Manager, resolves the proxy's name, opens TCP, negotiates TLS (required, as the
proxy and the instance require it), logs in and runs one query. It returns JSON: ``ok``, the TLS version, the server
version and the connect and query latency; on failure the step that failed (secret, dns, tcp, tls, authentication,
query) and the error. The password never leaves the function: it is not returned, logged, or left in an error.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import struct
import time

import boto3
import pg8000.native

TIMEOUT = 5  # seconds for each network step
SSL_REQUEST = struct.pack("!ii", 8, 80877103)  # PostgreSQL's SSLRequest message


class StepFailed(Exception):
    """A step of the connection failed; ``step`` names it."""

    def __init__(self, step: str, error: str) -> None:
        super().__init__(error)
        self.step = step


def settings(environ: dict[str, str]) -> dict[str, object]:
    missing = [name for name in ("RDS_PROXY_ENDPOINT", "RDS_PORT", "RDS_DATABASE", "RDS_SECRET_ARN") if not environ.get(name)]
    if missing:
        raise StepFailed("configuration", f"environment variables not set: {', '.join(missing)}")
    if not environ["RDS_PORT"].isdigit():
        raise StepFailed("configuration", f"RDS_PORT is not a port number: {environ['RDS_PORT']!r}")
    return {"host": environ["RDS_PROXY_ENDPOINT"], "port": int(environ["RDS_PORT"]),
            "database": environ["RDS_DATABASE"], "secret": environ["RDS_SECRET_ARN"]}


def read_credentials(secret_id: str) -> tuple[str, str]:
    try:
        value = json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"])
        return value["username"], value["password"]
    except Exception as exc:  # pylint: disable=broad-except  # any failure here is the secret step's
        raise StepFailed("secret", f"{type(exc).__name__}: {exc}") from None


def resolve(host: str, port: int) -> tuple:
    try:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except OSError as exc:
        raise StepFailed("dns", f"{host}: {exc}") from None


def open_tcp(address: tuple) -> socket.socket:
    family, kind, proto, sockaddr = address[0], address[1], address[2], address[4]
    sock = socket.socket(family, kind, proto)
    sock.settimeout(TIMEOUT)
    try:
        sock.connect(sockaddr)
    except OSError as exc:
        sock.close()
        raise StepFailed("tcp", f"{sockaddr[0]}:{sockaddr[1]}: {exc}") from None
    return sock


def start_tls(sock: socket.socket, host: str) -> ssl.SSLSocket:
    """Ask the server for TLS and negotiate it: encrypted, without checking the certificate (libpq's sslmode=require)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        sock.sendall(SSL_REQUEST)
        answer = sock.recv(1)
        if answer != b"S":
            raise StepFailed("tls", f"the server refused TLS (answered {answer!r} to the SSL request)")
        return context.wrap_socket(sock, server_hostname=host)
    except (OSError, ssl.SSLError) as exc:
        sock.close()
        raise StepFailed("tls", f"{type(exc).__name__}: {exc}") from None


def server_error(exc: Exception) -> str:
    """pg8000's error as PostgreSQL gave it: severity, code and message, without the rest of its fields."""
    fields = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else None
    if fields is None:
        return f"{type(exc).__name__}: {exc}"
    return f"{fields.get('S', 'ERROR')} {fields.get('C', '')}: {fields.get('M', '')}"


def log_in(sock: ssl.SSLSocket, credentials: tuple[str, str], database: str) -> pg8000.native.Connection:
    username, password = credentials
    try:
        return pg8000.native.Connection(username, password=password, database=database, sock=sock, ssl_context=False,
                                        timeout=TIMEOUT, application_name="test-db-connection")
    except Exception as exc:  # pylint: disable=broad-except  # the server's refusal or a broken link: this step's
        sock.close()
        raise StepFailed("authentication", server_error(exc)) from None


def query(connection: pg8000.native.Connection) -> str:
    try:
        return connection.run("SELECT current_setting('server_version')")[0][0]
    except Exception as exc:  # pylint: disable=broad-except
        raise StepFailed("query", server_error(exc)) from None


def check(environ: dict[str, str]) -> dict[str, object]:
    result: dict[str, object] = {"ok": False}
    password = ""
    try:
        config = settings(environ)
        result.update(endpoint=config["host"], port=config["port"], database=config["database"])
        credentials = read_credentials(str(config["secret"]))
        password = credentials[1]
        result["username"] = credentials[0]
        started = time.perf_counter()
        tls = start_tls(open_tcp(resolve(str(config["host"]), int(config["port"]))), str(config["host"]))
        result["tls_version"] = tls.version()
        connection = log_in(tls, credentials, str(config["database"]))
        result["connect_ms"] = round((time.perf_counter() - started) * 1000, 1)
        try:
            started = time.perf_counter()
            result["server_version"] = query(connection)
            result["query_ms"] = round((time.perf_counter() - started) * 1000, 1)
        finally:
            connection.close()
        result["ok"] = True
    except StepFailed as failed:
        result.update(step=failed.step, error=str(failed).replace(password, "********") if password else str(failed))
    return result


def handler(event, context):  # pylint: disable=unused-argument  # the event carries nothing
    result = check(dict(os.environ))
    print(json.dumps(result))  # what the result says goes to the log group too: no password is in it
    return result
