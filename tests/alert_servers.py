"""Real local protocol partners for the alert tests: an HTTP server standing in for the
WeCom and DingTalk robots, and an SMTP server with STARTTLS and AUTH PLAIN."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import socketserver
import ssl
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

WECOM_LIMIT = 4096


class RobotServer:
    """POST /wecom/<key> and /dingtalk/<key>?timestamp=&sign= like the real robots.

    DingTalk: the signature must be base64(HMAC-SHA256(secret, "ts\\nsecret")) of a
    timestamp within an hour, else errcode 310000. Both: a markdown payload of the right
    shape, content within 4,096 bytes, else errcode 40058 (WeCom) / 300001."""

    def __init__(self, secrets: dict[str, str] | None = None, fail_first: int = 0) -> None:
        self.secrets = secrets or {}
        self.fail_first = fail_first
        self.received: list[dict] = []  # accepted messages: {"kind", "key", "text", "title"}
        self.refused: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                code, answer = outer.handle(self.path, self.headers, body)
                data = json.dumps(answer).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> RobotServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, path: str, headers, body: bytes) -> tuple[int, dict]:
        if self.fail_first > 0:
            self.fail_first -= 1
            self.refused.append("busy")
            return 503, {"errcode": -1, "errmsg": "busy"}
        parsed = urllib.parse.urlsplit(path)
        parts = parsed.path.strip("/").split("/")
        if len(parts) != 2 or parts[0] not in ("wecom", "dingtalk"):
            return 404, {"errcode": 404, "errmsg": "no such robot"}
        kind, key = parts
        if not headers.get("Content-Type", "").startswith("application/json"):
            self.refused.append("content-type")
            return 200, {"errcode": 40008, "errmsg": "invalid message type"}
        try:
            payload = json.loads(body.decode("utf-8"))
        except ValueError:
            self.refused.append("json")
            return 200, {"errcode": 40008, "errmsg": "invalid json"}
        if kind == "dingtalk":
            query = urllib.parse.parse_qs(parsed.query)
            secret = self.secrets.get(key, "")
            try:
                ts = int(query["timestamp"][0])
                sign = query["sign"][0]
            except (KeyError, ValueError):
                self.refused.append("unsigned")
                return 200, {"errcode": 310000, "errmsg": "sign not match"}
            expected = base64.b64encode(
                hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
            ).decode()
            if abs(time.time() * 1000 - ts) > 3600_000 or not hmac.compare_digest(sign, expected):
                self.refused.append("signature")
                return 200, {"errcode": 310000, "errmsg": "sign not match"}
        markdown = payload.get("markdown")
        if payload.get("msgtype") != "markdown" or not isinstance(markdown, dict):
            self.refused.append("shape")
            return 200, {"errcode": 40008, "errmsg": "invalid message type"}
        field = "content" if kind == "wecom" else "text"
        text = markdown.get(field)
        if not isinstance(text, str) or not text:
            self.refused.append("shape")
            return 200, {"errcode": 40008, "errmsg": f"missing markdown.{field}"}
        if kind == "dingtalk" and not markdown.get("title"):
            self.refused.append("shape")
            return 200, {"errcode": 300001, "errmsg": "missing title"}
        if len(text.encode("utf-8")) > WECOM_LIMIT:
            self.refused.append("too long")
            return 200, {"errcode": 40058, "errmsg": "content exceed max length"}
        self.received.append(
            {"kind": kind, "key": key, "text": text, "title": markdown.get("title", "")}
        )
        return 200, {"errcode": 0, "errmsg": "ok"}


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 / localhost and its key, made with `cryptography`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class SMTPServer:
    """A small SMTP server: EHLO, STARTTLS, AUTH PLAIN (only after STARTTLS), MAIL, RCPT,
    DATA, QUIT. Mail before TLS and authentication is refused (530)."""

    def __init__(self, folder: Path, user: str, password: str) -> None:
        self.cert, key = self_signed(folder)
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(self.cert, key)
        self.user, self.password = user, password
        self.messages: list[dict] = []
        self.events: list[str] = []
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                outer.session(self.request)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def __enter__(self) -> SMTPServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def session(self, sock) -> None:
        tls = authed = False
        sender, rcpts = "", []
        reader = sock.makefile("rb")

        def say(line: str) -> None:
            sock.sendall(line.encode() + b"\r\n")

        say("220 localhost ESMTP test")
        while True:
            raw = reader.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                say("250-localhost")
                say("250-AUTH PLAIN" if tls else "250-STARTTLS")
                say("250 8BITMIME")
            elif verb == "STARTTLS" and not tls:
                say("220 ready")
                sock = self.context.wrap_socket(sock, server_side=True)
                reader = sock.makefile("rb")
                tls = True
                self.events.append("tls")
            elif verb == "AUTH":
                parts = line.split()
                if not tls or len(parts) != 3 or parts[1].upper() != "PLAIN":
                    say("538 encryption required")
                    continue
                _, user, password = base64.b64decode(parts[2]).decode().split("\0")
                if (user, password) == (self.user, self.password):
                    authed = True
                    self.events.append("auth")
                    say("235 ok")
                else:
                    self.events.append("bad auth")
                    say("535 authentication failed")
            elif verb == "MAIL":
                if not (tls and authed):
                    say("530 authentication required")
                    continue
                sender, rcpts = line[10:].strip("<> "), []
                say("250 ok")
            elif verb == "RCPT":
                rcpts.append(line[8:].strip("<> "))
                say("250 ok")
            elif verb == "DATA":
                say("354 go ahead")
                chunks = []
                while True:
                    data = reader.readline()
                    if data in (b".\r\n", b""):
                        break
                    chunks.append(data)
                self.messages.append(
                    {"from": sender, "to": rcpts, "data": b"".join(chunks).decode("utf-8")}
                )
                say("250 queued")
            elif verb == "QUIT":
                say("221 bye")
                return
            else:
                say("250 ok" if verb in ("RSET", "NOOP") else "502 not implemented")
