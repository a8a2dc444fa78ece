#!/usr/bin/env python3
"""Competition HTTP tests (issue 13): registration as an RSVP with a division
and a display name, the deadline, the entrant's manage page (name change,
self-scoring with replayed form tokens), leaderboards (HTML, JSON with ETag
through the microcache, shared ranks), the scores API (bearer tokens,
Idempotency-Key: replay, other body, bad input of every kind), and the issue's
storm: 1 000 submissions from 200 connections (API and scorekeeper form, a fifth
replayed), with voids and corrections among them, checked against the database.

Run: TURNOUT_BUILD=/work/main TURNOUT_SRC=/work/main tests/http/test_compete.py
"""
import json
import os
import queue
import re
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from tap import diag  # noqa: E402

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DAY = 24 * 3600
NEW_LINK = re.compile(r"^/rsvp/([0-9a-f]{32})\?new=1$")
STORM_ENTRIES = 50
FIELD_ENTRIES = 250  # more than a leaderboard page's 100 rows

# slug -> (capacity, closes in seconds from now or None, compete arguments)
EVENTS = {
    "cup": (20, None, ["points", "best", "3", "Open", "Under 16"]),
    "boulder": (20, None, ["points", "total", "5", "self-scoring"]),
    "race": (3, None, ["time", "best", "2"]),
    "jump": (20, None, ["distance", "best", "3", "unit=m"]),
    "late": (20, -3600, ["points", "total", "1"]),
    "storm": (STORM_ENTRIES, None, ["points", "average", "100"]),
    "quiz": (20, None, None),  # made a competition on the admin page
    "league": (20, None, ["points", "total", "10"]),
    "field": (FIELD_ENTRIES, None, ["points", "best", "1"]),
}
TOKENS = {}  # slug -> API token, made before the site starts
PASSWORD = "correct horse battery"
# Accounts: keeper keeps the scores of cup, other those of race.
USERS = {"boss": "admin", "org": "organiser", "keeper": "scorekeeper", "other": "scorekeeper"}
_logins = {}


def admin(data, *args):
    """Run turnout-admin on the site's data directory; its stdout."""
    env = dict(os.environ, TURNOUT_DATA=data)
    out = subprocess.run([harness.ADMIN, *args], env=env, check=True, capture_output=True,
                         text=True, timeout=60)
    return out.stdout.strip()


def add_entries(con, slug, n, now):
    """n confirmed entries "Runner i" with bib i; their (rsvp id, event id, i)."""
    eid, = con.execute("SELECT id FROM event WHERE slug = ?", (slug,)).fetchone()
    out = []
    for i in range(1, n + 1):
        cur = con.execute(
            "INSERT INTO rsvp (event_id, token_hash, name, email, guests, status,"
            " created_at, updated_at) VALUES (?, randomblob(32), ?, ?, 0, 'confirmed',"
            " ?, ?)", (eid, f"Runner {i}", f"runner{i}@{slug}.example.org", now, now))
        con.execute("INSERT INTO entry (rsvp_id, event_id, bib, display_name)"
                    " VALUES (?, ?, ?, ?)", (cur.lastrowid, eid, i, f"Runner {i}"))
        out.append((cur.lastrowid, eid, i))
    return out


def prepare(data):
    """Several workers; the events, made competitions with turnout-admin; the
    storm's entries straight into the database; an API token per event."""
    # Cheap password hashes: the suite also runs under valgrind.
    harness.write_config(data, f"workers = {harness.STORM_WORKERS}\n"
                         "password_memory_kib = 1024\n")
    now = int(time.time())
    con = sqlite3.connect(os.path.join(data, "turnout.db"))
    with con:
        for slug, (capacity, closes, _) in EVENTS.items():
            con.execute(
                "INSERT INTO event (slug, title, description, location, starts_at, status,"
                " capacity, rsvp_closes_at, created_at, updated_at) VALUES (?, ?, '', 'Gym',"
                " ?, 'published', ?, ?, ?, ?)",
                (slug, f"Test {slug}", now + 7 * DAY, capacity,
                 None if closes is None else now + closes, now, now))
    con.close()
    for slug, (_, _, args) in EVENTS.items():
        if args is None:
            continue
        admin(data, "compete", slug, *args)
        TOKENS[slug] = admin(data, "api-token", slug, f"timer-{slug}")
    con = sqlite3.connect(os.path.join(data, "turnout.db"))
    with con:
        add_entries(con, "storm", STORM_ENTRIES, now)
        # field: runner i scored i points, so rank r is runner 251 - r.
        for rid, eid, i in add_entries(con, "field", FIELD_ENTRIES, now):
            con.execute("INSERT INTO score (entry_id, event_id, round, value, source,"
                        " created_at) VALUES (?, ?, 1, ?, 'api', ?)", (rid, eid, i * 1000, now))
    con.close()
    for name, role in USERS.items():
        subprocess.run([harness.ADMIN, "user", "add", name, "--role", role], check=True,
                       env=dict(os.environ, TURNOUT_DATA=data), input=PASSWORD + "\n",
                       text=True, capture_output=True, timeout=60)
    admin(data, "user", "assign", "keeper", "cup")
    admin(data, "user", "assign", "other", "race")
    admin(data, "user", "assign", "keeper", "storm")
    admin(data, "user", "assign", "keeper", "league")


site = harness.site_once("compete", prepare=prepare,
                         started=lambda s: diag(f"site on port {s.port}, data {s.data}"))


def fetch(method, path, body=None, headers=None):
    return site().fetch(method, path, body, headers=headers)


def post(path, fields):
    return site().post_form(path, fields)


def alerts(body):
    return harness.alerts(body)


def assert_status(got, want, what, body=""):
    extra = f"\n  alerts: {alerts(body)}\n  body: {body[:300]}" if got != want else ""
    assert got == want, f"{what}: status {got}, want {want}{extra}"


def event_id(slug):
    return site().query_one("SELECT id FROM event WHERE slug = ?", (slug,))[0]


def register(slug, name, email, division=None, display=None, want=303):
    """The RSVP form of a competition; the manage token (want 303) or the body."""
    status, _, page = fetch("GET", f"/events/{slug}")
    assert_status(status, 200, f"GET /events/{slug}")
    status, hdrs, body = post(f"/events/{slug}/rsvp", {
        "form_token": harness.form_token(page), "name": name, "email": email,
        "division": division, "display": display})
    assert_status(status, want, f"register {name} at {slug}", body)
    if want != 303:
        return body
    m = NEW_LINK.match(hdrs["location"])
    assert m, hdrs["location"]
    return m.group(1)


def cup_division():
    """The id of cup's first division (the demo's chess tournament has some too)."""
    return site().query_one("SELECT min(id) FROM division WHERE event_id = ?",
                            (event_id("cup"),))[0]


def entry_of(token):
    """The entry behind a manage token: (rsvp id, bib, display name, division name)."""
    rows = site().query(
        "SELECT e.rsvp_id, e.bib, e.display_name, d.name FROM entry e JOIN rsvp r"
        " ON r.id = e.rsvp_id LEFT JOIN division d ON d.id = e.division_id", ())
    page = fetch("GET", f"/rsvp/{token}")[2]
    bib = int(re.search(r"<dt>Bib</dt><dd>(\d+)</dd>", page).group(1))
    slug = re.search(r'href="/events/([a-z0-9-]+)/leaderboard"', page).group(1)
    return next(r for r in rows if r[1] == bib and site().query_one(
        "SELECT event_id FROM entry WHERE rsvp_id = ?", (r[0],))[0] == event_id(slug))


def api(slug, body, key=None, token=None, ctype="application/json", extra=None):
    """POST to the scores API; (status, headers, parsed JSON or text)."""
    headers = {"Content-Type": ctype}
    if token is not False:
        headers["Authorization"] = f"Bearer {token or TOKENS[slug]}"
    if key is not None:
        headers["Idempotency-Key"] = key
    headers.update(extra or {})
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    status, hdrs, text = fetch("POST", f"/api/events/{slug}/scores", data, headers)
    try:
        return status, hdrs, json.loads(text)
    except ValueError:
        return status, hdrs, text


