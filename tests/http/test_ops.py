#!/usr/bin/env python3
"""Running it for real (issue 16): backups taken with turnout-admin while a
storm of sign-ups runs are consistent and restore every sign-up acknowledged
before they began; restore refuses a running site, a damaged file, a newer
schema, and leaves the database as it was; nightly rotation keeps the newest
N; gzip'ed backups restore; migrate takes a backup before it upgrades;
Litestream, started by scripts/serve from the `replica` setting, keeps a
replica from which every sign-up acknowledged a few seconds before a kill -9
of everything is restored; the admins of alert_to get one e-mail an hour
about letters gone dead (from the worker) and about a stopped worker
(from turnout-admin watch); `make install` into a DESTDIR plus
turnout-setup give a site that the
installed programs serve behind the installed nginx site, with units that
systemd-analyze accepts.

Run: TURNOUT_BUILD=$PWD TURNOUT_SRC=$PWD tests/http/test_ops.py
"""
import atexit
import email
import email.policy
import os
import re
import shutil
import sqlite3
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from tap import Skip, diag  # noqa: E402

CAPACITY = 60
SLUG = "rush"
NEW_LINK = re.compile(r"^/rsvp/([0-9a-f]{32})\?new=1$")


def prepare(data):
    """Several workers and one event with room for CAPACITY, up to 2 guests."""
    harness.write_config(data, f"workers = {harness.STORM_WORKERS}\n"
                               "password_memory_kib = 1024\n")
    now = int(time.time())
    con = sqlite3.connect(os.path.join(data, "turnout.db"))
    try:
        with con:
            con.execute(
                "INSERT INTO event (slug, title, description, location, starts_at, ends_at,"
                " status, capacity, max_guests, created_at, updated_at) VALUES (?, 'Rush',"
                " 'Backups under load.', 'Hall', ?, ?, 'published', ?, 2, ?, ?)",
                (SLUG, now + 7 * 86400, now + 7 * 86400 + 3600, CAPACITY, now, now))
    finally:
        con.close()


site = harness.ModuleSite("ops", prepare=prepare, report=diag)


