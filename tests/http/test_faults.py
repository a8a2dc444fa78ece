#!/usr/bin/env python3
"""Faults that must not take the site down: a stalled writer, the master's
death, a missing templates directory, a full disk.

Run: TURNOUT_BUILD=/work/main TURNOUT_SRC=/work/main tests/http/test_faults.py
"""
import contextlib
import errno
import http.client
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
from tap import Skip  # noqa: E402

SLUG = "potluck-picnic"  # a plain RSVP event (the fun run is a race: entries need a division)
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


def worker_started(s):
    """Wait until the e-mail worker of worker.pid runs: stopping it while it
    still loads (slow under valgrind) would kill it outright."""
    def started():
        try:
            return f"turnout[{pid_file(s, 'worker.pid')}]: worker started" in worker_log(s)
        except (OSError, ValueError):  # its supervisor has not written the pid yet
            return False
    wait_until(started, "the e-mail worker started")


def test_start_after_a_crash():
    """The runner died with the master (kill -9 of both), leaving nginx and
    the e-mail worker running, pid files and the socket behind, and the
    master's pid file naming a process that is now another program: a new
    start cleans up, leaves that other process alone, and serves."""
    with harness.Site("crash") as s:
        worker_started(s)
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
            worker_started(s)
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


# -- 4. a full disk -------------------------------------------------------------------

# A stand-in for sendmail that keeps each message and then waits for the
# file "go" beside it, so a test can fill the disk while a message is in
# the worker's hands.
SLOW_SENDMAIL = """#!/bin/sh
d=$(dirname "$0")
echo $$ >> "$d/sendmail.pids"
n=$(ls "$d" | grep -c '^sent[.]')
cat > "$d/sent.$n"
while [ ! -e "$d/go" ]; do sleep 0.05; done
"""


def mount_small_fs(path, size):
    """A tmpfs of size at path: a real file system that really fills up."""
    os.makedirs(path)
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", path],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise Skip(f"cannot mount a tmpfs (needs root): {p.stderr.strip()}")


def fill(path):
    """Fill the file system of directory path to the last block; returns
    the filler file, whose removal frees the space."""
    filler = os.path.join(path, "filler")
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 20, 4096, 1):
            block = b"\0" * size
            try:
                while os.write(fd, block) == size:
                    pass
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
    finally:
        os.close(fd)
    return filler


def close_on_small_fs(s, mount):
    """Close s, whose data directory holds the small file system mount."""
    if s.data is None:
        return
    for filler in glob.glob(os.path.join(s.data, mount, "filler")):
        os.remove(filler)  # not kept among the test's artifacts
    s.close()
    path = os.path.join(s.data, mount)
    if os.path.ismount(path):
        subprocess.run(["umount", "-l", path], check=False)
    shutil.rmtree(s.data, ignore_errors=True)


def wait_until(check, what, seconds=None):
    """Poll check() until it returns something true; returns that."""
    deadline = time.monotonic() + (seconds or (60 if harness.VALGRIND else 15))
    while not (got := check()):
        assert time.monotonic() < deadline, f"timed out waiting: {what}"
        time.sleep(0.1)
    return got


def outbox_row(s, email):
    return s.query_one("SELECT state, attempts, last_error FROM outbox WHERE recipient = ?"
                       " ORDER BY id DESC LIMIT 1", (email,))


def drained(s):
    return s.query_one("SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')"
                       )[0] == 0


def worker_log(s):
    with open(os.path.join(s.log_dir, "worker.log"), errors="replace") as f:
        return f.read()


