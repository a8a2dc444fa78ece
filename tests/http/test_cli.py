#!/usr/bin/env python3
"""turnout-admin as a group admin runs it, on databases in temporary data
directories: init refuses to overwrite, migrate upgrades a database of every
earlier schema version holding data to exactly the schema of a new one
(columns, CHECKs, triggers, indexes), a migration that fails leaves the
database as it was, and capacity, outbox retry-all / discard / discard-all
and user del do what they say. In valgrind mode turnout-admin itself runs
under Valgrind.

Run: TURNOUT_BUILD=$PWD TURNOUT_SRC=$PWD tests/http/test_cli.py
"""
import glob
import http.client
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the (maybe read-only) source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from tap import Skip, diag, main  # noqa: E402

V1 = os.path.join(harness.SRC, "tests", "unit", "fixtures", "schema-v1.sql")
# Databases made by earlier versions themselves (tests/http/fixtures/make-old-databases).
MADE_BY = {int(m.group(1)): path for path in glob.glob(os.path.join(
    harness.SRC, "tests", "http", "fixtures", "v*.sql"))
    if (m := re.search(r"/v(\d+)\.sql$", path))}
MIGRATIONS = sorted(glob.glob(os.path.join(harness.SRC, "migrations", "[0-9]*.sql")))
LATEST = 1 + len(MIGRATIONS)
NOW = int(time.time())


