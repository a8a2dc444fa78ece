#!/usr/bin/env python3
"""Durable writes with the group fsync (synchronous = group): a change is
acknowledged (303) only once an fsync of the WAL covered its commit, a
leader killed in the middle of its fsync hands over to a waiter, a failed
fsync acknowledges nothing, and kill -9 at any moment loses no
acknowledged sign-up and overbooks nothing. The same for the batch writer,
which commits the visitors' writes for every worker (batch_writer = on):
a worker waiting for a writer killed mid-sync answers at once, a stalled
writer costs a 503, not a hang.

strace holds a leader inside fdatasync (inject=fdatasync:delay_enter) or
makes fdatasync fail (inject=fdatasync:error=EIO), as test_mail does for
syncfs.

Run: TURNOUT_BUILD=/work/main TURNOUT_SRC=/work/main tests/http/test_durable.py
"""
import os
import random
import re
import signal
import sqlite3
import subprocess
import shutil
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

sys.dont_write_bytecode = True  # no __pycache__ in the (maybe read-only) source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from tap import Skip  # noqa: E402

SLUG = "durable"  # a plain RSVP event of the tests' own (conf() adds it)
TEMPLATES = os.path.join(harness.SRC, "templates")
FDATASYNC = 75  # x86_64 syscall number, as /proc/PID/syscall shows it
FUTEX = 202
# Longer than any wait below, so a waiter's 503 can only mean it was never woken.
BUSY_MS = 60000 if harness.VALGRIND else 20000


def need_strace():
    if os.uname().machine != "x86_64":
        raise Skip("reads x86_64 syscall numbers in /proc/PID/syscall")
    if shutil.which("strace") is None or subprocess.run(
            ["strace", "-qq", "-o", os.devnull, "true"]).returncode != 0:
        raise Skip("needs strace, allowed to trace")


def conf(extra, busy_ms=BUSY_MS):
    """prepare(data) writing the site's turnout.conf (as scripts/serve would) plus
    extra, and adding the event SLUG (no capacity, no guests)."""
    def prepare(data):
        with open(os.path.join(data, "turnout.conf"), "w") as f:
            f.write(f"data_dir = {data}\ntemplates = {TEMPLATES}\n"
                    f"password_memory_kib = 1024\nbusy_timeout_ms = {busy_ms}\n{extra}")
        now = int(time.time())
        con = sqlite3.connect(os.path.join(data, "turnout.db"))
        with con:
            con.execute("INSERT INTO event (slug, title, starts_at, status, created_at,"
                        " updated_at) VALUES (?, 'Durable', ?, 'published', ?, ?)",
                        (SLUG, now + 7 * 86400, now, now))
        con.close()
    return prepare


def rsvp_form(site, name, email):
    """The body of an RSVP to SLUG with a fresh form token."""
    status, _, body = site.request("GET", f"/events/{SLUG}")
    assert status == 200, (status, body[:300])
    return urllib.parse.urlencode({"form_token": harness.form_token(body), "name": name,
                                   "email": email})


def post(site, form):
    """POST an RSVP form; (status, headers, body), status 0 if the connection broke."""
    try:
        return site.request("POST", f"/events/{SLUG}/rsvp", form, harness.FORM,
                            timeout=BUSY_MS / 1000 + 30)
    except OSError as e:
        return 0, {}, str(e).encode()


def in_syscall(pid, nr):
    """True if process pid is inside system call nr."""
    try:
        with open(f"/proc/{pid}/syscall") as f:
            return f.read().split(" ", 1)[0] == str(nr)
    except OSError:
        return False


def opened_db(site, pid):
    """True if process pid has the site's database open."""
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") == site.db_path
                   for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False


def wait_until(check, what, seconds=30):
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.02)