def test_full_disk_refuses_changes_with_503_and_loses_nothing():
    """The database's file system is full (a real one: a small tmpfs).
    A sign-up gets 503 with Retry-After and a page saying nothing could be
    saved, pages are still served, and nothing is half-written. An e-mail
    the worker sent meanwhile is recorded as sent once space is back, not
    left leased to go out a second time."""
    def prepare(data):
        fs = os.path.join(data, "fs")
        mount_small_fs(fs, "16m")
        for name in os.listdir(data):
            if name.startswith("turnout.db"):
                shutil.move(os.path.join(data, name), fs)
        with open(os.path.join(data, "sendmail"), "w") as f:
            f.write(SLOW_SENDMAIL)
        os.chmod(os.path.join(data, "sendmail"), 0o755)
        open(os.path.join(data, "go"), "w").close()
        write_conf(data, f"database = {fs}/turnout.db\nmail_transport = sendmail\n"
                         f"sendmail = {data}/sendmail\n")

    class SmallFsSite(harness.Site):
        db_path = property(lambda self: os.path.join(self.data, "fs", "turnout.db"))

    s = SmallFsSite("diskfull", prepare=prepare)
    try:
        s.start()
        db = s.db_path
        wait_until(lambda: drained(s), "the demo's e-mails sent")
        os.remove(os.path.join(s.data, "go"))
        sent_files = lambda: glob.glob(os.path.join(s.data, "sent.*"))  # noqa: E731
        before = len(sent_files())
        status, _, body = s.request("POST", f"/events/{SLUG}/rsvp",
                                    rsvp_form(s, "Before Full", "before@example.org"),
                                    harness.FORM)
        assert_status(status, 303, "RSVP before the disk is full", body)
        wait_until(lambda: len(sent_files()) > before, "the worker hands the e-mail over")
        count = rsvp_count(s)
        # Nothing left to reuse in the write-ahead log: the next write must grow a file.
        con = sqlite3.connect(db, timeout=30)
        assert con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
        con.close()
        filler = fill(os.path.dirname(db))

        status, hdrs, body = s.request("POST", f"/events/{SLUG}/rsvp",
                                       rsvp_form(s, "Disk Full", "full@example.org"),
                                       harness.FORM)
        assert_status(status, 503, "RSVP on a full disk", body)
        assert hdrs.get("retry-after", "").isdigit(), hdrs
        assert hdrs.get("content-type", "").startswith("text/html"), hdrs
        assert b"cannot save" in body and b"Nothing you sent was saved" in body, body[:800]
        assert_status(s.request("GET", f"/events/{SLUG}")[0], 200, "event page on a full disk")
        assert rsvp_count(s) == count, "a refused RSVP was kept"

        open(os.path.join(s.data, "go"), "w").close()
        wait_until(lambda: "recorded later" in worker_log(s), "the worker cannot record it")
        assert outbox_row(s, "before@example.org")[0] == "sending"
        os.remove(filler)
        row = wait_until(lambda: (r := outbox_row(s, "before@example.org"))[0] == "sent" and r,
                         "the e-mail recorded as sent once space is back")
        assert row[1] == 1, row
        assert len(sent_files()) == before + 1, "the e-mail went out twice"

        status, _, body = s.request("POST", f"/events/{SLUG}/rsvp",
                                    rsvp_form(s, "After Full", "after@example.org"),
                                    harness.FORM)
        assert_status(status, 303, "RSVP once space is back", body)
        assert rsvp_count(s) == count + 1
        assert s.query_one("SELECT count(*) FROM rsvp WHERE email = 'full@example.org'")[0] == 0
        assert s.query_one("PRAGMA integrity_check")[0] == "ok"
        wait_until(lambda: drained(s), "the last e-mail sent")
    finally:
        # Under valgrind each fork of the worker that became sendmail left a
        # log that ends at the exec: not a worker that died.
        with contextlib.suppress(OSError, TypeError):
            with open(os.path.join(s.data, "sendmail.pids")) as f:
                s.killed_pids.update(int(p) for p in f.read().split())
        close_on_small_fs(s, "fs")


