#!/usr/bin/env python3
"""Admin web page HTTP tests (issue 5): login and logout, sessions and their
cookie, CSRF, the anonymous redirect, no-store, the login throttle (nginx)
and back-off (app), the dashboard, the event editor with its optimistic lock
and capacity promotion. Every case checks the database afterwards (opened
read-only while the site runs).

Run: TURNOUT_BUILD=/work/main TURNOUT_SRC=/work/main tests/http/test_admin.py
"""
import csv
import hashlib
import html
import io
import os
import re
import secrets
import sqlite3
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the (maybe read-only) source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from tap import Skip, diag, main  # noqa: E402

FORM = harness.FORM
COOKIE = harness.ADMIN_COOKIE
PASSWORD = "correct horse battery"
LOGIN_FAILED = "Wrong name or password"
DAY = 24 * 3600


def prepare(data):
    """Cheap password hashes (the suite also runs under valgrind) and two admins."""
    conf = os.path.join(data, "turnout.conf")
    with open(conf, "w") as f:
        f.write(f"data_dir = {data}\ntemplates = {harness.SRC}/templates\n"
                "password_memory_kib = 1024\ntimezone = Europe/Berlin\n")
    for name in ("alice", "bob"):
        harness.add_admin_user(conf, name, PASSWORD)


site = harness.ModuleSite("admin", prepare=prepare, report=diag)


def admin_cli(*args, password=None):
    """Run turnout-admin on the site's configuration; (exit status, output)."""
    conf = os.path.join(site().data, "turnout.conf")
    p = subprocess.run([harness.ADMIN, "-c", conf, *args], text=True, capture_output=True,
                       input=None if password is None else password + "\n")
    return p.returncode, p.stdout + p.stderr


# -- HTTP helpers --------------------------------------------------------------

_sources = 0


def fresh_source():
    """A new loopback client address: nginx's login throttle counts per
    address, and only test_login_throttle is about it."""
    global _sources
    _sources += 1
    return f"127.0.{_sources // 250}.{2 + _sources % 250}"


def fetch(method, path, body=None, cookie=None, headers=None, source=None):
    return site().fetch(method, path, body, cookie, headers, source)


def post(path, fields, cookie=None, source=None):
    """POST a form (None values left out); logins come from a fresh address."""
    if source is None and path == "/admin/login":
        source = fresh_source()
    return site().post_form(path, fields, cookie, source)


def login_token():
    return site().admin_login_token()


set_cookie_value = harness.session_cookie
csrf_of = harness.csrf_of
alerts = harness.alerts


def login(name="alice", password=PASSWORD, cookie=None):
    """Log in; returns the new session cookie's value."""
    return site().admin_login(name, password, cookie, fresh_source())


def page_csrf(cookie, path="/admin"):
    status, _, body = fetch("GET", path, cookie=cookie)
    assert status == 200, f"GET {path}: {status}"
    return csrf_of(body)


def logged_in(cookie):
    status, _, _ = fetch("GET", "/admin", cookie=cookie)
    return status == 200


def sessions():
    return site().query_one("SELECT count(*) FROM session")[0]


def forge_form_token(issued, purpose):
    """A correctly signed form token issued at `issued` (the secret is read
    from the database, as only a test can)."""
    return site().forge_form_token(issued, purpose)


def session_purpose(cookie):
    return "csrf:" + hashlib.blake2b(cookie.encode(), digest_size=32).hexdigest()


# -- login, sessions, CSRF --------------------------------------------------------

ADMIN_PAGES = [
    ("GET", "/admin"),
    ("GET", "/admin/"),
    ("GET", "/admin/events/new"),
    ("POST", "/admin/events/new"),
    ("GET", "/admin/events/fun-run-5k/edit"),
    ("POST", "/admin/events/fun-run-5k/edit"),
    ("GET", "/admin/nothing-here"),
    ("GET", "/admin/events/fun-run-5k/rsvps"),
    ("GET", "/admin/events/fun-run-5k/rsvps.csv"),
    ("GET", "/admin/events/fun-run-5k/stats"),
    ("POST", "/admin/events/fun-run-5k/rsvps"),
    ("GET", "/admin/events/potluck-picnic/items"),
    ("POST", "/admin/events/potluck-picnic/items"),
    ("GET", "/admin/events/potluck-picnic/items.csv"),
    ("GET", "/admin/outbox"),
    ("POST", "/admin/outbox"),
    ("POST", "/admin/logout"),
]


def test_anonymous_admin_pages_redirect_to_login():
    for method, path in ADMIN_PAGES:
        status, hdrs, _ = fetch(method, path, "" if method == "POST" else None,
                                headers=FORM if method == "POST" else None)
        assert status == 303, f"{method} {path}: {status}"
        assert hdrs["location"] == "/admin/login", f"{method} {path}: {hdrs['location']}"
        assert hdrs["cache-control"] == "no-store", f"{method} {path}: {hdrs['cache-control']}"
    status, hdrs, body = fetch("GET", "/admin/login")
    assert status == 200 and hdrs["cache-control"] == "no-store"
    assert 'type="password"' in body and harness.form_token(body)
    # Public pages keep their own caching.
    assert fetch("GET", "/")[1]["cache-control"] == "no-cache"


def test_login_failures_look_alike():
    before = sessions()
    for name, password in (("alice", "wrong password"), ("mallory", PASSWORD),
                           ("Not A Name", PASSWORD), ("alice", "")):
        status, hdrs, body = post("/admin/login", {
            "form_token": login_token(), "name": name, "password": password})
        assert status == 403, f"{name}/{password}: {status}"
        assert "set-cookie" not in hdrs
        assert alerts(body) and alerts(body)[0].startswith(LOGIN_FAILED), alerts(body)
    # Without the login form's token: refused before any password check.
    status, hdrs, body = post("/admin/login", {"name": "alice", "password": PASSWORD})
    assert status == 400 and "set-cookie" not in hdrs
    assert sessions() == before
    # Only alice's wrong passwords counted; unknown names leave no trace.
    assert site().query("SELECT name, coalesce(sum(failed), 0) FROM admin_user"
                        " LEFT JOIN login_fail ON user_id = admin_user.id"
                        " GROUP BY name ORDER BY name") == [("alice", 2), ("bob", 0)]


def failures(name, source):
    """Wrong passwords in a row of admin name from the client address source."""
    row = site().query_one("SELECT failed FROM login_fail JOIN admin_user u ON u.id = user_id"
                           " WHERE u.name = ? AND source = ?", (name, source))
    return row[0] if row else 0


def test_login_success_and_cookie():
    source = fresh_source()
    post("/admin/login", {"form_token": login_token(), "name": "alice",
                          "password": "wrong password"}, source=source)
    assert failures("alice", source) == 1
    status, hdrs, body = post("/admin/login", {
        "form_token": login_token(), "name": "alice", "password": PASSWORD}, source=source)
    assert status == 303 and hdrs["location"] == "/admin"
    cookie = hdrs["set-cookie"]
    assert re.fullmatch(rf"{COOKIE}=[0-9a-f]{{64}}; Path=/; HttpOnly; SameSite=Lax", cookie), cookie
    value = set_cookie_value(hdrs)
    # Only the token's hash is stored; a success resets its address's failures.
    digest = hashlib.blake2b(value.encode(), digest_size=32).digest()
    assert site().query_one("SELECT count(*) FROM session WHERE token_hash = ?", (digest,))[0] == 1
    assert failures("alice", source) == 0
    status, hdrs, body = fetch("GET", "/admin", cookie=value)
    assert status == 200 and hdrs["cache-control"] == "no-store"
    assert "Chess club rapid tournament" in body and "Committee meeting (draft)" in body
    assert "Spring clean-up of the park" in body  # past events too
    assert "alice" in body


def test_session_fixation():
    planted = secrets.token_hex(32)
    value = login(cookie=planted)
    assert value != planted
    assert not logged_in(planted)
    # A second login gets another session and ends the one it was sent with.
    again = login(cookie=value)
    assert again != value
    assert not logged_in(value) and logged_in(again)


def test_logout_invalidates_the_cookie():
    value = login()
    before = sessions()
    status, hdrs, _ = post("/admin/logout", {"csrf": page_csrf(value)}, value)
    assert status == 303 and hdrs["location"] == "/admin/login?out=1"
    assert "Max-Age=0" in hdrs["set-cookie"]
    assert sessions() == before - 1
    assert not logged_in(value)
    status, hdrs, _ = fetch("GET", "/admin", cookie=value)
    assert status == 303 and hdrs["location"] == "/admin/login"


def test_csrf_missing_foreign_expired_is_403():
    value = login()
    other = login("bob")
    foreign = page_csrf(other)
    expired = forge_form_token(int(time.time()) - DAY - 60, session_purpose(value))
    fresh_forged = forge_form_token(int(time.time()), session_purpose(value))
    for what, token in (("missing", None), ("empty", ""), ("foreign", foreign),
                        ("expired", expired), ("garbage", "zz" * 40)):
        status, hdrs, body = post("/admin/logout", {"csrf": token}, value)
        assert status == 403, f"{what}: {status}"
        assert "set-cookie" not in hdrs
        assert hdrs["cache-control"] == "no-store"
        assert logged_in(value), f"{what}: the session ended"
    # The test's own signature is right: a fresh one is accepted.
    status, _, _ = post("/admin/logout", {"csrf": fresh_forged}, value)
    assert status == 303 and not logged_in(value)
    status, _, _ = post("/admin/logout", {"csrf": foreign}, other)
    assert status == 303


