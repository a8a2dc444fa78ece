#!/usr/bin/env python3
"""A site with a season's history (issue 14): the participants page and its
CSV export are complete for 100 000 RSVPs in one event.

The history is made by bench/history (the site's own functions, ~40 s) on
season-run, a plain RSVP event added as bench/pages.sh adds it (the demo's
fun run is a race now), before the site starts: 60 000 confirmed, 32 000
waitlisted, 8 000 cancelled. The pages are walked by their "Next page"
links to the end; the export is read whole. Only completeness and order
are checked here, never timings (bench/run measures those).

In the valgrind pass every case is skipped: 100 000 RSVPs through a
Valgrind-run site would take an hour, and the same code runs there on the
small lists of test_admin.py.

Run: TURNOUT_BUILD=/work/main TURNOUT_SRC=/work/main tests/http/test_history.py
"""
import csv
import io
import os
import re
import sqlite3
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the (maybe read-only) source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from tap import Skip, diag, main  # noqa: E402

PASSWORD = "correct horse battery"
SLUG = "season-run"
HISTORY = os.path.join(harness.BUILD, "bench", "history")
ROW_RE = re.compile(r'<tr id="r(\d+)">')
WAITING_RE = re.compile(r'<tr id="r(\d+)"><td class="pick"><label class="tick">'
                        r'<input type="checkbox"[^>]*></label></td>'
                        r'<td data-label="Place in line">(\d+)</td>')
NEXT_RE = re.compile(r'href="(/admin/events/' + SLUG + r'/rsvps\?from=[cw]\d+)">Next page')


def prepare(data):
    """Cheap password hashes, an admin, and the season's history."""
    conf = os.path.join(data, "turnout.conf")
    with open(conf, "w") as f:
        f.write(f"data_dir = {data}\ntemplates = {harness.SRC}/templates\n"
                "password_memory_kib = 1024\n")
    harness.add_admin_user(conf, "alice", PASSWORD)
    con = sqlite3.connect(os.path.join(data, "turnout.db"))
    with con:
        con.execute(
            "INSERT INTO event (slug, title, starts_at, ends_at, status, capacity, max_guests,"
            " rsvp_closes_at, created_at, updated_at) VALUES (?, 'Season run',"
            " unixepoch() + 5 * 86400, unixepoch() + 5 * 86400 + 7200, 'published', 50, 0,"
            " unixepoch() + 4 * 86400, unixepoch(), unixepoch())", (SLUG,))
    con.close()
    subprocess.run([HISTORY, os.path.join(data, "turnout.db"), SLUG], check=True,
                   capture_output=True, timeout=300)


site = harness.ModuleSite("history", prepare=prepare, report=diag)
_cookie = []


def needs_site():
    if harness.VALGRIND:
        raise Skip("100 000 RSVPs are too many for a site under valgrind; the same"
                   " pages and export run there in test_admin.py")
    return site()


def cookie():
    if not _cookie:
        _cookie.append(needs_site().admin_login("alice", PASSWORD))
    return _cookie[0]


def active():
    """The event's active RSVPs from the database: {id: status}, and the queue's ids."""
    rows = needs_site().query(
        "SELECT r.id, r.status FROM rsvp r JOIN event e ON e.id = r.event_id"
        " WHERE e.slug = ? AND r.status <> 'cancelled' ORDER BY r.id", (SLUG,))
    return dict(rows), [i for i, s in rows if s == "waitlisted"]


def test_history_shape():
    s = needs_site()
    counts = dict(s.query("SELECT r.status, count(*) FROM rsvp r JOIN event e"
                          " ON e.id = r.event_id WHERE e.slug = ? GROUP BY 1", (SLUG,)))
    diag(f"RSVPs of {SLUG}: {counts}")
    assert counts["cancelled"] == 8000
    assert counts["confirmed"] >= 60000 and counts["waitlisted"] >= 32000
    assert s.query_one("SELECT count(*) FROM pledge")[0] >= 20000


def test_participants_pages_complete():
    statuses, queue = active()
    path, pages, seen, positions = f"/admin/events/{SLUG}/rsvps", 0, [], []
    while path is not None:
        status, _, body = needs_site().fetch("GET", path, cookie=cookie())
        assert status == 200, f"{path}: {status}"
        pages += 1
        seen += [int(i) for i in ROW_RE.findall(body)]
        positions += [(int(i), int(p)) for i, p in WAITING_RE.findall(body)]
        m = NEXT_RE.search(body)
        path = m.group(1) if m else None
    diag(f"{len(seen)} participants on {pages} pages")
    assert len(seen) == len(set(seen)), "a participant on two pages"
    assert seen == sorted(statuses, key=lambda i: (statuses[i] == "waitlisted", i))
    assert positions == [(i, k + 1) for k, i in enumerate(queue)]


def test_search_keeps_queue_positions():
    _, queue = active()
    last = queue[-1]
    name = needs_site().query_one("SELECT name FROM rsvp WHERE id = ?", (last,))[0]
    status, _, body = needs_site().fetch("GET", f"/admin/events/{SLUG}/rsvps?q="
                                         + name.replace(" ", "+"), cookie=cookie())
    assert status == 200
    assert (str(last), str(len(queue))) in WAITING_RE.findall(body)


def test_csv_export_complete():
    statuses, queue = active()
    status, hdrs, data = needs_site().request(
        "GET", f"/admin/events/{SLUG}/rsvps.csv",
        headers={"Cookie": f"{harness.ADMIN_COOKIE}={cookie()}"}, timeout=120)
    assert status == 200
    assert "content-length" not in hdrs  # streamed
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))
    diag(f"export: {len(rows) - 1} rows, {len(data)} bytes")
    assert rows[0][:3] == ["status", "waitlist position", "name"]
    body = rows[1:]
    assert len(body) == len(statuses)
    emails = {r[3] for r in body}
    want = {e for (e,) in needs_site().query(
        "SELECT email FROM rsvp r JOIN event e ON e.id = r.event_id"
        " WHERE e.slug = ? AND r.status <> 'cancelled'", (SLUG,))}
    assert emails == want
    waiting = [r for r in body if r[0] == "waitlisted"]
    assert [r[1] for r in waiting] == [str(k + 1) for k in range(len(queue))]
    assert all(r[0] == "confirmed" for r in body[:len(body) - len(waiting)])


def test_valgrind_clean():
    if not harness.VALGRIND:
        raise Skip("not in valgrind mode")
    raise Skip("no site ran under valgrind (see the other cases)")


if __name__ == "__main__":
    try:
        sys.exit(main(globals()))
    finally:
        harness.close_all()