def admin(*args, data=None, check=True):
    """turnout-admin on a data directory (the site's by default); (status, output)."""
    wrap = []
    if harness.VALGRIND:
        wrap = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
                "--errors-for-leak-kinds=definite,indirect,possible",
                f"--suppressions={harness.SRC}/tests/valgrind.supp"]
    data = data or site().data
    p = subprocess.run([*wrap, harness.ADMIN, "-c", os.path.join(data, "turnout.conf"), *args],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode != 99, f"valgrind errors in turnout-admin {' '.join(args)}:\n{p.stderr}"
    out = p.stdout + p.stderr
    if check:
        assert p.returncode == 0, f"turnout-admin {' '.join(args)}: {p.returncode}\n{out}"
    return p.returncode, out


def rows(path, sql, params=()):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def problems_of(path):
    """What is inconsistent in the database file at path: integrity, the
    event's counters against its RSVPs, overbooking, RSVPs without their log
    row or their e-mail (written in the same transaction)."""
    found = []
    integrity = rows(path, "PRAGMA integrity_check")
    if integrity != [("ok",)]:
        found.append(f"integrity_check: {integrity[:3]}")
    (eid, confirmed, waitlisted, capacity), = rows(
        path, "SELECT id, confirmed, waitlisted, capacity FROM event WHERE slug = ?", (SLUG,))
    (c, w), = rows(path, "SELECT coalesce(sum(CASE status WHEN 'confirmed' THEN 1 + guests END),"
                         " 0), coalesce(sum(CASE status WHEN 'waitlisted' THEN 1 + guests END), 0)"
                         " FROM rsvp WHERE event_id = ?", (eid,))
    if (confirmed, waitlisted) != (c, w):
        found.append(f"counters say {confirmed} confirmed, {waitlisted} waitlisted; rows {c}, {w}")
    if c > capacity:
        found.append(f"OVERBOOKED: {c} of {capacity}")
    (fig,), = rows(path, "SELECT confirmed FROM event_figures WHERE event_id = ?", (eid,))
    (parties,), = rows(path, "SELECT count(*) FROM rsvp WHERE event_id = ? AND"
                             " status = 'confirmed'", (eid,))
    if fig != parties:
        found.append(f"event_figures.confirmed {fig} parties, rows {parties}")
    for what, sql in (("log row", "SELECT count(*) FROM rsvp r WHERE event_id = ? AND NOT EXISTS"
                                  " (SELECT 1 FROM rsvp_log l WHERE l.rsvp_id = r.id)"),
                      ("e-mail", "SELECT count(*) FROM rsvp r WHERE event_id = ? AND NOT EXISTS"
                                 " (SELECT 1 FROM outbox o WHERE o.rsvp_id = r.id)")):
        (n,), = rows(path, sql, (eid,))
        if n:
            found.append(f"{n} RSVPs without their {what}")
    return found


def rsvp_jobs(tokens, start):
    jobs, emails = [], []
    for k, token in enumerate(tokens):
        n = start + k
        email = f"rush{n}@example.org"
        jobs.append(("POST", f"/events/{SLUG}/rsvp", urllib.parse.urlencode(
            {"form_token": token, "name": f"Rush Person{n}", "email": email,
             "guests": str(n % 3), "note": ""})))
        emails.append(email)
    return jobs, emails


def acknowledged(results, emails):
    """The e-mails whose RSVP was answered 303 to its new manage page."""
    return {e for (status, hdrs, *_), e in zip(results, emails)
            if status == 303 and NEW_LINK.match(hdrs.get("location", ""))}


_dirs = []


def fresh_data_dir():
    """A new data directory with a turnout.conf, removed at exit."""
    d = tempfile.mkdtemp(prefix="turnout-ops-")
    _dirs.append(d)
    harness.write_config(d, "password_memory_kib = 1024\n")
    return d


atexit.register(lambda: [shutil.rmtree(d, ignore_errors=True) for d in _dirs])


def test_backups_taken_during_a_storm_are_consistent_and_restore_every_acknowledged_rsvp():
    if harness.VALGRIND:
        raise Skip("a storm of 800 requests; turnout-admin's backup and restore run under "
                   "Valgrind in the other cases")
    s = site()
    out = os.path.join(s.data, "backups")
    os.mkdir(out, 0o700)
    # Phase A is answered before the first backup starts: all of it must be in every backup.
    jobs, emails_a = rsvp_jobs(s.collect_tokens([f"/events/{SLUG}"] * 300), 0)
    acked_a = acknowledged(s.storm(jobs), emails_a)
    assert len(acked_a) > 100, f"only {len(acked_a)} of 300 RSVPs were acknowledged"
    # Phase B runs while backups are taken one after another.
    jobs, emails_b = rsvp_jobs(s.collect_tokens([f"/events/{SLUG}"] * 500), 300)
    results_b = []
    storm = threading.Thread(target=lambda: results_b.extend(s.storm(jobs)))
    storm.start()
    backups = []
    while storm.is_alive() or not backups:
        path = os.path.join(out, f"during-{len(backups)}.db{'.gz' if len(backups) % 2 else ''}")
        admin("backup", path)
        backups.append(path)
    storm.join()
    acked_b = acknowledged(results_b, emails_b)
    live = {e for e, in rows(s.db_path, "SELECT email FROM rsvp")}
    assert acked_a | acked_b <= live, "an acknowledged RSVP is missing from the live database"
    diag(f"{len(backups)} backups during phase B; acknowledged A {len(acked_a)}, "
         f"B {len(acked_b)}")
    seen_b = []
    for path in backups:
        plain = path
        if path.endswith(".gz"):
            plain = path[:-3]
            subprocess.run(["gzip", "-dk", path], check=True)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, f"{path} is not private"
        assert not problems_of(plain), f"{path}: {problems_of(plain)}"
        emails = {e for e, in rows(plain, "SELECT email FROM rsvp")}
        assert acked_a <= emails, f"{path} lacks {len(acked_a - emails)} RSVPs acknowledged " \
                                  "before it began"
        # A snapshot: nothing but RSVPs the live site also has.
        assert emails <= live, f"{path} holds RSVPs the site never stored"
        seen_b.append(len(emails & set(emails_b)))
    diag(f"phase B RSVPs in each backup: {seen_b}")
    # The last backup restores into a new site's data directory.
    d = fresh_data_dir()
    _, said = admin("restore", backups[-1], data=d)
    assert "restored" in said, said
    restored = os.path.join(d, "turnout.db")
    assert not problems_of(restored), problems_of(restored)
    assert acked_a <= {e for e, in rows(restored, "SELECT email FROM rsvp")}


def test_restore_refuses_a_running_site_and_bad_files_and_changes_nothing():
    s = site()
    good = os.path.join(s.data, "good.db")
    admin("backup", good)
    before = rows(s.db_path, "SELECT count(*), max(id) FROM rsvp")
    status, said = admin("restore", good, check=False)
    assert status == 1 and "is in use by process" in said and "not changed" in said, said
    assert rows(s.db_path, "SELECT count(*), max(id) FROM rsvp") == before
    assert not [f for f in os.listdir(s.data) if "before-restore" in f or "restoring" in f]

    d = fresh_data_dir()
    admin("init", data=d)
    target = os.path.join(d, "turnout.db")
    mark = rows(target, "SELECT value FROM setting ORDER BY key")
    junk = os.path.join(d, "junk.db")
    with open(junk, "wb") as f:
        f.write(b"not a database at all" * 100)
    torn = os.path.join(d, "torn.db")
    with open(good, "rb") as f, open(torn, "wb") as g:
        g.write(f.read()[:os.path.getsize(good) // 2])
    newer = os.path.join(d, "newer.db")
    subprocess.run(["cp", good, newer], check=True)
    con = sqlite3.connect(newer)
    con.execute("PRAGMA user_version = 999")
    con.close()
    for path, why in ((junk, "is not a usable database"), (torn, ""),
                      (newer, "schema version 999"), (os.path.join(d, "missing.db"),
                                                      "No such file")):
        status, said = admin("restore", path, data=d, check=False)
        assert status == 1 and why in said and "not changed" in said, (path, said)
        assert rows(target, "SELECT value FROM setting ORDER BY key") == mark, path
        # (-wal and -shm: this test's own read-only connection leaves them.)
        assert sorted(f for f in os.listdir(d) if not f.endswith(("-wal", "-shm"))) == sorted(
            ["turnout.conf", "turnout.db", "junk.db", "torn.db", "newer.db"]), os.listdir(d)

    # A good one goes in; the database it replaced is kept beside it.
    _, said = admin("restore", good, data=d)
    kept = [f for f in os.listdir(d) if f.startswith("turnout.db.before-restore-")]
    assert len(kept) == 1 and kept[0] in said, (os.listdir(d), said)
    assert rows(os.path.join(d, kept[0]), "SELECT value FROM setting ORDER BY key") == mark
    assert rows(target, "SELECT count(*), max(id) FROM rsvp") == before
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_rotation_keeps_the_newest_and_gzip_restores():
    s = site()
    out = os.path.join(s.data, "nightly")
    os.mkdir(out, 0o700)
    stranger = os.path.join(out, "turnout-notes.txt")
    open(stranger, "w").close()
    made = []
    for k in range(3):
        if k:
            time.sleep(1.1)  # names are by the second
        _, said = admin("backup", "--dir", out, "--keep", "2", *(["--gzip"] if k else []))
        made.append(re.search(r"to (\S+)$", said.strip()).group(1))
    left = sorted(f for f in os.listdir(out))
    assert left == sorted([os.path.basename(made[1]), os.path.basename(made[2]),
                           "turnout-notes.txt"]), (left, made)
    assert re.fullmatch(r"turnout-\d{8}-\d{6}\.db\.gz", os.path.basename(made[2])), made
    status, said = admin("backup", "--dir", out, "--keep", "0", check=False)
    assert status == 1 and "--keep" in said, said
    d = fresh_data_dir()
    admin("restore", made[2], data=d)
    assert rows(os.path.join(d, "turnout.db"), "SELECT count(*) FROM event") == \
        rows(s.db_path, "SELECT count(*) FROM event")


def test_migrate_backs_up_first():
    d = fresh_data_dir()
    admin("init", data=d)
    db = os.path.join(d, "turnout.db")
    (latest,), = rows(db, "PRAGMA user_version")
    admin("migrate", data=d)
    assert not [f for f in os.listdir(d) if ".before-v" in f], "a backup with nothing to upgrade"
    # A database of the first schema version, with an event in it.
    os.remove(db)
    con = sqlite3.connect(db)
    with open(os.path.join(harness.SRC, "tests", "unit", "fixtures", "schema-v1.sql")) as f:
        con.executescript(f.read())
    con.execute("INSERT INTO event (slug, title, starts_at, created_at, updated_at)"
                " VALUES ('old', 'Old', 1, 1, 1)")
    con.commit()
    con.close()
    _, said = admin("migrate", data=d)
    saved = os.path.join(d, f"turnout.db.before-v{latest}.backup")
    assert os.path.exists(saved) and saved in said, (os.listdir(d), said)
    assert rows(saved, "PRAGMA user_version") == [(1,)]
    assert rows(saved, "SELECT slug FROM event") == [("old",)]
    assert rows(db, "PRAGMA user_version") == [(latest,)]
    assert stat.S_IMODE(os.stat(saved).st_mode) == 0o600


LITESTREAM = os.environ.get("TURNOUT_LITESTREAM") or os.path.join(
    harness.SRC, "contrib", "litestream", "node_modules", "@flydotio", "litestream-linux-x64",
    "litestream")


def pid_in(s, name):
    with open(os.path.join(s.data, name)) as f:
        return int(f.read())


def test_litestream_replica_restores_what_was_acknowledged_before_a_kill_9():
    if harness.VALGRIND:
        raise Skip("a storm and kill -9 of the plain build; Litestream is not ours to check")
    assert os.access(LITESTREAM, os.X_OK), \
        f"{LITESTREAM} missing: run 'npm ci' in contrib/litestream (./quickstart test does)"
    replica = tempfile.mkdtemp(prefix="turnout-replica-")
    _dirs.append(replica)

    def replicated(data):
        prepare(data)
        with open(os.path.join(data, "turnout.conf"), "a") as f:
            f.write(f"replica = {replica}\n")

    with harness.Site("replica", prepare=replicated) as s:
        deadline = time.monotonic() + 30
        while not os.path.isdir(os.path.join(replica, "generations")):
            assert time.monotonic() < deadline, "Litestream wrote no generation:\n" + \
                open(os.path.join(s.data, "log", "litestream.log")).read()[-1500:]
            time.sleep(0.2)
        jobs, emails = rsvp_jobs(s.collect_tokens([f"/events/{SLUG}"] * 300), 0)
        acked = acknowledged(s.storm(jobs), emails)
        time.sleep(3)  # three sync intervals: this much is on the replica
        jobs, emails2 = rsvp_jobs(s.collect_tokens([f"/events/{SLUG}"] * 200), 300)
        acked2 = acknowledged(s.storm(jobs), emails2)
        # Everything dies at once, the replicator first (no final sync).
        victims = [pid_in(s, "litestream.pid.sup"), pid_in(s, "litestream.pid"),
                   pid_in(s, "turnout.pid.sup"), s.master_pid(), *s.workers()]
        s.killed_pids.update(victims)
        for pid in victims:
            os.kill(pid, signal.SIGKILL)
        live = {e for e, in rows(s.db_path, "SELECT email FROM rsvp")}
        assert acked | acked2 <= live
        out = os.path.join(replica, "restored.db")
        p = subprocess.run([LITESTREAM, "restore", "-o", out, "-config",
                            os.path.join(s.data, "litestream.yml"), s.db_path],
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr
    assert not problems_of(out), problems_of(out)
    restored = {e for e, in rows(out, "SELECT email FROM rsvp")}
    assert restored <= live, "the replica holds sign-ups the site never stored"
    diag(f"replica after kill -9: {len(restored & acked)} of {len(acked)} acknowledged 3 s "
         f"before, {len(restored & acked2)} of {len(acked2)} acknowledged just before")
    assert acked <= restored, f"{len(acked - restored)} sign-ups acknowledged 3 s before the " \
                              "kill are not on the replica"


def test_a_failed_request_is_found_in_both_logs_by_its_id():
    """An answer of 5xx is logged by the app with nginx's request id, which
    nginx's access log line for it also ends with (after the seconds it took)."""
    with harness.Site("request-id", expect_healthy=False,
                      prepare=harness.break_database) as s:
        probe = f"/events/nowhere?probe={time.monotonic_ns()}"
        status, _, _ = s.request("GET", probe)
        assert status == 503, status
        access = os.path.join(s.log_dir, "nginx-access.log")
        deadline = time.monotonic() + harness.TIMEOUT
        while True:
            with open(access) as f:
                line = [x for x in f if probe in x]
            if line or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert line, f"no access log line for {probe}"
        m = re.search(r'" (\d+\.\d{3}) ([0-9a-f]{32})$', line[0].rstrip("\n"))
        assert m, f"no request time and id at the end of {line[0]!r}"
        said = [x for x in s.log_text().splitlines() if m.group(2) in x]
        assert said and said[-1].endswith(
            f"error: answered 503 to GET /events/{{slug}} [request {m.group(2)}]"), \
            (said, s.log_text()[-1500:])
        # Lines outside a request carry no id.
        assert [x for x in s.log_text().splitlines() if "serving on" in x and
                "[request" not in x], s.log_text()[-1500:]


def metric(text, name, labels=""):
    m = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.M)
    assert m, f"no {name}{labels} in /metrics:\n{text[:1500]}"
    return float(m.group(1))


def test_metrics_count_every_request_and_say_what_the_status_command_says():
    s = site()
    status, hdrs, body = s.request("GET", "/metrics")
    assert status == 200 and hdrs["content-type"].startswith("text/plain; version=0.0.4"), \
        (status, hdrs)
    before = body.decode()
    pages = metric(before, "turnout_requests_total", '{kind="page",status="2xx"}')
    count = metric(before, "turnout_request_seconds_count", '{kind="page"}')
    missing = metric(before, "turnout_requests_total", '{kind="other",status="4xx"}')
    polls = metric(before, "turnout_requests_total", '{kind="monitor",status="2xx"}')
    for _ in range(7):
        assert s.request("GET", f"/events/{SLUG}")[0] == 200
    assert s.request("GET", "/no/such/page")[0] == 404
    after = s.request("GET", "/metrics")[2].decode()
    assert metric(after, "turnout_requests_total", '{kind="page",status="2xx"}') == pages + 7
    assert metric(after, "turnout_request_seconds_count", '{kind="page"}') == count + 7
    assert metric(after, "turnout_requests_total", '{kind="other",status="4xx"}') == missing + 1
    assert metric(after, "turnout_requests_total", '{kind="monitor",status="2xx"}') == polls + 1
    # The histogram is cumulative, up to +Inf = count.
    buckets = [float(v) for v in re.findall(
        r'^turnout_request_seconds_bucket\{kind="page",le="[^"]+"\} (\S+)$', after, re.M)]
    assert buckets == sorted(buckets) and buckets[-1] == count + 7, buckets
    # The writes so far (the storms of the first case, in the plain pass):
    # made by the batch writer, several to a commit, each commit
    # acknowledged after a shared fsync.
    commits = metric(after, "turnout_group_commits_total")
    fsyncs = metric(after, "turnout_group_fsyncs_total")
    batched = metric(after, "turnout_batch_requests_total")
    batches = metric(after, "turnout_batch_transactions_total")
    (rsvps,), = rows(s.db_path, "SELECT count(*) FROM rsvp WHERE email LIKE 'rush%'")
    assert batched >= rsvps and batches <= batched and batches <= commits, \
        (batched, batches, commits, rsvps)
    assert fsyncs <= commits and (fsyncs > 0) == (commits > 0), (commits, fsyncs)
    waits = metric(after, "turnout_write_gate_waits_total")
    assert (metric(after, "turnout_write_gate_wait_seconds_total") > 0) == (waits > 0), waits
    diag(f"{batched:.0f} requests in {batches:.0f} batches, {commits:.0f} commits in"
         f" {fsyncs:.0f} fsyncs, {waits:.0f} waits for the gate")
    # The database's figures, as turnout-admin status prints them.
    by_state = dict(rows(s.db_path, "SELECT state, n FROM outbox_count"))
    for state in ("pending", "sent", "dead"):
        assert metric(after, "turnout_outbox_messages", f'{{state="{state}"}}') == \
            by_state.get(state, 0), state
    assert metric(after, "turnout_database_bytes", '{file="db"}') == \
        os.path.getsize(s.db_path)
    # The e-mail worker did its first housekeeping pass when it started.
    deadline = time.monotonic() + harness.TIMEOUT
    while not rows(s.db_path, "SELECT 1 FROM setting WHERE key = 'worker_pass'"):
        assert time.monotonic() < deadline, "the worker recorded no pass"
        time.sleep(0.1)
    passed = metric(s.request("GET", "/metrics")[2].decode(), "turnout_worker_last_pass_seconds")
    assert abs(passed - time.time()) < 120, passed
    status, said = admin("status", check=False)
    pending = by_state.get("pending", 0) + by_state.get("sending", 0)
    assert "worker    last pass" in said and "e-mails" in said, said
    assert (status == 1) == ("problem:" in said), (status, said)
    diag(said.strip().replace("\n", " | ") + f" (pending + sending: {pending})")
    # Anyone but the machine itself is refused by nginx (127.0.0.2 is loopback, not allowed).
    assert s.request("GET", "/metrics", source="127.0.0.2")[0] == 403


def test_status_says_when_letters_are_dead_or_the_worker_is_gone():
    d = fresh_data_dir()
    admin("init", data=d)
    status, said = admin("status", data=d, check=False)
    assert status == 1 and "has never run" in said and "worker is not running" in said, said
    db = os.path.join(d, "turnout.db")
    worker_pass(db, int(time.time()) - 30)
    status, said = admin("status", data=d, check=False)
    # A second or more goes by before the command reads the clock (more under valgrind).
    ago = re.search(r"last pass (\d+) s ago", said)
    assert status == 0 and ago and 30 <= int(ago.group(1)) < 90 and "problem" not in said, said
    worker_pass(db, int(time.time()) - 3600)
    status, said = admin("status", data=d, check=False)
    assert status == 1 and "worker is not running" in said, said


ADMINS = ("ops@example.org", "boss@example.org")
WORKER = os.path.join(harness.BUILD, "worker", "turnout-worker")


def valgrind_wrap():
    if not harness.VALGRIND:
        return []
    return ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect,possible",
            f"--suppressions={harness.SRC}/tests/valgrind.supp"]


def alert_dir():
    """A new data directory with a database whose alerts go to ADMINS (one
    written in capitals: addresses are folded), e-mail to its maildir."""
    d = fresh_data_dir()
    with open(os.path.join(d, "turnout.conf"), "a") as f:
        f.write("site_url = https://events.example.org\n"
                f"alert_to = {ADMINS[0]} , {ADMINS[1].upper()}\n")
    admin("init", data=d)
    return d


def same_hour_ahead(seconds):
    """Wait for the next hour if fewer than seconds are left of this one:
    alerts are limited per hour, and a case expecting "the same hour" must
    not straddle two."""
    left = 3600 - int(time.time()) % 3600
    if left < seconds:
        diag(f"waiting {left} s for the next hour")
        time.sleep(left + 1)


def mails(d):
    """{recipient: [(subject, plain text part)]} of the maildir of data directory d."""
    new = os.path.join(d, "mail", "new")
    out = {}
    for name in sorted(os.listdir(new)) if os.path.isdir(new) else []:
        with open(os.path.join(new, name), "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        out.setdefault(msg["To"].addresses[0].addr_spec, []).append(
            (msg["Subject"], msg.get_body(("plain",)).get_content()))
    return out


def worker_pass(db, when):
    """Set the worker's last pass (None: it never ran)."""
    con = sqlite3.connect(db)
    with con:
        if when is None:
            con.execute("DELETE FROM setting WHERE key = 'worker_pass'")
        else:
            con.execute("INSERT INTO setting (key, value) VALUES ('worker_pass', ?) ON CONFLICT"
                        " (key) DO UPDATE SET value = excluded.value", (when,))
    con.close()


def worker_round(d):
    """Run turnout-worker on d for one housekeeping pass and until nothing is
    left to send, then stop it (SIGTERM) and check it exited cleanly."""
    db = os.path.join(d, "turnout.db")
    worker_pass(db, None)
    log = open(os.path.join(d, "worker.log"), "a")
    p = subprocess.Popen([*valgrind_wrap(), WORKER, "-c", os.path.join(d, "turnout.conf")],
                         stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    log.close()
    try:
        deadline = time.monotonic() + 10 * harness.TIMEOUT
        while rows(db, "SELECT (SELECT count(*) FROM setting WHERE key = 'worker_pass') = 0 OR"
                       " EXISTS (SELECT 1 FROM outbox WHERE state IN ('pending', 'sending'))")[0][0]:
            assert p.poll() is None, f"the worker exited {p.returncode}"
            assert time.monotonic() < deadline, rows(db, "SELECT state, count(*) FROM outbox"
                                                         " GROUP BY state")
            time.sleep(0.1)
    finally:
        p.send_signal(signal.SIGTERM)
        rc = p.wait(timeout=120)
    assert rc == 0, f"the worker exited {rc} (99: valgrind errors), see {d}/worker.log"


def let_die(db, n, error):
    """The n oldest delivered letters go dead now with error, as the worker
    records a letter the mail server refused for good."""
    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE outbox SET state = 'dead', last_error = ?, next_attempt_at = ?"
                    " WHERE id IN (SELECT id FROM outbox WHERE state = 'sent' AND kind <> 'alert'"
                    " ORDER BY id LIMIT ?)", (error, int(time.time()), n))
    con.close()


def test_dead_letters_alert_each_admin_once_an_hour():
    d = alert_dir()
    db = os.path.join(d, "turnout.db")
    admin("demo", data=d)  # sign-ups, each with its confirmation to send
    links = [t for (t,) in rows(db, "SELECT link_token FROM outbox WHERE link_token IS NOT NULL")]
    assert links
    same_hour_ahead(600 if harness.VALGRIND else 120)
    worker_round(d)
    assert set(mails(d)) and not set(mails(d)) & set(ADMINS), "an alert with nothing dead"
    let_die(db, 3, "550 5.1.1 <x@example.org>: no such mailbox here")
    worker_round(d)
    got = mails(d)
    for addr in ADMINS:
        assert len(got.get(addr, [])) == 1, (addr, list(got))
        subject, text = got[addr][0]
        assert subject == "Turnout: 3 e-mails could not be delivered", subject
        assert "3 e-mails could not be delivered and were given up on" in text, text
        assert "550 5.1.1 <x@example.org>: no such mailbox here" in text, text
        assert "https://events.example.org/admin/outbox" in text, text
        assert all(len(line) <= 72 for line in text.splitlines()), text
        assert not [t for t in links if t in text], "a private link in an alert"
    assert rows(db, "SELECT recipient, state FROM outbox WHERE kind = 'alert' ORDER BY 1") == \
        [(ADMINS[1], "sent"), (ADMINS[0], "sent")]
    # More letters die within the hour: its alerts went already.
    let_die(db, 2, "550 5.1.1 gone")
    worker_round(d)
    assert {a: len(m) for a, m in mails(d).items() if a in ADMINS} == \
        {ADMINS[0]: 1, ADMINS[1]: 1}
    # The alert's row on the outbox page and in turnout-admin outbox: no event.
    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE outbox SET state = 'dead', last_error = '550 no admin here'"
                    " WHERE kind = 'alert' AND recipient = ?", (ADMINS[0],))
    con.close()
    _, out = admin("outbox", data=d)
    assert re.search(rf"^dead \d+  alert  {ADMINS[0]}  no event  1 attempt\(s\)  550 no admin",
                     out, re.M), out


def test_outbox_page_shows_an_alert_without_an_event_and_sends_it_again():
    s = site()
    harness.add_admin_user(os.path.join(s.data, "turnout.conf"), "alerts", "alerts-pass-1")
    cookie = s.admin_login("alerts", "alerts-pass-1")
    now = int(time.time())
    con = sqlite3.connect(s.db_path, timeout=30)
    with con:
        mid = con.execute(
            "INSERT INTO outbox (kind, dedupe_key, recipient, name, state, attempts,"
            " next_attempt_at, created_at, last_error) VALUES ('alert', 'alert:dead:page-test',"
            " 'ops@example.org', 'admin', 'dead', 5, ?, ?, '421 try later') RETURNING id",
            (now, now)).fetchone()[0]
    con.close()
    status, _, body = s.fetch("GET", "/admin/outbox", cookie=cookie)
    row = re.search(rf'<tr id="m{mid}">.*?</tr>', body, re.S)
    assert status == 200 and row, (status, body[-2000:])
    assert "none: an alert to the admins" in row.group(0) and "/admin/events/" not in \
        row.group(0), row.group(0)
    assert s.fetch("GET", "/admin", cookie=cookie)[0] == 200
    # Retried, the site's worker renders and sends it like any e-mail.
    status, hdrs, _ = s.post_form("/admin/outbox", {"csrf": harness.csrf_of(body),
                                                    "action": "retry", "id": str(mid)}, cookie)
    assert status == 303, status
    deadline = time.monotonic() + 10 * harness.TIMEOUT
    while rows(s.db_path, "SELECT state FROM outbox WHERE id = ?", (mid,)) != [("sent",)]:
        assert time.monotonic() < deadline, rows(s.db_path, "SELECT state, last_error FROM"
                                                            " outbox WHERE id = ?", (mid,))
        time.sleep(0.1)


def test_watch_alerts_once_an_hour_when_the_worker_has_stopped():
    d = alert_dir()
    db = os.path.join(d, "turnout.db")
    # A new site that never ran its worker gets 10 minutes to start it.
    worker_pass(db, None)
    assert admin("watch", data=d, check=False)[0] == 0
    same_hour_ahead(300 if harness.VALGRIND else 60)
    worker_pass(db, int(time.time()) - 3600)
    status, said = admin("watch", data=d, check=False)
    assert status == 1 and "worker is not running" in said and "2 alert(s) sent" in said, said
    got = mails(d)
    assert sorted(got) == sorted(ADMINS) and all(len(m) == 1 for m in got.values()), got
    for addr in ADMINS:
        subject, text = got[addr][0]
        assert subject == "Turnout: the e-mail worker has stopped", subject
        assert "systemctl status turnout-worker" in text and \
            "https://events.example.org/admin/outbox" in text, text
    assert rows(db, "SELECT recipient, state FROM outbox WHERE kind = 'alert' ORDER BY 1") == \
        [(ADMINS[1], "sent"), (ADMINS[0], "sent")]
    # Again within the hour: still a problem, no second e-mail.
    status, said = admin("watch", data=d, check=False)
    assert status == 1 and "0 alert(s) sent (one went out this hour already)" in said, said
    assert sum(len(m) for m in mails(d).values()) == 2
    # The worker back: healthy, nothing sent.
    worker_pass(db, int(time.time()) - 30)
    status, said = admin("watch", data=d, check=False)
    assert status == 0 and "problem" not in said and "sent" not in said, said
    assert sum(len(m) for m in mails(d).values()) == 2
    assert rows(db, "SELECT count(*) FROM outbox") == [(2,)]


def test_a_bad_alert_address_is_refused_naming_the_key():
    d = fresh_data_dir()
    with open(os.path.join(d, "turnout.conf"), "a") as f:
        f.write("alert_to = ops@example.org, ops at example.org\n")
    status, said = admin("init", data=d, check=False)
    assert status == 1 and re.search(r'configuration: line \d+: alert_to: "ops at example.org":'
                                      r" An e-mail address cannot contain spaces", said), said
    assert not os.path.exists(os.path.join(d, "turnout.db")), "init went ahead"
    p = subprocess.run([WORKER, "-c", os.path.join(d, "turnout.conf")], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 1 and 'alert_to: "ops at example.org"' in p.stderr, \
        (p.returncode, p.stderr)


def http_get(port, path, body=None, headers=None):
    conn = harness.http.client.HTTPConnection("127.0.0.1", port, timeout=harness.TIMEOUT)
    try:
        conn.request("POST" if body is not None else "GET", path, body=body,
                     headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode()
    finally:
        conn.close()


def test_make_install_and_turnout_setup_serve_the_site():
    if harness.VALGRIND:
        raise Skip("installs and serves the plain build; the programs run under Valgrind "
                   "in every other suite")
    root = tempfile.mkdtemp(prefix="turnout-install-")
    _dirs.append(root)
    p = subprocess.run(["make", "-C", harness.BUILD, "install", f"DESTDIR={root}"],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    prefix = [d for d in ("usr/local", "usr") if os.path.exists(f"{root}/{d}/sbin/turnout-setup")]
    assert prefix, f"no sbin/turnout-setup under {root}"
    bindir, share = f"{root}/{prefix[0]}/bin", f"{root}/{prefix[0]}/share/turnout"
    for f in ("turnout.fcgi", "turnout-admin", "turnout-worker"):
        assert os.access(f"{bindir}/{f}", os.X_OK), f
    for f in ("schema.sql", "nginx.conf", "turnout.conf.example", "templates/event.tpl",
              "static/style.css", "systemd/turnout-fcgi.service"):
        assert os.path.exists(f"{share}/{f}"), f
    setup = f"{root}/{prefix[0]}/sbin/turnout-setup"
    port = harness.free_port()
    me = subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
    args = [setup, "--root", root, "--listen", f"127.0.0.1:{port}", "--user", me]
    # Bad input is refused before anything is written.
    p = subprocess.run([*args, "--domain", "evil.org;include /etc/shadow"],
                       capture_output=True, text=True)
    assert p.returncode == 1 and "--domain" in p.stderr, p
    assert not os.path.exists(f"{root}/etc"), os.listdir(root)
    p = subprocess.run([*args, "--domain", "events.example.org"], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    conf = f"{root}/etc/turnout/turnout.conf"
    assert stat.S_IMODE(os.stat(conf).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(f"{root}/var/lib/turnout").st_mode) == 0o700
    site_file = f"{root}/etc/nginx/sites-available/turnout"
    with open(site_file) as f:
        text = f.read()
    assert "server_name events.example.org;" in text and "@" not in re.sub(
        r"#.*", "", text).replace("$", ""), "placeholders left in the nginx site"
    assert os.path.realpath(f"{root}/etc/nginx/sites-enabled/turnout") == site_file
    # Run again (an upgrade): the config and the database are kept.
    with open(conf) as f:
        text = f.read()
    with open(conf, "w") as f:
        f.write(text.replace("site_name = Turnout", "site_name = Our Club"))
    p = subprocess.run(args, capture_output=True, text=True)
    assert p.returncode == 0 and "up to date" in p.stdout, p.stdout + p.stderr
    with open(conf) as f:
        assert "site_name = Our Club" in f.read()
    units = sorted(os.listdir(f"{root}/etc/systemd/system"))
    assert units == ["turnout-backup.service", "turnout-backup.timer", "turnout-fcgi.service",
                     "turnout-watch.service", "turnout-watch.timer",
                     "turnout-worker.service"], units
    if subprocess.run(["which", "systemd-analyze"], capture_output=True).returncode == 0:
        for u in units:
            p = subprocess.run(["systemd-analyze", "verify", f"{root}/etc/systemd/system/{u}"],
                               capture_output=True, text=True, timeout=60)
            assert p.returncode == 0 and not p.stderr.strip(), (u, p.stderr)
    else:
        diag("systemd-analyze not found: units not verified")

    # The installed programs behind the installed site file, in a private nginx.
    subprocess.run([f"{bindir}/turnout-admin", "-c", conf, "demo"], check=True,
                   capture_output=True)
    ngx = f"{root}/nginx"
    os.makedirs(f"{ngx}/tmp")
    shutil.copy("/etc/nginx/fastcgi_params", f"{ngx}/fastcgi_params")
    with open(f"{ngx}/nginx.conf", "w") as f:
        f.write(f"{'user root;' if os.getuid() == 0 else ''}\nworker_processes 1;\n"
                f"pid {ngx}/nginx.pid;\nerror_log {ngx}/error.log;\n"
                "events { worker_connections 64; }\n"
                f"http {{ include /etc/nginx/mime.types; access_log off;\n"
                f"client_body_temp_path {ngx}/tmp/body; fastcgi_temp_path {ngx}/tmp/fcgi;\n"
                f"proxy_temp_path {ngx}/tmp/proxy; uwsgi_temp_path {ngx}/tmp/uwsgi;\n"
                f"scgi_temp_path {ngx}/tmp/scgi;\n"
                f"include {root}/etc/nginx/sites-enabled/*; }}\n")
    log = open(f"{root}/fcgi.log", "w")
    app = subprocess.Popen([f"{bindir}/turnout.fcgi", "-c", conf], stdout=log, stderr=log)
    try:
        subprocess.run(["nginx", "-p", ngx, "-c", f"{ngx}/nginx.conf"], check=True,
                       capture_output=True, timeout=30)
        deadline = time.monotonic() + 30
        while True:
            try:
                if http_get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline and app.poll() is None, \
                open(f"{root}/fcgi.log").read()[-2000:]
            time.sleep(0.1)
        status, _, body = http_get(port, "/")
        assert status == 200 and "Our Club" in body, (status, body[:300])
        status, _, body = http_get(port, "/static/style.css")
        assert status == 200, status
        status, _, body = http_get(port, "/events/potluck-picnic")
        assert status == 200, status
        token = harness.form_token(body)
        status, hdrs, _ = http_get(port, "/events/potluck-picnic/rsvp", urllib.parse.urlencode(
            {"form_token": token, "name": "Ines Installed", "email": "ines@example.org",
             "guests": "0", "note": ""}), harness.FORM)
        assert status == 303 and NEW_LINK.match(hdrs.get("location", "")), (status, hdrs)
        got = rows(f"{root}/var/lib/turnout/turnout.db",
                   "SELECT name FROM rsvp WHERE email = 'ines@example.org'")
        assert got == [("Ines Installed",)], got
        with open(f"{root}/var/log/nginx/turnout-access.log") as f:
            assert "POST /events/potluck-picnic/rsvp" in f.read()
    finally:
        if os.path.exists(f"{ngx}/nginx.pid"):
            subprocess.run(["nginx", "-p", ngx, "-c", f"{ngx}/nginx.conf", "-s", "stop"],
                           capture_output=True, timeout=30)
        app.send_signal(signal.SIGTERM)
        try:
            app.wait(timeout=30)
        except subprocess.TimeoutExpired:
            app.kill()
        log.close()


test_sites_clean = harness.test_sites_clean


if __name__ == "__main__":
    harness.run_suite(globals())
