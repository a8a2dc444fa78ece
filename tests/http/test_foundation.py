#!/usr/bin/env python3
"""Foundation HTTP tests: routing, error pages, security headers, request
validation, worker supervision, database failure and shutdown.

Run: TURNOUT_BUILD=/work/main TURNOUT_SRC=/work/main tests/http/test_foundation.py
"""
import glob
import http.client
import os
import re
import signal
import socket
import ssl
import sqlite3
import stat
import struct
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

sys.dont_write_bytecode = True  # no __pycache__ in the (maybe read-only) source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from tap import Skip, diag  # noqa: E402

UPCOMING = ["potluck-picnic", "fun-run-5k", "chess-tournament", "tshirt-drop"]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
RSVP = "/events/potluck-picnic/rsvp"  # a plain RSVP event (the fun run is a race)

_site = None
_site_error = None
SEEN = []  # (request, status, headers) of the responses test_security_headers checks


def site():
    """The module's one site, started on first use."""
    global _site, _site_error
    if _site_error is not None:
        raise RuntimeError("the site did not start (see the first failed case)")
    if _site is None:
        try:
            _site = harness.Site("main").start()
        except Exception as e:
            _site_error = e
            raise
        diag(f"site on port {_site.port}, data {_site.data}")
    return _site


def fetch(method, path, body=None, headers=None):
    """request() on the module's site, recorded for test_security_headers."""
    status, hdrs, data = site().request(method, path, body, headers)
    SEEN.append((f"{method} {path[:60]}", status, hdrs))
    return status, hdrs, data.decode("utf-8", "replace")


def raw_status(request, **kw):
    """Status of a raw request (None if the server closed without answering)."""
    return harness.parse_raw(site().raw(request, **kw))[0]


def raw_get(path):
    return site().raw(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "Connection: close\r\n\r\n".encode())


def assert_status(got, want, what):
    assert got == want, f"{what}: status {got}, want {want}"


def assert_html(hdrs, what):
    ctype = hdrs.get("content-type", "")
    assert ctype.startswith("text/html"), f"{what}: Content-Type {ctype!r}, want text/html"


def assert_site_up():
    status, _, _ = site().request("GET", "/")
    assert_status(status, 200, "GET / afterwards")


# -- pages --------------------------------------------------------------------

def test_index_lists_upcoming_events():
    status, hdrs, body = fetch("GET", "/")
    assert_status(status, 200, "GET /")
    ctype = hdrs.get("content-type", "").replace(" ", "").lower()
    assert ctype == "text/html;charset=utf-8", f"Content-Type {hdrs.get('content-type')!r}"
    missing = [s for s in UPCOMING if f'href="/events/{s}"' not in body]
    assert not missing, f"no link to {missing}"
    shown = [s for s in ("committee-meeting", "spring-cleanup") if f"/events/{s}" in body]
    assert not shown, f"{shown} listed on /"
    assert "spots left" in body, "no 'spots left' on /"


def test_event_page():
    status, hdrs, body = fetch("GET", "/events/fun-run-5k")
    assert_status(status, 200, "GET /events/fun-run-5k")
    assert_html(hdrs, "event page")
    assert re.search(r"<(title|h1)\b[^>]*>(?:(?!</\1>).)*5\s*k", body, re.I | re.S), \
        "event title (with '5 km'/'5K') not in <title> or <h1>"
    assert '<progress max="50"' in body, "capacity 50 not shown as the bar's maximum"
    live = dict(re.findall(r'data-live="(confirmed|spots_left)">(\d+)<', body))
    assert set(live) == {"confirmed", "spots_left"}, f"live counts {live}"
    assert int(live["confirmed"]) + int(live["spots_left"]) == 50, \
        f"confirmed + spots left = {live}, want 50 in all"
    assert "spots left" in body, "no 'spots left'"


def test_draft_hidden_past_event_ended():
    status, _, _ = fetch("GET", "/events/committee-meeting")
    assert_status(status, 404, "draft event")
    status, _, body = fetch("GET", "/events/spring-cleanup")
    assert_status(status, 200, "past event")
    assert "ended" in body, "past event page does not say 'ended'"


