"""Start a throwaway Turnout site (nginx + turnout.fcgi) for black-box tests.

    with Site() as site:
        status, headers, body = site.request("GET", "/")

Each Site gets a fresh data directory with demo data and a free loopback
port, and is started and stopped with scripts/serve, exactly as a group admin
runs it. Stopping always happens: on close(), at interpreter exit and on
SIGTERM/SIGINT.

Environment:
  TURNOUT_BUILD     build dir holding cgi-bin/ and admin/ (default: repo root)
  TURNOUT_SRC       source dir holding scripts/, templates/, static/ (same)
  TURNOUT_TEST_OUT  where to copy each site's logs (default: a new temp dir)
  TURNOUT_KEEP=1    keep the data directories
  TURNOUT_VALGRIND=1  run turnout.fcgi under valgrind (see valgrind_problems)
"""
import atexit
import glob
import hashlib
import hmac
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, namedtuple
from concurrent.futures import ThreadPoolExecutor

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.abspath(os.environ.get("TURNOUT_BUILD") or REPO)
SRC = os.path.abspath(os.environ.get("TURNOUT_SRC") or REPO)
VALGRIND = os.environ.get("TURNOUT_VALGRIND") == "1"
KEEP = os.environ.get("TURNOUT_KEEP") == "1"
# Every site a test starts has its own data directory and port; a
# TURNOUT_DATA from the caller (./quickstart exports ./var) would override
# the data_dir of every turnout-admin and turnout-worker a test runs.
for _var in ("TURNOUT_DATA", "TURNOUT_PORT"):
    os.environ.pop(_var, None)
TIMEOUT = 30 if VALGRIND else 10  # socket timeout, seconds
# Workers of a site whose tests race requests: by default the app runs one
# per CPU, and one worker alone would serve a "storm" one request at a time.
STORM_WORKERS = 4
# Under valgrind every worker is a valgrind process: the default (16 per
# core with synchronous = group) would take minutes to start and stop.
VALGRIND_WORKERS = 2
# The umask of an admin's shell: the programs must make their files private
# themselves (test_foundation checks every file of a site).
os.umask(0o022)

ADMIN = os.path.join(BUILD, "admin", "turnout-admin")
SERVE = os.path.join(SRC, "scripts", "serve")

_out_dir = None
_live = []  # sites started and not yet closed
closed = []  # sites closed, in order (their valgrind_report is set)


def out_dir():
    """The artifacts directory (created on first use)."""
    global _out_dir
    if _out_dir is None:
        _out_dir = os.environ.get("TURNOUT_TEST_OUT") or tempfile.mkdtemp(
            prefix="turnout-http-out-")
        os.makedirs(_out_dir, exist_ok=True)
    return _out_dir


def close_all():
    for site in list(_live):
        site.close()


def _on_signal(signum, _frame):
    # Unwind: the with/finally blocks and atexit stop every live site.
    sys.exit(128 + signum)


atexit.register(close_all)
signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)


def site_once(name, prepare=None, started=None):
    """A function that returns a test module's one Site, started on first
    call (started(site) runs then); once starting failed, every later call
    fails at once instead of starting another site."""
    state = {}

    def site():
        if "error" in state:
            raise RuntimeError("the site did not start (see the first failed case)")
        if "site" not in state:
            try:
                state["site"] = Site(name, prepare=prepare).start()
            except Exception as e:
                state["error"] = e
                raise
            if started:
                started(state["site"])
        return state["site"]
    return site


def test_sites_clean():
    """The last case of every suite: stop the sites and fail if a process
    of theirs died of a signal the test did not send, or ended before it
    was stopped, and in valgrind mode on any error valgrind reported."""
    close_all()
    assert closed, "no site ran"
    problems = [p for s in closed for p in s.crashes]
    if VALGRIND:
        problems += [p for s in closed
                     for p in (s.valgrind_report if s.valgrind_report is not None
                               else [f"{s.name}: valgrind logs not checked"])]
    assert not problems, "\n".join(problems)


def run_suite(namespace):
    """Run a test module's test_* cases as TAP (tap.main), then stop every
    site it started, and exit with the result."""
    from tap import diag, main
    try:
        status = main(namespace)
    finally:
        close_all()
        diag(f"logs kept in {out_dir()}")
    sys.exit(status)