def test_every_admin_post_needs_csrf():
    value = login()
    ids = dict(site().query("SELECT name, id FROM rsvp WHERE event_id ="
                            " (SELECT id FROM event WHERE slug = 'chess-tournament')"))
    before = site().query("SELECT count(*), sum(checked_in_at IS NOT NULL) FROM rsvp"), \
        site().query("SELECT count(*), max(edit_version) FROM event"), item_rows("potluck-picnic")
    body = rsvps_page(value, "chess-tournament")
    token = harness.form_token(body)
    items = items_page(value, "potluck-picnic")
    grill = site().query_one("SELECT id, version FROM item WHERE name = 'Grill'")
    for path, fields in (
            ("/admin/events/new", dict(NEW_EVENT, form_token=token)),
            ("/admin/events/chess-tournament/edit", dict(NEW_EVENT, edit_version="1")),
            ("/admin/events/chess-tournament/rsvps",
             {"action": "checkin", "rsvp": str(ids["Magnus Berg"])}),
            ("/admin/events/chess-tournament/rsvps",
             {"action": "add", "form_token": token, "name": "X", "email": "x@example.org"}),
            ("/admin/events/potluck-picnic/items",
             dict(ITEM, action="add", form_token=harness.form_tokens(items)[-1])),
            ("/admin/events/potluck-picnic/items",
             dict(ITEM, action="edit", item=str(grill[0]), version=str(grill[1]))),
            ("/admin/events/potluck-picnic/items",
             {"action": "remove", "item": str(grill[0]), "version": str(grill[1]),
              "confirm": "1", "form_token": remove_token(items, grill[0])}),
            ("/admin/logout", {})):
        for csrf in (None, page_csrf(login("bob"))):
            status, _, _ = post(path, dict(fields, csrf=csrf), value)
            assert status == 403, f"{path} csrf={csrf}: {status}"
    assert (site().query("SELECT count(*), sum(checked_in_at IS NOT NULL) FROM rsvp"),
            site().query("SELECT count(*), max(edit_version) FROM event"),
            item_rows("potluck-picnic")) == before
    assert logged_in(value)


def test_bad_cookies_are_logged_out():
    value = login()
    for what, bad in (("corrupted", value[:-1] + ("0" if value[-1] != "0" else "1")),
                      ("truncated", value[:40]), ("8 KB", "a" * 8192),
                      ("not hex", "g" * 64), ("empty", "")):
        status, hdrs, _ = fetch("GET", "/admin", cookie=bad)
        assert status == 303 and hdrs["location"] == "/admin/login", f"{what}: {status}"
    assert logged_in(value)


def test_password_change_ends_sessions():
    value = login("bob")
    rc, out = admin_cli("user", "passwd", "bob", password="another password!")
    assert rc == 0, out
    assert not logged_in(value)
    rc, out = admin_cli("user", "passwd", "bob", password=PASSWORD)
    assert rc == 0, out
    rc, out = admin_cli("user", "add", "carol", password="short")
    assert rc != 0 and "at least 10" in out
    rc, out = admin_cli("user", "list")
    assert rc == 0 and "alice" in out and "bob" in out and "carol" not in out


def test_account_backoff():
    rc, out = admin_cli("user", "add", "dave", password=PASSWORD)
    assert rc == 0, out
    stranger = fresh_source()
    for _ in range(5):
        first = int(time.time())  # the fifth failure locks at its own time + 30 s
        status, _, _ = post("/admin/login", {
            "form_token": login_token(), "name": "dave", "password": "wrong password"},
            source=stranger)
        assert status == 403
    last = int(time.time())
    # Locked for a while at that address: even the right password is refused,
    # same message.
    status, hdrs, body = post("/admin/login", {
        "form_token": login_token(), "name": "dave", "password": PASSWORD}, source=stranger)
    assert status == 403 and "set-cookie" not in hdrs
    assert alerts(body)[0].startswith(LOGIN_FAILED)
    # The stranger's failures do not lock dave out at his own address.
    site().admin_login("dave", PASSWORD, source=fresh_source())
    until = site().query_one("SELECT locked_until FROM login_fail WHERE source = ?",
                             (stranger,))[0]
    assert first + 30 <= until <= last + 30, \
        f"locked until {until}: not 30 s after the fifth failure ({first}..{last})"
    assert failures("dave", stranger) == 5


def test_login_throttle():
    if harness.VALGRIND:
        raise Skip("timing-dependent: nginx's rate against a slow app under valgrind")
    token = login_token()
    source = fresh_source()
    codes = []
    for _ in range(25):
        status, _, _ = post("/admin/login", {
            "form_token": token, "name": "nobody", "password": "x"}, source=source)
        codes.append(status)
    assert codes[:11] == [403] * 11, codes  # the burst
    assert codes[-1] == 429, codes
    status, _, body = post("/admin/login", {"form_token": token, "name": "alice",
                                            "password": PASSWORD}, source=source)
    assert status == 429 and "Too many attempts" in body
    # Other addresses are not affected.
    login()
    # The form itself is never throttled.
    assert fetch("GET", "/admin/login")[0] == 200


# -- the event editor ----------------------------------------------------------

INPUT_RE = re.compile(r'<input id="[^"]*" name="([a-z_]+)"[^>]*?value="([^"]*)"')
TEXTAREA_RE = re.compile(r'<textarea id="[^"]*" name="([a-z_]+)"[^>]*>([^<]*)</textarea>')
SELECTED_RE = re.compile(r'<select id="status" name="status">.*?<option value="([a-z]+)" selected',
                         re.S)


def editor_form(cookie, path):
    """The editor's fields as the page shows them, with csrf and tokens."""
    status, _, body = fetch("GET", path, cookie=cookie)
    assert status == 200, f"GET {path}: {status}"
    fields = {k: html.unescape(v) for k, v in INPUT_RE.findall(body)}
    fields.update({k: html.unescape(v) for k, v in TEXTAREA_RE.findall(body)})
    fields["status"] = SELECTED_RE.search(body).group(1)
    fields["csrf"] = csrf_of(body)
    fields["edit_version"] = re.search(r'name="edit_version" value="(\d+)"', body).group(1)
    token = harness.form_token(body)
    if token:
        fields["form_token"] = token
    return fields


def event_row(slug):
    return site().query_one("SELECT title, status, capacity, starts_at, ends_at,"
                            " confirmed, waitlisted, edit_version FROM event WHERE slug = ?",
                            (slug,))


def public_rsvp(slug, name):
    status, _, body = fetch("GET", f"/events/{slug}")
    assert status == 200
    status, _, body = post(f"/events/{slug}/rsvp", {
        "form_token": harness.form_token(body), "name": name,
        "email": f"{name.lower()}@example.org"})
    assert status == 303, f"RSVP {name}: {status}"


NEW_EVENT = {"title": "Board games night", "slug": "board-games",
             "description": "Bring your favourite game.", "location": "Library",
             "starts": "2030-07-01T19:00", "ends": "2030-07-01T22:30",
             "capacity": "1", "max_guests": "0", "rsvp_opens": "", "rsvp_closes": "",
             "status": "draft", "contact": " Games@Example.org "}


def test_create_publish_and_see_it_on_home():
    cookie = login()
    form = editor_form(cookie, "/admin/events/new")
    assert form["edit_version"] == "1" and "form_token" in form
    form.update(NEW_EVENT)
    status, hdrs, body = post("/admin/events/new", form, cookie)
    assert status == 303, f"{status}: {alerts(body)}"
    assert hdrs["location"] == "/admin/events/board-games/edit?saved=1"
    # Entered in Europe/Berlin (summer time), stored in UTC.
    assert event_row("board-games")[:5] == ("Board games night", "draft", 1,
                                            1909155600, 1909155600 + 3.5 * 3600)
    # A double submit changes nothing.
    status, hdrs, _ = post("/admin/events/new", form, cookie)
    assert status == 303 and hdrs["location"] == "/admin/events/board-games/edit?saved=1"
    assert site().query_one("SELECT count(*) FROM event WHERE title = 'Board games night'")[0] == 1
    # Drafts stay off the public list until published; times show in the zone.
    assert "Board games night" not in fetch("GET", "/")[2]
    form = editor_form(cookie, "/admin/events/board-games/edit")
    assert form["starts"] == "2030-07-01T19:00" and form["ends"] == "2030-07-01T22:30"
    # The organiser's address, as the RSVP form takes one; never on the public page.
    assert form["contact"] == "games@example.org", form["contact"]
    form["status"] = "published"
    status, _, body = post("/admin/events/board-games/edit", form, cookie)
    assert status == 303, f"{status}: {alerts(body)}"
    status, _, body = fetch("GET", "/")
    assert "Board games night" in body
    # The public page shows the site's zone: 19:00 in Berlin.
    assert "19:00" in fetch("GET", "/events/board-games")[2]
    assert "games@example.org" not in fetch("GET", "/events/board-games")[2]


