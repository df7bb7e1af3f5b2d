"""Measure the agent queue and the ticket API over HTTP against gunicorn on `aftersales_bench`.

    python bench/generate.py   # once: builds the database
    python bench/measure.py    # starts gunicorn, measures, prints figures and plans, stops gunicorn

For each endpoint: p50/p95/max latency over sequential requests, the SQL one request runs
(captured in-process with the test client under the same settings), and EXPLAIN (ANALYZE,
BUFFERS) of every query that reads tickets_ticket. Exit status: 0 when every gated endpoint
has p95 <= 50 ms and no plan scans tickets_ticket sequentially, 1 when one misses that
target, 2 when a gated endpoint could not be measured (missing or failing).
"""

import argparse
import html
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import warnings
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_NAME = "aftersales_bench"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE_NAME}"
HOST = "127.0.0.1"
USERNAME = "agent"
PASSWORD = "demo-password"
P95_TARGET_MS = 50.0
OPEN_STATUSES = ["new", "assigned", "in_progress", "pending_customer", "pending_vendor", "pending_parts"]
ALL_OPEN = "&".join(f"status={status}" for status in OPEN_STATUSES)
SEQUENTIAL_SCAN = re.compile(r"Seq Scan on tickets_ticket\b")
READS_TICKETS = re.compile(r'"tickets_ticket"')
CPU_SAMPLES = 30


@dataclass
class Target:
    name: str
    path: str
    auth: str  # "session" (the HTML page) or "token" (the API)
    gated: bool  # counts towards the exit status
    timings: list[float] = field(default_factory=list)
    failure: str = ""
    query_count: int | None = None
    sequential_scans: int = 0
    cpu_ms: float | None = None  # Python CPU time per request in-process: load-independent


TARGETS = [
    Target("queue page, status=new", "/tickets/?status=new", "session", gated=True),
    Target("API list, status=new", "/api/v1/tickets/?status=new", "token", gated=True),
    Target("queue page, default (all open; home goes here)", "/tickets/", "session", gated=False),
    Target("queue page, status=all", "/tickets/?status=all", "session", gated=False),
    Target("API list, every open status", f"/api/v1/tickets/?{ALL_OPEN}", "token", gated=False),
]


def configure_environment() -> None:
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["AFTERSALES_PLAIN_STATIC"] = "1"
    # testserver: the in-process test client that counts the queries.
    os.environ["DJANGO_ALLOWED_HOSTS"] = f"{HOST},localhost,testserver"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