def board(slug):
    status, hdrs, text = fetch("GET", f"/events/{slug}/leaderboard.json")
    assert_status(status, 200, f"leaderboard.json of {slug}", text)
    return json.loads(text), hdrs


def scores_count(slug):
    return site().query_one("SELECT count(*) FROM score WHERE event_id = ?",
                            (event_id(slug),))[0]


def aggregate_problems():
    """Entries whose count, total or best differ from their live scores."""
    return site().query(
        "SELECT e.rsvp_id, e.scores, e.total, e.best FROM entry e WHERE e.scores <>"
        " (SELECT count(*) FROM score s WHERE s.entry_id = e.rsvp_id AND s.voided_at IS NULL)"
        " OR e.total <> (SELECT coalesce(sum(value), 0) FROM score s"
        "  WHERE s.entry_id = e.rsvp_id AND s.voided_at IS NULL)"
        " OR e.best IS NOT (SELECT iif(c.kind = 'time', min(s.value), max(s.value))"
        "  FROM score s JOIN competition c ON c.event_id = s.event_id"
        "  WHERE s.entry_id = e.rsvp_id AND s.voided_at IS NULL)")


# -- registration ----------------------------------------------------------------

def test_registration_with_division_and_display_name():
    status, _, page = fetch("GET", "/events/cup")
    assert_status(status, 200, "GET /events/cup")
    assert 'name="display"' in page and 'name="division"' in page, "no entry fields"
    assert "Under 16" in page and "Leaderboard" in page
    divisions = dict((name, i) for i, name in site().query(
        "SELECT id, name FROM division WHERE event_id = ?", (event_id("cup"),)))
    ann = register("cup", "Ann Bell", "ann@example.org", divisions["Open"])
    kid = register("cup", "Kit Young", "kit@example.org", divisions["Under 16"], "Kitty")
    _, bib, display, division = entry_of(ann)
    assert (bib, display, division) == (1, "Ann B.", "Open"), (bib, display, division)
    assert entry_of(kid)[2:] == ("Kitty", "Under 16")
    page = fetch("GET", f"/rsvp/{ann}")[2]
    assert "Your entry" in page and "Ann B." in page and "Open" in page
    # A division is required, and only this competition's.
    body = register("cup", "Nod Iv", "nod@example.org", None, want=400)
    assert any("division" in a for a in alerts(body)), alerts(body)
    other = site().query_one("SELECT max(id) + 1 FROM division")[0]
    register("cup", "Nod Iv", "nod@example.org", other, want=400)
    register("cup", "Nod Iv", "nod@example.org", "x1", want=400)
    # A too long display name is refused with the form shown again.
    body = register("cup", "Lo Ng", "long@example.org", divisions["Open"], "x" * 41, want=400)
    assert any("leaderboard" in a for a in alerts(body)), alerts(body)
    assert not site().query("SELECT 1 FROM rsvp WHERE email IN ('nod@example.org',"
                            " 'long@example.org')"), "a refused entry left a row"


def test_registration_deadline():
    page = fetch("GET", "/events/cup")[2]
    assert "Registration closes" not in page  # no deadline set: until it starts
    status, _, page = fetch("GET", "/events/late")
    assert_status(status, 200, "GET /events/late")
    assert 'name="display"' not in page and "closed" in page, "late still takes entries"
    # A form made before the deadline, sent after it: 422, nothing added.
    token = site().forge_form_token(int(time.time()) - 7200, "rsvp:late")
    status, _, body = post("/events/late/rsvp", {"form_token": token, "name": "Too Late",
                                                 "email": "late@example.org"})
    assert_status(status, 422, "entry after the deadline", body)
    assert not site().query("SELECT 1 FROM rsvp WHERE email = 'late@example.org'")
    # Before it, the page says when registration closes (with the zone).
    con = sqlite3.connect(site().db_path)
    with con:
        con.execute("UPDATE event SET rsvp_closes_at = ? WHERE slug = 'cup'",
                    (int(time.time()) + DAY,))
    con.close()
    page = fetch("GET", "/events/cup")[2]
    assert re.search(r"<dt>Registration closes</dt><dd>[^<]+ \([A-Za-z0-9_/+-]+\)</dd>",
                     page), "no deadline with its zone on the page"


def test_display_name_change():
    tok = register("boulder", "Cy Moss", "cy@example.org")
    page = fetch("GET", f"/rsvp/{tok}")[2]
    forms = harness.form_tokens(page)
    rename = re.search(r'name="form_token" value="([0-9a-f]+)">\s*<input type="hidden"'
                       r' name="action" value="rename"', page).group(1)
    assert rename in forms
    status, hdrs, body = post(f"/rsvp/{tok}", {"form_token": rename, "action": "rename",
                                               "display": "Cy the Climber"})
    assert_status(status, 303, "rename", body)
    assert entry_of(tok)[2] == "Cy the Climber"
    status, _, body = post(f"/rsvp/{tok}", {"form_token": rename, "action": "rename",
                                            "display": ""})
    assert_status(status, 400, "empty display name", body)
    assert "<script>" not in fetch("GET", "/events/boulder/leaderboard")[2]


def score_form_token(tok):
    page = fetch("GET", f"/rsvp/{tok}")[2]
    m = re.search(r'name="form_token" value="([0-9a-f]+)">\s*<input type="hidden"'
                  r' name="action" value="score"', page)
    return m.group(1) if m else None


def test_self_scoring():
    tok = register("boulder", "Dee Rock", "dee@example.org")
    form = score_form_token(tok)
    assert form, "no score form on a self-scoring entry's page"
    for value in ("5", "5"):  # the same form twice: one score
        status, hdrs, body = post(f"/rsvp/{tok}", {"form_token": form, "action": "score",
                                                   "value": value})
        assert_status(status, 303, "self-score", body)
        assert hdrs["location"].endswith("?done=scored")
    rid = entry_of(tok)[0]
    assert site().query_one("SELECT count(*), sum(value) FROM score WHERE entry_id = ?",
                            (rid,)) == (1, 5000)
    for bad in ("-1", "1e309", "NaN", "abc", "1.2345", ""):
        status, _, body = post(f"/rsvp/{tok}", {"form_token": score_form_token(tok),
                                                "action": "score", "value": bad})
        assert_status(status, 400, f"self-score {bad!r}", body)
    # Without self-scoring there is no form, and a forged post is refused.
    cup = register("cup", "Eve Stone", "eve@example.org",
                   cup_division())
    assert score_form_token(cup) is None
    data, _ = board("boulder")
    row = [r for r in data["divisions"][0]["rows"] if r["entry"] == rid][0]
    assert (row["figure"], row["scores"]) == ("5", 1), row


# -- leaderboards ---------------------------------------------------------------

def test_leaderboard_ranks_ties_and_pages():
    ids = []
    for name in ("Ava", "Ben", "Col", "Dan"):
        ids.append(entry_of(register("jump", f"{name} Jones", f"{name}@example.org"))[0])
    for rid, value in zip(ids, ("5.5", "6", "5.5", "4.25")):
        status, _, out = api("jump", {"entry": rid, "value": value}, secrets.token_hex(8))
        assert_status(status, 201, f"score {value}", str(out))
    data, hdrs = board("jump")
    rows = data["divisions"][0]["rows"]
    assert [(r["rank"], r["figure"]) for r in rows] == [
        (1, "6 m"), (2, "5.5 m"), (2, "5.5 m"), (4, "4.25 m")], rows
    assert data["kind"] == "distance" and data["unit"] == "m"
    page = fetch("GET", "/events/jump/leaderboard")[2]
    assert 'http-equiv="refresh"' in page, "the board does not refresh"
    assert re.search(r'class="top top1"><td>1</td><td>\d+</td><td>Ben J\.</td>', page), page
    assert page.count('class="top top2"') == 2
    event_page = fetch("GET", "/events/jump")[2]
    assert "Ben J." in event_page and "Full leaderboard" in event_page
    # ETag: a 304 for the current version, a new one after a score.
    etag = hdrs["etag"]
    status, _, _ = fetch("GET", "/events/jump/leaderboard.json", headers={
        "If-None-Match": etag})
    assert status == 304, status
    api("jump", {"entry": ids[3], "value": "7"}, secrets.token_hex(8))
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        data, hdrs = board("jump")
        if hdrs["etag"] != etag:
            break
        time.sleep(0.2)
    assert hdrs["etag"] != etag, "the ETag did not change after a score"
    assert "x-cache" in hdrs, "leaderboard.json is not behind the microcache"
    assert data["divisions"][0]["rows"][0]["name"] == "Dan J."
    # Not a competition: no leaderboard.
    assert fetch("GET", "/events/potluck-picnic/leaderboard")[0] == 404