def test_editor_bad_input_changes_nothing():
    cookie = login()
    before = event_row("fun-run-5k")
    good = editor_form(cookie, "/admin/events/fun-run-5k/edit")
    for field, value, says in (
            ("title", "", "fill in the title"),
            ("title", "x" * 201, "too long"),
            ("slug", "Not A Slug", "slug"),
            ("slug", "chess-tournament", "already uses"),
            ("starts", "2030-02-30T10:00", "date and time"),
            ("ends", "2000-01-01T10:00", "end before it starts"),
            ("capacity", "lots", "whole number"),
            ("max_guests", "101", "at most 100"),
            ("status", "secret", "status"),
            ("location", "two\nlines", "single line"),
            ("contact", "ann at example.org", "Organiser&#39;s e-mail: An e-mail address cannot"),
            ("contact", "ann@example", "Organiser&#39;s e-mail: That does not look like")):
        form = dict(good, **{field: value})
        status, _, body = post("/admin/events/fun-run-5k/edit", form, cookie)
        assert status == 400, f"{field}={value!r}: {status}"
        assert alerts(body) and says in alerts(body)[0], f"{field}: {alerts(body)}"
        assert html.escape(value.split("\n")[0]) in body or field == "status"
    # Without the CSRF token: 403, nothing changed.
    status, _, _ = post("/admin/events/fun-run-5k/edit", dict(good, csrf=None, title="X"), cookie)
    assert status == 403
    assert event_row("fun-run-5k") == before


def test_editor_version_conflict_is_409():
    alice, bob = login(), login("bob")
    a = editor_form(alice, "/admin/events/potluck-picnic/edit")
    b = editor_form(bob, "/admin/events/potluck-picnic/edit")
    a["title"] = "Potluck picnic (moved)"
    status, _, _ = post("/admin/events/potluck-picnic/edit", a, alice)
    assert status == 303
    b["location"] = "Town hall"
    status, _, body = post("/admin/events/potluck-picnic/edit", b, bob)
    assert status == 409, status
    assert "Another admin saved" in alerts(body)[0]
    diff = re.search(r'<table class="diff">(.*?)</table>', body, re.S).group(1)
    assert "Potluck picnic (moved)" in diff and "Neighbourhood potluck picnic" in diff
    assert "Town hall" in diff
    row = event_row("potluck-picnic")
    assert row[0] == "Potluck picnic (moved)" and int(a["edit_version"]) + 1 == row[7]
    # Bob's form now carries the new version and his values: saving again keeps his.
    again = dict(b, edit_version=re.search(r'name="edit_version" value="(\d+)"', body).group(1),
                 csrf=csrf_of(body))
    status, _, _ = post("/admin/events/potluck-picnic/edit", again, bob)
    assert status == 303
    assert event_row("potluck-picnic")[0] == "Neighbourhood potluck picnic"
    assert site().query_one("SELECT location FROM event WHERE slug = 'potluck-picnic'")[0] == "Town hall"


def test_capacity_raise_promotes_and_lowering_is_explained():
    cookie = login()
    form = editor_form(cookie, "/admin/events/new")
    form.update(NEW_EVENT, slug="tiny-gig", title="Tiny gig", status="published")
    assert post("/admin/events/new", form, cookie)[0] == 303
    for name in ("Ann", "Ben", "Cat"):
        public_rsvp("tiny-gig", name)
    assert event_row("tiny-gig")[5:7] == (1, 2)
    form = editor_form(cookie, "/admin/events/tiny-gig/edit")
    form["capacity"] = "2"
    assert post("/admin/events/tiny-gig/edit", form, cookie)[0] == 303
    assert event_row("tiny-gig")[5:7] == (2, 1)
    assert site().query("SELECT name FROM rsvp r JOIN event e ON e.id = r.event_id"
                        " WHERE e.slug = 'tiny-gig' AND r.status = 'confirmed'"
                        " ORDER BY r.id") == [("Ann",), ("Ben",)]
    # The promotion is the admin's doing, and the log says so.
    assert site().query("SELECT l.actor FROM rsvp_log l JOIN rsvp r ON r.id = l.rsvp_id"
                        " WHERE r.name = 'Ben' AND l.action = 'promote'") == [("alice",)]
    form = editor_form(cookie, "/admin/events/tiny-gig/edit")
    form["capacity"] = "1"
    assert post("/admin/events/tiny-gig/edit", form, cookie)[0] == 303
    assert event_row("tiny-gig")[5:7] == (2, 1)
    body = fetch("GET", "/admin/events/tiny-gig/edit", cookie=cookie)[2]
    assert "no one loses their spot" in body


# -- participants ----------------------------------------------------------------

ROW_RE = re.compile(r'<tr id="r(\d+)">(.*?)</tr>', re.S)


def rsvps_page(cookie, slug, query=""):
    status, _, body = fetch("GET", f"/admin/events/{slug}/rsvps{query}", cookie=cookie)
    assert status == 200, f"participants of {slug}: {status}"
    return body


def rsvp_ids(slug):
    return dict(site().query("SELECT r.name, r.id FROM rsvp r JOIN event e ON e.id = r.event_id"
                             " WHERE e.slug = ?", (slug,)))


def act(cookie, slug, action, rsvp_id, **extra):
    body = rsvps_page(cookie, slug)
    return post(f"/admin/events/{slug}/rsvps", dict(
        {"csrf": csrf_of(body), "action": action, "rsvp": str(rsvp_id)}, **extra), cookie)


def make_event(cookie, slug, capacity, max_guests="0"):
    form = editor_form(cookie, "/admin/events/new")
    form.update(NEW_EVENT, slug=slug, title=f"Event {slug}", status="published",
                capacity=capacity, max_guests=max_guests)
    status, _, body = post("/admin/events/new", form, cookie)
    assert status == 303, f"{status}: {alerts(body)}"


def event_with(cookie, slug, capacity, names=("Ann", "Ben", "Cat", "Dan")):
    """A new published event and its RSVPs in order; returns {name: rsvp id}."""
    make_event(cookie, slug, capacity)
    for name in names:
        public_rsvp(slug, name)
    return rsvp_ids(slug)


def test_participants_check_in_cancel_promote():
    cookie = login()
    ids = event_with(cookie, "door", "2")
    body = rsvps_page(cookie, "door")
    rows = dict(ROW_RE.findall(body))
    assert "Check in" in rows[str(ids["Ann"])] and "Confirm now" in rows[str(ids["Cat"])]
    assert "ann@example.org" in body
    # Check in: one click per row, back at the row, idempotent.
    status, hdrs, _ = act(cookie, "door", "checkin", ids["Ann"], q="an")
    assert status == 303
    assert hdrs["location"] == f"/admin/events/door/rsvps?done=checkin&q=an#r{ids['Ann']}"
    assert act(cookie, "door", "checkin", ids["Ann"])[0] == 303
    assert act(cookie, "door", "checkin", ids["Ben"])[0] == 303
    assert act(cookie, "door", "uncheckin", ids["Ben"])[0] == 303
    assert site().query("SELECT name FROM rsvp WHERE checked_in_at IS NOT NULL") == [("Ann",)]
    assert "Undo" in dict(ROW_RE.findall(rsvps_page(cookie, "door")))[str(ids["Ann"])]
    # Waitlisted parties cannot check in; a full event cannot take a promotion.
    status, _, body = act(cookie, "door", "checkin", ids["Cat"])
    assert status == 422 and "Only confirmed" in alerts(body)[0]
    status, _, body = act(cookie, "door", "promote", ids["Dan"])
    assert status == 422 and "does not fit" in alerts(body)[0]
    # Cancel promotes the next in line, in the same transaction.
    assert act(cookie, "door", "cancel", ids["Ben"], confirm="yes")[0] == 303
    assert dict(site().query("SELECT name, status FROM rsvp WHERE name IN"
                             " ('Ben', 'Cat', 'Dan') AND email LIKE '%example.org'"
                             " AND event_id = (SELECT id FROM event WHERE slug = 'door')")) == {
        "Ben": "cancelled", "Cat": "confirmed", "Dan": "waitlisted"}
    # Manual promotion out of turn once it fits (room made by the editor).
    form = editor_form(cookie, "/admin/events/door/edit")
    form["capacity"] = "2"  # unchanged: nothing moves
    assert post("/admin/events/door/edit", form, cookie)[0] == 303
    assert act(cookie, "door", "cancel", ids["Cat"], confirm="yes")[0] == 303  # Dan moves up
    assert act(cookie, "door", "promote", ids["Dan"])[0] == 303  # already: fine
    # Other events' RSVPs and unknown ids are not found; bad actions are 400.
    assert act(cookie, "fun-run-5k", "checkin", ids["Ann"])[0] == 404
    assert act(cookie, "door", "fly", ids["Ann"])[0] == 400
    assert act(cookie, "door", "checkin", "x")[0] == 400
    # Every admin action is in the log with the admin's name.
    log = site().query("SELECT l.action, l.actor FROM rsvp_log l JOIN event e ON"
                       " e.id = l.event_id WHERE e.slug = 'door' AND l.actor IS NOT NULL"
                       " ORDER BY l.id")
    assert log == [("checkin", "alice"), ("checkin", "alice"), ("uncheckin", "alice"),
                   ("cancel", "alice"), ("promote", "alice"),
                   ("cancel", "alice"), ("promote", "alice")], log
    assert site().query_one("SELECT count(*) FROM rsvp_log l JOIN event e ON"
                            " e.id = l.event_id WHERE e.slug = 'door' AND actor IS NULL")[0] == 4