def upgraded(versions):
    """The versions an upgrade test takes: all of them, or under valgrind
    the oldest, one in the middle and the newest. turnout-admin runs the
    same C for every migration (only the embedded SQL differs), and each
    run under valgrind costs seconds; the plain pass upgrades them all."""
    versions = sorted(versions)
    if not harness.VALGRIND or len(versions) <= 3:
        return versions
    return [versions[0], versions[len(versions) // 2], versions[-1]]
DAY = 24 * 3600
_dirs = []


def data_dir():
    """A fresh data directory with a turnout.conf (removed at exit)."""
    d = tempfile.mkdtemp(prefix="turnout-cli-")
    _dirs.append(d)
    harness.write_config(d, "password_memory_kib = 1024\n")
    return d


def cli(d, *args, password=None):
    """Run turnout-admin (under valgrind in valgrind mode): (status, output)."""
    wrap = []
    if harness.VALGRIND:
        wrap = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
                "--errors-for-leak-kinds=definite,indirect,possible",
                f"--suppressions={harness.SRC}/tests/valgrind.supp"]
    p = subprocess.run([*wrap, harness.ADMIN, "-c", os.path.join(d, "turnout.conf"), *args],
                       input=None if password is None else password + "\n", text=True,
                       capture_output=True, timeout=300)
    assert p.returncode != 99, f"valgrind errors in turnout-admin {' '.join(args)}:\n{p.stderr}"
    return p.returncode, p.stdout + p.stderr


def db(d):
    return sqlite3.connect(os.path.join(d, "turnout.db"), isolation_level=None)


def rows(d, sql, params=()):
    con = db(d)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


# -- the shape of a schema -------------------------------------------------------

def checks(table_sql):
    """The CHECK expressions of a CREATE TABLE statement, whitespace folded."""
    found, i = [], 0
    while (m := re.compile(r"\bCHECK\s*\(", re.I).search(table_sql, i)):
        depth, j = 1, m.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(table_sql[j], 0)
            j += 1
        found.append(fold(table_sql[m.end():j - 1]))
        i = j
    return sorted(found)


def fold(sql):
    return re.sub(r"\s+", " ", re.sub(r"--[^\n]*", "", sql or "")).strip()


def shape(d):
    """Everything about a schema that a migration must get right: each
    table's columns, CHECKs and foreign keys, and each trigger's, index's
    and view's SQL."""
    con = db(d)
    try:
        out = {"version": con.execute("PRAGMA user_version").fetchone()[0]}
        for kind, name, tbl, sql in con.execute(
                "SELECT type, name, tbl_name, sql FROM sqlite_master"
                " WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"):
            if kind == "table":
                out[f"table {name} columns"] = con.execute(
                    "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?)"
                    " ORDER BY name", (name,)).fetchall()
                out[f"table {name} checks"] = checks(sql)
                out[f"table {name} foreign keys"] = sorted(con.execute(
                    "SELECT \"table\", \"from\", \"to\", on_update, on_delete"
                    " FROM pragma_foreign_key_list(?)", (name,)).fetchall())
            else:
                out[f"{kind} {name} on {tbl}"] = fold(sql)
        return out
    finally:
        con.close()


def shape_diff(got, want):
    return [f"{k}:\n    upgraded {got.get(k)}\n    fresh    {want.get(k)}"
            for k in sorted(set(got) | set(want)) if got.get(k) != want.get(k)]


# -- databases of earlier versions, with data --------------------------------------

def old_database(version):
    """A data directory whose database is at schema version `version`, as a
    site that installed release 1 and upgraded to it would have: the v1
    schema, then migrations 002..version, with data in every table of that
    version. Returns (data dir, {table: row count})."""
    d = data_dir()
    con = db(d)
    # Built from scratch each time: a crash loses nothing worth a disk flush
    # per statement (every version's test repeats the migrations before it).
    con.execute("PRAGMA synchronous = OFF")
    try:
        with open(V1) as f:
            con.executescript(f.read())
        for path in MIGRATIONS[:version - 1]:
            with open(path) as f:
                con.executescript(f.read())
        assert con.execute("PRAGMA user_version").fetchone()[0] == version
        tables = {n for n, in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        con.execute("BEGIN")
        for slug, cap in (("old-small", 2), ("old-open", None)):
            con.execute("INSERT INTO event (slug, title, starts_at, status, capacity, max_guests,"
                        " created_at, updated_at) VALUES (?, ?, ?, 'published', ?, 2, ?, ?)",
                        (slug, f"Old {slug}", NOW + 7 * DAY, cap, NOW - DAY, NOW - DAY))
        if "rsvp" in tables:
            for k, (status, guests) in enumerate((("confirmed", 1), ("waitlisted", 0),
                                                  ("cancelled", 0))):
                con.execute("INSERT INTO rsvp (event_id, token_hash, name, email, guests,"
                            " status, created_at, updated_at) SELECT id, randomblob(32), ?, ?,"
                            " ?, ?, ?, ? FROM event WHERE slug = 'old-small'",
                            (f"Old {k}", f"old{k}@example.org", guests, status, NOW, NOW))
        if "item" in tables:
            con.execute("INSERT INTO item (event_id, name, suggested, capped) SELECT id,"
                        " 'Chairs', 10, 1 FROM event WHERE slug = 'old-small'")
            con.execute("INSERT INTO pledge (item_id, rsvp_id, quantity, created_at,"
                        " updated_at) SELECT item.id, rsvp.id, 3, ?, ? FROM item, rsvp"
                        " WHERE rsvp.name = 'Old 0'", (NOW, NOW))
        if "admin_user" in tables:
            con.execute("INSERT INTO admin_user (name, hash, created_at) VALUES"
                        " ('old-admin', 'not a real hash', ?)", (NOW,))
        con.execute("COMMIT")
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
                  for t in sorted(tables)}
    finally:
        con.close()
    return d, counts


def dump(d):
    """The whole database as SQL text, and its version."""
    con = db(d)
    try:
        return "\n".join(con.iterdump()), con.execute("PRAGMA user_version").fetchone()[0]
    finally:
        con.close()


# -- cases -------------------------------------------------------------------------

def test_init_creates_and_refuses_to_overwrite():
    d = data_dir()
    rc, out = cli(d, "init")
    assert rc == 0 and f"(schema version {LATEST})" in out, out
    rows(d, "INSERT INTO setting (key, value) VALUES ('mark', 'kept')")
    before = dump(d)
    rc, out = cli(d, "init")
    assert rc == 1 and "already exists (use migrate to upgrade it)" in out, out
    assert dump(d) == before, "a refused init changed the database"
    rc, out = cli(d, "migrate")
    assert rc == 0 and f"is up to date (schema version {LATEST})" in out, out


def test_upgrades_from_every_earlier_version_match_a_new_database():
    fresh = data_dir()
    assert cli(fresh, "init")[0] == 0
    want = shape(fresh)
    assert len(MIGRATIONS) >= 4, MIGRATIONS
    problems = []
    for version in upgraded(range(1, LATEST)):
        d, counts = old_database(version)
        rc, out = cli(d, "migrate")
        if rc != 0 or f"from schema version {version} to {LATEST}" not in out:
            problems.append(f"v{version}: migrate exited {rc}: {out.strip()}")
            continue
        problems += [f"v{version}: {p}" for p in shape_diff(shape(d), want)]
        after = {t: rows(d, f"SELECT count(*) FROM {t}")[0][0] for t in counts}  # noqa: S608
        if after != counts:
            problems.append(f"v{version}: rows {counts} became {after}")
        for check in ("integrity_check", "foreign_key_check"):
            got = rows(d, f"PRAGMA {check}")
            if got not in ([("ok",)], []):
                problems.append(f"v{version}: {check}: {got[:5]}")
        if version >= 2:
            ev = rows(d, "SELECT confirmed, waitlisted FROM event WHERE slug = 'old-small'")
            if ev != [(2, 1)]:
                problems.append(f"v{version}: old-small counters {ev}, want 2 confirmed"
                                " and 1 waitlisted spots")
        diag(f"v{version} -> v{LATEST}: {sum(counts.values())} rows in {len(counts)} tables")
    assert not problems, "\n".join(problems)


def counter_problems(d):
    """Events whose kept counters disagree with their RSVPs."""
    if "rsvp" not in {n for n, in rows(d, "SELECT name FROM sqlite_master")}:
        return []
    return rows(d, "SELECT e.slug, e.confirmed, e.waitlisted, coalesce(sum(CASE r.status"
                   " WHEN 'confirmed' THEN 1 + r.guests END), 0) c, coalesce(sum(CASE r.status"
                   " WHEN 'waitlisted' THEN 1 + r.guests END), 0) w FROM event e LEFT JOIN rsvp"
                   " r ON r.event_id = e.id GROUP BY e.id HAVING e.confirmed <> c OR"
                   " e.waitlisted <> w")


def test_upgrades_databases_made_by_every_earlier_version():
    """The databases earlier versions made themselves (their own init and
    demo) upgrade to exactly a new database's schema with every row kept, a
    backup of each taken first, and the upgraded one works with this
    version's statements."""
    assert sorted(MADE_BY) == list(range(1, LATEST)), (
        f"fixtures for schema versions {sorted(MADE_BY)}, want 1 to {LATEST - 1}: run "
        f"tests/http/fixtures/make-old-databases {max(MADE_BY, default=0) + 1}")
    fresh = data_dir()
    assert cli(fresh, "init")[0] == 0
    want = shape(fresh)
    problems = []
    for version in upgraded(MADE_BY):
        path = MADE_BY[version]
        d = data_dir()
        con = db(d)
        with open(path) as f:
            con.executescript(f.read())
        con.close()
        assert rows(d, "PRAGMA user_version") == [(version,)], path
        tables = [n for n, in rows(d, "SELECT name FROM sqlite_master WHERE type = 'table'"
                                      " AND name NOT LIKE 'sqlite_%'")]
        counts = {t: rows(d, f"SELECT count(*) FROM {t}")[0][0] for t in tables}  # noqa: S608
        rc, out = cli(d, "migrate")
        if rc != 0 or f"from schema version {version} to {LATEST}" not in out:
            problems.append(f"v{version}: migrate exited {rc}: {out.strip()}")
            continue
        saved = os.path.join(d, f"turnout.db.before-v{LATEST}.backup")
        if not os.path.exists(saved) or rows_of(saved, "PRAGMA user_version") != [(version,)]:
            problems.append(f"v{version}: no backup of the version-{version} database")
        problems += [f"v{version}: {p}" for p in shape_diff(shape(d), want)]
        after = {t: rows(d, f"SELECT count(*) FROM {t}")[0][0] for t in counts}  # noqa: S608
        if version < 15 and "score" in counts:
            # 015-score-log.sql logs the scores made before: one row per score and void.
            counts["rsvp_log"] += rows(d, "SELECT count(*) + count(voided_at) FROM score")[0][0]
        if after != counts:
            problems.append(f"v{version}: rows {counts} became {after}")
        for check in ("integrity_check", "foreign_key_check"):
            got = rows(d, f"PRAGMA {check}")
            if got not in ([("ok",)], []):
                problems.append(f"v{version}: {check}: {got[:5]}")
        problems += [f"v{version}: counters of {p[0]} disagree: {p[1:]}"
                     for p in counter_problems(d)]
        # This version's statements all prepare on it, and its data reads.
        rc, out = cli(d, "outbox")
        if rc != 0:
            problems.append(f"v{version}: turnout-admin outbox on the upgraded database: {out}")
        with open(path) as f:
            made = re.search(r"of commit (\w+)", f.read(400))
        diag(f"v{version} (made by commit {made and made.group(1)}) -> v{LATEST}: "
             f"{sum(counts.values())} rows in {len(counts)} tables")
    assert not problems, "\n".join(problems)


def rows_of(path, sql):
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_failed_migration_leaves_the_database_as_it_was():
    # A version-2 database where migration 004 cannot run (a table of that
    # name is already there): 003 runs first, and must be undone too.
    d, _ = old_database(2)
    rows(d, "CREATE TABLE outbox (x)")
    before = dump(d)
    rc, out = cli(d, "migrate")
    assert rc == 1 and "migrate:" in out and "outbox" in out, out
    after = dump(d)
    assert after[1] == 2, f"schema version {after[1]} after a failed migration"
    assert after == before, "a failed migration changed the database"
    assert not rows(d, "SELECT name FROM sqlite_master WHERE name IN ('item', 'pledge')"), \
        "migration 003 was kept though 004 failed"


def site_with_data():
    """A new database with the demo events, an admin and a full event with
    a waitlist; returns the data dir."""
    d = data_dir()
    assert cli(d, "init")[0] == 0 and cli(d, "demo")[0] == 0
    con = db(d)
    con.execute("INSERT INTO event (slug, title, starts_at, status, capacity, max_guests,"
                " created_at, updated_at) VALUES ('full', 'Full', ?, 'published', 2, 2, ?, ?)",
                (NOW + 7 * DAY, NOW, NOW))
    for k, guests in enumerate((1, 0, 1, 0)):  # 2 spots: the first fills it
        status = "confirmed" if k == 0 else "waitlisted"
        con.execute("INSERT INTO rsvp (event_id, token_hash, name, email, guests, status,"
                    " created_at, updated_at) SELECT id, randomblob(32), ?, ?, ?, ?, ?, ?"
                    " FROM event WHERE slug = 'full'",
                    (f"P{k}", f"p{k}@example.org", guests, status, NOW, NOW))
    con.close()
    return d


def test_capacity_promotes_the_waitlist_in_order():
    d = site_with_data()
    state = lambda: rows(d, "SELECT name, status FROM rsvp WHERE event_id ="  # noqa: E731
                         " (SELECT id FROM event WHERE slug = 'full') ORDER BY id")
    rc, out = cli(d, "capacity", "full", "4")
    assert rc == 0 and "capacity of full is now 4" in out, out
    # 4 spots: P0 (2) + P1 (1) fit, P2 (2) does not, P3 (1) does.
    assert state() == [("P0", "confirmed"), ("P1", "confirmed"), ("P2", "waitlisted"),
                       ("P3", "confirmed")], state()
    assert rows(d, "SELECT capacity, confirmed, waitlisted FROM event WHERE slug = 'full'") \
        == [(4, 4, 2)]
    promoted = rows(d, "SELECT recipient FROM outbox WHERE kind = 'promoted' ORDER BY id")
    assert promoted == [("p1@example.org",), ("p3@example.org",)], promoted
    rc, out = cli(d, "capacity", "full", "unlimited")
    assert rc == 0 and state()[2] == ("P2", "confirmed"), (out, state())
    assert rows(d, "SELECT capacity FROM event WHERE slug = 'full'") == [(None,)]
    before = dump(d)
    for args, said in ((("nope", "5"), 'no event with the slug "nope"'),
                       (("full", "5x"), "capacity must be a number"),
                       (("full", "1000001"), "capacity must be a number"),
                       (("full", ""), "capacity must be a number")):
        rc, out = cli(d, "capacity", *args)
        assert rc == 1 and said in out, (args, rc, out)
    assert dump(d) == before, "a refused capacity change wrote"


def test_outbox_retry_all_discard_and_discard_all():
    d = site_with_data()
    rows(d, "UPDATE outbox SET state = 'dead', attempts = 4, last_error = '550 no'"
            " WHERE recipient IN ('p0@example.org', 'p1@example.org', 'p2@example.org')")
    dead = lambda: [i for i, in rows(  # noqa: E731
        d, "SELECT id FROM outbox WHERE state = 'dead' ORDER BY id")]
    first, second, third = dead()
    rc, out = cli(d, "outbox", "discard", str(first))
    assert rc == 0 and "1 message(s) discarded" in out, out
    assert rows(d, "SELECT state, link_token FROM outbox WHERE id = ?", (first,)) == [
        ("discarded", None)]
    rc, out = cli(d, "outbox", "discard", str(first))
    assert rc == 1 and "no dead letter with that id" in out, out
    rc, out = cli(d, "outbox", "retry-all")
    assert rc == 0 and "2 message(s) queued again" in out, out
    assert rows(d, "SELECT id, state, attempts FROM outbox WHERE id IN (?, ?) ORDER BY id",
                (second, third)) == [(second, "pending", 0), (third, "pending", 0)]
    rc, out = cli(d, "outbox", "retry-all")
    assert rc == 1 and "no dead letters" in out, out
    rows(d, "UPDATE outbox SET state = 'dead' WHERE id IN (?, ?)", (second, third))
    rc, out = cli(d, "outbox", "discard-all")
    assert rc == 0 and "2 message(s) discarded" in out, out
    assert dead() == [] and rows(d, "SELECT count(*) FROM outbox WHERE state = 'discarded'") \
        == [(3,)]
    for args in (("discard",), ("retry", "0"), ("retry", "x"), ("discard-all", "1"),
                 ("resend", "1")):
        rc, out = cli(d, "outbox", *args)
        assert rc == 2 and "usage:" in out, (args, rc, out)


def test_user_del_ends_the_account_and_its_sessions():
    d = site_with_data()
    for name in ("ann", "bob"):
        rc, out = cli(d, "user", "add", name, password="a long enough password")
        assert rc == 0, out
    rows(d, "INSERT INTO session (token_hash, user_id, created_at, last_seen)"
            " SELECT randomblob(32), id, ?, ? FROM admin_user WHERE name = 'ann'", (NOW, NOW))
    rc, out = cli(d, "user", "del", "ann")
    assert rc == 0, out
    assert rows(d, "SELECT name FROM admin_user ORDER BY name") == [("bob",)]
    assert rows(d, "SELECT count(*) FROM session") == [(0,)], "ann's session outlived her"
    rc, out = cli(d, "user", "del", "ann")
    assert rc == 1, (rc, out)
    rc, out = cli(d, "user", "list")
    assert rc == 0 and "bob" in out and "ann" not in out, out


def test_upgrade_logs_the_scores_made_before():
    """Scores made before the analytics log held them (schema 11) get their
    rows at the upgrade, in time order, with who made them; the sign-up
    figures stay as they were."""
    d, _ = old_database(11)
    eid, = rows(d, "SELECT id FROM event WHERE slug = 'old-small'")[0]
    rid, = rows(d, "SELECT id FROM rsvp WHERE event_id = ? AND status = 'confirmed'",
                (eid,))[0]
    con = db(d)
    with con:
        con.execute("INSERT INTO competition (event_id, kind, rule, rounds) VALUES (?, 'points',"
                    " 'total', 5)", (eid,))
        con.execute("INSERT INTO entry (rsvp_id, event_id, bib, display_name) VALUES (?, ?, 1,"
                    " 'Old')", (rid, eid))
        for rnd, by, at in ((1, "api:gate", NOW), (2, None, NOW + 1)):
            con.execute("INSERT INTO score (entry_id, event_id, round, value, source,"
                        " created_by, created_at) VALUES (?, ?, ?, 1000, ?, ?, ?)",
                        (rid, eid, rnd, "api" if by else "entrant", by, at))
        con.execute("UPDATE score SET voided_at = ?, voided_by = 'kim', void_reason = 'typo'"
                    " WHERE round = 1", (NOW + 2,))
        con.execute("INSERT INTO score (entry_id, event_id, round, value, source, created_by,"
                    " created_at) VALUES (?, ?, 1, 1500, 'scorekeeper', 'kim', ?)",
                    (rid, eid, NOW + 2))
        con.execute("UPDATE score SET replaced_by = (SELECT max(id) FROM score)"
                    " WHERE round = 1 AND voided_at IS NOT NULL")
    con.close()
    # The figures of version 11 (later versions add columns).
    figures_sql = ("SELECT event_id, direct, waitlisted, cancels, promoted, waits, confirmed,"
               " checked_in FROM event_figures ORDER BY event_id")
    figures = rows(d, figures_sql)
    rc, out = cli(d, "migrate")
    assert rc == 0, out
    assert rows(d, "SELECT l.action, l.actor, l.at, s.round, s.value FROM rsvp_log l"
                   " JOIN score s ON s.id = l.score_id ORDER BY l.id") == [
        ("score", "api:gate", NOW, 1, 1000), ("score", None, NOW + 1, 2, 1000),
        ("void", "kim", NOW + 2, 1, 1000), ("correct", "kim", NOW + 2, 1, 1500)]
    assert rows(d, figures_sql) == figures


def quickstart(d, port, *args):
    """./quickstart with its own data dir and port: (status, output). The
    environment of an admin's shell: no make variables of make check."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    env.update(TURNOUT_DATA=d, TURNOUT_PORT=str(port))
    p = subprocess.run([os.path.join(harness.SRC, "quickstart"), *args], env=env,
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
    return p.returncode, p.stdout + p.stderr


def answers(port):
    """The status of GET / on a port, or None if nothing answers there."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=harness.TIMEOUT)
        conn.request("GET", "/")
        return conn.getresponse().status
    except OSError:
        return None
    finally:
        conn.close()


def test_quickstart_two_sites_detached_and_stopped():
    if harness.VALGRIND:
        raise Skip("quickstart runs the programs as built: the plain pass runs it")
    if os.path.realpath(harness.SRC) != os.path.realpath(harness.BUILD):
        raise Skip("quickstart builds in its source tree: only with an in-tree build")
    sites = [(tempfile.mkdtemp(prefix="turnout-qs-"), harness.free_port()) for _ in range(2)]
    _dirs.extend(d for d, _ in sites)
    try:
        for d, port in sites:
            rc, out = quickstart(d, port, "run", "--detach")
            assert rc == 0 and f"running on http://127.0.0.1:{port}/" in out, out[-2000:]
        for d, port in sites:
            assert answers(port) == 200, f"site of {d} on {port}: {answers(port)}"
            assert rows(d, "SELECT count(*) FROM event WHERE slug = 'fun-run-5k'") == [(1,)]
            with open(os.path.join(d, "turnout.conf")) as f:
                assert f"site_url = http://127.0.0.1:{port}\n" in f.read()
        (first, p1), (second, p2) = sites
        rc, out = quickstart(first, p1, "stop")
        assert rc == 0, out
        assert answers(p1) is None, "the first site still answers after stop"
        assert answers(p2) == 200, "stopping the first site stopped the second"
        assert not os.path.exists(os.path.join(first, "turnout.pid"))
    finally:
        for d, port in sites:
            quickstart(d, port, "stop")
    assert answers(p2) is None, "the second site still answers after stop"


def cleanup():
    for d in _dirs:
        if harness.KEEP:
            continue
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main(globals()))
    finally:
        cleanup()