def board_ranks(page):
    """The (rank, bib) of each row of a leaderboard page, in order."""
    return [(int(r), int(b)) for r, b in
            re.findall(r"<tr(?: class=\"[^\"]*\")?><td>(\d+)</td><td>(\d+)</td>", page)]


def test_leaderboard_pages_of_a_large_field():
    # 250 runners: pages of 100, ranks of the whole field, and every row once.
    page = fetch("GET", "/events/field/leaderboard")[2]
    assert board_ranks(page) == [(r, 251 - r) for r in range(1, 101)], board_ranks(page)[:5]
    assert "Rows 1–100 of 250." in page, harness.alerts(page)
    assert 'href="/events/field/leaderboard?division=0&amp;from=100">Later rows' in page
    assert "Earlier rows" not in page
    seen = []
    for start in (0, 100, 200):
        status, _, page = fetch("GET", f"/events/field/leaderboard?division=0&from={start}")
        assert_status(status, 200, f"board from {start}", page)
        seen += board_ranks(page)
        assert f'data-from="{start}" data-count="100"' in page, "board.js cannot find its window"
        assert ("Earlier rows" in page) == (start > 0), start
        assert ("Later rows" in page) == (start < 200), start
    assert seen == [(r, 251 - r) for r in range(1, 251)], "a row is missing or repeated"
    assert "Rows 201–250 of 250." in page
    # A division that is not there is the first page; past the end, a way back.
    page = fetch("GET", "/events/field/leaderboard?division=7&from=100")[2]
    assert board_ranks(page)[0] == (1, 250)
    status, _, page = fetch("GET", "/events/field/leaderboard?division=0&from=9999")
    assert status == 200 and board_ranks(page) == [] and "No rows this far down." in page
    assert 'href="/events/field/leaderboard?division=0&amp;from=0">' in page
    # The JSON and the organisers' board: the JSON is whole, the admin board pages too.
    data, _ = board("field")
    assert len(data["divisions"][0]["rows"]) == FIELD_ENTRIES
    cookie = login("boss")
    page = site().fetch("GET", "/admin/events/field/leaderboard?division=0&from=100",
                        cookie=cookie)[2]
    assert board_ranks(page)[0] == (101, 150) and len(board_ranks(page)) == 100
    assert "/admin/events/field/leaderboard?division=0&amp;from=200" in page


def public_board(slug, etag=None):
    """leaderboard.json as the public gets it once nginx's microcache (at most
    a second old) has caught up with a change: waits until the ETag is not etag."""
    deadline = time.monotonic() + 3
    while True:
        data, hdrs = board(slug)
        if hdrs["etag"] != etag or time.monotonic() > deadline:
            return data, hdrs
        time.sleep(0.2)


def board_post(cookie, slug, action, token=None, want=303):
    """The organiser's freeze / unfreeze / publish form; the page it came from."""
    page = site().fetch("GET", f"/admin/events/{slug}/leaderboard", cookie=cookie)[2]
    fields = {"csrf": harness.csrf_of(page), "action": action,
              "form_token": token or harness.form_token(page)}
    status, hdrs, body = site().post_form(f"/admin/events/{slug}/leaderboard", fields, cookie)
    assert_status(status, want, f"{action} the board", body)
    return fields


def standings(data):
    return [(r["rank"], r["name"], r["figure"]) for r in data["divisions"][0]["rows"]]


def test_freeze_and_publish():
    org, keeper = login("org"), login("keeper")
    ids = [entry_of(register("league", f"{n} Lee", f"{n}@example.org"))[0]
           for n in ("Amy", "Bo", "Cal")]
    for rid, value in zip(ids, ("5", "3")):
        assert api("league", {"entry": rid, "value": value}, secrets.token_hex(8))[0] == 201
    live, hdrs = board("league")
    assert live["state"] == "live" and live["notice"] is None, live
    before = standings(live)
    # Freeze (a double submit freezes once), by the organiser only.
    fields = board_post(org, "league", "freeze")
    status, _, _ = site().post_form("/admin/events/league/leaderboard", fields, org)
    assert status == 303, status
    assert site().query("SELECT action, actor FROM board_log") == [("freeze", "org")]
    status, _, body = site().post_form("/admin/events/league/leaderboard", fields, keeper)
    assert status == 403, status
    frozen, fhdrs = public_board("league", hdrs["etag"])
    assert frozen["state"] == "frozen" and re.match(r"\d{4}-\d\d-\d\dT", frozen["frozen_at"])
    assert re.match(r"Frozen at \w{3} \d+ \w{3}( \d{4})?, \d\d:\d\d \([A-Za-z0-9_/+-]+\):",
                    frozen["notice"]), frozen["notice"]
    assert standings(frozen) == before
    # A score after the freeze moves the live board, not the public one.
    assert api("league", {"entry": ids[2], "value": "9"}, secrets.token_hex(8))[0] == 201
    time.sleep(1.2)  # past the microcache's second
    data, hdrs = board("league")
    assert hdrs["etag"] == fhdrs["etag"] and standings(data) == before, standings(data)
    status, _, _ = fetch("GET", "/events/league/leaderboard.json",
                         headers={"If-None-Match": fhdrs["etag"]})
    assert status == 304, status
    page = fetch("GET", "/events/league/leaderboard")[2]
    assert "Frozen at" in page and not re.search(r"<td>1</td><td>\d+</td><td>Cal L\.", page)
    assert "Frozen at" in fetch("GET", "/events/league")[2]
    for cookie in (org, keeper):  # the live board for organisers and scorekeepers
        status, _, page = site().fetch("GET", "/admin/events/league/leaderboard", cookie=cookie)
        assert_status(status, 200, "the live board", page)
        assert re.search(r'class="top top1"><td>1</td><td>\d+</td><td>Cal L\.</td>', page)
        assert "is frozen at" in page
        assert ('value="unfreeze"' in page) == (cookie is org), "buttons for the wrong role"
    # Wrong state or action: refused, nothing changed.
    board_post(org, "league", "freeze", want=409)
    board_post(org, "league", "melt", want=400)
    assert len(site().query("SELECT 1 FROM board_log")) == 1
    # Unfreeze: the live standings, a new ETag.
    board_post(org, "league", "unfreeze")
    data, hdrs = public_board("league", fhdrs["etag"])
    assert data["state"] == "live" and standings(data)[0][:2] == (1, "Cal L."), data
    # Freeze, score, publish: the final results are the live standings.
    board_post(org, "league", "freeze")
    frozen, fhdrs = public_board("league", hdrs["etag"])
    assert api("league", {"entry": ids[1], "value": "8"}, secrets.token_hex(8))[0] == 201
    board_post(org, "league", "publish")
    final, _ = public_board("league", fhdrs["etag"])
    assert final["state"] == "final" and final["notice"] == "Final results.", final
    assert standings(final) == [(1, "Bo L.", "11"), (2, "Cal L.", "9"), (3, "Amy L.", "5")]
    assert "Final results." in fetch("GET", "/events/league/leaderboard")[2]
    board_post(org, "league", "freeze", want=409)
    board_post(org, "league", "unfreeze", want=409)
    assert site().query("SELECT action, actor FROM board_log ORDER BY id") == [
        ("freeze", "org"), ("unfreeze", "org"), ("freeze", "org"), ("publish", "org")]
    page = site().fetch("GET", "/admin/events/league/leaderboard", cookie=org)[2]
    assert "Final results published by org" in page and 'value="freeze"' not in page