DOOR_ROW_RE = re.compile(r'<li id="r(\d+)" class="door-row( in)?"[^>]*>\s*'
                         r'<span class="who"><strong>([^<]*)</strong>', re.S)


def door(cookie, slug, query=""):
    """(rows [(id, checked in, name)], "checked in N of M" figures, body)."""
    status, _, body = fetch("GET", f"/admin/events/{slug}/door{query}", cookie=cookie)
    assert status == 200, f"door of {slug}: {status}"
    count = re.search(r'data-door="in">(\d+)</strong> of <strong data-door="of">(\d+)<', body)
    return ([(int(i), bool(c), n) for i, c, n in DOOR_ROW_RE.findall(body)],
            tuple(map(int, count.groups())), body)


def test_door_mode_checks_in_by_name():
    """Door mode: confirmed parties only, alphabetical whatever the order
    of sign-up, "checked in N of M", one form per party (no script
    needed), undo, a search; a repeat changes nothing; the waitlisted, other
    events' parties, bad actions and a missing CSRF token are refused."""
    cookie = login()
    ids = event_with(cookie, "gate", "3", names=("zoe", "Ann", "mia", "Bob"))
    rows, count, body = door(cookie, "gate")
    assert [n for _, _, n in rows] == ["Ann", "mia", "zoe"], rows  # Bob waits
    assert count == (0, 3) and '<p class="empty">' not in body, count
    assert 'href="/admin/events/gate/door"' in rsvps_page(cookie, "gate")
    csrf = csrf_of(body)
    form = {"csrf": csrf, "action": "checkin", "rsvp": str(ids["mia"]), "q": "mi"}
    for _ in range(2):  # a double tap checks in once
        status, hdrs, _ = post("/admin/events/gate/door", form, cookie)
        assert status == 303, status
        assert hdrs["location"] == f"/admin/events/gate/door?done=checkin&q=mi#r{ids['mia']}"
    rows, count, body = door(cookie, "gate", "?done=checkin&q=mi")
    assert rows == [(ids["mia"], True, "mia")] and count == (1, 3), (rows, count)
    assert "Checked in." in body and "Undo" in body
    # The dashboard's check-in rate follows the door.
    dash = fetch("GET", "/admin", cookie=cookie)[2]
    row = re.search(r'<tr><td data-label="Event"><a href="/admin/events/gate/edit">.*?</tr>', dash,
                    re.S).group(0)
    assert '<td data-label="Checked in">1 of 3 (33 %)</td>' in row, row
    assert site().query("SELECT count(*) FROM rsvp_log WHERE action = 'checkin' AND"
                        " rsvp_id = ?", (ids["mia"],)) == [(1,)]
    status, _, _ = post("/admin/events/gate/door", dict(form, action="uncheckin"), cookie)
    assert status == 303 and door(cookie, "gate")[1] == (0, 3)
    # Refusals change nothing and say why, with the right status.
    for fields, want, words in (
            ({"rsvp": str(ids["Bob"])}, 422, "Only confirmed"),
            ({"action": "cancel"}, 400, "Unknown action"),
            ({"rsvp": "x"}, 400, "Which party"),
            ({"rsvp": "999999"}, 404, "no such party")):
        status, _, body = post("/admin/events/gate/door", dict(form, **fields), cookie)
        assert status == want and words in alerts(body)[0], (fields, status, alerts(body))
    assert post("/admin/events/gate/door", dict(form, csrf=None), cookie)[0] == 403
    assert door(cookie, "gate")[1] == (0, 3)
    rows, _, body = door(cookie, "gate", "?q=nobody-here")
    assert rows == [] and "Nobody matches" in body


def bulk_add_people(cookie, slug, word, n):
    """n people "<word> i" added with the bulk form, 200 lines a post."""
    for start in range(0, n, 200):
        body = rsvps_page(cookie, slug)
        lines = "\n".join(f"{word} {i}, {word.lower()}{i}@example.org"
                          for i in range(start, min(start + 200, n)))
        status, _, body = post(f"/admin/events/{slug}/rsvps", {
            "csrf": csrf_of(body), "form_token": harness.form_tokens(body)[-1],
            "action": "bulk_add", "lines": lines}, cookie)
        assert status == 200, f"{status}: {alerts(body)}"


def row_form(body, rsvp_id, action):
    """The hidden fields of row rsvp_id's form for action, as the page gives them."""
    row = dict(ROW_RE.findall(body))[str(rsvp_id)]
    for form in re.findall(r"<form [^>]*>(.*?)</form>", row, re.S):
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">',
                                 form))
        if fields.get("action") == action:
            return {k: html.unescape(v) for k, v in fields.items()}
    raise AssertionError(f"no {action} form in row {rsvp_id}")


def confirm_cancel(cookie, body, rsvp_id, cursor):
    """Cancel row rsvp_id of a participants page the organiser's way: its
    link to the question (which keeps the page), then "Yes"; (status, headers)."""
    row = dict(ROW_RE.findall(body))[str(rsvp_id)]
    link = html.unescape(re.search(r'href="([^"]*confirm=cancel[^"]*)"', row).group(1))
    assert f"&from={cursor}#" in link, link
    status, _, question = fetch("GET", link.split("#")[0], cookie=cookie)
    assert status == 200 and str(rsvp_id) in dict(ROW_RE.findall(question)), status
    form = re.search(r'<section class="confirm".*?</section>', question, re.S).group(0)
    fields = {k: html.unescape(v) for k, v in
              re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)}
    assert fields["from"] == cursor, fields
    status, hdrs, _ = post("/admin/events/paged/rsvps", fields, cookie)
    return status, hdrs


def test_participants_actions_stay_on_their_page():
    """Check in, cancel and promote from a later page of the list come back
    to that page (its keyset cursor kept, as the page wrote it), not to page
    1; a refused action shows that page again; a malformed cursor is the
    list's start, never an error."""
    cookie = login()
    make_event(cookie, "paged", "300")
    bulk_add_people(cookie, "paged", "Runner", 450)
    ids = rsvp_ids("paged")
    first = rsvps_page(cookie, "paged")
    nxt = re.search(r'href="/admin/events/paged/rsvps\?from=(c\d+)">Next page', first).group(1)
    page2 = rsvps_page(cookie, "paged", f"?from={nxt}")
    rows = dict(ROW_RE.findall(page2))
    later, waiting = ids["Runner 250"], ids["Runner 320"]
    assert str(later) in rows and str(waiting) in rows and str(later) not in dict(
        ROW_RE.findall(first))
    back = f"/admin/events/paged/rsvps?done=checkin&from={nxt}#r{later}"
    status, hdrs, _ = post("/admin/events/paged/rsvps", row_form(page2, later, "checkin"),
                           cookie)
    assert status == 303 and hdrs["location"] == back, (status, hdrs.get("location"))
    status, _, body = fetch("GET", back.split("#")[0], cookie=cookie)
    assert status == 200 and "Checked in." in body
    assert "Undo" in dict(ROW_RE.findall(body))[str(later)]
    # A refused action (the event is full) shows the same page with the error.
    status, _, body = post("/admin/events/paged/rsvps", row_form(page2, waiting, "promote"),
                           cookie)
    assert status == 422 and "does not fit" in alerts(body)[0]
    assert str(waiting) in dict(ROW_RE.findall(body))
    assert row_form(body, waiting, "promote")["from"] == nxt
    status, hdrs = confirm_cancel(cookie, page2, later, nxt)
    assert status == 303 and hdrs["location"] == \
        f"/admin/events/paged/rsvps?done=cancel&from={nxt}#r{later}"
    # Runner 300 moved up into the room; Runner 320 leaves the queue from page 2.
    page2 = rsvps_page(cookie, "paged", f"?from={nxt}")
    status, hdrs = confirm_cancel(cookie, page2, waiting, nxt)
    assert status == 303 and f"&from={nxt}#r{waiting}" in hdrs["location"]
    # The first page's forms carry no cursor; a malformed one is page 1.
    assert row_form(first, ids["Runner 1"], "checkin")["from"] == ""
    for bad in ("x12", "c-1", "w", "c1x", "c" + "9" * 13):
        status, hdrs, _ = post("/admin/events/paged/rsvps", dict(
            row_form(first, ids["Runner 1"], "checkin"), **{"from": bad}), cookie)
        assert status == 303 and hdrs["location"] == \
            f"/admin/events/paged/rsvps?done=checkin#r{ids['Runner 1']}", (bad, hdrs)
    status, _, _ = post("/admin/events/paged/rsvps", dict(
        row_form(first, ids["Runner 1"], "checkin"), **{"from": "c" + "1" * 20}), cookie)
    assert status == 400