def strace(pids, inject):
    """strace attached to pids with one fdatasync injection; the caller ends it."""
    args = ["strace", "-qq", "-o", os.devnull, "-e", "trace=fdatasync", "-e",
            f"inject=fdatasync:{inject}"]
    for p in pids:
        args += ["-p", str(p)]
    tr = subprocess.Popen(args, stderr=subprocess.DEVNULL)
    # strace attaches before it traces: wait until each pid is traced.
    def traced():
        for p in pids:
            with open(f"/proc/{p}/status") as f:
                if "TracerPid:\t0" in f.read():
                    return False
        return True
    wait_until(traced, "strace attached")
    return tr


def stop_strace(tr):
    tr.send_signal(signal.SIGINT)  # detaches; the tracees run on
    tr.wait(timeout=30)


def test_waiter_is_woken_when_the_leader_dies_mid_sync():
    """One worker leads an fsync and is held inside fdatasync by strace;
    another worker's RSVP commits and waits for that sync. kill -9 of the
    leader hands the lead to the waiter (robust mutex: EOWNERDEAD), which
    syncs and answers 303, long before busy_timeout_ms would give 503.
    Without the batch writer, so that workers commit their own RSVPs (as
    they do the admins' changes)."""
    need_strace()
    with harness.Site("leader", prepare=conf("workers = 2\nbatch_writer = off\n")) as s:
        leader, other = s.workers()
        # The first commit in a new WAL syncs its header inside the write
        # gate: done before strace holds any fdatasync.
        assert post(s, rsvp_form(s, "First", "first@example.org"))[0] == 303
        tr = strace([leader], "delay_enter=600000000")
        try:
            n = 0
            # One pool for both: the RSVP held in the leader's fdatasync stays
            # in flight (waiting for it would wait for its client's timeout).
            with ThreadPoolExecutor(2) as pool:
                # Until the traced worker leads a sync (the other may lead some first).
                while not in_syscall(leader, FDATASYNC):
                    n += 1
                    done = pool.submit(post, s, rsvp_form(s, f"Early {n}", f"early{n}@example.org"))
                    wait_until(lambda: done.done() or in_syscall(leader, FDATASYNC),
                               "an RSVP answered or the traced worker in fdatasync")
                    assert n < 200, "the traced worker never led a sync"
                waiter = pool.submit(post, s, rsvp_form(s, "Waiter", "waiter@example.org"))
                wait_until(lambda: in_syscall(other, FUTEX) or waiter.done(),
                           "the other worker waiting for the leader")
                assert not waiter.done(), waiter.result()
                s.killed_pids.add(leader)
                os.kill(leader, signal.SIGKILL)
                # strace holds the dead leader at its exit (before the kernel
                # releases its robust mutex) for the delay: end strace too.
                tr.kill()
                status, _, body = waiter.result()
            assert status == 303, (status, body[:600])
            # The master starts another worker: let it reach its accept loop
            # (it opens the database just before), or under valgrind the
            # stop may find it still starting and kill it.
            wait_until(lambda: any(opened_db(s, p) for p in s.workers() if p != other),
                       "the new worker serving", 180 if harness.VALGRIND else 30)
        finally:
            tr.kill()
            tr.wait(timeout=30)
        assert s.query_one("SELECT count(*) FROM rsvp WHERE email = 'waiter@example.org'")[0] == 1
        assert "the last leader died mid-sync" in s.log_text(), s.log_text()[-2000:]