def test_leaderboard_refresh_without_and_with_script():
    page = fetch("GET", "/events/jump/leaderboard")[2]
    head = page.split("</head>")[0]
    # The reload is for browsers without JavaScript; with it board.js updates in place.
    assert re.search(r'<noscript><meta http-equiv="refresh" content="\d+"></noscript>', head)
    assert not re.search(r'(?<!<noscript>)<meta http-equiv="refresh"', head), head
    assert '<script src="/static/board.js" defer></script>' in head
    assert 'href="/events/jump/leaderboard?refresh=off"' in page and "refreshes every" in page
    paused = fetch("GET", "/events/jump/leaderboard?refresh=off")[2]
    assert "http-equiv" not in paused and "/static/board.js" not in paused, paused.split("</head>")[0]
    assert "paused" in paused and 'href="/events/jump/leaderboard"' in paused
    status, _, js = fetch("GET", "/static/board.js")
    assert status == 200 and "If-None-Match" in js


# -- the scores API -------------------------------------------------------------

def test_api_auth_and_key_required():
    rid = entry_of(register("race", "Fay Fast", "fay@example.org"))[0]
    body = {"entry": rid, "value": "4:05.3"}
    before = scores_count("race")
    status, hdrs, out = api("race", body, "k", token=False)
    assert status == 401 and "bearer" in hdrs.get("www-authenticate", "").lower(), status
    assert api("race", body, "k", token="0" * 64)[0] == 401
    assert api("race", body, "k", token=TOKENS["cup"])[0] == 401  # another event's
    assert api("race", body, "k", extra={"Authorization": "Basic eDp5"}, token=False)[0] == 401
    status, _, out = api("race", body)
    assert status == 400 and "Idempotency-Key" in out["error"], (status, out)
    assert api("race", body, "x" * 201)[0] == 400
    assert api("race", "entry=1", "k", ctype="application/x-www-form-urlencoded")[0] == 415
    assert api("race", "entry=1", "k", ctype="text/plain")[0] == 415
    # And JSON only where a route takes it.
    status, _, _ = fetch("POST", "/events/race/rsvp", json.dumps({"name": "J"}),
                         {"Content-Type": "application/json"})
    assert status == 415, status
    assert scores_count("race") == before, "a refused request added a score"
    # A revoked token is refused.
    tok = admin(site().data, "api-token", "race", "temp")
    tid = site().query_one("SELECT max(id) FROM api_token")[0]
    assert api("race", body, secrets.token_hex(8), token=tok)[0] == 201
    admin(site().data, "api-token", "race", "revoke", str(tid))
    assert api("race", body, secrets.token_hex(8), token=tok)[0] == 401


def test_api_replay_and_other_body():
    rid = entry_of(register("race", "Gil Quick", "gil@example.org"))[0]
    key = secrets.token_hex(16)
    first = api("race", {"entry": rid, "value": "4:05.3"}, key)
    assert first[0] == 201, first
    assert first[2]["score"]["value"] == "4:05.3" and first[2]["entry"]["best"] == "4:05.3"
    again = api("race", {"entry": rid, "value": "4:05.3"}, key)
    assert (again[0], again[2]) == (first[0], first[2]), (first, again)
    assert again[1].get("idempotent-replayed") == "true"
    status, _, out = api("race", {"entry": rid, "value": "3:59"}, key)
    assert status == 422 and "another body" in out["error"], (status, out)
    assert site().query_one("SELECT count(*) FROM score WHERE entry_id = ?", (rid,))[0] == 1
    # A refusal is replayed too: round 1 is taken (409), twice.
    key2 = secrets.token_hex(16)
    one = api("race", {"entry": rid, "value": "4:00", "round": 1}, key2)
    two = api("race", {"entry": rid, "value": "4:00", "round": 1}, key2)
    assert one[0] == two[0] == 409 and one[2] == two[2], (one, two)
    # By bib, the next round; then past the last round: 422.
    bib = entry_of_id(rid)
    assert api("race", {"bib": bib, "value": "4:01"}, secrets.token_hex(8))[0] == 201
    assert api("race", {"bib": bib, "value": "4:02"}, secrets.token_hex(8))[0] == 422


def entry_of_id(rid):
    return site().query_one("SELECT bib FROM entry WHERE rsvp_id = ?", (rid,))[0]


def test_api_bad_input():
    rid = entry_of(register("race", "Hal Slow", "hal@example.org"))[0]
    other = site().query_one("SELECT min(rsvp_id) FROM entry WHERE event_id = ?",
                             (event_id("cup"),))[0]
    before = scores_count("race")
    cases = [
        ("malformed time", {"entry": rid, "value": "1:75"}, 400),
        ("too many parts", {"entry": rid, "value": "1:02:03:04"}, 400),
        ("negative", {"entry": rid, "value": "-4:00"}, 400),
        ("negative number", {"entry": rid, "value": -1}, 400),
        ("1e309", '{"entry": %d, "value": 1e309}' % rid, 400),
        ("NaN", '{"entry": %d, "value": NaN}' % rid, 400),
        ("invalid JSON", '{"entry": %d, "value": "4:00"' % rid, 400),
        ("not an object", '[1, 2]', 400),
        ("nested", {"entry": rid, "value": {"v": 1}}, 400),
        ("unknown field", {"entry": rid, "value": "4:00", "x": 1}, 400),
        ("entry and bib", {"entry": rid, "bib": 1, "value": "4:00"}, 400),
        ("no value", {"entry": rid}, 400),
        ("duplicate member", '{"entry": %d, "entry": %d, "value": "4:00"}' % (rid, rid), 400),
        ("round 0", {"entry": rid, "value": "4:00", "round": 0}, 400),
        ("entry as string", {"entry": str(rid), "value": "4:00"}, 400),
        ("unknown entry", {"entry": 999999, "value": "4:00"}, 404),
        ("another competition's entry", {"entry": other, "value": "4:00"}, 404),
        ("oversized body", {"entry": rid, "value": "4:00", "pad": "x" * 2000}, 413),
        ("absurd value", {"entry": rid, "value": "999:00:00"}, 400),
    ]
    wrong = []
    for what, body, want in cases:
        status, _, out = api("race", body, secrets.token_hex(8))
        if status != want or not isinstance(out, dict) or "error" not in out:
            wrong.append(f"{what}: {status} {out!r}, want {want} with an error")
    assert not wrong, "\n".join(wrong)
    assert scores_count("race") == before, "bad input added a score"
    # A waitlisted entry (race has 3 places) scores nothing: 422.
    for i in range(4):
        register("race", f"Wai Ter{i}", f"wait{i}@example.org")
    wait = site().query_one("SELECT e.rsvp_id FROM entry e JOIN rsvp r ON r.id = e.rsvp_id"
                            " WHERE r.status = 'waitlisted' AND e.event_id = ?",
                            (event_id("race"),))[0]
    assert api("race", {"entry": wait, "value": "4:00"}, secrets.token_hex(8))[0] == 422


# -- roles and the scorekeeper's page ----------------------------------------------

def login(name):
    """A session cookie of account name (one login per account)."""
    if name not in _logins:
        _logins[name] = site().admin_login(name, PASSWORD,
                                           source=f"127.0.9.{2 + len(_logins)}")
    return _logins[name]


def admin_routes():
    """(methods, path, flags) of every admin route, from cgi-bin/route.c."""
    with open(os.path.join(harness.SRC, "cgi-bin", "route.c")) as f:
        text = f.read()
    return [(m, p, set(re.findall(r"RF_\w+", fl))) for m, p, fl in re.findall(
        r'\{ (M_[A-Z_ |]+), "(/admin[^"]*)", h_\w+,\s*([A-Z_ |]+)[,}]', text)]