def test_participants_search_and_add_on_behalf():
    cookie = login("bob")
    make_event(cookie, "phone", "2", max_guests="2")
    public_rsvp("phone", "Zoe")
    body = rsvps_page(cookie, "phone")
    form = {"csrf": csrf_of(body), "form_token": harness.form_token(body), "action": "add",
            "name": "Grandma <Rose>", "email": "Rose@Example.org", "guests": "1",
            "note": "calls on Tuesdays"}
    status, hdrs, _ = post("/admin/events/phone/rsvps", form, cookie)
    assert status == 303 and "done=add" in hdrs["location"], (status, hdrs)
    # A double submit adds nothing.
    assert post("/admin/events/phone/rsvps", form, cookie)[0] == 303
    assert site().query("SELECT name, email, guests, status FROM rsvp WHERE email ="
                        " 'rose@example.org'") == [("Grandma <Rose>", "rose@example.org", 1,
                                                   "waitlisted")]
    assert site().query_one("SELECT actor FROM rsvp_log WHERE action = 'waitlist' AND"
                            " rsvp_id = (SELECT id FROM rsvp WHERE email ="
                            " 'rose@example.org')")[0] == "bob"
    # Bad input: the form again with the message, nothing added.
    body = rsvps_page(cookie, "phone")
    bad = dict(form, form_token=harness.form_token(body), csrf=csrf_of(body),
               email="not an address")
    status, _, body = post("/admin/events/phone/rsvps", bad, cookie)
    assert status == 400 and "e-mail" in alerts(body)[0]
    assert "Grandma &lt;Rose&gt;" in body
    bad = dict(bad, email="zoe@example.org", form_token=harness.form_token(body))
    assert post("/admin/events/phone/rsvps", bad, cookie)[0] == 409
    # Search by name or e-mail, escaped, with waitlist positions.
    body = rsvps_page(cookie, "phone", "?q=rose")
    assert "Grandma &lt;Rose&gt;" in body and "Zoe" not in body
    assert re.search(r'<td data-label="Place in line">1</td><td class="name">Grandma', body)
    body = rsvps_page(cookie, "phone", "?q=%25")
    assert "Zoe" not in body and "Grandma" not in body


RESULT_RE = re.compile(r'<li class="(ok|refused)">([^<]*)</li>')


def test_bulk_add_reports_each_line():
    cookie = login()
    make_event(cookie, "group", "3", max_guests="2")
    public_rsvp("group", "Early")
    body = rsvps_page(cookie, "group")
    text = "\r\n".join([
        "Amy Adams, amy@example.org, 1",       # confirmed (2 of 3)
        "no email here",                       # malformed
        "Bo, bo@example, 0",                   # bad address
        "",                                    # blank: skipped
        "Cy, early@example.org",               # address taken
        "Di, di@example.org, 3",               # too many guests
        "Ed, ed@example.org, 2",               # waitlisted (party of 3 > 0 left)
        "Flo, amy@example.org",                # taken by line 1
        "  Gus ,  GUS@example.org , 0 ",       # waitlisted, trimmed
    ])
    form = {"csrf": csrf_of(body), "form_token": harness.form_tokens(body)[-1],
            "action": "bulk_add", "lines": text}
    status, _, body = post("/admin/events/group/rsvps", form, cookie)
    assert status == 200, status
    results = RESULT_RE.findall(html.unescape(body))
    assert [kind for kind, _ in results] == ["ok", "refused", "refused", "refused", "refused",
                                             "ok", "refused", "ok"], results
    outcomes = [text for _, text in results]
    assert outcomes[0].endswith(": confirmed") and outcomes[5].endswith(": waitlisted")
    assert "e-mail" in outcomes[2] and "already" in outcomes[3] and "guests" in outcomes[4]
    assert "Added 3 of 8." in body
    rows = site().query("SELECT name, email, guests, status FROM rsvp WHERE event_id ="
                        " (SELECT id FROM event WHERE slug = 'group') ORDER BY id")
    assert rows == [("Early", "early@example.org", 0, "confirmed"),
                    ("Amy Adams", "amy@example.org", 1, "confirmed"),
                    ("Ed", "ed@example.org", 2, "waitlisted"),
                    ("Gus", "gus@example.org", 0, "waitlisted")], rows
    # The same list again changes nothing.
    status, _, body = post("/admin/events/group/rsvps", form, cookie)
    assert status == 200 and "added already" in body
    assert len(site().query("SELECT id FROM rsvp WHERE event_id ="
                            " (SELECT id FROM event WHERE slug = 'group')")) == 4
    # All lines bad: 400.
    body = rsvps_page(cookie, "group")
    status, _, _ = post("/admin/events/group/rsvps", dict(
        form, csrf=csrf_of(body), form_token=harness.form_tokens(body)[-1], lines="x\ny"),
        cookie)
    assert status == 400


def test_bulk_waitlist_remove_and_promote():
    cookie = login()
    ids = event_with(cookie, "queue", "1")
    body = rsvps_page(cookie, "queue")
    assert f'name="pick_{ids["Ben"]}"' in body
    # Nothing fits: every pick is refused and reported, nothing changes.
    status, _, body = post("/admin/events/queue/rsvps", {
        "csrf": csrf_of(body), "action": "bulk_promote", f"pick_{ids['Cat']}": "1",
        f"pick_{ids['Ben']}": "1"}, cookie)
    assert status == 422 and "Confirmed 0 of 2." in body
    assert [k for k, _ in RESULT_RE.findall(body)] == ["refused", "refused"]
    remove = {"csrf": csrf_of(body), "action": "bulk_remove", f"pick_{ids['Dan']}": "1",
              f"pick_{ids['Ben']}": "1", "pick_999999": "1"}
    # Removing asks first, naming those it would remove; nothing changes yet.
    status, _, body = post("/admin/events/queue/rsvps", remove, cookie)
    assert status == 200 and "Remove 2 from the waitlist?" in body, status
    assert "<li>Ben, party of 1</li>" in body and "<li>Dan, party of 1</li>" in body
    assert site().query_one("SELECT count(*) FROM rsvp WHERE status = 'cancelled' AND"
                            " event_id = (SELECT id FROM event WHERE slug = 'queue')") == (0,)
    status, _, body = post("/admin/events/queue/rsvps", dict(remove, confirm="yes"), cookie)
    assert status == 200 and "Removed 2 of 3." in body
    assert dict(site().query("SELECT name, status FROM rsvp WHERE event_id ="
                             " (SELECT id FROM event WHERE slug = 'queue')")) == {
        "Ann": "confirmed", "Ben": "cancelled", "Cat": "waitlisted", "Dan": "cancelled"}
    assert site().query("SELECT actor FROM rsvp_log WHERE action = 'cancel' AND rsvp_id IN"
                        " (?, ?)", (ids["Ben"], ids["Dan"])) == [("alice",), ("alice",)]
    status, _, _ = post("/admin/events/queue/rsvps", {"csrf": csrf_of(body),
                                                      "action": "bulk_remove"}, cookie)
    assert status == 400


def test_bulk_remove_a_full_page_ticked():
    """The page lists 200 rows, each with a checkbox: ticking every row of a
    full page is one form with 200 fields, not a "too many fields" 400."""
    cookie = login()
    make_event(cookie, "crowd", "1")
    public_rsvp("crowd", "Early")
    bulk_add_people(cookie, "crowd", "Guest", 500)
    body = rsvps_page(cookie, "crowd")
    picks = re.findall(r'name="(pick_\d+)"', body)
    assert len(picks) == 199, len(picks)  # Early, confirmed, and 199 of the queue
    assert "Next page" in body
    status, _, body = post("/admin/events/crowd/rsvps", dict(
        {"csrf": csrf_of(body), "action": "bulk_remove"}, **{p: "1" for p in picks}), cookie)
    assert status == 200 and "Remove 199 from the waitlist?" in body, f"{status}: {alerts(body)}"
    # The question's form carries the 199 picks on, with the yes.
    form = re.search(r'<section class="confirm" id="confirm".*?</form>', body, re.S).group(0)
    fields = dict(re.findall(r'<input type="hidden" name="([a-z_0-9]+)" value="([^"]*)">', form))
    assert len([k for k in fields if k.startswith("pick_")]) == 199 and fields["confirm"] == "yes"
    status, _, body = post("/admin/events/crowd/rsvps", fields, cookie)
    assert status == 200, f"{status}: {alerts(body)}"
    assert "Removed 199 of 199." in body
    assert site().query("SELECT status, count(*) FROM rsvp WHERE event_id ="
                        " (SELECT id FROM event WHERE slug = 'crowd') GROUP BY status"
                        " ORDER BY status") == [("cancelled", 199), ("confirmed", 1),
                                                ("waitlisted", 301)]