# --- HTTP -------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def request(port: int, method: str, path: str, headers: dict | None = None, body: str | None = None) -> Response:
    """One request on a fresh connection (gunicorn's sync workers close each connection anyway)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Response(response.status, response.headers, response.read())
    finally:
        connection.close()


def cookies_from(response: Response) -> dict[str, str]:
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def log_in_over_http(port: int) -> str:
    """GET the login form, POST it with its CSRF token; return the session cookie header."""
    form = request(port, "GET", "/accounts/login/")
    if form.status != 200:
        raise RuntimeError(f"GET /accounts/login/ answered HTTP {form.status}")
    cookies = cookies_from(form)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.body)
    if not match or "csrftoken" not in cookies:
        raise RuntimeError("the login form carries no CSRF token")
    fields = {"csrfmiddlewaretoken": html.unescape(match.group(1).decode()), "username": USERNAME}
    fields["password"] = PASSWORD
    answer = request(
        port,
        "POST",
        "/accounts/login/",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie_header(cookies),
            "Referer": f"http://{HOST}:{port}/accounts/login/",
        },
        body=urllib.parse.urlencode(fields),
    )
    cookies |= cookies_from(answer)
    if answer.status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"POST /accounts/login/ answered HTTP {answer.status} without a session")
    return cookie_header(cookies)


def session_in_process(agent) -> str:
    """A session made in the database directly: the fallback when the login page does not work yet."""
    from django.test import Client

    client = Client()
    client.force_login(agent)
    return f"sessionid={client.cookies['sessionid'].value}"


# --- gunicorn ---------------------------------------------------------------------------------


def start_gunicorn(port: int, workers: int, log_path: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--workers",
        str(workers),
        "--bind",
        f"{HOST}:{port}",
        "--chdir",
        str(ROOT),
        "--error-logfile",
        str(log_path),
        "--log-level",
        "warning",
    ]
    # WhiteNoise warns in each worker that collectstatic has not been run; the bench serves no static files.
    environment = os.environ | {"PYTHONWARNINGS": "ignore:No directory at"}
    server = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            request(port, "GET", "/accounts/login/")
            return server
        except OSError:
            time.sleep(0.2)
    stop_gunicorn(server)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


# --- measuring --------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def time_target(target: Target, port: int, headers: dict, warmup: int, count: int) -> None:
    probe = request(port, "GET", target.path, headers=headers)
    if probe.status != 200:
        target.failure = f"HTTP {probe.status} on the first request"
        if probe.status == 404:
            target.failure += " (the endpoint does not exist yet)"
        return
    for _ in range(warmup):
        request(port, "GET", target.path, headers=headers)
    for _ in range(count):
        started = time.perf_counter()
        response = request(port, "GET", target.path, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            target.failure = f"HTTP {response.status} during the timed run"
            return
        target.timings.append(elapsed)


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def capture_queries(target: Target, agent, token: str) -> None:
    """Run the request in-process, print its SQL and the plans of the queries on tickets_ticket."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    if target.auth == "session":
        client = Client()
        client.force_login(agent)
    else:
        client = Client(headers={"Authorization": f"Token {token}"})
    client.get(target.path)  # warm: first-request caches are not what a queue request costs
    with CaptureQueriesContext(connection) as context:
        response = client.get(target.path)
    if response.status_code != 200:
        print(f"  in-process request answered HTTP {response.status_code}; queries not counted")
        return
    queries = list(context.captured_queries)  # the next request clears the connection's query log
    target.query_count = len(queries)
    print(f"  {target.query_count} SQL queries per request:")
    for number, query in enumerate(queries, start=1):
        print(f"  [{number}] ({float(query['time']) * 1000:.1f} ms) {query['sql']}")
    for number, query in enumerate(queries, start=1):
        sql = query["sql"]
        if not READS_TICKETS.search(sql) or not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        plan = explain(sql)
        print(f"\n  EXPLAIN (ANALYZE, BUFFERS) of query [{number}]:")
        print("    " + plan.replace("\n", "\n    "))
        if SEQUENTIAL_SCAN.search(plan):
            target.sequential_scans += 1
            print(f"\n  !!!!!!!! SEQUENTIAL SCAN OF tickets_ticket IN QUERY [{number}] OF {target.name} !!!!!!!!")

    cpu_times = []
    for _ in range(CPU_SAMPLES):
        started = time.process_time()
        client.get(target.path)
        cpu_times.append((time.process_time() - started) * 1000)
    target.cpu_ms = statistics.median(cpu_times)
    print(f"\n  Python CPU per request in-process (median of {CPU_SAMPLES}): {target.cpu_ms:.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300, help="timed requests per endpoint (at least 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per endpoint first")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    arguments = parser.parse_args()
    if not 200 <= arguments.requests <= 100_000:
        parser.error("--requests must be between 200 and 100000")
    if not 0 <= arguments.warmup <= 10_000:
        parser.error("--warmup must be between 0 and 10000")

    configure_environment()
    # WhiteNoise warns that collectstatic has not been run; the bench serves no static files.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from rest_framework.authtoken.models import Token

    from aftersales.accounts.models import User
    from aftersales.tickets.models import Ticket

    try:
        agent = User.objects.get(username=USERNAME)
    except Exception as error:  # a missing database or user: say what to run
        print(f"No bench data ({error}). Run: python bench/generate.py", file=sys.stderr)
        return 2
    token = Token.objects.get(user=agent).key
    ticket_estimate = Ticket.objects.count()
    print(f"Database {DATABASE_NAME}: {ticket_estimate:,} tickets")
    print("Load average before: {:.2f} {:.2f} {:.2f} on {} CPUs".format(*os.getloadavg(), os.cpu_count()))

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="aftersales-bench-") as scratch:
        log_path = Path(scratch) / "gunicorn.log"
        server = start_gunicorn(port, arguments.workers, log_path)
        print(f"gunicorn config.wsgi: {arguments.workers} workers on {HOST}:{port}, DJANGO_DEBUG=0")
        try:
            try:
                session = log_in_over_http(port)
                print(f"Logged in as {USERNAME} through the login form")
            except RuntimeError as error:
                session = session_in_process(agent)
                print(f"Login form failed ({error}); using a session created in-process instead")
            headers = {
                "session": {"Cookie": session, "Accept": "text/html"},
                "token": {"Authorization": f"Token {token}", "Accept": "application/json"},
            }
            for target in TARGETS:
                time_target(target, port, headers[target.auth], arguments.warmup, arguments.requests)
        finally:
            stop_gunicorn(server)
            errors = log_path.read_text() if log_path.exists() else ""
        print("Load average after the timed runs: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        if errors.strip():
            print("\ngunicorn error log (tail):\n" + errors[-3000:])

    for target in TARGETS:
        print(f"\n=== {target.name}: GET {target.path} ===")
        if target.failure:
            print(f"  NOT MEASURED: {target.failure}")
            continue
        capture_queries(target, agent, token)

    print(f"\n=== Summary: {arguments.requests} sequential requests each, after {arguments.warmup} warm-up ===")
    print(f"{'endpoint':50} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8} {'CPU ms':>7}  verdict")
    status = 0
    for target in TARGETS:
        label = target.name if target.gated else f"({target.name})"
        if target.failure:
            print(f"{label:50} {'-':>8} {'-':>8} {'-':>8} {'-':>8} {'-':>7}  NOT MEASURED: {target.failure}")
            if target.gated:
                status = max(status, 2)
            continue
        p50 = statistics.median(target.timings)
        p95 = percentile(target.timings, 0.95)
        queries = "?" if target.query_count is None else str(target.query_count)
        cpu = "?" if target.cpu_ms is None else f"{target.cpu_ms:.1f}"
        problems = []
        if p95 > P95_TARGET_MS:
            problems.append(f"p95 over {P95_TARGET_MS:.0f} ms")
        if target.sequential_scans:
            problems.append("SEQ SCAN on tickets_ticket")
        verdict = ", ".join(problems) or "ok"
        if not target.gated:
            verdict = f"informational: {verdict}"
        elif problems and status == 0:
            status = 1
        print(f"{label:50} {p50:8.1f} {p95:8.1f} {max(target.timings):8.1f} {queries:>8} {cpu:>7}  {verdict}")
    print("(parenthesised rows are informational and do not affect the exit status; CPU ms: Django's own CPU time")
    print(" per request, measured in-process, which other load on the machine barely changes)")
    outcome = {0: "PASS", 1: "FAIL: target missed", 2: "FAIL: a gated endpoint was not measured"}[status]
    print(f"Result: {outcome} (target: p95 <= {P95_TARGET_MS:.0f} ms, no Seq Scan on tickets_ticket)")
    return status


if __name__ == "__main__":
    sys.exit(main())