def test_full_maildir_hands_the_batch_back():
    """The maildir's file system is full: the worker hands the message back
    (not a failed attempt counting towards a dead letter, nor a lease left
    to run out) and sends it once there is space."""
    def prepare(data):
        mount_small_fs(os.path.join(data, "mailfs"), "1m")
        write_conf(data, f"maildir = {data}/mailfs/mail\n")

    s = harness.Site("mailfull", prepare=prepare)
    try:
        s.start()
        wait_until(lambda: drained(s), "the demo's e-mails sent")
        filler = fill(os.path.join(s.data, "mailfs"))
        status, _, body = s.request("POST", f"/events/{SLUG}/rsvp",
                                    rsvp_form(s, "Mail Full", "mailfull@example.org"),
                                    harness.FORM)
        assert_status(status, 303, "RSVP (the database has space)", body)
        wait_until(lambda: worker_log(s).count("handing the batch back") >= 2,
                   "the worker meets the full maildir twice")
        wait_until(lambda: outbox_row(s, "mailfull@example.org") == ("pending", 0, None),
                   "the message handed back, no attempt counted")
        os.remove(filler)
        row = wait_until(lambda: (r := outbox_row(s, "mailfull@example.org"))[0] == "sent" and r,
                         "the message sent once there is space")
        assert row[1] == 1, row
        assert "mailfull@example.org" in "".join(
            open(p).read() for p in glob.glob(os.path.join(s.data, "mailfs/mail/new/*")))
    finally:
        close_on_small_fs(s, "mailfs")



# -- 5. an export that breaks off -----------------------------------------------------

EXPORT_ROWS = 3000


def test_export_broken_off_is_seen_incomplete():
    """The participants CSV streams after its 200; a read error part-way
    (here a page of the rsvp table zeroed on disk: SQLite finds it corrupt)
    must not end the download like a complete file. The client sees the
    transfer cut (no final chunk), the log says why, the site goes on."""

    def prepare(data):
        write_conf(data)
        harness.add_admin_user(os.path.join(data, "turnout.conf"), "alice", PASSWORD)
        db = sqlite3.connect(os.path.join(data, "turnout.db"))
        with db:
            db.executemany(
                "INSERT INTO rsvp (event_id, token_hash, name, email, guests, note, status,"
                " created_at, updated_at) SELECT id, randomblob(32), ?, ?, 0,"
                " 'Waiting for a place, any distance', 'waitlisted', 1, 1 FROM event"
                " WHERE slug = ?", [(f"Waiting runner {i:05d}", f"waiting{i:05d}@example.org",
                                     SLUG) for i in range(EXPORT_ROWS)])
            # Their e-mails are beside the point: none to send.
            db.execute("DELETE FROM outbox WHERE kind = 'waitlisted'")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        # The rsvp table's leaf pages in key order: zero one three quarters in.
        leaves = [p for p, in db.execute("SELECT pageno FROM dbstat WHERE name = 'rsvp'"
                                         " AND pagetype = 'leaf' ORDER BY path")]
        size = db.execute("PRAGMA page_size").fetchone()[0]
        db.close()
        with open(os.path.join(data, "turnout.db"), "r+b") as f:
            f.seek((leaves[len(leaves) * 3 // 4] - 1) * size)
            f.write(bytes(size))

    with harness.Site("export", prepare=prepare) as s:
        cookie = s.admin_login("alice", PASSWORD)
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=harness.TIMEOUT)
        try:
            conn.request("GET", f"/admin/events/{SLUG}/rsvps.csv",
                         headers={"Cookie": f"{harness.ADMIN_COOKIE}={cookie}"})
            resp = conn.getresponse()
            assert resp.status == 200 and resp.getheader("transfer-encoding") == "chunked"
            try:
                data = resp.read()
            except http.client.IncompleteRead as e:
                data = e.partial
            else:
                raise AssertionError(f"the cut export read as complete ({len(data)} bytes)")
        finally:
            conn.close()
        rows = data.decode("utf-8-sig").splitlines()
        # Part of it came (whole 32 KiB pieces), not all of it.
        assert rows[0].startswith('"status",') and 1 < len(rows) < EXPORT_ROWS, len(rows)
        assert "Waiting runner 02999" not in data.decode()
        wait_until(lambda: "participants export of event" in s.log_text(), "the log line")
        assert re.search(r"participants export of event \d+ broke off \(db_rc \d+\): the"
                         r" download is cut short", s.log_text()), s.log_text()[-2000:]
        # The worker goes on serving, on a connection of its own.
        for _ in range(4):
            status, _, body = s.fetch("GET", f"/admin/events/{SLUG}/rsvps", cookie=cookie)
            assert_status(status, 200, "the participants page after the cut export", body)

test_sites_clean = harness.test_sites_clean

if __name__ == "__main__":
    harness.run_suite(globals())