def write_config(data, extra=""):
    """Write a site's turnout.conf before it starts (scripts/serve keeps an
    existing one): its data directory and templates, then the extra lines."""
    with open(os.path.join(data, "turnout.conf"), "w") as f:
        f.write(f"data_dir = {data}\ntemplates = {SRC}/templates\n{extra}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_raw(data):
    """(status or None, lowercased headers, body) of a raw HTTP response."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/\d\.\d (\d{3})", lines[0])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return (int(m.group(1)) if m else None), headers, body


FORM_TOKEN_RE = re.compile(r'name="form_token" value="([0-9a-f]+)"')


def form_tokens(html):
    """The form_token values of the forms in an HTML page, in page order."""
    if isinstance(html, bytes):
        html = html.decode("utf-8", "replace")
    return FORM_TOKEN_RE.findall(html)


def form_token(html):
    """The first form_token in an HTML page, or None."""
    tokens = form_tokens(html)
    return tokens[0] if tokens else None


# -- the admin page -------------------------------------------------------------

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
Answer = namedtuple("Answer", "status headers seconds body")  # one answer of Site.storm()

ADMIN_COOKIE = "turnout_admin"  # its name over plain HTTP (no __Host- prefix)
CSRF_RE = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def add_admin_user(conf, name, password):
    """An admin account for the site of config file conf, made as an
    organiser does: turnout-admin user add, the password on stdin."""
    subprocess.run([ADMIN, "-c", conf, "user", "add", name], input=password + "\n",
                   text=True, check=True, capture_output=True)


def csrf_of(html):
    """The first CSRF token of an admin page (every admin form has one)."""
    m = CSRF_RE.search(html)
    assert m, "no csrf field on the page"
    return m.group(1)


def alerts(html):
    """The texts of a page's role="alert" messages, and each error of its
    error summary (a form's errors, linked to their fields)."""
    return re.findall(r'role="alert">([^<]*)<', html) + \
        [m for _, m in error_summary(html)]


def error_summary(html):
    """[(field id, message)] of a page's error summary ([] if none)."""
    m = re.search(r'<div class="error-summary" role="alert"[^>]*>(.*?)</div>', html, re.S)
    return re.findall(r'<li><a href="#([^"]+)">([^<]*)</a></li>', m.group(1)) if m else []


def session_cookie(hdrs):
    """The admin session cookie a response sets, or None."""
    m = re.match(rf"{ADMIN_COOKIE}=([^;]*)", hdrs.get("set-cookie", ""))
    return m.group(1) if m else None


def pid_alive(pid):
    """True if the process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def children(pid):
    """Pids of the live children of pid."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            kids = [int(p) for p in f.read().split()]
    except OSError:  # kernel without CONFIG_PROC_CHILDREN: scan /proc
        kids = []
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                with open(stat) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                kids.append(int(stat.split("/")[2]))
    return sorted(p for p in kids if pid_alive(p))


def break_database(data):
    """A Site prepare step: the database path becomes a directory, which
    SQLite cannot open (the site must still answer, with 503s)."""
    db = os.path.join(data, "turnout.db")
    for path in (db, db + "-wal", db + "-shm"):
        if os.path.exists(path):
            os.remove(path)
    os.mkdir(db)


class ModuleSite:
    """A test module's one Site, started on first use: call it to get the
    Site. If the start fails, that case fails with the reason and every
    later call fails at once instead of starting again."""

    def __init__(self, name, prepare=None, report=None):
        self.name, self.prepare, self.report = name, prepare, report
        self.site = None
        self.error = None

    def __call__(self):
        if self.error is not None:
            raise RuntimeError("the site did not start (see the first failed case)")
        if self.site is None:
            try:
                self.site = Site(self.name, prepare=self.prepare).start()
            except Exception as e:
                self.error = e
                raise
            if self.report:
                self.report(f"site on port {self.site.port}, data {self.site.data}")
        return self.site


class Site:
    """One running site. prepare(data_dir) runs after init/demo, before start.

    expect_healthy=False accepts a site whose /healthz is not 200 (scripts/serve
    returns once the app answers at all) and waits until /healthz answers.
    """

    def __init__(self, name="site", expect_healthy=True, prepare=None):
        self.name = name
        self.expect_healthy = expect_healthy
        self.prepare = prepare
        self.data = None
        self.port = None
        self.killed_pids = set()  # signalled on purpose: their deaths and valgrind logs don't count
        self.valgrind_report = None  # problems found by close() in valgrind mode
        self.crashes = []  # processes close() found killed by a signal or gone early
        self._running = False

    # -- lifecycle ---------------------------------------------------------

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    def start(self):
        self.data = tempfile.mkdtemp(prefix=f"turnout-{self.name}-")
        # As "mkdir var" makes it: scripts/serve must close it itself.
        os.chmod(self.data, 0o755)
        self.port = free_port()
        self.env = dict(os.environ, TURNOUT_DATA=self.data, TURNOUT_PORT=str(self.port),
                        TURNOUT_BUILD=BUILD, TURNOUT_SRC=SRC)
        os.makedirs(self.log_dir, exist_ok=True)
        if VALGRIND:
            wrap = ["valgrind", "--error-exitcode=1", "--leak-check=full",
                    "--errors-for-leak-kinds=definite,indirect,possible",
                    f"--log-file={self.log_dir}/valgrind.%p.log"]
            supp = os.path.join(SRC, "tests", "valgrind.supp")
            if os.path.exists(supp):
                wrap.append(f"--suppressions={supp}")
            self.env["TURNOUT_WRAP"] = " ".join(wrap)
            self.env["TURNOUT_WORKERS"] = str(VALGRIND_WORKERS)
        _live.append(self)
        try:
            self._run(ADMIN, "init")
            self._run(ADMIN, "demo")
            if self.prepare:
                self.prepare(self.data)
            conf = os.path.join(self.data, "turnout.conf")
            if VALGRIND and os.path.exists(conf):
                with open(conf, "r+") as f:
                    if not re.search(r"^workers\s*=", f.read(), re.M):
                        f.write(f"\nworkers = {VALGRIND_WORKERS}\n")
            self._running = True
            self._run(SERVE, "start", timeout=120)
            if not self.expect_healthy:
                self._wait_answering()
        except BaseException:
            self.close()
            raise
        return self

    def stop(self):
        """Run 'scripts/serve stop' (once); returns its exit status."""
        if not self._running:
            return None
        self._running = False
        return self._run(SERVE, "stop", timeout=60, check=False)

    def restart(self, port=None):
        """Stop the site and start it again with scripts/serve, on another
        port if given (as ./quickstart run with another TURNOUT_PORT)."""
        self.stop()
        if port is not None:
            self.port = port
            self.env["TURNOUT_PORT"] = str(port)
        self._running = True
        self._run(SERVE, "start", timeout=120)

    def close(self):
        """Stop, check valgrind logs, keep the logs as artifacts, clean up."""
        if self not in _live:
            return
        _live.remove(self)
        closed.append(self)
        # A SIGTERM/SIGINT now would kill 'serve stop' half way: hold it until done.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
        try:
            if self._running:
                self.crashes += self._gone_early()
            self.stop()
            self.crashes += self._killed_workers()
            if VALGRIND:
                self.valgrind_report = self.valgrind_problems()
            dest = os.path.join(out_dir(), f"{self.name}-{self.port}")
            shutil.copytree(self.data, dest, ignore=shutil.ignore_patterns(
                "turnout.db*", "turnout.sock", "tmp", "cache"), dirs_exist_ok=True)
            if not KEEP:
                shutil.rmtree(self.data, ignore_errors=True)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)

    def _run(self, *argv, timeout=60, check=True):
        # Output goes to a file, never a pipe: serve leaves turnout.fcgi
        # running with our stdout, so a pipe would never reach EOF.
        log = os.path.join(self.data, "harness.log")
        with open(log, "a", opener=lambda p, flags: os.open(p, flags, 0o600)) as f:
            f.write(f"$ {' '.join(argv)}\n")
            f.flush()
            rc = subprocess.run(argv, env=self.env, stdin=subprocess.DEVNULL, stdout=f,
                                stderr=subprocess.STDOUT, timeout=timeout).returncode
        if check and rc != 0:
            with open(log) as f:
                tail = "".join(f.readlines()[-20:])
            raise RuntimeError(f"{' '.join(argv)} exited {rc}:\n{tail}")
        return rc

    def _gone_early(self):
        """The app's master and the mail worker that ended before the stop
        without logging a fatal error (so killed by a signal), unless the
        test signalled them."""
        gone = []
        for what, pidfile, log in (("turnout.fcgi", "turnout.pid", "turnout.log"),
                                   ("turnout-worker", "worker.pid", "worker.log")):
            try:
                with open(os.path.join(self.data, pidfile)) as f:
                    pid = int(f.read())
                with open(os.path.join(self.log_dir, log), errors="replace") as f:
                    said = f"turnout[{pid}]: fatal: " in f.read()
            except (OSError, ValueError):
                continue
            if pid not in self.killed_pids and not pid_alive(pid) and not said:
                gone.append(f"{self.name}: {what} (pid {pid}) ended before the site was "
                            f"stopped, without a fatal error in {log}: killed by a signal?")
        return gone

    def _killed_workers(self):
        """Processes the logs say were killed by a signal the test did not
        send: "worker N killed by signal S" (the master, in turnout.log), or
        "(pid N) killed by signal S" (a supervisor in scripts/serve, in
        turnout.log or worker.log)."""
        found = []
        for log in ("turnout.log", "worker.log"):
            try:
                with open(os.path.join(self.log_dir, log), errors="replace") as f:
                    text = f.read()
            except FileNotFoundError:
                continue
            found += [(log, pid, sig) for pid, sig in
                      re.findall(r"(?:worker |writer |\(pid )(\d+)\)? killed by signal (\d+)",
                                 text)]
        return [f"{self.name}: {log}: process {pid} killed by signal {sig}"
                for log, pid, sig in found if int(pid) not in self.killed_pids]

    def _wait_answering(self):
        deadline = time.monotonic() + (120 if VALGRIND else 30)
        while True:
            try:
                self.request("GET", "/healthz")
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    # -- paths and processes -----------------------------------------------

    @property
    def log_dir(self):
        return os.path.join(self.data, "log")

    def log_text(self):
        try:
            with open(os.path.join(self.log_dir, "turnout.log"), errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    @property
    def db_path(self):
        return os.path.join(self.data, "turnout.db")

    def query(self, sql, params=()):
        """Rows of one SQL statement on the site's database, opened read-only
        (safe while the site runs: WAL readers never block its writers)."""
        con = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=30)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def forge_form_token(self, issued, purpose):
        """A correctly signed form token for the form `purpose` (e.g.
        "rsvp:potluck-picnic", "cancel:<manage token>") issued at unix time
        `issued` (the secret is read from the database, as only a test can)."""
        secret = self.query_one("SELECT value FROM setting WHERE key = 'secret'")[0]
        body = struct.pack(">Q", issued) + secrets.token_bytes(16)
        # HMAC-SHA-512/256 over the body and the purpose, truncated to 16 bytes.
        mac = hmac.new(secret, body + purpose.encode(), hashlib.sha512).digest()[:16]
        return (body + mac).hex()

    def query_one(self, sql, params=()):
        """The first row of query(), or None."""
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def master_pid(self):
        with open(os.path.join(self.data, "turnout.pid")) as f:
            return int(f.read())

    def workers(self):
        """The master's children: its workers and the batch writer (writer())."""
        return children(self.master_pid())

    def writer(self):
        """The batch writer's pid (the last one started), or None."""
        found = re.findall(r"batch writer (\d+) started", self.log_text())
        return int(found[-1]) if found else None

    def worker_reads(self):
        """{pid: bytes read so far} of the app's workers (rchar in
        /proc/PID/io). A worker waiting in accept() reads nothing, so the
        workers whose count grows while requests run are those serving them."""
        reads = {}
        for pid in self.workers():
            try:
                with open(f"/proc/{pid}/io") as f:
                    reads[pid] = int(re.search(r"^rchar: (\d+)", f.read(), re.M).group(1))
            except OSError:  # the worker just ended
                pass
        return reads

    def served_by(self, before):
        """The worker pids whose reads grew since before = worker_reads()."""
        return sorted(pid for pid, n in self.worker_reads().items()
                      if n > before.get(pid, 0))

    def assert_overlapped(self, before, what):
        """Fail unless more than one worker served the requests made since
        before = worker_reads(): only then could they run at the same time."""
        served = self.served_by(before)
        assert len(served) > 1, (f"{what}: served by worker(s) {served} of {sorted(before)}: "
                                 "the requests never ran at the same time")
        return served

    # -- HTTP ----------------------------------------------------------------

    def request(self, method, path, body=None, headers=None, timeout=TIMEOUT, source=None):
        """(status, lowercased headers, body bytes) over a fresh connection.

        source: the client's address, another 127.x.y.z (nginx's per-address
        limits then count it apart from other requests).
        """
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout,
                                          source_address=(source, 0) if source else None)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            hdrs = {}
            for name, value in resp.getheaders():
                name = name.lower()
                hdrs[name] = f"{hdrs[name]}, {value}" if name in hdrs else value
            return resp.status, hdrs, data
        finally:
            conn.close()

    def fetch(self, method, path, body=None, cookie=None, headers=None, source=None):
        """request() with the admin session cookie if given; the body as text."""
        hdrs = dict(headers or {})
        if cookie is not None:
            hdrs["Cookie"] = f"{ADMIN_COOKIE}={cookie}"
        status, h, data = self.request(method, path, body, hdrs, source=source)
        return status, h, data.decode("utf-8", "replace")

    def post_form(self, path, fields, cookie=None, source=None):
        """POST a form (None values left out) with fetch()."""
        body = urllib.parse.urlencode([(k, v) for k, v in fields.items() if v is not None])
        return self.fetch("POST", path, body, cookie, FORM, source)

    def collect_tokens(self, paths, threads=50):
        """One fresh form token from each page (fetched concurrently)."""
        def one(path):
            status, _, body = self.request("GET", path)
            tokens = form_tokens(body)
            if status != 200 or not tokens:
                raise AssertionError(f"GET {path}: status {status}, no form token")
            return tokens[-1]

        with ThreadPoolExecutor(threads) as pool:
            return list(pool.map(one, paths))

    def storm(self, jobs, threads=200):
        """Run form POSTs concurrently, each thread's first after a barrier, and
        check that several workers served them. A job is (method, path, fields)
        or (method, path, fields, source address); fields a dict or an encoded
        body. [Answer(status, headers, seconds, body text)], status None if the
        connection failed (the error in headers["error"])."""
        from tap import diag
        gate = threading.Barrier(min(threads, len(jobs)))
        local = threading.local()

        def one(job):
            if not getattr(local, "started", False):
                local.started = True
                try:
                    gate.wait(timeout=30)
                except threading.BrokenBarrierError:
                    pass
            method, path, fields, source = (*job, None)[:4]
            if isinstance(fields, dict):
                fields = urllib.parse.urlencode(fields)
            t = time.monotonic()
            try:
                status, hdrs, body = self.request(method, path, fields, FORM, source=source)
            except OSError as e:
                return Answer(None, {"error": repr(e)}, time.monotonic() - t, "")
            return Answer(status, hdrs, time.monotonic() - t, body.decode("utf-8", "replace"))

        before = self.worker_reads()
        with ThreadPoolExecutor(threads) as pool:
            results = list(pool.map(one, jobs))
        served = self.assert_overlapped(before, f"{len(jobs)} concurrent requests")
        diag(f"{len(jobs)} concurrent requests served by {len(served)} workers: "
             f"{dict(Counter(a.status for a in results))}")
        return results

    def admin_login_token(self):
        """A fresh form token of the login form."""
        status, _, body = self.fetch("GET", "/admin/login")
        assert status == 200, f"GET /admin/login: {status}"
        return form_token(body)

    def admin_login(self, name, password, cookie=None, source=None):
        """Log in at /admin/login (from source, an address nginx's login
        throttle counts apart); returns the new session cookie's value."""
        status, hdrs, body = self.post_form("/admin/login", {
            "form_token": self.admin_login_token(), "name": name, "password": password},
            cookie, source)
        assert status == 303, f"login as {name}: status {status}: {alerts(body)}"
        assert hdrs["location"] == "/admin"
        value = session_cookie(hdrs)
        assert value and re.fullmatch(r"[0-9a-f]{64}", value), hdrs.get("set-cookie")
        return value

    def raw(self, data, timeout=TIMEOUT, shut_wr=False):
        """Send raw bytes; return everything the server sends until it closes.

        Raises TimeoutError (socket.timeout) if the server neither answers
        nor closes within timeout seconds.
        """
        chunks = []
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(data)
            if shut_wr:
                s.shutdown(socket.SHUT_WR)
            try:
                while chunk := s.recv(65536):
                    chunks.append(chunk)
            except ConnectionResetError:
                pass
        return b"".join(chunks)

    # -- valgrind ------------------------------------------------------------

    def valgrind_problems(self):
        """Problems in this site's valgrind logs (killed-on-purpose pids excluded)."""
        logs = glob.glob(os.path.join(self.log_dir, "valgrind.*.log"))
        if not logs:
            return [f"{self.name}: no valgrind logs in {self.log_dir}"]
        problems = []
        for path in sorted(logs):
            pid = int(path.rsplit(".", 2)[1])
            if pid in self.killed_pids:
                continue
            with open(path, errors="replace") as f:
                text = f.read()
            if "ERROR SUMMARY: 0 errors" not in text:
                problems.append(f"{path}: no 'ERROR SUMMARY: 0 errors'")
            # A crash; not the SIGTERM, SIGINT or SIGHUP of a stop.
            m = re.search(r"Process terminating with default action of signal (\d+).*", text)
            if m and int(m.group(1)) not in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                problems.append(f"{path}: {m.group(0)}")
            for kind, amount in re.findall(
                    r"(definitely|indirectly|possibly) lost: ([\d,]+) bytes", text):
                if amount.replace(",", "") != "0":
                    problems.append(f"{path}: {kind} lost: {amount} bytes")
        return problems
