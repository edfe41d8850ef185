"""A real nginx in front of local servers, for tests: one upstream, round-robin over N ports.

:func:`nginx_proxy` writes an ``nginx.conf`` into a temporary prefix of its own (pid, logs and
temp paths inside it), starts ``nginx -g 'daemon off;'`` on 127.0.0.1 with a free port, waits
until it accepts connections, and stops it when the block ends. The proxy does what a
production one in front of an API does: ``Host`` and ``X-Forwarded-For/-Proto/-Host`` set,
keep-alive to the upstreams, WebSocket upgrades passed through, and a retry on the next
server only when one refuses the connection (never for a POST or PATCH). Each answer carries
``X-Upstream`` (nginx's ``$upstream_addr``), so a test can say which server answered. With
``tls=True`` it listens for HTTPS instead, on a self-signed certificate made on the spot for
127.0.0.1, localhost and ``TLS_NAMES`` (pass :attr:`Nginx.certificate` as requests' ``verify``).

nginx is the Debian package (``/usr/sbin/nginx``, often not on a user's PATH). Without it the
``nginx_binary`` fixture skips the test with one line saying how to get it;
``REQUIRE_SERVICES=1`` makes that a failure, as for the other services. Test modules import the
fixture they use (``from shared.testing.nginx import nginx_binary``).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from shared.testing import plugin
from shared.testing.helpers import free_port

#: Where Debian puts the binary; root's PATH has it, a user's often does not.
SBIN = "/usr/sbin:/usr/local/sbin"
#: The response header that names the upstream server which answered.
UPSTREAM_HEADER = "X-Upstream"
#: Seconds nginx may take to accept connections, and to stop.
START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
#: Host names the TLS certificate is valid for, besides 127.0.0.1 and localhost.
TLS_NAMES = ("todo.example",)

plugin.SERVICES.setdefault(
    "nginx",
    plugin.Service(
        "nginx", "NGINX", "install nginx (apt-get install nginx) or set NGINX to its binary"
    ),
)


class NginxDidNotStart(RuntimeError):
    """nginx exited, or did not listen in time; the message ends with its error log."""


def find_nginx() -> str | None:
    """The nginx binary: ``$NGINX``, else ``nginx`` on PATH or in the sbin folders, else None."""
    if configured := os.environ.get("NGINX"):
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("nginx") or shutil.which("nginx", path=SBIN)


@pytest.fixture(scope="session")
def nginx_binary() -> str:
    """The path of nginx, or the test is skipped (failed with REQUIRE_SERVICES=1)."""
    found = find_nginx()
    if found is None:
        configured = os.environ.get("NGINX")
        why = f"NGINX={configured} is no executable" if configured else f"not on PATH nor in {SBIN}"
        plugin.unavailable("nginx", why)
    assert found is not None
    return found


@dataclass
class Nginx:
    """A running nginx started by :func:`nginx_proxy`."""

    url: str
    port: int
    #: The ``host:port`` of each upstream server, in the order given.
    upstreams: list[str]
    process: subprocess.Popen[bytes]
    prefix: Path
    #: The self-signed certificate (PEM) nginx presents, when started with ``tls=True``.
    certificate: Path | None = None

    def error_log(self) -> str:
        """What nginx has written to its error log so far."""
        path = self.prefix / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""


def self_signed_certificate(folder: Path, names: Sequence[str] = TLS_NAMES) -> tuple[Path, Path]:
    """Write a one-day certificate for 127.0.0.1, localhost and ``names``, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    alternatives = [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))] + [
        x509.DNSName(name) for name in ("localhost", *names)
    ]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(alternatives), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)  # read by nginx's master only
    return cert_path, key_path


def render_config(
    prefix: Path, port: int, upstreams: Sequence[str], tls: tuple[Path, Path] | None = None
) -> str:
    """The whole ``nginx.conf`` for a proxy on 127.0.0.1:``port`` in front of ``upstreams``,
    speaking HTTPS with ``tls`` (certificate, key) when given."""
    servers = "".join(f"        server {address};\n" for address in upstreams)
    listen = f"127.0.0.1:{port}"
    if tls is not None:
        listen += f" ssl;\n        ssl_certificate {tls[0]};\n        ssl_certificate_key {tls[1]}"
    return f"""\
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{
    worker_connections 512;
}}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;

    # "Connection: upgrade" only when the client asked for one; otherwise none, so the
    # connection to the upstream stays open for the next request.
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ""      "";
    }}

    upstream app {{
{servers}        keepalive 16;
        # Under gunicorn's keep-alive (2 s), so nginx never reuses a connection the server is
        # closing: a POST sent down one would be a 502, as it is not retried.
        keepalive_timeout 1s;
    }}

    server {{
        listen {listen};
        client_max_body_size 64k;

        location / {{
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
            proxy_next_upstream error timeout;
            add_header {UPSTREAM_HEADER} $upstream_addr always;
        }}
    }}
}}
"""


@contextmanager
def nginx_proxy(
    binary: str,
    upstream_ports: Sequence[int],
    *,
    host: str = "127.0.0.1",
    tls: bool = False,
    timeout: float = START_TIMEOUT,
) -> Iterator[Nginx]:
    """nginx on a free port of 127.0.0.1, round-robin over ``host:port`` for each upstream port
    (HTTPS on a self-signed certificate with ``tls``).

    Yields once nginx accepts connections; raises :class:`NginxDidNotStart` (with its error
    log) if it exits first or is not listening within ``timeout`` seconds. The process is
    always stopped when the block ends (SIGTERM, then SIGKILL after ``STOP_TIMEOUT``).
    """
    if not upstream_ports:
        raise ValueError("nginx_proxy needs at least one upstream port")
    upstreams = [f"{host}:{port}" for port in upstream_ports]
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="nginx-") as folder:
        prefix = Path(folder)
        # Run as root, nginx's workers are "nobody": they must be able to reach the temp paths.
        prefix.chmod(0o755)
        config = prefix / "nginx.conf"
        certificate = self_signed_certificate(prefix) if tls else None
        config.write_text(render_config(prefix, port, upstreams, certificate))
        process = subprocess.Popen(
            [binary, "-p", str(prefix), "-c", str(config), "-g", "daemon off;"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        server = Nginx(
            url=f"{'https' if tls else 'http'}://127.0.0.1:{port}",
            port=port,
            upstreams=upstreams,
            process=process,
            prefix=prefix,
            certificate=certificate[0] if certificate else None,
        )
        try:
            wait_listening(server, timeout)
            yield server
        finally:
            stop(process)


def wait_listening(server: Nginx, timeout: float) -> None:
    """Return once ``server`` accepts a connection, or raise :class:`NginxDidNotStart`."""
    deadline = time.monotonic() + timeout
    while True:
        status = server.process.poll()
        if status is not None:
            raise NginxDidNotStart(
                f"nginx exited with status {status}; its error log:\n{server.error_log()}"
            )
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=0.2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise NginxDidNotStart(
                    f"nginx is not listening on {server.port} after {timeout:g}s; "
                    f"its error log:\n{server.error_log()}"
                ) from None
            time.sleep(0.05)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (nginx's fast shutdown), then SIGKILL to its process group after STOP_TIMEOUT."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        # nginx leads a session of its own, so this reaches its workers too.
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
