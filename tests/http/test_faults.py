#!/usr/bin/env python3
"""Faults that must not take the site down: a stalled writer, the master's
death, a missing templates directory, a full disk.

Run: TURNOUT_BUILD=/work/main TURNOUT_SRC=/work/main tests/http/test_faults.py
"""
import fcntl
import glob
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

sys.dont_write_bytecode = True  # no __pycache__ in the (maybe read-only) source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from tap import diag  # noqa: E402

SLUG = "fun-run-5k"
PASSWORD = "correct horse battery"
# How long a write waits for the database before its 503: long enough for
# a page to be served meanwhile, also under valgrind.
BUSY_MS = 3000
TEMPLATES = os.path.join(harness.SRC, "templates")


def write_conf(data, extra="", templates=TEMPLATES):
    """The site's turnout.conf, as scripts/serve writes it, plus extra lines."""
    with open(os.path.join(data, "turnout.conf"), "w") as f:
        f.write(f"data_dir = {data}\ntemplates = {templates}\n"
                f"password_memory_kib = 1024\n{extra}")


def assert_status(got, want, what, body=b""):
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    assert got == want, f"{what}: status {got}, want {want}\n{text[:600]}"


def rsvp_form(site, name, email):
    """The body of an RSVP to SLUG with a fresh form token."""
    status, _, body = site.request("GET", f"/events/{SLUG}")
    assert_status(status, 200, f"GET /events/{SLUG}", body)
    return urllib.parse.urlencode({"form_token": harness.form_token(body), "name": name,
                                   "email": email})


def rsvp_count(site):
    return site.query_one("SELECT count(*) FROM rsvp")[0]


# -- 1. a stalled writer ----------------------------------------------------------

def test_stalled_writer_costs_writes_a_503_not_the_site():
    """Another process holds the write gate (the flock on the database file)
    and does not let go, as a stopped worker would. Pages, admin pages
    included, are served while a write waits; the write gets 503 with
    Retry-After after busy_timeout_ms; once the gate is free a write
    succeeds and nothing was lost."""
    def prepare(data):
        write_conf(data, f"busy_timeout_ms = {BUSY_MS}\nworkers = 2\n")
        harness.add_admin_user(os.path.join(data, "turnout.conf"), "alice", PASSWORD)

    with harness.Site("stall", prepare=prepare) as s, ThreadPoolExecutor(2) as pool:
        cookie = s.admin_login("alice", PASSWORD)
        # An old last_seen makes the next admin page want to note the visit.
        con = sqlite3.connect(s.db_path, timeout=30)
        with con:
            con.execute("UPDATE session SET last_seen = last_seen - 3600")
        con.close()
        before = rsvp_count(s)
        stalled = rsvp_form(s, "Stalled Writer", "stalled@example.org")
        gate = os.open(s.db_path, os.O_RDONLY)
        try:
            fcntl.flock(gate, fcntl.LOCK_EX)
            write = pool.submit(s.request, "POST", f"/events/{SLUG}/rsvp", stalled,
                                harness.FORM)
            status, _, body = s.request("GET", f"/events/{SLUG}")
            assert_status(status, 200, "event page while the gate is held", body)
            status, _, body = s.fetch("GET", "/admin", cookie=cookie)
            assert_status(status, 200, "admin page while the gate is held", body)
            assert not write.done(), "the write did not wait for the gate"
            status, hdrs, body = write.result()
            assert_status(status, 503, "RSVP while the gate is held", body)
            assert hdrs.get("retry-after", "").isdigit(), f"Retry-After {hdrs}"
            assert b"try again" in body.lower(), body[:600]
        finally:
            os.close(gate)  # lets go of the flock (and of a write stuck before the fix)
        status, hdrs, body = s.request("POST", f"/events/{SLUG}/rsvp",
                                       rsvp_form(s, "Free Writer", "free@example.org"),
                                       harness.FORM)
        assert_status(status, 303, "RSVP once the gate is free", body)
        assert rsvp_count(s) == before + 1, (before, rsvp_count(s))
        assert s.query_one("SELECT count(*) FROM rsvp WHERE email = ?",
                           ("stalled@example.org",))[0] == 0, "the refused RSVP was kept"
        assert "write gate" not in s.log_text(), s.log_text()[-2000:]


# -- 2. the master's death ----------------------------------------------------------

# The promise: back within seconds. Generous, for a busy machine; under
# valgrind a start takes several seconds by itself.
BACK_WITHIN = 60 if harness.VALGRIND else 15


def wait_answering(s, what):
    """Wait until GET / answers 200, at most BACK_WITHIN seconds."""
    deadline = time.monotonic() + BACK_WITHIN
    last = None
    while time.monotonic() < deadline:
        try:
            last = s.request("GET", "/", timeout=5)[0]
            if last == 200:
                return
        except OSError as e:
            last = e
        time.sleep(0.2)
    raise AssertionError(f"{what}: GET / not 200 within {BACK_WITHIN} s (last: {last})\n"
                         f"{s.log_text()[-1500:]}")


def pid_file(s, name):
    with open(os.path.join(s.data, name)) as f:
        return int(f.read())


