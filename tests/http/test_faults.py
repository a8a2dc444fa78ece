#!/usr/bin/env python3
"""Faults that must not take the site down: a stalled writer, the master's
death, a missing templates directory, a full disk.

Run: TURNOUT_BUILD=/work/main TURNOUT_SRC=/work/main tests/http/test_faults.py
"""
import fcntl
import os
import sqlite3
import sys
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


def write_conf(data, extra=""):
    """The site's turnout.conf, as scripts/serve writes it, plus extra lines."""
    with open(os.path.join(data, "turnout.conf"), "w") as f:
        f.write(f"data_dir = {data}\ntemplates = {harness.SRC}/templates\n"
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


test_valgrind_clean = harness.test_valgrind_clean

if __name__ == "__main__":
    harness.run_suite(globals())