def test_failed_fsync_acknowledges_nothing_and_the_site_recovers():
    """fdatasync fails with EIO (strace on every worker): the RSVP is
    refused with 503 and Retry-After, not acknowledged, and so is every
    later one while the disk fails. Once fsyncs work again the site takes
    RSVPs again, and the refused form sent again gets its answer."""
    need_strace()
    with harness.Site("eio", prepare=conf("workers = 2\n")) as s:
        # The first commit in a new WAL syncs its header inside COMMIT (an
        # EIO there fails the commit itself): here the group's sync fails.
        assert post(s, rsvp_form(s, "First", "first@example.org"))[0] == 303
        tr = strace(s.workers(), "error=EIO")
        try:
            form = rsvp_form(s, "Unsynced", "unsynced@example.org")
            status, hdrs, body = post(s, form)
            assert status == 503, (status, body[:600])
            assert hdrs.get("retry-after", "").isdigit(), hdrs
            status, _, body = post(s, rsvp_form(s, "Later", "later@example.org"))
            assert status == 503, ("a sync after a failed one proves nothing", status)
        finally:
            stop_strace(tr)
        status, _, body = post(s, rsvp_form(s, "Recovered", "recovered@example.org"))
        assert status == 303, (status, body[:600])
        status, _, body = post(s, form)
        assert status == 303, ("the refused form, sent again", status, body[:600])
        log = s.log_text()
        assert "syncing the WAL failed" in log and "acknowledging again" in log, log[-2000:]
        assert s.query_one("PRAGMA integrity_check")[0] == "ok"


def test_no_acknowledged_signup_lost_when_workers_die():
    """A storm of sign-ups for few spots while workers and the batch writer
    are killed with kill -9 at random moments, many of them inside a
    (slowed) fsync as leader: every 303 is in the database afterwards, the
    event is not overbooked, and integrity_check says ok."""
    need_strace()
    if harness.VALGRIND:
        raise Skip("a storm under valgrind takes minutes; the plain pass runs it")
    capacity = 40

    def prepare(data):
        conf("workers = 6\n")(data)
        con = sqlite3.connect(os.path.join(data, "turnout.db"))
        with con:
            con.execute("UPDATE event SET capacity = ? WHERE slug = ?", (capacity, SLUG))
        con.close()

    with harness.Site("storm", prepare=prepare) as s:
        # The first workers' syncs take 50 ms: kills often land mid-sync.
        tr = strace(s.workers(), "delay_enter=50000")
        stop = threading.Event()
        killed = []
        writers = []

        def killer():
            rnd = random.Random(14)
            while not stop.wait(rnd.uniform(0.05, 0.3)):
                pids = s.workers()
                writers.append(s.writer())
                # One kill in three is the writer's, often mid-batch.
                if writers[-1] in pids and len(writers) % 3 == 0:
                    pid = writers[-1]
                elif pids:
                    pid = rnd.choice(pids)
                else:
                    continue
                s.killed_pids.add(pid)
                try:
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                except ProcessLookupError:
                    pass

        def signup(i):
            email = f"storm{i}@example.org"
            for _ in range(20):
                try:
                    form = rsvp_form(s, f"Storm {i}", email)
                    break
                except (OSError, AssertionError):  # the page's worker was killed
                    time.sleep(0.05)
            else:
                return email, None
            return email, post(s, form)[0]

        try:
            k = threading.Thread(target=killer)
            k.start()
            with ThreadPoolExecutor(16) as pool:
                results = list(pool.map(signup, range(300)))
        finally:
            stop.set()
            k.join()
            tr.send_signal(signal.SIGINT)
            tr.wait(timeout=30)
        acked = [e for e, st in results if st == 303]
        assert len(killed) >= 5 and len(acked) >= capacity, (len(killed), len(acked))
        stored = {r[0] for r in s.query("SELECT email FROM rsvp")}
        lost = [e for e in acked if e not in stored]
        assert not lost, f"acknowledged but not stored: {lost}"
        assert s.query_one("PRAGMA integrity_check")[0] == "ok"
        confirmed, counter, cap = s.query_one(
            "SELECT (SELECT coalesce(sum(1 + guests), 0) FROM rsvp"
            " WHERE event_id = e.id AND status = 'confirmed'), e.confirmed, e.capacity"
            " FROM event e WHERE slug = ?", (SLUG,))
        assert confirmed == counter <= cap == capacity, (confirmed, counter, cap)
        assert set(st for _, st in results) <= {303, 502, 503, 0, None}, results
        assert any(p in s.killed_pids for p in writers), "the writer was never killed"
        # The master's counters (kill -USR2): every acknowledged commit, and
        # every request the writers answered, several in a batch.
        os.kill(s.master_pid(), signal.SIGUSR2)
        line = re.compile(r"group fsync: (\d+) commits acknowledged in (\d+) fsyncs\n.*"
                          r"batch writer: (\d+) requests answered in (\d+) batches"
                          r" \(largest (\d+)\)")
        wait_until(lambda: line.search(s.log_text()), "the counters in the log")
        commits, syncs, requests, batches, largest = map(
            int, line.search(s.log_text()).groups())
        assert 1 <= syncs <= commits and batches <= commits, (commits, syncs, batches)
        assert batches < requests and largest >= 2, (requests, batches, largest)


