"""deploy/nginx/omo-counter.conf run by a real nginx in front of a live backend, over TLS.

Skipped where nginx is not installed. Only the ports, the certificate and the upstream
address of the example are changed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from backend_client.schemas import Role
from tests.support.backend import LiveBackend
from tests.support.postgres import free_port

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed"),
]
EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "omo-counter.conf"


def site(backend_port: int, http: int, https: int, cert: Path, key: Path) -> str:
    text = EXAMPLE.read_text(encoding="utf-8")
    swaps = {
        "    listen [::]:80;\n": "",
        "    listen [::]:443 ssl http2;\n": "",
        "listen 80;": f"listen 127.0.0.1:{http};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl http2;",
        "/etc/letsencrypt/live/omo.example.com/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/omo.example.com/privkey.pem": str(key),
        "server 127.0.0.1:8000 ": f"server 127.0.0.1:{backend_port} ",
    }
    for old, new in swaps.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.fixture
def proxy(backend: LiveBackend, tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=omo.example.com", "-addext", "subjectAltName=IP:127.0.0.1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    http, https = free_port(), free_port()
    backend_port = int(backend.base_url.rsplit(":", 1)[1])
    (tmp_path / "site.conf").write_text(site(backend_port, http, https, cert, key))
    temp = tmp_path / "temp"
    temp.mkdir()
    # As root, nginx's workers would run as nobody, who cannot enter pytest's own folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    paths = " ".join(
        f"{kind}_temp_path {temp}/{kind};" for kind in ("client_body", "proxy", "fastcgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"{user}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n access_log off;\n {paths} uwsgi_temp_path {temp}/uwsgi;"
        f" scgi_temp_path {temp}/scgi;\n include {tmp_path}/site.conf;\n}}\n"
    )
    nginx = subprocess.Popen(
        ["nginx", "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                requests.get(f"http://127.0.0.1:{http}/", timeout=1, allow_redirects=False)
                break
            except requests.ConnectionError:
                assert nginx.poll() is None, nginx.stderr.read() if nginx.stderr else ""
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.05)
        yield f"http://127.0.0.1:{http}", f"https://127.0.0.1:{https}", cert
    finally:
        nginx.terminate()
        nginx.wait(timeout=15)


def test_the_example_proxy_serves_the_backend_over_tls(
    backend: LiveBackend, proxy: tuple[str, str, Path]
):
    plain, tls, cert = proxy
    moved = requests.get(plain + "/api/v1/ready", timeout=10, allow_redirects=False)
    assert moved.status_code == 301
    assert moved.headers["Location"].startswith("https://")

    ready = requests.get(tls + "/api/v1/ready", timeout=10, verify=str(cert))
    assert ready.status_code == 200, ready.text
    assert ready.json()["status"] == "ready"
    assert ready.headers["Strict-Transport-Security"] == "max-age=31536000"

    # A CSV import bigger than the backend's default body cap passes the proxy whole: the
    # backend counts every row (and refuses this many at once, which is its rule, not nginx's).
    backend.add_store()
    backend.add_staff(code="9001", name="Head", role=Role.ADMIN)
    admin = backend.counter(staff_code="9001")
    rows = "".join(f"Member {i},,m{i}@example.com,,,\n" for i in range(3000))
    body = ("Name,Mobile,Email,Birthday,Level,Member Points\n" + rows).encode()
    assert len(body) > backend.settings.max_body_bytes
    reply = admin.http.post(
        tls + "/api/v1/members/import",
        params={"mode": "create", "dry_run": "1"},
        data=body,
        headers={"Content-Type": "text/csv"},
        timeout=60,
        verify=str(cert),
    )
    assert reply.status_code == 422, reply.text
    assert reply.json()["error"]["code"] == "too_many_rows"
    assert reply.json()["error"]["details"]["rows"] == 3000