def test_not_found_pages():
    for path in ("/events/no-such-event", "/nope/at/all"):
        status, hdrs, body = fetch("GET", path)
        assert_status(status, 404, path)
        assert_html(hdrs, path)
        assert "not found" in body.lower(), f"{path}: page does not say 'not found'"
        assert 'href="/"' in body, f"{path}: no link to /"


def test_method_not_allowed():
    status, hdrs, body = fetch("POST", "/", "a=b", FORM)
    assert_status(status, 405, "POST /")
    assert "GET" in hdrs.get("allow", ""), f"POST /: Allow {hdrs.get('allow')!r}"
    assert_html(hdrs, "POST /")
    status, hdrs, _ = fetch("DELETE", "/events/fun-run-5k")
    assert_status(status, 405, "DELETE /events/fun-run-5k")


# -- request validation -------------------------------------------------------

BAD_BODIES = ["name=%G1", "name=%00", "name=%FF", "name=%C0%AF", "name=%ED%A0%80", "name=abc%"]
BAD_QUERIES = ["/?q=%G1", "/?q=%00"]


def test_malformed_input_is_400():
    cases = [("POST", RSVP, body) for body in BAD_BODIES]
    cases += [("GET", path, None) for path in BAD_QUERIES]
    wrong = []
    for method, path, body in cases:
        status, hdrs, page = fetch(method, path, body, FORM if body else None)
        what = f"{method} {path} {body or ''}".strip()
        if status != 400:
            wrong.append(f"{what}: status {status}, want 400")
        elif not hdrs.get("content-type", "").startswith("text/html"):
            wrong.append(f"{what}: Content-Type {hdrs.get('content-type')!r}")
        elif not re.search(r"encod|utf-8|invalid", page, re.I):
            wrong.append(f"{what}: page does not say what was wrong")
    assert not wrong, "\n".join(wrong)


def test_wellformed_query_is_fine():
    status, _, _ = fetch("GET", "/?q=hello+world&x=%C3%A9")
    assert_status(status, 200, "GET /?q=hello+world&x=%C3%A9")


def test_security_headers():
    seen = {status for _, status, _ in SEEN}
    assert {200, 400, 404, 405} <= seen, f"statuses seen {sorted(seen)}: earlier cases failed"
    wrong = []
    for what, status, hdrs in SEEN:
        csp = hdrs.get("content-security-policy", "")
        if "default-src 'self'" not in csp or "frame-ancestors 'none'" not in csp:
            wrong.append(f"{what} ({status}): Content-Security-Policy {csp!r}")
        if hdrs.get("x-content-type-options", "").lower() != "nosniff":
            wrong.append(f"{what} ({status}): X-Content-Type-Options "
                         f"{hdrs.get('x-content-type-options')!r}")
        if "referrer-policy" not in hdrs:
            wrong.append(f"{what} ({status}): no Referrer-Policy")
    assert not wrong, "\n".join(wrong)


def test_body_too_large_is_413():
    status, _, _ = site().request("POST", RSVP, "name=" + "x" * (70000 - 5), FORM)
    assert_status(status, 413, "70 000-byte form")
    assert_site_up()


def test_app_caps_body_itself():
    # With max_body below nginx's cap, the app's own limit answers: it reads
    # at most max_body + 1 bytes whatever Content-Length claims.
    def small_cap(data):
        with open(os.path.join(data, "turnout.conf"), "w") as f:
            f.write(f"data_dir = {data}\ntemplates = {harness.SRC}/templates\n"
                    "max_body = 2048\n")

    with harness.Site("smallbody", prepare=small_cap) as s:
        status, hdrs, body = s.request("POST", RSVP, "name=" + "x" * 3000, FORM)
        assert_status(status, 413, "3000-byte form with max_body = 2048")
        assert_html(hdrs, "app's 413 page")
        assert b"larger than 2 KiB" in body, body[:300]
        status, _, _ = s.request("POST", "/", "a=" + "x" * 2000, FORM)
        assert_status(status, 405, "2002-byte form under the cap reaches the router")