def test_every_admin_route_with_every_role():
    routes = admin_routes()
    assert len(routes) > 20, routes
    wrong = []
    for name in USERS:
        cookie = login(name)
        for methods, pattern, flags in routes:
            if "RF_ADMIN" not in flags:
                continue
            path = pattern.replace("{slug}", "cup")
            keeper = USERS[name] == "scorekeeper"
            allowed = USERS[name] == "admin" or "RF_ADMIN_ROLE" not in flags and (
                not keeper or "RF_ANY_ROLE" in flags or (
                    "RF_SCOREKEEPER" in flags and name == "keeper"))
            method = "GET" if "M_GET" in methods else "POST"
            if method == "POST" and path == "/admin/logout":
                continue  # would end the session the other cases use
            csrf = harness.csrf_of(site().fetch("GET", "/admin/competitions", cookie=cookie)[2])
            body = urllib.parse.urlencode({"csrf": csrf}) if method == "POST" else None
            status, _, page = site().fetch(method, path, body, cookie,
                                           FORM if body else None)
            refused = status == 403 and ("keeps the scores" in page or
                                         "Only an admin manages accounts" in page)
            if allowed == refused or status >= 500:
                wrong.append(f"{name} ({USERS[name]}) {method} {path}: {status}")
    assert not wrong, "\n".join(wrong)


def accounts(cookie, fields, want, what):
    """POST a form of /admin/accounts; the answer's body."""
    page = site().fetch("GET", "/admin/accounts", cookie=cookie)[2]
    status, hdrs, body = site().post_form("/admin/accounts",
                                          {"csrf": harness.csrf_of(page), **fields}, cookie)
    assert_status(status, want, what, body)
    if want == 303:
        assert hdrs["location"].startswith("/admin/accounts?done="), hdrs
    return body


def account(name):
    """(role, last login, disabled at, sessions) of account name, or None."""
    return site().query_one(
        "SELECT role, last_login_at, disabled_at, (SELECT count(*) FROM session s"
        " WHERE s.user_id = u.id) FROM admin_user u WHERE name = ?", (name,))