def test_killed_master_is_started_again():
    """kill -9 of turnout.fcgi's master: its workers die with it, and the
    site answers again within seconds, from a new master."""
    with harness.Site("master") as s:
        master, workers = s.master_pid(), s.workers()
        assert workers, f"master {master} has no workers"
        s.killed_pids.update([master, *workers])
        os.kill(master, signal.SIGKILL)
        # Until they are gone, the old workers may still answer.
        deadline = time.monotonic() + 5
        while any(harness.pid_alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [p for p in workers if harness.pid_alive(p)]
        assert not left, f"workers {left} outlived their master"
        wait_answering(s, "after kill -9 of the master")
        assert s.master_pid() != master, "turnout.pid still names the killed master"
        assert f"turnout.fcgi (pid {master}) killed by signal 9" in s.log_text(), \
            s.log_text()[-1500:]


def test_start_after_a_crash():
    """The runner died with the master (kill -9 of both), leaving nginx and
    the e-mail worker running, pid files and the socket behind, and the
    master's pid file naming a process that is now another program: a new
    start cleans up, leaves that other process alone, and serves."""
    with harness.Site("crash") as s:
        master, workers = s.master_pid(), s.workers()
        s.killed_pids.update([master, *workers])
        for sup in ("turnout.pid.sup", "worker.pid.sup"):  # the supervisors
            if os.path.exists(os.path.join(s.data, sup)):
                os.kill(pid_file(s, sup), signal.SIGKILL)
        os.kill(master, signal.SIGKILL)
        old_nginx = pid_file(s, "nginx/nginx.pid")
        old_worker = pid_file(s, "worker.pid")
        other = subprocess.Popen(["sleep", "300"])
        try:
            with open(os.path.join(s.data, "turnout.pid"), "w") as f:
                f.write(f"{other.pid}\n")
            rc = s._run(harness.SERVE, "start", timeout=120, check=False)
            assert rc == 0, f"serve start after a crash exited {rc}:\n" + open(
                os.path.join(s.data, "harness.log")).read()[-1500:]
            assert other.poll() is None, "start killed a process that was not its own"
            wait_answering(s, "after a start that followed a crash")
            assert not harness.pid_alive(old_nginx), "the crashed run's nginx still runs"
            assert not harness.pid_alive(old_worker), "the crashed run's worker still runs"
        finally:
            other.kill()
            other.wait()


# -- 3. missing templates -------------------------------------------------------------

FCGI = os.path.join(harness.BUILD, "cgi-bin", "turnout.fcgi")
WORKER = os.path.join(harness.BUILD, "worker", "turnout-worker")


def test_refuses_to_start_without_a_template():
    """turnout.fcgi (pages) and turnout-worker (e-mails), each started with a
    copy of the templates that lacks one file, for every file shipped:
    each refuses to start, naming the path of the missing file."""
    shipped = sorted(os.path.relpath(p, TEMPLATES) for p in
                     glob.glob(os.path.join(TEMPLATES, "*.tpl")) +
                     glob.glob(os.path.join(TEMPLATES, "mail", "*.tpl")))
    assert len(shipped) > 20, shipped
    wrong = []
    with tempfile.TemporaryDirectory(prefix="turnout-tpl-") as tmp:
        tpl, conf = os.path.join(tmp, "templates"), os.path.join(tmp, "turnout.conf")
        write_conf(tmp, templates=tpl)
        for name in shipped:
            shutil.rmtree(tpl, ignore_errors=True)
            shutil.copytree(TEMPLATES, tpl)
            os.remove(os.path.join(tpl, name))
            program = WORKER if name.startswith("mail/") else FCGI
            try:
                p = subprocess.run([program, "-c", conf], capture_output=True, text=True,
                                   timeout=10, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                wrong.append(f"without {name}: {os.path.basename(program)} runs")
                break
            want = f"{tpl}/{name} is missing or invalid"
            if p.returncode != 1 or want not in p.stderr:
                wrong.append(f"without {name}: status {p.returncode}, {p.stderr.strip()!r}")
    assert not wrong, "\n".join(wrong)


def test_empty_templates_directory_stops_the_start():
    """scripts/serve start (./quickstart run) with an empty templates
    directory fails and shows why, instead of a site of empty 500 pages."""
    def prepare(data):
        os.mkdir(os.path.join(data, "empty"))
        write_conf(data, templates=f"{data}/empty")

    site = harness.Site("notpl", prepare=prepare)
    try:
        site.start()
    except RuntimeError as e:
        assert "/empty/layout.tpl is missing or invalid" in str(e), str(e)
        assert "turnout.fcgi did not start" in str(e), str(e)
    else:
        raise AssertionError("the site started without templates")
    finally:
        site.close()


def test_healthz_says_what_is_wrong():
    """/healthz is 200 "ok" while pages can be made; a template gone from
    the disk (the running site still has it in memory, the next start
    would fail) or an unusable database make it 503 with a line naming
    each problem."""
    def own_templates(data):
        shutil.copytree(TEMPLATES, os.path.join(data, "templates"))
        write_conf(data, templates=f"{data}/templates")

    with harness.Site("healthz", prepare=own_templates) as s:
        status, _, body = s.request("GET", "/healthz")
        assert (status, body) == (200, b"ok\n"), (status, body)
        gone = os.path.join(s.data, "templates", "event.tpl")
        os.rename(gone, gone + ".away")
        status, hdrs, body = s.request("GET", "/healthz")
        assert status == 503, (status, body)
        assert body.decode() == f"templates: {s.data}/templates/event.tpl is missing or" \
                               " invalid\n", body
        assert_status(s.request("GET", f"/events/{SLUG}")[0], 200, "the event page meanwhile")
        os.rename(gone + ".away", gone)
        assert s.request("GET", "/healthz")[:3:2] == (200, b"ok\n")

    with harness.Site("healthz-nodb", expect_healthy=False,
                      prepare=harness.break_database) as s:
        status, hdrs, body = s.request("GET", "/healthz")
        assert status == 503, (status, body)
        assert hdrs.get("content-type", "").startswith("text/plain"), hdrs
        assert re.match(rf"database: cannot \w+ database {s.db_path}: ", body.decode()), body


test_sites_clean = harness.test_sites_clean

if __name__ == "__main__":
    harness.run_suite(globals())