def test_slug_abuse_is_refused():
    # nginx itself refuses a path that climbs above / (400); the app answers
    # 414 for an address over 4 KiB. Each gets a page with our headers.
    wrong = []
    for path, want in (("/events/..%2F..%2Fetc%2Fpasswd", 400), ("/events/%2e%2e", 404),
                       ("/events/" + "a" * 10000, 414), ("/events/" + "a" * 65, 404)):
        status, hdrs, body = harness.parse_raw(raw_get(path))
        if status != want or b"root:" in body:
            wrong.append(f"GET {path[:40]}...: status {status}, want {want}")
        elif b"<a href=\"/\">" not in body or "content-security-policy" not in hdrs:
            wrong.append(f"GET {path[:40]}...: no friendly page with security headers")
    assert not wrong, "\n".join(wrong)


def test_head():
    status, _, body = site().request("HEAD", "/")
    assert_status(status, 200, "HEAD /")
    assert body == b"", f"HEAD / sent a body of {len(body)} bytes"


def test_healthz():
    status, _, body = site().request("GET", "/healthz")
    assert_status(status, 200, "GET /healthz")
    assert body.strip() == b"ok", f"/healthz body {body[:100]!r}"


def test_static_css():
    status, hdrs, _ = site().request("GET", "/static/style.css")
    assert_status(status, 200, "GET /static/style.css")
    assert hdrs.get("content-type", "").startswith("text/css"), hdrs.get("content-type")


# Files holding names, e-mail addresses, manage links or the site secret.
PRIVATE = ("turnout.db", "turnout.db-wal", "turnout.db-shm", "turnout.conf", "log/turnout.log",
           "log/worker.log", "log/nginx-access.log", "log/nginx-error.log")


def test_data_files_are_private():
    """Nothing a site keeps is open to other local users, although the
    harness runs everything with umask 022 and made the directory 0755."""
    data = site().data
    fetch("GET", "/events/fun-run-5k")  # the database's -wal and -shm exist
    problems = []
    mode = stat.S_IMODE(os.stat(data).st_mode)
    if mode != 0o700:
        problems.append(f"the data directory is {mode:04o}, want 0700")
    for root, dirs, files in os.walk(data):
        for name in dirs + files:
            path = os.path.join(root, name)
            mode = stat.S_IMODE(os.lstat(path).st_mode)
            if mode & 0o007:
                problems.append(f"{os.path.relpath(path, data)} is {mode:04o}: open to others")
    for rel in PRIVATE:
        mode = stat.S_IMODE(os.stat(os.path.join(data, rel)).st_mode)
        if mode != 0o600:
            problems.append(f"{rel} is {mode:04o}, want 0600")
    assert not problems, "\n".join(problems)
    assert "warning:" not in site().log_text()
    # The programs check at start and warn (turnout-admin's check is turnout.fcgi's).
    db = os.path.join(data, "turnout.db")
    os.chmod(db, 0o644)
    try:
        p = subprocess.run([harness.ADMIN, "-c", os.path.join(data, "turnout.conf"), "outbox"],
                           capture_output=True, text=True, timeout=60)
    finally:
        os.chmod(db, 0o600)
    assert p.returncode == 0, p.stderr
    assert f"warning: {db} is mode 0644: other users may read" in p.stderr, p.stderr


def test_short_body_does_not_hang():
    # Content-Length says 10, 3 bytes arrive, then the client shuts its side
    # down. nginx drops the request at once (raw() fails on a hang) without
    # an answer, since the client is gone, and logs it as a 400.
    reply = site().raw(f"POST {RSVP} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       "Content-Type: application/x-www-form-urlencoded\r\n"
                       "Content-Length: 10\r\nConnection: close\r\n\r\nabc".encode(),
                       shut_wr=True)
    assert reply == b"", f"short body: answered {reply[:200]!r}"
    with open(os.path.join(site().log_dir, "nginx-access.log")) as f:
        last = f.read().splitlines()[-1]
    assert f'"POST {RSVP} HTTP/1.1" 400 ' in last, f"access log: {last}"
    assert_site_up()