def test_who_comes_back():
    """An address's second event counts it as come back, there and across
    events; its first counts it as a new person; a cancel and sign-up again
    at the same event counts it once."""
    cookie = login()
    site_re = re.compile(r"Across all events: (\d+) people have signed up; (\d+) sign-ups came"
                         r" from people who had signed up to an earlier event \((\d+) %\)")

    def figures():
        people, came_back, share = map(int, site_re.search(fetch("GET", "/admin",
                                                                cookie=cookie)[2]).groups())
        page = fetch("GET", "/admin/events/potluck-picnic/stats", cookie=cookie)[2]
        there = re.search(r"<dt>Came back</dt><dd>([^<]*)</dd>", page).group(1)
        return people, came_back, share, there

    # A second plain RSVP event besides the potluck (the demo's others are a
    # draft, over, or competitions).
    con = sqlite3.connect(site().db_path, timeout=30)
    with con:
        con.execute("INSERT INTO event (slug, title, starts_at, status, capacity, created_at,"
                    " updated_at) VALUES ('book-club', 'Book club', unixepoch() + 86400,"
                    " 'published', 20, unixepoch(), unixepoch())")
    con.close()
    before = figures()
    public_rsvp("book-club", "Rory")
    after_first = figures()
    assert after_first[:2] == (before[0] + 1, before[1]) and after_first[3] == before[3]
    public_rsvp("potluck-picnic", "Rory")
    people, came_back, share, there = figures()
    assert (people, came_back) == (before[0] + 1, before[1] + 1), (before, people, came_back)
    total = people + came_back
    assert share == (100 * came_back + total // 2) // total, share
    # The potluck's figures: one more person, and one more of them came back.
    n, of = map(int, re.match(r"(\d+) of (\d+)", there).groups())
    m, of_before = map(int, re.match(r"(\d+) of (\d+)", before[3]).groups())
    assert (n, of) == (m + 1, of_before + 1), (before[3], there)


def test_stats_page():
    cookie = login()
    status, hdrs, body = fetch("GET", "/admin/events/chess-tournament/stats", cookie=cookie)
    assert status == 200 and hdrs["cache-control"] == "no-store"
    # The demo: 35 players for 32 places, 3 waiting.
    assert "35 parties (32 confirmed at once, 3 to the waitlist)" in body
    # Sign-ups, cancellations and the waitlist.
    assert body.count("<polyline points=") == 3 and "<script" not in body
    points = re.search(r'<polyline points="([^"]+)"', body).group(1).split()
    assert points[0] == "0,200" and points[-1].endswith(",0.0")
    assert all(re.fullmatch(r"-?[\d.]+,-?[\d.]+", p) for p in points)
    status, _, body = fetch("GET", "/admin/events/committee-meeting/stats", cookie=cookie)
    assert status == 200 and "Nobody has signed up yet." in body
    assert fetch("GET", "/admin/events/nope/stats", cookie=cookie)[0] == 404

# -- potluck items ------------------------------------------------------------------

ITEM = {"name": "Lemon cake", "category": "food", "suggested": "3", "unit": "slices"}
ITEM_RE = re.compile(r'<li class="item admin-item" id="item-(\d+)">(.*?)</li>', re.S)
SHEET_ITEM_RE = re.compile(r'data-item="(\d+)"')


def items_page(cookie, slug, query=""):
    status, _, body = fetch("GET", f"/admin/events/{slug}/items{query}", cookie=cookie)
    assert status == 200, f"items of {slug}: {status}"
    return body


def item_rows(slug):
    """The event's items as stored: (id, name, category, suggested, unit,
    capped, position, pledged, version), by id."""
    return site().query("SELECT i.id, i.name, i.category, i.suggested, i.unit, i.capped,"
                        " i.position, i.pledged, i.version FROM item i JOIN event e"
                        " ON e.id = i.event_id WHERE e.slug = ? ORDER BY i.id", (slug,))


def item_of(slug, name):
    """(id, version) of the event's item called name."""
    return site().query_one("SELECT i.id, i.version FROM item i JOIN event e ON"
                            " e.id = i.event_id WHERE e.slug = ? AND i.name = ?", (slug, name))


def remove_token(body, item_id):
    """The form token of the item's Remove button on an items page."""
    return re.search(r'name="form_token" value="([0-9a-f]+)"><input type="hidden"'
                     rf' name="action" value="remove"><input type="hidden" name="item"'
                     rf' value="{item_id}"', body).group(1)


def items_post(cookie, slug, fields, body=None):
    """POST the items page's form fields with the page's csrf."""
    if body is None:
        body = items_page(cookie, slug)
    return post(f"/admin/events/{slug}/items", dict(fields, csrf=csrf_of(body)), cookie)


def add_item(cookie, slug, **item):
    body = items_page(cookie, slug)
    return items_post(cookie, slug, dict(ITEM, **item, action="add",
                                         form_token=harness.form_tokens(body)[-1]), body)


def item_act(cookie, slug, action, item_name, version=None, fields=None):
    """Up, down, edit (with fields) or remove the item called item_name, as
    its form on a fresh page would (version: the one the form shows, or an
    older one)."""
    body = items_page(cookie, slug)
    item_id, current = item_of(slug, item_name)
    fields = dict(fields or {}, action=action, item=str(item_id),
                  version=str(current if version is None else version))
    if action == "remove":
        fields["form_token"] = remove_token(body, item_id)
    return items_post(cookie, slug, fields, body)


def sheet_order(slug):
    """Item ids as the public event page lists them."""
    status, _, body = fetch("GET", f"/events/{slug}")
    assert status == 200
    return [int(i) for i in SHEET_ITEM_RE.findall(body)]


def rsvp_pledging(slug, name, pledges):
    """A visitor's RSVP with pledges {item name: quantity}; returns the manage path."""
    status, _, body = fetch("GET", f"/events/{slug}")
    fields = {"form_token": harness.form_token(body), "name": name,
              "email": f"{len(name)}-{secrets.token_hex(4)}@example.org"}
    for item, quantity in pledges.items():
        item_id, version = item_of(slug, item)
        fields[f"item_{item_id}"] = str(quantity)
        fields[f"version_{item_id}"] = str(version)
    status, hdrs, body = post(f"/events/{slug}/rsvp", fields)
    assert status == 303, f"RSVP {name}: {status}: {alerts(body)}"
    return hdrs["location"]


def test_items_add_shows_on_event_page_and_double_submit_adds_once():
    cookie = login()
    make_event(cookie, "items-add", "10")
    body = items_page(cookie, "items-add")
    assert "No items yet" in body and 'id="add"' in body
    form = dict(ITEM, action="add", form_token=harness.form_tokens(body)[-1],
                name="Lemon cake <b>", capped="1")
    status, hdrs, _ = items_post(cookie, "items-add", form, body)
    assert status == 303 and hdrs["location"] == "/admin/events/items-add/items?done=added#add"
    status, again, _ = items_post(cookie, "items-add", form, body)
    assert status == 303 and again["location"] == hdrs["location"]
    assert [r[1:7] for r in item_rows("items-add")] == [
        ("Lemon cake <b>", "food", 3, "slices", 1, 1)]
    body = items_page(cookie, "items-add", "?done=added")
    assert "Item added." in body and "Lemon cake &lt;b&gt;" in body
    status, _, page = fetch("GET", "/events/items-add")
    assert "Lemon cake &lt;b&gt;" in page and "0 of 3 slices pledged" in page
    # Linked from the dashboard and the event's other admin pages.
    for path in ("/admin", "/admin/events/items-add/edit", "/admin/events/items-add/rsvps",
                 "/admin/events/items-add/stats"):
        assert 'href="/admin/events/items-add/items"' in fetch("GET", path, cookie=cookie)[2], path


def test_items_stale_edit_is_409_with_both_values():
    alice, bob = login(), login("bob")
    make_event(alice, "items-edit", "10")
    assert add_item(alice, "items-edit", name="Cola", category="drink", suggested="6")[0] == 303
    cola, seen = item_of("items-edit", "Cola")
    assert item_act(bob, "items-edit", "edit", "Cola", fields=dict(
        ITEM, name="Cola Zero", category="drink", suggested="6"))[0] == 303
    # Alice's form still has the version from before Bob's save.
    status, _, body = item_act(alice, "items-edit", "edit", "Cola Zero", version=seen, fields=dict(
        ITEM, name="Fizzy water", category="drink", suggested="8"))
    assert status == 409, status
    assert "changed while you were editing" in alerts(body)[0]
    diff = re.search(r'<table class="diff">(.*?)</table>', body, re.S).group(1)
    assert "Cola Zero" in diff and "Fizzy water" in diff and ">6<" in diff and ">8<" in diff
    row = dict(ITEM_RE.findall(body))[str(cola)]
    assert 'value="Fizzy water"' in row and " open>" in row
    assert item_rows("items-edit")[0][1:4] == ("Cola Zero", "drink", 6)
    # Saving from the 409 page, which carries the new version, keeps Alice's values.
    version = re.search(r'name="version" value="(\d+)"', row).group(1)
    status, hdrs, _ = items_post(alice, "items-edit", dict(
        ITEM, action="edit", item=str(cola), version=version, name="Fizzy water",
        category="drink", suggested="8"), body)
    assert status == 303 and hdrs["location"].endswith(f"done=saved#item-{cola}")
    assert item_rows("items-edit")[0][1:4] == ("Fizzy water", "drink", 8)
    # Pressing Save twice: the second finds its own change, no conflict.
    status, _, _ = items_post(alice, "items-edit", dict(
        ITEM, action="edit", item=str(cola), version=version, name="Fizzy water",
        category="drink", suggested="8"), body)
    assert status == 303
    # A pledge makes the form stale too.
    _, seen = item_of("items-edit", "Fizzy water")
    rsvp_pledging("items-edit", "Pia", {"Fizzy water": 2})
    status, _, body = item_act(alice, "items-edit", "edit", "Fizzy water", version=seen, fields=dict(
        ITEM, name="Fizzy water", category="drink", suggested="1"))
    assert status == 409 and item_rows("items-edit")[0][3] == 8


def test_items_capped_below_pledged_is_422():
    cookie = login()
    make_event(cookie, "items-cap", "10")
    assert add_item(cookie, "items-cap", name="Chairs", category="utensil", suggested="4",
                    unit="", capped="1")[0] == 303
    rsvp_pledging("items-cap", "Cy", {"Chairs": 3})
    before = item_rows("items-cap")
    status, _, body = item_act(cookie, "items-cap", "edit", "Chairs", fields=dict(
        ITEM, name="Chairs", category="utensil", suggested="2", unit="", capped="1"))
    assert status == 422 and "capped item cannot suggest fewer" in alerts(body)[0]
    assert 'value="2"' in dict(ITEM_RE.findall(body))[str(before[0][0])]
    assert item_rows("items-cap") == before


def test_items_remove_with_pledges_asks_first():
    cookie = login()
    make_event(cookie, "items-rm", "10")
    for name in ("Sausages", "Napkins"):
        assert add_item(cookie, "items-rm", name=name, suggested="20", unit="")[0] == 303
    ann = rsvp_pledging("items-rm", "Ann", {"Sausages": 5, "Napkins": 1})
    rsvp_pledging("items-rm", "Ben", {"Sausages": 7})
    sausages, _ = item_of("items-rm", "Sausages")
    before = item_rows("items-rm")
    status, _, body = item_act(cookie, "items-rm", "remove", "Sausages")
    assert status == 200, status
    warning = re.search(r'<div class="notice warn confirm-remove">(.*?)</div>', body, re.S).group(1)
    assert "2 people pledged 12 of Sausages — their pledges will be dropped" in warning
    assert item_rows("items-rm") == before
    # The confirming form: its own token, the version, confirm=1.
    confirm = {k: html.unescape(v) for k, v in re.findall(
        r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', warning)}
    assert confirm["confirm"] == "1" and confirm["item"] == str(sausages)
    status, hdrs, _ = post("/admin/events/items-rm/items", confirm, cookie)
    assert status == 303 and hdrs["location"] == "/admin/events/items-rm/items?done=removed"
    assert [r[1] for r in item_rows("items-rm")] == ["Napkins"]
    assert site().query("SELECT i.name, p.quantity FROM pledge p JOIN item i ON"
                        " i.id = p.item_id JOIN event e ON e.id = i.event_id"
                        " WHERE e.slug = 'items-rm'") == [("Napkins", 1)]
    assert site().query_one("SELECT count(*) FROM pledge WHERE item_id = ?", (sausages,))[0] == 0
    # The same confirmation again: the same answer, nothing else happens.
    status, again, _ = post("/admin/events/items-rm/items", confirm, cookie)
    assert status == 303 and again["location"] == hdrs["location"]
    # Ann's RSVP page lists only what is left.
    status, _, body = fetch("GET", ann.split("?")[0])
    assert status == 200 and "Napkins" in body and "Sausages" not in body
    status, _, body = item_act(cookie, "items-rm", "remove", "Napkins")
    assert status == 200 and "1 person pledged 1 of Napkins" in body
    # An item nobody pledged goes at once.
    assert add_item(cookie, "items-rm", name="Ice", suggested="2")[0] == 303
    status, hdrs, _ = item_act(cookie, "items-rm", "remove", "Ice")
    assert status == 303 and [r[1] for r in item_rows("items-rm")] == ["Napkins"]


def test_items_reorder_changes_the_public_order():
    cookie = login()
    make_event(cookie, "items-order", "10")
    for name in ("Apples", "Bread", "Cheese"):
        assert add_item(cookie, "items-order", name=name)[0] == 303
    ids = {r[1]: r[0] for r in item_rows("items-order")}
    a, b, c = ids["Apples"], ids["Bread"], ids["Cheese"]
    assert sheet_order("items-order") == [a, b, c]
    status, hdrs, _ = item_act(cookie, "items-order", "down", "Apples")
    assert status == 303 and hdrs["location"].endswith(f"done=moved#item-{a}")
    assert sheet_order("items-order") == [b, a, c]
    _, seen = item_of("items-order", "Cheese")
    assert item_act(cookie, "items-order", "up", "Cheese")[0] == 303
    assert sheet_order("items-order") == [b, c, a]
    # The same press again moves nothing and says so calmly.
    status, hdrs, _ = item_act(cookie, "items-order", "up", "Cheese", version=seen)
    assert status == 303 and "done=unmoved" in hdrs["location"]
    assert sheet_order("items-order") == [b, c, a]
    body = items_page(cookie, "items-order", "?done=unmoved")
    assert "Nothing was moved" in body
    # The first has no Up button, the last no Down.
    rows = dict(ITEM_RE.findall(body))
    assert 'value="up"' not in rows[str(b)] and 'value="down"' in rows[str(b)]
    assert 'value="down"' not in rows[str(a)] and 'value="up"' in rows[str(a)]


def test_items_bad_input_changes_nothing():
    cookie = login()
    make_event(cookie, "items-bad", "10")
    assert add_item(cookie, "items-bad", name="Plates", category="utensil")[0] == 303
    plates, version = item_of("items-bad", "Plates")
    grill, grill_version = item_of("potluck-picnic", "Grill")
    before = item_rows("items-bad"), item_rows("potluck-picnic")
    bad_fields = (
        ("name", "", "fill in the name"),
        ("name", "x" * 101, "too long"),
        ("name", "two\nlines", "single line"),
        ("unit", "u" * 31, "too long"),
        ("category", "weapons", "category"),
        ("category", None, "category"),
        ("suggested", None, "from 1 to 10000"))
    bad_quantities = [("suggested", q, "from 1 to 10000")
                      for q in ("0", "-1", "1.5", "99999999999", "abc", "10001", "")]
    for field, value, says in bad_fields + tuple(bad_quantities):
        for action in ("add", "edit"):
            body = items_page(cookie, "items-bad")
            form = dict(ITEM, action=action, **{field: value})
            if action == "add":
                form["form_token"] = harness.form_tokens(body)[-1]
            else:
                form.update(item=str(plates), version=str(version))
            status, _, body = items_post(cookie, "items-bad", form, body)
            assert status == 400, f"{action} {field}={value!r}: {status}"
            assert alerts(body) and says in alerts(body)[0], f"{field}: {alerts(body)}"
            if value and field != "category":
                assert html.escape(value.split("\n")[0]) in body, f"{field}={value!r} not refilled"
    for what, fields, want in (
            ("another event's item", dict(ITEM, action="edit", item=str(grill),
                                          version=str(grill_version)), 404),
            ("no such item", dict(ITEM, action="edit", item="999999", version="1"), 404),
            ("up, another event's", {"action": "up", "item": str(grill),
                                     "version": str(grill_version)}, 404),
            ("no item", dict(ITEM, action="edit", version="1"), 400),
            ("bad item", {"action": "down", "item": "x", "version": "1"}, 400),
            ("no version", {"action": "up", "item": str(plates)}, 400),
            ("unknown action", {"action": "fly", "item": str(plates)}, 400),
            ("no action", {}, 400)):
        status, _, body = items_post(cookie, "items-bad", fields)
        assert status == want, f"{what}: {status}"
        assert alerts(body), what
    body = items_page(cookie, "items-bad")
    status, _, _ = items_post(cookie, "items-bad", {
        "action": "remove", "item": str(grill), "version": str(grill_version), "confirm": "1",
        "form_token": remove_token(body, plates)}, body)
    assert status == 404
    status, _, _ = items_post(cookie, "items-bad", {
        "action": "remove", "item": str(plates), "version": str(version)}, body)
    assert status == 400  # no form token
    assert (item_rows("items-bad"), item_rows("potluck-picnic")) == before
    # Unknown events are 404 before anything else.
    assert fetch("GET", "/admin/events/nope/items", cookie=cookie)[0] == 404
    # A Remove button's token does not add.
    status, _, _ = items_post(cookie, "items-bad", dict(
        ITEM, action="add", form_token=remove_token(body, plates)), body)
    assert status == 400
    assert (item_rows("items-bad"), item_rows("potluck-picnic")) == before


def test_items_past_the_limit_is_422():
    cookie = login()
    make_event(cookie, "items-full", "10")
    body = items_page(cookie, "items-full")
    token = harness.form_tokens(body)[-1]
    for i in range(40):
        assert add_item(cookie, "items-full", name=f"Thing {i}")[0] == 303
    body = items_page(cookie, "items-full")
    assert 'id="add"' not in body and "the most items it can hold" in body
    status, _, body = items_post(cookie, "items-full", dict(
        ITEM, action="add", name="One too many", form_token=token))
    assert status == 422 and "40 items" in alerts(body)[0]
    assert 'value="One too many"' in body
    assert len(item_rows("items-full")) == 40


# -- exports -------------------------------------------------------------------

def csv_download(cookie, path, filename):
    """GET an admin CSV file, check how it is sent; its text after the BOM."""
    status, hdrs, data = site().request("GET", path, headers={"Cookie": f"{COOKIE}={cookie}"})
    assert status == 200, f"{path}: {status}"
    assert hdrs["content-type"] == "text/csv; charset=utf-8"
    assert f'filename="{filename}"' in hdrs["content-disposition"]
    assert hdrs["cache-control"] == "no-store"
    assert data.startswith(b"\xef\xbb\xbf")
    return data[3:].decode("utf-8")


def test_participants_csv_quoting_and_injection():
    cookie = login()
    make_event(cookie, "csv-party", "10", max_guests="2")
    body = rsvps_page(cookie, "csv-party")
    for name, email, note in (("=HYPERLINK(\"http://evil\")", "a@example.org", "-1+1"),
                              ('Ann "the ace", Bell', "b@example.org", "line one\nline two"),
                              ("@Zoë", "c@example.org", "+SUM(A1)")):
        body = rsvps_page(cookie, "csv-party")
        status, _, _ = post("/admin/events/csv-party/rsvps", {
            "csrf": csrf_of(body), "form_token": harness.form_token(body), "action": "add",
            "name": name, "email": email, "guests": "1", "note": note}, cookie)
        assert status == 303, status
    text = csv_download(cookie, "/admin/events/csv-party/rsvps.csv",
                        "csv-party-participants.csv")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0][:4] == ["status", "waitlist position", "name", "email"]
    names = [row[2] for row in rows[1:]]
    assert names == ["'=HYPERLINK(\"http://evil\")", 'Ann "the ace", Bell', "'@Zoë"], names
    notes = [row[6] for row in rows[1:]]
    assert notes == ["'-1+1", "line one\nline two", "'+SUM(A1)"], notes
    assert all(row[0] == "confirmed" and row[4] == "1" and row[5] == "2" for row in rows[1:])
    assert text.count("\r\n") == 4  # CRLF rows (the note's own line break is LF)


def test_dashboard_counts_items_still_needed():
    cookie = login()
    make_event(cookie, "items-dash", "10")
    for name, suggested in (("Bread", "3"), ("Jam", "1")):
        assert add_item(cookie, "items-dash", name=name, suggested=suggested)[0] == 303
    rsvp_pledging("items-dash", "Kim", {"Jam": 1, "Bread": 2})
    status, _, body = fetch("GET", "/admin", cookie=cookie)
    assert status == 200 and body.count("<th>Items still needed</th>") == 2
    # The items cell of each row.
    cells = {slug: re.search(r'<td data-label="Items still needed">([^<]*)</td>', row).group(1)
             for slug, row in re.findall(r'<tr><td data-label="Event"><a href='
                                         r'"/admin/events/([a-z0-9-]+)/edit">(.*?)</tr>', body, re.S)}
    assert cells["items-dash"] == "1 of 2", cells["items-dash"]
    assert cells["fun-run-5k"] == "no sheet", cells["fun-run-5k"]


def past_section(body):
    """The slugs of the dashboard's past events, in order."""
    past = body.split('<h2 id="past">', 1)[1]
    return re.findall(r'<tr><td[^>]*><a href="/admin/events/([a-z0-9-]+)/edit">', past)


def test_dashboard_pages_past_events():
    """The dashboard lists the 10 events over last, and pages through the
    older ones (?from=ID: those over before event ID, latest first; ties
    by id): every past event once, in order, however many there are."""
    cookie = login()
    now = int(time.time())
    con = sqlite3.connect(site().db_path, timeout=30)
    try:
        with con:
            for k in range(23):
                end = now - 86400 * (1 + k // 2)  # two events end together
                con.execute("INSERT INTO event (slug, title, description, location, starts_at,"
                            " ends_at, status, capacity, max_guests, created_at, updated_at)"
                            " VALUES (?, ?, '', 'Hall', ?, ?, 'published', 10, 0, 1, 1)",
                            (f"old-{k}", f"Old {k}", end - 3600, end))
    finally:
        con.close()
    want = [slug for slug, in site().query(
        "SELECT slug FROM event WHERE coalesce(ends_at, starts_at) < ?"
        " ORDER BY coalesce(ends_at, starts_at) DESC, id DESC", (int(time.time()),))]
    assert len(want) >= 23
    seen, path = [], "/admin"
    while path:
        status, _, body = fetch("GET", path, cookie=cookie)
        assert status == 200, (path, status)
        page = past_section(body)
        assert 0 < len(page) <= 10, (path, page)
        seen += page
        older = re.search(r'<a href="(/admin\?from=\d+)#past">Older events', body)
        path = older.group(1) if older else None
        assert (path is None) == (len(seen) == len(want)), (path, len(seen))
    assert seen == want, seen
    assert "Latest past events" in body
    status, _, body = fetch("GET", "/admin", cookie=cookie)
    assert past_section(body) == want[:10] and "Latest past events" not in body
    for bad in ("abc", "-1", "0"):
        status, _, body = fetch("GET", f"/admin?from={bad}", cookie=cookie)
        assert status == 200 and past_section(body) == want[:10], bad
    status, _, body = fetch("GET", "/admin?from=999999999", cookie=cookie)
    assert status == 200 and past_section(body) == [] and "No older events." in body


def test_potluck_csv_one_row_per_pledge():
    cookie = login()
    make_event(cookie, "items-csv", "1")
    for item in (dict(name='Ann "the ace", Bell\'s pie', unit="slices, thin", suggested="5"),
                 dict(name="=SUM(A1)", category="other", unit="", suggested="2", capped="1")):
        assert add_item(cookie, "items-csv", **item)[0] == 303
    pie = 'Ann "the ace", Bell\'s pie'
    rsvp_pledging("items-csv", "=HYPERLINK(\"http://evil\")", {pie: 2})
    rsvp_pledging("items-csv", "Zoë, waiting", {pie: 1})  # capacity 1: waitlisted
    text = csv_download(cookie, "/admin/events/items-csv/items.csv", "items-csv-potluck.csv")
    assert text.count("\r\n") == 4 and text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["category", "item", "unit", "suggested", "pledged in total", "capped",
                       "name", "email", "quantity", "status"]
    assert [row[:6] for row in rows[1:]] == [
        ["food", pie, "slices, thin", "5", "3", "no"],
        ["food", pie, "slices, thin", "5", "3", "no"],
        ["other", "'=SUM(A1)", "", "2", "0", "yes"]]
    assert [row[6] for row in rows[1:]] == ["'=HYPERLINK(\"http://evil\")", "Zoë, waiting", ""]
    assert [row[8:] for row in rows[1:]] == [["2", "confirmed"], ["1", "tentative (waitlisted)"],
                                             ["", ""]]
    assert all(row[7].endswith("@example.org") for row in rows[1:3]) and rows[3][7] == ""
    assert 'href="/admin/events/items-csv/items.csv"' in items_page(cookie, "items-csv")


def unfold(ics):
    """RFC 5545 unfolding: CRLF followed by one space or tab continues a line."""
    return re.sub(r"\r\n[ \t]", "", ics)


def test_ics_is_valid_rfc5545():
    status, hdrs, data = site().request("GET", "/events/chess-tournament.ics")
    assert status == 200
    assert hdrs["content-type"] == "text/calendar; charset=utf-8"
    text = data.decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")[:-1]
    assert all(len(line.encode()) <= 75 for line in lines)
    props = {}
    for line in unfold(text).split("\r\n")[:-1]:
        name, _, value = line.partition(":")
        props.setdefault(name, []).append(value)
    assert props["BEGIN"] == ["VCALENDAR", "VEVENT"] and props["END"] == ["VEVENT", "VCALENDAR"]
    assert props["VERSION"] == ["2.0"] and props["PRODID"][0]
    for key in ("UID", "DTSTAMP", "DTSTART", "DTEND"):
        assert len(props[key]) == 1, key
    for key in ("DTSTAMP", "DTSTART", "DTEND"):
        assert re.fullmatch(r"\d{8}T\d{6}Z", props[key][0]), props[key]
    starts = site().query_one("SELECT starts_at FROM event WHERE slug = 'chess-tournament'")[0]
    assert props["DTSTART"][0] == time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(starts))
    assert props["SUMMARY"] == ["Chess club rapid tournament"]
    assert props["DESCRIPTION"][0].startswith("Seven rounds of 15+10 rapid chess\\, Swiss")
    assert props["LOCATION"] == ["Community centre\\, room 2"]
    assert props["URL"][0].endswith("/events/chess-tournament")
    # Drafts and unknown events have no calendar file; bad names are 404.
    for path in ("/events/committee-meeting.ics", "/events/nope.ics", "/events/Bad.ics",
                 "/events/.ics"):
        assert site().request("GET", path)[0] == 404, path


test_sites_clean = harness.test_sites_clean


if __name__ == "__main__":
    try:
        sys.exit(main(globals()))
    finally:
        harness.close_all()