def test_accounts_page():
    boss = login("boss")
    status, _, page = site().fetch("GET", "/admin/accounts", cookie=boss)
    assert_status(status, 200, "the accounts page", page)
    for name, role in USERS.items():
        assert re.search(rf'id="account-{name}">.*?<option selected>{role}</option>', page,
                         re.S), f"{name} ({role}) is not listed with its role"
    assert "never" not in re.search(r'id="account-boss">.*?</tr>', page, re.S).group(0)
    assert 'href="/admin/accounts"' in site().fetch("GET", "/admin", cookie=boss)[2]
    assert 'href="/admin/accounts"' not in site().fetch("GET", "/admin", cookie=login("org"))[2]
    # Only admins: organisers and scorekeepers get 403 (with why), and change nothing.
    for who in ("org", "keeper"):
        status, _, page = site().fetch("GET", "/admin/accounts", cookie=login(who))
        assert status == 403 and "Only an admin" in page, (who, status)
        page = site().fetch("GET", "/admin/competitions", cookie=login(who))[2]
        status, _, _ = site().post_form("/admin/accounts", {
            "csrf": harness.csrf_of(page), "action": "role", "name": who, "role": "admin"},
            login(who))
        assert status == 403 and account(who)[0] == USERS[who], (who, status)
    # Add: the password rules of turnout-admin user add, a valid name; nothing on refusal.
    page = site().fetch("GET", "/admin/accounts", cookie=boss)[2]
    token = harness.form_token(page)
    new = {"action": "add", "form_token": token, "name": "newbie", "role": "scorekeeper",
           "password": PASSWORD}
    for bad, why in (({"password": "short"}, "at least 10 characters"),
                     ({"password": None}, "please give one"),
                     ({"name": "New Bie"}, "A name is"), ({"name": "x" * 65}, "A name is"),
                     ({"role": "root"}, "choose a role"), ({"form_token": "00"}, "")):
        body = accounts(boss, {**new, **bad}, 400, f"add with {bad}")
        assert why in alerts(body)[0], (bad, alerts(body))
        assert account("newbie") is None
    for _ in range(2):  # a double click: one account
        accounts(boss, new, 303, "add newbie")
    assert account("newbie")[:3] == ("scorekeeper", None, None)
    body = accounts(boss, dict(new, form_token=site().forge_form_token(int(time.time()),
                                                                       "account")),
                    409, "add a taken name")
    assert "already an account" in alerts(body)[0]
    newbie = site().admin_login("newbie", PASSWORD, source="127.0.9.40")
    assert account("newbie")[1] is not None, "the login's time is not kept"
    # Assign a competition (twice: once); a scorekeeper then keeps its scores.
    assert site().fetch("GET", "/admin/events/cup/scores", cookie=newbie)[0] == 403
    for _ in range(2):
        accounts(boss, {"action": "assign", "name": "newbie", "slug": "cup"}, 303, "assign")
    assert site().fetch("GET", "/admin/events/cup/scores", cookie=newbie)[0] == 200
    page = site().fetch("GET", "/admin/accounts", cookie=boss)[2]
    assert re.search(r'id="account-newbie">.*?href="/admin/events/cup/scores"', page, re.S)
    accounts(boss, {"action": "assign", "name": "newbie", "slug": "nope"}, 400,
             "assign to no competition")
    accounts(boss, {"action": "unassign", "name": "newbie", "slug": "cup"}, 303, "unassign")
    assert site().fetch("GET", "/admin/events/cup/scores", cookie=newbie)[0] == 403
    # A role change applies to the account's open session at once.
    accounts(boss, {"action": "role", "name": "newbie", "role": "organiser"}, 303, "role")
    assert site().fetch("GET", "/admin/events/cup/edit", cookie=newbie)[0] == 200
    accounts(boss, {"action": "role", "name": "newbie", "role": "boss"}, 400, "a bad role")
    accounts(boss, {"action": "role", "name": "nobody", "role": "admin"}, 404, "no account")
    # No lockout of yourself.
    for change in ({"action": "role", "role": "organiser"}, {"action": "disable"},
                   {"action": "remove", "confirm": "1"}):
        body = accounts(boss, {"name": "boss", **change}, 400, f"{change} of yourself")
        assert "another admin can" in alerts(body)[0]
    assert account("boss")[:1] == ("admin",) and account("boss")[2] is None
    # Disable: its session ends at once and it cannot log in; enable again.
    accounts(boss, {"action": "disable", "name": "newbie"}, 303, "disable")
    assert account("newbie")[2] is not None and account("newbie")[3] == 0
    status, hdrs, _ = site().fetch("GET", "/admin/events/cup/edit", cookie=newbie)
    assert status == 303 and hdrs["location"] == "/admin/login", status
    status, _, _ = site().post_form("/admin/login", {
        "form_token": site().admin_login_token(), "name": "newbie", "password": PASSWORD},
        source="127.0.9.41")
    assert status == 403, "a disabled account logged in"
    accounts(boss, {"action": "enable", "name": "newbie"}, 303, "enable")
    newbie = site().admin_login("newbie", PASSWORD, source="127.0.9.42")
    # Remove: confirmed only; its sessions go with it; twice is once.
    accounts(boss, {"action": "remove", "name": "newbie"}, 400, "remove unconfirmed")
    assert account("newbie") is not None
    for _ in range(2):
        accounts(boss, {"action": "remove", "name": "newbie", "confirm": "1"}, 303, "remove")
    assert account("newbie") is None
    assert site().fetch("GET", "/admin/events/cup/edit", cookie=newbie)[0] == 303
    # The last admin who can log in stays, from turnout-admin too.
    out = subprocess.run([harness.ADMIN, "user", "role", "boss", "organiser"],
                         env=dict(os.environ, TURNOUT_DATA=site().data), capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 1 and "last admin" in out.stderr, out
    assert account("boss")[0] == "admin"


def scores_page(cookie, slug="cup", q=""):
    status, _, page = site().fetch("GET", f"/admin/events/{slug}/scores?q={q}", cookie=cookie)
    assert_status(status, 200, "the scores page", page)
    return page


def void_token(page, score_id):
    """The form token of the void form of score score_id on a scores page."""
    return re.search(rf'name="form_token" value="([0-9a-f]+)">\s*<input type="hidden"'
                     rf' name="action" value="void">\s*<input type="hidden" name="score"'
                     rf' value="{score_id}"', page).group(1)


def test_scorekeeper_enters_voids_and_corrects():
    cookie = login("keeper")
    tok = register("cup", "Ida Quill", "ida@example.org",
                   cup_division())
    rid, bib = entry_of(tok)[:2]
    page = scores_page(cookie, q=str(bib))
    assert f'name="entry" value="{rid}"' in page, "the search by bib misses the entrant"
    assert "API tokens" not in page, "a scorekeeper sees the API tokens"
    assert f'name="entry" value="{rid}"' in scores_page(cookie, q="quill")
    form = re.search(r'name="form_token" value="([0-9a-f]+)">\s*<input type="hidden"'
                     r' name="action" value="score">\s*<input type="hidden" name="entry"'
                     rf' value="{rid}"', page).group(1)
    fields = {"csrf": harness.csrf_of(page), "form_token": form, "action": "score",
              "entry": str(rid), "value": "7.5"}
    for _ in range(2):  # a double tap: one score
        status, hdrs, body = site().post_form("/admin/events/cup/scores", fields, cookie)
        assert_status(status, 303, "a scorekeeper's score", body)
    assert site().query_one("SELECT count(*), sum(value) FROM score WHERE entry_id = ?",
                            (rid,)) == (1, 7500)
    assert site().query_one("SELECT source, created_by FROM score WHERE entry_id = ?",
                            (rid,)) == ("scorekeeper", "keeper")
    page = scores_page(cookie)
    bad = dict(fields, form_token=harness.form_tokens(page)[0], value="-3")
    status, _, body = site().post_form("/admin/events/cup/scores", bad, cookie)
    assert_status(status, 400, "a negative score", body)
    # A correction, then a void: the aggregates follow.
    sid = site().query_one("SELECT id FROM score WHERE entry_id = ?", (rid,))[0]
    void = void_token(page, sid)
    status, _, body = site().post_form("/admin/events/cup/scores", {
        "csrf": harness.csrf_of(page), "form_token": void, "action": "void",
        "score": str(sid), "reason": "misread", "value": "8"}, cookie)
    assert_status(status, 303, "a correction", body)
    assert site().query_one("SELECT scores, total, best FROM entry WHERE rsvp_id = ?",
                            (rid,)) == (1, 8000, 8000)
    page = scores_page(cookie)
    new = site().query_one("SELECT max(id) FROM score WHERE entry_id = ?", (rid,))[0]
    void = void_token(page, new)
    status, _, body = site().post_form("/admin/events/cup/scores", {
        "csrf": harness.csrf_of(page), "form_token": void, "action": "void",
        "score": str(new), "reason": "false start"}, cookie)
    assert_status(status, 303, "a void", body)
    assert site().query_one("SELECT scores, total, best FROM entry WHERE rsvp_id = ?",
                            (rid,)) == (0, 0, None)
    assert not aggregate_problems()
    status, hdrs, csv = site().fetch("GET", "/admin/events/cup/scores.csv", cookie=cookie)
    assert status == 200 and "misread" in csv and "false start" in csv, (status, csv[:300])
    # The analytics log has each of them, with who did it: the entry's history.
    status, _, page = site().fetch("GET", f"/admin/events/cup/stats?entry={rid}",
                                   cookie=login("org"))
    assert_status(status, 200, "the entry's history", page)
    rows = re.findall(r"<tr><td>[^<]+</td><td><a [^>]+>#\d+ ([^<]+)</a></td><td>([^<]+)</td>"
                      r"<td>(\d+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>", page)
    assert rows == [("Ida Q.", "void: false start", "1", "8", "keeper"),
                    ("Ida Q.", "correct", "1", "8", "keeper"),
                    ("Ida Q.", "void: misread", "1", "7.5", "keeper"),
                    ("Ida Q.", "score", "1", "7.5", "keeper")], rows
    page = site().fetch("GET", "/admin/events/cup/stats", cookie=login("org"))[2]
    assert "Score log" in page and "false start" in page
    # The other scorekeeper keeps race's scores, not cup's.
    assert site().fetch("GET", "/admin/events/cup/scores", cookie=login("other"))[0] == 403
    assert site().fetch("GET", "/admin/events/race/scores", cookie=login("other"))[0] == 200


def test_organiser_makes_and_revokes_api_tokens():
    cookie = login("org")
    page = scores_page(cookie, "jump")
    form = re.search(r'action="/admin/events/jump/api-tokens">\s*<input type="hidden"'
                     r' name="csrf" value="[0-9a-f]+">\s*<input type="hidden"'
                     r' name="form_token" value="([0-9a-f]+)">\s*<input type="hidden"'
                     r' name="action" value="new"', page).group(1)
    status, _, body = site().post_form("/admin/events/jump/api-tokens", {
        "csrf": harness.csrf_of(page), "form_token": form, "action": "new",
        "label": "pit"}, cookie)
    assert_status(status, 200, "a new token", body)
    tok = re.search(r'<code class="token">([0-9a-f]{64})</code>', body).group(1)
    assert tok not in scores_page(cookie, "jump"), "the token is shown twice"
    assert not site().query("SELECT 1 FROM api_token WHERE hex(token_hash) LIKE ?",
                            (f"%{tok.upper()}%",)), "the token is stored in clear"
    rid = site().query_one("SELECT min(rsvp_id) FROM entry WHERE event_id = ?",
                           (event_id("jump"),))[0]
    assert api("jump", {"entry": rid, "value": 1}, secrets.token_hex(8), token=tok)[0] == 201
    tid = site().query_one("SELECT id FROM api_token WHERE label = 'pit'")[0]
    page = scores_page(cookie, "jump")
    status, _, body = site().post_form("/admin/events/jump/api-tokens", {
        "csrf": harness.csrf_of(page), "form_token": form, "action": "revoke",
        "id": str(tid)}, cookie)
    assert_status(status, 303, "revoke", body)
    assert api("jump", {"entry": rid, "value": 1}, secrets.token_hex(8), token=tok)[0] == 401
    # Scorekeepers cannot make tokens.
    keeper = login("keeper")
    status, _, body = site().post_form("/admin/events/cup/api-tokens", {
        "csrf": harness.csrf_of(scores_page(keeper)), "action": "new", "label": "x"}, keeper)
    assert status == 403, status


# -- competition settings on the admin page ------------------------------------------

def settings(cookie, slug, fields, want, what):
    """POST a form of the competition page; the answer's body."""
    page = site().fetch("GET", f"/admin/events/{slug}/competition", cookie=cookie)[2]
    status, hdrs, body = site().post_form(f"/admin/events/{slug}/competition",
                                          {"csrf": harness.csrf_of(page), **fields}, cookie)
    assert_status(status, want, what, body)
    if want == 303:
        assert hdrs["location"].startswith(f"/admin/events/{slug}/competition?done="), hdrs
    return body


def quiz():
    """quiz's competition row and divisions (name by id)."""
    eid = event_id("quiz")
    return (site().query_one("SELECT kind, rule, unit, rounds, self_scoring, closed"
                             " FROM competition WHERE event_id = ?", (eid,)),
            dict(site().query("SELECT id, name FROM division WHERE event_id = ?"
                              " ORDER BY position, id", (eid,))))


def keeper_score(cookie, slug, entry, value, rnd=None):
    """A score through the scores page's form (status, body)."""
    page = scores_page(cookie, slug)
    status, _, body = site().post_form(f"/admin/events/{slug}/scores", {
        "csrf": harness.csrf_of(page), "action": "score", "entry": str(entry),
        "value": value, "round": rnd,
        "form_token": site().forge_form_token(int(time.time()), f"score:{slug}")}, cookie)
    return status, body


def test_competition_settings_form():
    org = login("org")
    status, _, page = site().fetch("GET", "/admin/events/quiz/competition", cookie=org)
    assert_status(status, 200, "the competition page of a plain event", page)
    assert "Make it a competition" in page
    assert quiz()[0] is None
    rules = {"action": "rules", "kind": "time", "rule": "best", "unit": "", "rounds": "3"}
    # Bad input: 400 with the reason, nothing made.
    for bad, why in (({"kind": "banana"}, "score kind"), ({"rule": "median"}, "ranking rule"),
                     ({"rounds": "0"}, "Rounds"), ({"rounds": "101"}, "rounds"),
                     ({"rounds": "2x"}, "rounds"), ({"unit": "u" * 17}, "unit"),
                     ({"self_scoring": "yes"}, "Self-scoring")):
        body = settings(org, "quiz", {**rules, **bad}, 400, f"rules with {bad}")
        assert any(why in a for a in alerts(body)), (bad, alerts(body))
    assert quiz()[0] is None
    settings(org, "quiz", rules, 303, "make it a competition")
    settings(org, "quiz", rules, 303, "the same rules again (a double click)")
    assert quiz() == (("time", "best", "", 3, 0, 0), {})
    # Divisions: add (twice: once), rename, a taken name refused.
    for name in ("Open", "Kids", "Open"):
        settings(org, "quiz", {"action": "division_add", "name": name}, 303, f"add {name}")
    divs = quiz()[1]
    assert list(divs.values()) == ["Open", "Kids"], divs
    kids = next(i for i, n in divs.items() if n == "Kids")
    opened = next(i for i, n in divs.items() if n == "Open")
    settings(org, "quiz", {"action": "division_rename", "id": str(kids), "name": "Juniors"},
             303, "rename")
    body = settings(org, "quiz", {"action": "division_rename", "id": str(kids),
                                  "name": "Open"}, 409, "rename to a taken name")
    assert "already has that name" in alerts(body)[0]
    settings(org, "quiz", {"action": "division_add", "name": ""}, 400, "an empty name")
    assert list(quiz()[1].values()) == ["Open", "Juniors"]
    # An entrant and a score in round 2: the kind, rule and unit are fixed now.
    tok = register("quiz", "Quinn Ash", "quinn@example.org", str(opened))
    rid = entry_of(tok)[0]
    status, body = keeper_score(org, "quiz", rid, "1:02.5", 2)
    assert_status(status, 303, "a score in round 2", body)
    for change in ({"kind": "points"}, {"rule": "total"}, {"unit": "s"}, {"rounds": "1"}):
        body = settings(org, "quiz", {**rules, **change}, 409, f"rules with {change}")
        assert "has scores" in alerts(body)[0] and "at least 2 round" in alerts(body)[0], \
            alerts(body)
    assert quiz()[0] == ("time", "best", "", 3, 0, 0), "a refused change changed the rules"
    page = site().fetch("GET", "/admin/events/quiz/competition", cookie=org)[2]
    assert 'name="kind"' not in page and "These are fixed" in page
    # The fixed rules are not sent: rounds and self-scoring still change.
    settings(org, "quiz", {"action": "rules", "rounds": "2", "self_scoring": "1"}, 303,
             "rounds down to the highest round scored, self-scoring on")
    assert quiz()[0] == ("time", "best", "", 2, 1, 0)
    # A division with an entry stays; an unused one goes (twice: once).
    body = settings(org, "quiz", {"action": "division_remove", "id": str(opened)}, 409,
                    "remove a division with an entry")
    assert "has entries" in alerts(body)[0]
    for _ in range(2):
        settings(org, "quiz", {"action": "division_remove", "id": str(kids)}, 303,
                 "remove the unused division")
    assert list(quiz()[1].values()) == ["Open"]
    # Close scoring (twice: closed), a score is refused; reopen.
    for _ in range(2):
        settings(org, "quiz", {"action": "close"}, 303, "close scoring")
    assert quiz()[0][5] == 1
    assert keeper_score(org, "quiz", rid, "1:00", 1)[0] == 422
    settings(org, "quiz", {"action": "reopen"}, 303, "reopen scoring")
    assert quiz()[0][5] == 0
    assert keeper_score(org, "quiz", rid, "1:00", 1)[0] == 303
    # The registration deadline, through the event's own save (optimistic lock).
    version = site().query_one("SELECT edit_version FROM event WHERE slug = 'quiz'")[0]
    when = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() + 3 * DAY))
    settings(org, "quiz", {"action": "deadline", "rsvp_closes": when,
                           "edit_version": str(version)}, 303, "the deadline")
    closes = site().query_one("SELECT rsvp_closes_at FROM event WHERE slug = 'quiz'")[0]
    assert time.strftime("%Y-%m-%dT%H:%M", time.gmtime(closes)) == when
    settings(org, "quiz", {"action": "deadline", "rsvp_closes": "soon",
                           "edit_version": str(version + 1)}, 400, "a deadline that is no time")
    other = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() + 4 * DAY))
    settings(org, "quiz", {"action": "deadline", "rsvp_closes": other,
                           "edit_version": str(version)}, 409, "a deadline on a stale form")
    assert site().query_one("SELECT rsvp_closes_at FROM event WHERE slug = 'quiz'")[0] == closes
    settings(org, "quiz", {"action": "teleport"}, 400, "an unknown action")
    # No session's CSRF token: 403, nothing changed.
    status, _, _ = site().post_form("/admin/events/quiz/competition",
                                    {"action": "close"}, org)
    assert status == 403 and quiz()[0][5] == 0
    # turnout-admin does the same through the same functions.
    assert "added" in admin(site().data, "compete", "quiz", "division", "add", "Masters")
    assert "renamed" in admin(site().data, "compete", "quiz", "division", "rename", "Masters",
                              "Seniors")
    out = subprocess.run([harness.ADMIN, "compete", "quiz", "division", "remove", "Open"],
                         env=dict(os.environ, TURNOUT_DATA=site().data), capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 1 and "has entries" in out.stderr, out
    out = subprocess.run([harness.ADMIN, "compete", "quiz", "points", "best", "3"],
                         env=dict(os.environ, TURNOUT_DATA=site().data), capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 1 and "has scores" in out.stderr, out
    assert list(quiz()[1].values()) == ["Open", "Seniors"]
    assert quiz()[0][0] == "time"


# -- concurrency ----------------------------------------------------------------

def points(v):
    """Thousandths of a point as the site shows them: "12", "12.5"."""
    frac = f"{v % 1000:03d}".rstrip("0")
    return f"{v // 1000}" + (f".{frac}" if frac else "")


def fresh_board(slug):
    """leaderboard.json as of the database now (nginx's microcache may hold
    an answer up to a second old: wait it out, boundedly)."""
    want = site().query_one("SELECT version FROM competition WHERE event_id = ?",
                            (event_id(slug),))[0]
    for _ in range(10):
        data, _ = board(slug)
        if data["version"] == want:
            return data
        time.sleep(0.5)
    raise AssertionError(f"leaderboard.json of {slug} stays at version {data['version']},"
                         f" the database is at {want}")


class VoidSlot:
    """A void or correction sent once, twice or three times with one form
    token: the first copy to run picks an acknowledged API score nobody
    voids yet (waiting for one if need be), the others void that one too."""

    def __init__(self, token, reason, value):
        self.token, self.reason, self.value = token, reason, value
        self.score = None
        self.lock = threading.Lock()

    def target(self, acked):
        with self.lock:
            if self.score is None:
                self.score = acked.get(timeout=300)
            return self.score


def test_storm_of_submissions_replays_voids_and_corrections():
    """The issue's storm: 1 000 score submissions from 200 connections for 50
    entries, a fifth sent two or three times (API: same Idempotency-Key;
    scorekeeper form: same form token), with voids and corrections from the
    scorekeeper page among them (also sent twice at times). Scaled down under
    Valgrind to fit the suite's time limit."""
    slug = "storm"
    entries = [r for r, in site().query("SELECT rsvp_id FROM entry WHERE event_id = ?"
                                        " ORDER BY bib", (event_id(slug),))]
    unique, workers, nvoids = (200, 40, 16) if harness.VALGRIND else (1000, 200, 100)
    if harness.VALGRIND:
        diag(f"under Valgrind: scaled down to {unique} submissions from {workers}"
             f" connections with {nvoids} voids and corrections")
    nform = unique // 5
    rnd = secrets.SystemRandom()
    keeper = login("keeper")
    csrf = harness.csrf_of(scores_page(keeper, slug))
    copies = lambda i: 1 if i % 5 else rnd.choice((2, 3))  # noqa: E731
    jobs = []
    for i in range(unique - nform):
        job = ("api", secrets.token_hex(12), json.dumps(
            {"entry": entries[i % len(entries)], "value": str(rnd.randint(0, 500))}))
        jobs += [job] * copies(i)
    for i in range(nform):
        job = ("form", site().forge_form_token(int(time.time()), f"score:{slug}"),
               (entries[rnd.randrange(len(entries))], str(rnd.randint(0, 500))))
        jobs += [job] * copies(i)
    for i in range(nvoids):
        # Every other one a correction (a new value in the voided score's round).
        slot = VoidSlot(site().forge_form_token(int(time.time()), f"void:{slug}"),
                        f"storm void {i}", str(rnd.randint(0, 500)) if i % 2 else None)
        jobs += [("void", slot.token, slot)] * copies(i)
    rnd.shuffle(jobs)
    acked_ids = queue.Queue()

    def send(job):
        kind, token, what = job
        if kind == "api":
            status, hdrs, data = site().request(
                "POST", f"/api/events/{slug}/scores", what,
                {"Content-Type": "application/json",
                 "Authorization": f"Bearer {TOKENS[slug]}", "Idempotency-Key": token},
                timeout=120)
            if status == 201 and hdrs.get("idempotent-replayed") is None:
                acked_ids.put(json.loads(data)["score"]["id"])
            return job, status, data
        if kind == "form":
            fields = {"action": "score", "entry": str(what[0]), "value": what[1]}
        else:
            fields = {"action": "void", "score": str(what.target(acked_ids)),
                      "reason": what.reason, "value": what.value}
        body = urllib.parse.urlencode({"csrf": csrf, "form_token": token, **{
            k: v for k, v in fields.items() if v is not None}})
        status, hdrs, data = site().request(
            "POST", f"/admin/events/{slug}/scores", body,
            dict(FORM, Cookie=f"{harness.ADMIN_COOKIE}={keeper}"), timeout=120)
        return job, status, hdrs.get("location", data[:200])

    before = site().worker_reads()
    t = time.monotonic()
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(send, jobs))
    diag(f"{len(jobs)} requests ({unique} submissions, {nvoids} voids and corrections)"
         f" from {workers} connections in {time.monotonic() - t:.1f} s: "
         f"{dict(Counter((r[0][0], r[1]) for r in results))}")
    site().assert_overlapped(before, "concurrent score submissions")
    # Every answer, and every replay the first answer: one (status, body) per key or token.
    answers = defaultdict(set)
    for (kind, token, _), status, data in results:
        assert status in ((201, 503) if kind == "api" else (303, 503)), \
            f"{kind}: {status} {data[:200]!r}"
        if status != 503:
            answers[token].add((status, data))
    assert all(len(a) == 1 for a in answers.values()), \
        [a for a in answers.values() if len(a) > 1][:3]
    done = {job[1]: job for job, _, _ in results if job[1] in answers}
    eid = event_id(slug)
    # Every acknowledged API score is stored, once.
    api_ids = {json.loads(next(iter(answers[k]))[1])["score"]["id"]
               for k, j in done.items() if j[0] == "api"}
    stored = [i for i, in site().query(
        "SELECT id FROM score WHERE event_id = ? AND source = 'api'", (eid,))]
    assert len(stored) == len(set(stored)) == len(api_ids), (len(stored), len(api_ids))
    assert set(stored) == api_ids, "stored API scores differ from the acknowledged ones"
    # Every acknowledged form's score is stored, once (corrections are the
    # scorekeeper's too: the scores a void replaced).
    formed = Counter(j[2] for j in done.values() if j[0] == "form")
    stored = Counter(site().query(
        "SELECT entry_id, value FROM score WHERE event_id = ? AND source = 'scorekeeper'"
        " AND id NOT IN (SELECT replaced_by FROM score WHERE replaced_by IS NOT NULL)",
        (eid,)))
    assert stored == Counter({(e, int(v) * 1000): n for (e, v), n in formed.items()}), \
        "form scores differ from the acknowledged forms"
    # Every acknowledged void and correction is done, once; no other score is voided.
    voids = {j[2].score: j[2] for j in done.values() if j[0] == "void"}
    voided = {i: (reason, by, replaced) for i, reason, by, replaced in site().query(
        "SELECT id, void_reason, voided_by, replaced_by FROM score WHERE event_id = ?"
        " AND voided_at IS NOT NULL", (eid,))}
    assert set(voided) == set(voids), (len(voided), len(voids))
    for sid, slot in voids.items():
        reason, by, replaced = voided[sid]
        assert (reason, by) == (slot.reason, "keeper"), (sid, reason, by)
        if slot.value is None:
            assert replaced is None, f"void of {sid} replaced it"
            continue
        old = site().query_one("SELECT entry_id, round FROM score WHERE id = ?", (sid,))
        new = site().query_one("SELECT entry_id, round, value, voided_at FROM score"
                               " WHERE id = ?", (replaced,))
        assert new == (*old, int(slot.value) * 1000, None), (sid, old, new)
    # Every score, void and correction is in the analytics log once, with who did it.
    assert not site().query(
        "SELECT s.id FROM score s WHERE s.event_id = ?1 AND ((SELECT count(*) FROM rsvp_log l"
        " WHERE l.score_id = s.id AND l.actor IS s.created_by AND l.action = iif(s.id IN"
        " (SELECT replaced_by FROM score WHERE replaced_by IS NOT NULL), 'correct', 'score'))"
        " <> 1 OR (SELECT count(*) FROM rsvp_log l WHERE l.score_id = s.id AND l.action ="
        " 'void' AND l.actor IS s.voided_by) <> (s.voided_at IS NOT NULL))", (eid,))
    assert site().query_one("SELECT count(*) FROM rsvp_log WHERE event_id = ?"
                            " AND score_id IS NOT NULL", (eid,))[0] == \
        site().query_one("SELECT count(*) + count(voided_at) FROM score WHERE event_id = ?",
                         (eid,))[0]
    assert {a for a, in site().query("SELECT DISTINCT actor FROM rsvp_log WHERE event_id = ?"
                                     " AND score_id IS NOT NULL", (eid,))} == \
        {"keeper", f"api:timer-{slug}"}
    # Aggregates equal a recomputation from the stored live scores; the board's
    # average (the ranked figure, rounded) and ranks follow them exactly.
    assert not aggregate_problems(), aggregate_problems()[:5]
    live = defaultdict(list)
    for e, v in site().query("SELECT entry_id, value FROM score WHERE event_id = ?"
                             " AND voided_at IS NULL", (eid,)):
        live[e].append(v)
    data = fresh_board(slug)
    rows = data["divisions"][0]["rows"]
    assert sorted(r["entry"] for r in rows) == entries
    for r in rows:
        vals = live[r["entry"]]
        assert r["scores"] == len(vals), (r, vals)
        if not vals:
            assert r["rank"] is None or r["rank"] == 0, r
            continue
        avg = Fraction(sum(vals), len(vals))
        assert r["figure"] == points((2 * sum(vals) + len(vals)) // (2 * len(vals))), (r, avg)
        assert r["best"] == points(max(vals)), (r, vals)
        better = sum(1 for v in live.values() if v and Fraction(sum(v), len(v)) > avg)
        assert r["rank"] == better + 1, (r, better)
    assert site().query("PRAGMA integrity_check") == [("ok",)]


def test_database_consistent():
    assert not aggregate_problems(), aggregate_problems()[:5]
    assert site().query("PRAGMA integrity_check") == [("ok",)]
    assert site().query("PRAGMA foreign_key_check") == []


test_sites_clean = harness.test_sites_clean


if __name__ == "__main__":
    harness.run_suite(globals())