def test_missing_content_length():
    status = raw_status(f"POST {RSVP} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
    assert status is not None and 400 <= status < 500, f"POST without length: status {status}"
    assert_site_up()


def test_negative_content_length_is_400():
    status = raw_status(f"POST {RSVP} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Content-Length: -1\r\nConnection: close\r\n\r\n".encode())
    assert_status(status, 400, "Content-Length: -1")
    assert_site_up()


# -- processes ------------------------------------------------------------------

def test_killed_worker_is_replaced():
    if harness.VALGRIND:
        raise Skip("kill -9 in valgrind mode")
    s = site()
    before = s.workers()
    assert before, f"master {s.master_pid()} has no worker processes"
    victim = before[0]
    s.killed_pids.add(victim)
    os.kill(victim, signal.SIGKILL)
    # kill() returns before the signal lands: a request the victim accepts
    # in that instant dies with it (502). Test what follows its death.
    deadline = time.monotonic() + 5
    while harness.pid_alive(victim) and time.monotonic() < deadline:
        time.sleep(0.01)
    statuses = [s.request("GET", "/")[0] for _ in range(50)]
    bad = [st for st in statuses if st != 200]
    assert not bad, f"after kill -9 of worker {victim}: {len(bad)}/50 not 200: {bad[:10]}"
    deadline = time.monotonic() + 5
    while (len(s.workers()) != len(before) or victim in s.workers()) \
            and time.monotonic() < deadline:
        time.sleep(0.1)
    after = s.workers()
    assert len(after) == len(before) and victim not in after, \
        f"workers before {before}, killed {victim}, 5 s later {after}"


def test_concurrent_requests():
    if harness.VALGRIND:
        raise Skip("concurrency in valgrind mode")
    s = site()
    with ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(lambda _: s.request("GET", "/events/fun-run-5k")[0],
                                 range(200)))
    bad = [st for st in statuses if st != 200]
    assert not bad, f"{len(bad)}/200 not 200: {sorted(set(bad))}"


def test_database_unavailable():
    with harness.Site("nodb", expect_healthy=False, prepare=harness.break_database) as s:
        status, hdrs, body = s.request("GET", "/")
        assert_status(status, 503, "GET / without a database")
        assert "retry-after" in hdrs, "503 without Retry-After"
        assert_html(hdrs, "503 page")
        assert "try again" in body.decode("utf-8", "replace").lower(), \
            "503 page does not say 'try again'"
        assert_status(s.request("GET", "/healthz")[0], 503, "GET /healthz without a database")
        assert_status(s.request("GET", "/static/style.css")[0], 200, "static without a database")

        db_path = os.path.join(s.data, "turnout.db")

        def db_lines():
            return sum(db_path in line for line in s.log_text().splitlines())

        first = db_lines()
        assert first >= 1, f"{db_path} not mentioned in turnout.log:\n{s.log_text()[-2000:]}"
        for _ in range(20):
            s.request("GET", "/")
        workers = len(s.workers())
        grown = db_lines() - first
        assert grown <= workers, f"20 requests added {grown} log lines naming the " \
                                 f"database ({workers} workers): it logs per request"


def test_site_url_follows_the_port_until_set():
    # A second ./quickstart run with another TURNOUT_PORT: the links in
    # e-mails follow the port, unless the admin set site_url.
    conf = None

    def site_url():
        with open(conf) as f:
            return re.search(r"^site_url = (.*)$", f.read(), re.M).group(1)

    def mailed_link():
        status, _, page = s.request("GET", "/events/potluck-picnic")
        status, hdrs, _ = s.request("POST", RSVP, urllib.parse.urlencode({
            "form_token": harness.form_token(page), "name": "Port Moved",
            "email": f"moved{s.port}@example.org"}), harness.FORM)
        assert_status(status, 303, "sign-up")
        deadline = time.monotonic() + harness.TIMEOUT * 3
        while True:
            for path in glob.glob(os.path.join(s.data, "mail", "new", "*")):
                with open(path, errors="replace") as f:
                    text = f.read()
                if f"moved{s.port}@example.org" in text:
                    return re.search(r"(\S+)/rsvp/[0-9a-f]{32}", text).group(1)
            assert time.monotonic() < deadline, "no e-mail in the maildir"
            time.sleep(0.1)

    with harness.Site("moved") as s:
        conf = os.path.join(s.data, "turnout.conf")
        assert site_url() == f"http://127.0.0.1:{s.port}", site_url()
        s.restart(harness.free_port())
        assert site_url() == f"http://127.0.0.1:{s.port}", site_url()
        assert mailed_link() == f"http://127.0.0.1:{s.port}"
        s.stop()
        with open(conf) as f:
            text = f.read()
        with open(conf, "w") as f:
            f.write(re.sub(r"^site_url = .*$", "site_url = https://club.example.org", text,
                           flags=re.M))
        s.restart(harness.free_port())
        assert site_url() == "https://club.example.org", "the admin's site_url was replaced"
        assert mailed_link() == "https://club.example.org"