def test_worker_waiting_for_a_killed_writer_answers_at_once():
    """The batch writer is held inside fdatasync (strace) with an RSVP in
    its batch; kill -9 of the writer: the worker waiting for its answer
    says 503 with Retry-After at once, not after busy_timeout_ms. The
    master starts another writer, and the same form sent again is answered
    303, with one RSVP."""
    need_strace()
    with harness.Site("writer-dies", prepare=conf("workers = 2\n")) as s:
        assert post(s, rsvp_form(s, "First", "first@example.org"))[0] == 303
        writer = s.writer()
        form = rsvp_form(s, "Held", "held@example.org")
        tr = strace([writer], "delay_enter=600000000")
        try:
            with ThreadPoolExecutor(1) as pool:
                held = pool.submit(post, s, form)
                wait_until(lambda: in_syscall(writer, FDATASYNC) or held.done(),
                           "the writer in fdatasync")
                assert not held.done(), held.result()
                started = time.monotonic()
                s.killed_pids.add(writer)
                os.kill(writer, signal.SIGKILL)
                tr.kill()  # it holds the dead writer at its exit
                status, hdrs, body = held.result()
                waited = time.monotonic() - started
        finally:
            tr.kill()
            tr.wait(timeout=30)
        assert status == 503 and hdrs.get("retry-after", "").isdigit(), (status, body[:600])
        # Waking by timeout would take 2 * busy_timeout_ms (40 s; 120 s under valgrind).
        assert waited < BUSY_MS / 1000, f"the worker waited {waited:.1f} s for a dead writer"
        wait_until(lambda: s.writer() not in (None, writer), "a new writer",
                   180 if harness.VALGRIND else 30)
        status, _, body = post(s, form)
        assert status == 303, ("the form sent again", status, body[:600])
        assert s.query_one("SELECT count(*) FROM rsvp WHERE email = 'held@example.org'")[0] == 1
        assert f"writer {writer} killed by signal 9" in s.log_text(), s.log_text()[-2000:]


def test_stalled_writer_costs_a_503_not_a_hang():
    """SIGSTOP of the batch writer: an RSVP is answered 503 with
    Retry-After once twice busy_timeout_ms and a second have passed, pages
    go on answering meanwhile, and once the writer runs again the same
    form is answered 303, with one RSVP."""
    busy_ms = 3000 if harness.VALGRIND else 500
    with harness.Site("writer-stalled", prepare=conf("workers = 2\n", busy_ms)) as s:
        assert post(s, rsvp_form(s, "First", "first@example.org"))[0] == 303
        writer = s.writer()
        form = rsvp_form(s, "Stalled", "stalled@example.org")
        os.kill(writer, signal.SIGSTOP)
        try:
            status, hdrs, body = post(s, form)
            assert status == 503 and hdrs.get("retry-after", "").isdigit(), \
                (status, body[:600])
            status, _, body = s.request("GET", f"/events/{SLUG}")
            assert status == 200, ("the event page while the writer is stopped", status)
        finally:
            os.kill(writer, signal.SIGCONT)
        status, _, body = post(s, form)
        assert status == 303, ("the form sent again", status, body[:600])
        assert s.query_one(
            "SELECT count(*) FROM rsvp WHERE email = 'stalled@example.org'")[0] == 1


test_sites_clean = harness.test_sites_clean

if __name__ == "__main__":
    harness.run_suite(globals())
