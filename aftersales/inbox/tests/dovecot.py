"""A real Dovecot IMAP server for tests and the ingestion benchmark.

Everything lives in a fresh temporary directory: a configuration file, a passwd-file of users, maildirs,
and a certificate authority made with `cryptography` that signs the server's certificate. The server
speaks IMAPS only (no plaintext login), on a free port of 127.0.0.1; clients verify it against the CA.
It runs in the foreground (`dovecot -F -c <conf>`) as a child process and is killed when stopped.
"""

import datetime as dt
import grp
import imaplib
import ipaddress
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DOVECOT = Path(os.environ.get("AFTERSALES_DOVECOT", "/usr/sbin/dovecot"))
HOST = "127.0.0.1"


def dovecot_available() -> bool:
    return DOVECOT.exists() and os.access(DOVECOT, os.X_OK)


@dataclass
class Certificates:
    ca_pem: str
    server_cert_pem: str
    server_key_pem: str


def make_certificates(hostname: str = HOST) -> Certificates:
    """A CA and a server certificate for `hostname` (an IP address) that Python's strict default checks accept."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Aftersales test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(hostname))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_encipherment=False,
                key_cert_sign=False,
                crl_sign=False,
                content_commitment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(server_key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return Certificates(
        ca_pem=ca_cert.public_bytes(serialization.Encoding.PEM).decode(),
        server_cert_pem=server_cert.public_bytes(serialization.Encoding.PEM).decode(),
        server_key_pem=server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode(),
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = {host}
ssl = required
ssl_cert = <{root}/server.crt
ssl_key = <{root}/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = {uid}
last_valid_uid = {uid}
mail_location = maildir:{root}/mail/%u
mail_uid = {uid}
mail_gid = {gid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0600
  }}
  unix_listener stats-writer {{
    mode = 0600
  }}
}}
"""


def _account() -> tuple[str, str, int, int]:
    """Who the server runs as: this user, or `nobody` when tests run as root (Dovecot refuses mail as uid 0)."""
    uid = os.getuid()
    entry = pwd.getpwnam("nobody") if uid == 0 else pwd.getpwuid(uid)
    return entry.pw_name, grp.getgrgid(entry.pw_gid).gr_name, entry.pw_uid, entry.pw_gid


@dataclass
class DovecotServer:
    root: Path
    port: int
    certificates: Certificates
    users: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    host: str = HOST

    @property
    def ca_pem(self) -> str:
        return self.certificates.ca_pem

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cadata=self.ca_pem)

    def connect(self, user: str) -> imaplib.IMAP4_SSL:
        client = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=self.ssl_context(), timeout=30)
        client.login(user, self.users[user])
        return client

    def append(self, user: str, messages: list[bytes], folder: str = "INBOX") -> None:
        client = self.connect(user)
        try:
            for raw in messages:
                status, answer = client.append(folder, None, None, raw)
                assert status == "OK", answer
        finally:
            client.logout()

    def count(self, user: str, folder: str = "INBOX") -> int:
        client = self.connect(user)
        try:
            status, answer = client.select(_quoted(folder), readonly=True)
            if status != "OK":
                return 0
            return int(answer[0])
        finally:
            client.logout()

    def create_folder(self, user: str, folder: str) -> None:
        client = self.connect(user)
        try:
            client.create(_quoted(folder))
        finally:
            client.logout()

    def clear(self, user: str, folder: str = "INBOX") -> None:
        client = self.connect(user)
        try:
            status, answer = client.select(_quoted(folder))
            if status == "OK" and int(answer[0]):
                client.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
                client.expunge()
        finally:
            client.logout()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def start_dovecot(users: dict[str, str]) -> DovecotServer:
    """Start a server with `users` (name: password); raises RuntimeError with its log when it does not come up."""
    root = Path(tempfile.mkdtemp(prefix="aftersales-dovecot-"))
    user, group, uid, gid = _account()
    for directory in ("run", "state", "mail", "home"):
        (root / directory).mkdir()
    os.chmod(root, 0o755)
    if os.getuid() == 0:
        for directory in ("mail", "home"):
            os.chown(root / directory, uid, gid)
    certificates = make_certificates()
    (root / "server.crt").write_text(certificates.server_cert_pem)
    (root / "server.key").write_text(certificates.server_key_pem)
    os.chmod(root / "server.key", 0o600)
    (root / "passwd").write_text("".join(f"{name}:{{PLAIN}}{password}::::::\n" for name, password in users.items()))
    port = free_port()
    config = root / "dovecot.conf"
    config.write_text(CONFIG.format(root=root, host=HOST, port=port, user=user, group=group, uid=uid, gid=gid))
    server = DovecotServer(root=root, port=port, certificates=certificates, users=dict(users))
    server.process = subprocess.Popen(
        [str(DOVECOT), "-F", "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            problem = server.process.stderr.read().decode(errors="replace") + server.log()
            server.stop()
            raise RuntimeError(f"Dovecot stopped at start: {problem}")
        try:
            server.connect(next(iter(users))).logout()
            return server
        except (OSError, imaplib.IMAP4.error):
            time.sleep(0.1)
    problem = server.log()
    server.stop()
    raise RuntimeError(f"Dovecot did not answer within 20 s: {problem}")