def test_session_cookie_over_https():
    # nginx in front with a certificate: the admin session cookie gets the
    # __Host- prefix and Secure, and only that name logs in over HTTPS.
    def prepare(data):
        harness.write_config(data, "password_memory_kib = 1024\n")
        harness.add_admin_user(os.path.join(data, "turnout.conf"), "tess", "a long tls password")

    with harness.Site("https", prepare=prepare) as s:
        cert, key = os.path.join(s.data, "cert.pem"), os.path.join(s.data, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
                        "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
        ngx = os.path.join(s.data, "nginx")
        with open(os.path.join(ngx, "site.conf")) as f:
            conf = f.read()
        plain = f"listen 127.0.0.1:{s.port} backlog=4096;"
        assert plain in conf, "nginx.conf's listen line changed: update this test"
        with open(os.path.join(ngx, "site.conf"), "w") as f:
            f.write(conf.replace(plain, f"listen 127.0.0.1:{s.port} ssl backlog=4096;\n"
                                        f"\tssl_certificate {cert};\n\tssl_certificate_key {key};"))
        # Restart nginx (a reload would let old workers answer in plain
        # text for a while): stop it, wait for it to end, start it again.
        nginx = ["nginx", "-p", ngx, "-c", os.path.join(ngx, "nginx.conf"), "-e",
                 os.path.join(s.log_dir, "nginx-error.log")]
        with open(os.path.join(ngx, "nginx.pid")) as f:
            old = int(f.read())
        subprocess.run(nginx + ["-s", "stop"], check=True)
        deadline = time.monotonic() + 30
        while harness.pid_alive(old):
            assert time.monotonic() < deadline, "nginx did not stop"
            time.sleep(0.05)
        subprocess.run(nginx, check=True)
        tls = ssl.create_default_context(cafile=cert)

        def https(method, path, body=None, headers=None):
            conn = http.client.HTTPSConnection("127.0.0.1", s.port, context=tls,
                                               timeout=harness.TIMEOUT)
            try:
                conn.request(method, path, body=body, headers=headers or {})
                resp = conn.getresponse()
                return resp.status, {k.lower(): v for k, v in resp.getheaders()}, \
                    resp.read().decode("utf-8", "replace")
            finally:
                conn.close()

        deadline = time.monotonic() + 30
        while True:  # nginx's workers are up a moment after it returns
            try:
                status, _, page = https("GET", "/admin/login")
                break
            except (ssl.SSLError, OSError):
                assert time.monotonic() < deadline, "nginx does not answer over TLS"
                time.sleep(0.1)
        assert_status(status, 200, "GET /admin/login over HTTPS")
        status, hdrs, _ = https("POST", "/admin/login", urllib.parse.urlencode({
            "form_token": harness.form_token(page), "name": "tess",
            "password": "a long tls password"}), harness.FORM)
        assert_status(status, 303, "login over HTTPS")
        m = re.fullmatch(r"__Host-turnout_admin=([0-9a-f]{64}); Path=/; HttpOnly;"
                         r" SameSite=Lax; Secure", hdrs.get("set-cookie", ""))
        assert m, f"Set-Cookie over HTTPS: {hdrs.get('set-cookie')!r}"
        status, _, body = https("GET", "/admin", headers={
            "Cookie": f"__Host-turnout_admin={m.group(1)}"})
        assert_status(status, 200, "/admin with the __Host- cookie")
        assert "tess" in body, "not logged in as tess"
        status, hdrs, _ = https("GET", "/admin", headers={"Cookie": f"turnout_admin={m.group(1)}"})
        assert (status, hdrs.get("location")) == (303, "/admin/login"), \
            f"the plain-HTTP cookie name logs in over HTTPS: {status}"


def locked_database_case(gate):
    """With another connection holding the database's write lock past
    busy_timeout_ms, a sign-up is answered 503 with Retry-After and writes
    nothing, pages still read, and the same form goes through once the lock
    is gone; write_gate on or off."""
    def config(data):
        harness.write_config(data, f"write_gate = {gate}\nbusy_timeout_ms = 300\n")

    with harness.Site(f"locked-{gate}", prepare=config) as s:
        status, _, page = s.request("GET", "/events/potluck-picnic")
        form = urllib.parse.urlencode({"form_token": harness.form_token(page),
                                       "name": "Lou Locked", "email": "lou@example.org"})
        before = s.query("SELECT count(*) FROM rsvp")
        holder = sqlite3.connect(s.db_path, isolation_level=None, timeout=30)
        try:
            holder.execute("BEGIN IMMEDIATE")
            status, hdrs, body = s.request("POST", RSVP, form, harness.FORM)
            assert_status(status, 503, f"sign-up while the database is locked (gate {gate})")
            assert hdrs.get("retry-after", "").isdigit(), f"Retry-After {hdrs.get('retry-after')!r}"
            assert_html(hdrs, "503 page")
            assert "try again" in body.decode("utf-8", "replace").lower(), body[:300]
            assert_status(s.request("GET", "/events/fun-run-5k")[0], 200, "reading while locked")
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert s.query("SELECT count(*) FROM rsvp") == before, "the refused sign-up wrote"
        status, hdrs, _ = s.request("POST", RSVP, form, harness.FORM)
        assert_status(status, 303, "the same sign-up once the lock is gone")
        assert s.query("SELECT count(*) FROM rsvp WHERE email = 'lou@example.org'") == [(1,)]


def test_locked_database_is_503_with_write_gate():
    locked_database_case("on")


def test_locked_database_is_503_without_write_gate():
    locked_database_case("off")


def fcgi_record(rtype, content=b""):
    """One FastCGI record of request 1 (no padding)."""
    return struct.pack(">BBHHBB", 1, rtype, 1, len(content), 0, 0) + content


def fcgi_params(params):
    out = b""
    for name, value in params.items():
        name, value = name.encode(), value.encode()
        out += bytes([len(name), len(value)]) + name + value  # all < 128 bytes
    return out


def test_sigterm_finishes_request_in_flight():
    # Talk FastCGI to the app directly so the request is provably in a
    # worker's hands (reading its body) when the master gets SIGTERM.
    with harness.Site("drain") as s:
        master = s.master_pid()
        conn = socket.socket(socket.AF_UNIX)
        conn.settimeout(harness.TIMEOUT)
        conn.connect(os.path.join(s.data, "turnout.sock"))
        conn.sendall(fcgi_record(1, struct.pack(">HB5x", 1, 0))  # BEGIN, responder
                     + fcgi_record(4, fcgi_params({
                         "REQUEST_METHOD": "GET", "REQUEST_URI": "/",
                         "CONTENT_TYPE": "application/x-www-form-urlencoded"}))
                     + fcgi_record(4) + fcgi_record(5, b"a=1"))
        time.sleep(0.5)
        s.killed_pids.add(master)
        os.kill(master, signal.SIGTERM)
        time.sleep(1 if not harness.VALGRIND else 3)
        assert harness.pid_alive(master), "master exited with a request in flight"
        conn.sendall(fcgi_record(5, b"&b=2") + fcgi_record(5))  # rest of body, EOF
        reply = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            reply += chunk
        conn.close()
        assert b"Status: 200" in reply and b"Upcoming events" in reply, \
            f"in-flight request got {reply[:300]!r}"
        deadline = time.monotonic() + (30 if harness.VALGRIND else 5)
        while harness.pid_alive(master) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not harness.pid_alive(master), "master still running after the last request"
        assert "killing" not in s.log_text(), "workers had to be killed:\n" + s.log_text()


def test_sigterm_shutdown():
    s = site()
    master, workers = s.master_pid(), s.workers()
    rc = s.stop()
    assert rc == 0, f"serve stop exited {rc}"
    # serve KILLs what SIGTERM did not stop: then the master logs nothing more.
    assert re.search(rf"^turnout\[{master}\]: stopped$", s.log_text(), re.M), \
        f"the master did not stop by itself on SIGTERM:\n{s.log_text()[-1000:]}"
    alive = [p for p in [master] + workers if harness.pid_alive(p)]
    assert not alive, f"still running after stop: {alive} (master {master})"
    sock = os.path.join(s.data, "turnout.sock")
    assert not os.path.exists(sock), f"{sock} left behind"


test_sites_clean = harness.test_sites_clean


if __name__ == "__main__":
    harness.run_suite(globals())
