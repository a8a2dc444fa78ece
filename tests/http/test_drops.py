#!/usr/bin/env python3
"""Limited drops over HTTP (issue 12): the drop page, holds behind a secret
link, claim and let go, idempotent forms, bad input, the sale window, sold
out and "all held", stock.json through the nginx microcache, the live page
with its activity feed, the per-address limit on hold POSTs, and bounded
concurrency storms (stock 20 against 500 holds; the last unit against 100).
Every case checks the database afterwards.

Expiry is exact to the millisecond in the unit tests (tests/unit/test_drop.c,
with the settable clock); here a hold is made to run out by moving its
expires_at into the past, which is what time passing does to it.

Run: TURNOUT_BUILD=/work/main TURNOUT_SRC=/work/main tests/http/test_drops.py
"""
import hashlib
import json
import os
import re
import sqlite3
import sys
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

sys.dont_write_bytecode = True  # no __pycache__ in the (maybe read-only) source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from tap import Skip, diag  # noqa: E402

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DAY = 24 * 3600
HOLD_LINK = re.compile(r"^/holds/([0-9a-f]{32})$")
ADMIN_PASSWORD = "a long organiser password"
ADMIN = {}  # the organiser's session cookie, once logged in

# Drops the tests add before the site starts: slug -> (per_person, opens in
# seconds from now or None, {item: (price, {variant: stock})}).
TEST_DROPS = {
    "shirts": (2, None, {"T-shirt": ("€15, pay at pick-up", {"S": 20, "M": 1, "L": 0})}),
    "bike": (1, None, {"Bike": ("free", {"": 1})}),
    "later": (1, DAY, {"Ticket": ("free", {"": 10})}),
    "other": (1, None, {"Mug": ("€5", {"": 5})}),
    "storm": (1, None, {"Poster": ("€2", {"": 20})}),
    "last": (1, None, {"Print": ("€50", {"": 1})}),
}

def add_test_drops(data):
    """prepare(): several workers; the test drops straight into the new database."""
    # Cheap password hashes: the suite also runs under valgrind.
    harness.write_config(data, f"workers = {harness.STORM_WORKERS}\n"
                         "password_memory_kib = 1024\n")
    harness.add_admin_user(os.path.join(data, "turnout.conf"), "org", ADMIN_PASSWORD)
    now = int(time.time())
    con = sqlite3.connect(os.path.join(data, "turnout.db"))
    try:
        with con:
            for slug, (per_person, opens, items) in TEST_DROPS.items():
                cur = con.execute(
                    "INSERT INTO event (slug, title, description, location, starts_at,"
                    " status, capacity, rsvp_opens_at, created_at, updated_at, kind)"
                    " VALUES (?, ?, 'A drop for the tests.', 'Test hall', ?, 'published',"
                    " NULL, ?, ?, ?, 'drop')",
                    (slug, f"Test drop {slug}", now + 7 * DAY,
                     None if opens is None else now + opens, now, now))
                event_id = cur.lastrowid
                con.execute("INSERT INTO drop_setting (event_id, per_person, hold_seconds,"
                            " renewals, pickup) VALUES (?, ?, 60, 2, 'Collect at the bar')",
                            (event_id, per_person))
                for item, (price, variants) in items.items():
                    item_id = con.execute(
                        "INSERT INTO drop_item (event_id, name, price) VALUES (?, ?, ?)",
                        (event_id, item, price)).lastrowid
                    for k, (name, stock) in enumerate(variants.items()):
                        con.execute("INSERT INTO drop_variant (item_id, name, stock, position)"
                                    " VALUES (?, ?, ?, ?)", (item_id, name, stock, k))
            # An RSVP event the admin test makes a drop.
            con.execute("INSERT INTO event (slug, title, starts_at, status, capacity,"
                        " created_at, updated_at) VALUES ('merch', 'Merch table', ?,"
                        " 'published', 30, ?, ?)", (now + 7 * DAY, now, now))
    finally:
        con.close()


site = harness.site_once("drops", add_test_drops,
                         lambda s: diag(f"site on port {s.port}, data {s.data}"))


# Each POST comes from its own loopback address unless told otherwise, so
# nginx's per-address limit on hold POSTs counts only the case that tests it.
_sources = iter(f"127.0.{a}.{b}" for a in range(10, 250) for b in range(1, 255))
_sources_lock = threading.Lock()


def next_source():
    with _sources_lock:
        return next(_sources)


def fetch(method, path, body=None, headers=None, source=None):
    return site().fetch(method, path, body, headers=headers, source=source)


def post(path, fields, source=None):
    return site().post_form(path, fields, source=source or next_source())


def assert_status(got, want, what, body=""):
    extra = f"\n  alerts: {harness.alerts(body)}" if body and got != want else ""
    assert got == want, f"{what}: status {got}, want {want}{extra}"


def token_hash(token):
    return hashlib.blake2b(token.encode(), digest_size=32).digest()


def variant_id(slug, name):
    row = site().query_one(
        "SELECT v.id FROM drop_variant v JOIN drop_item i ON i.id = v.item_id"
        " JOIN event e ON e.id = i.event_id WHERE e.slug = ? AND v.name = ?", (slug, name))
    assert row, f"no variant {name!r} at {slug}"
    return row[0]


def fresh_token(slug):
    status, _, body = fetch("GET", f"/events/{slug}")
    assert_status(status, 200, f"GET /events/{slug}")
    token = harness.form_token(body)
    assert token, f"/events/{slug} has no form_token"
    return token


def hold(slug, variant, name, email, quantity=None, token=None):
    """POST the hold form; (status, headers, body, form token)."""
    token = token if token is not None else fresh_token(slug)
    status, hdrs, body = post(f"/events/{slug}/hold", {
        "form_token": token, "variant": str(variant), "quantity": quantity,
        "name": name, "email": email})
    return status, hdrs, body, token


def hold_ok(slug, variant, name, email, quantity=None):
    """A hold that must work; returns its link's token."""
    status, hdrs, body, _ = hold(slug, variant, name, email, quantity)
    assert_status(status, 303, f"hold {name} at {slug}", body)
    m = HOLD_LINK.match(hdrs["location"])
    assert m, f"hold redirected to {hdrs['location']}"
    return m.group(1)


def hold_forms(token):
    """The hold page, and its claim and release form tokens (None if not shown)."""
    status, _, body = fetch("GET", f"/holds/{token}")
    assert_status(status, 200, "GET hold page")
    tokens = harness.form_tokens(body)
    return body, (tokens[0] if tokens else None), (tokens[1] if len(tokens) > 1 else None)


def act(token, action, form_token=None):
    if form_token is None:
        _, claim_t, release_t = hold_forms(token)
        form_token = claim_t if action == "claim" else release_t
        assert form_token, f"the hold page has no {action} form"
    return post(f"/holds/{token}", {"form_token": form_token, "action": action})


def hold_row(token):
    return site().query_one("SELECT status, quantity, variant_id FROM drop_hold"
                            " WHERE token_hash = ?", (token_hash(token),))


def holds_count(slug):
    return site().query_one("SELECT count(*) FROM drop_hold h JOIN event e ON"
                            " e.id = h.event_id WHERE e.slug = ?", (slug,))[0]


def run_out(tokens):
    """Make the holds run out now: what time passing does to them."""
    con = sqlite3.connect(site().db_path, timeout=30)
    try:
        with con:
            for t in tokens:
                con.execute("UPDATE drop_hold SET expires_at = created_at + 1"
                            " WHERE token_hash = ?", (token_hash(t),))
    finally:
        con.close()


def counter_problems():
    """Counters that differ from the holds' rows, and any overselling."""
    rows = site().query(
        "SELECT v.id, v.stock, v.held, v.claimed,"
        " (SELECT coalesce(sum(quantity), 0) FROM drop_hold WHERE variant_id = v.id"
        "  AND status = 'live'),"
        " (SELECT coalesce(sum(quantity), 0) FROM drop_hold WHERE variant_id = v.id"
        "  AND status = 'claimed') FROM drop_variant v")
    problems = [f"variant {r[0]}: counters {r[2]}/{r[3]}, rows {r[4]}/{r[5]}, stock {r[1]}"
                for r in rows if r[2] != r[4] or r[3] != r[5] or r[3] > r[1]]
    bad = site().query("SELECT id FROM drop_hold h WHERE (status IN ('claimed', 'cancelled'))"
                       " <> EXISTS (SELECT 1 FROM drop_claim WHERE hold_id = h.id)")
    problems += [f"hold {r[0]}: claim row and status disagree" for r in bad]
    integrity = site().query("PRAGMA integrity_check")
    if integrity != [("ok",)]:
        problems.append(f"integrity_check: {integrity[:5]}")
    return problems


# -- pages -----------------------------------------------------------------------

def test_drop_page_shows_items_not_the_rsvp_form():
    status, _, body = fetch("GET", "/events/shirts")
    assert_status(status, 200, "drop page")
    assert "T-shirt" in body and "€15, pay at pick-up" in body
    assert "Hold it" in body
    assert 'action="/events/shirts/hold"' in body
    assert "/rsvp\"" not in body and "RSVP</button>" not in body, "a drop shows no RSVP form"
    # L has none: its choice is disabled; S and M can be picked.
    assert re.search(r'value="%d" required disabled' % variant_id("shirts", "L"), body)
    assert re.search(r'value="%d" required>' % variant_id("shirts", "S"), body)
    # A drop with one variant hides the choice.
    status, _, body = fetch("GET", "/events/bike")
    assert 'type="radio"' not in body
    assert 'name="variant" value="%d"' % variant_id("bike", "") in body


def test_hold_claim_and_replays():
    s_id = variant_id("shirts", "S")
    status, hdrs, body, form = hold("shirts", s_id, "Ann Bell", "ann@example.org")
    assert_status(status, 303, "hold", body)
    token = HOLD_LINK.match(hdrs["location"]).group(1)
    # A double click on "Hold it" answers the same link and holds once.
    status, hdrs2, _, _ = hold("shirts", s_id, "Ann Bell", "ann@example.org", token=form)
    assert_status(status, 303, "replayed hold")
    assert hdrs2["location"] == hdrs["location"]
    assert site().query_one("SELECT count(*) FROM drop_hold WHERE email ="
                            " 'ann@example.org'")[0] == 1
    assert hold_row(token)[0] == "live"
    # Only the link's hash is stored.
    assert not site().query("SELECT 1 FROM drop_hold WHERE token_hash = ?", (token,))

    body, claim_t, _ = hold_forms(token)
    assert "Held for you until" in body
    assert re.search(r'<meta http-equiv="refresh" content="(\d+)">', body), "no refresh at expiry"
    assert re.search(r'data-expires-ms="\d{13}"', body)
    status, hdrs, body = act(token, "claim", claim_t)
    assert_status(status, 303, "claim", body)
    assert hdrs["location"] == f"/holds/{token}"
    status, hdrs, _ = act(token, "claim", claim_t)
    assert_status(status, 303, "replayed claim")
    body, _, _ = hold_forms(token)
    assert "your claim number is <strong>1</strong>" in body.replace("\n", " ") or \
        re.search(r"claim number is <strong>\d+</strong>", body)
    assert "Collect at the bar" in body
    assert hold_row(token)[0] == "claimed"
    assert site().query_one("SELECT count(*) FROM drop_claim c JOIN drop_hold h ON"
                            " h.id = c.hold_id WHERE h.email = 'ann@example.org'")[0] == 1
    assert not counter_problems(), counter_problems()


def test_let_it_go_returns_stock():
    m_id = variant_id("shirts", "M")
    token = hold_ok("shirts", m_id, "Cy Dunn", "cy@example.org")
    status, _, body = fetch("GET", "/events/shirts")
    assert re.search(r"M: <strong data-live=\"available\">0</strong> of 1", body)
    status, hdrs, body = act(token, "release")
    assert_status(status, 303, "let it go", body)
    assert hold_row(token)[0] == "released"
    body, claim_t, _ = hold_forms(token)
    assert "You let this one go" in body and claim_t is None
    status, _, body = fetch("GET", "/events/shirts")
    assert re.search(r"M: <strong data-live=\"available\">1</strong> of 1", body)


def test_same_address_gets_its_hold_back():
    s_id = variant_id("shirts", "S")
    status, hdrs, body, _ = hold("shirts", s_id, "Di Eve", "di@example.org")
    assert_status(status, 303, "first hold", body)
    first = HOLD_LINK.match(hdrs["location"]).group(1)
    cookie = hdrs.get("set-cookie", "")
    assert cookie.startswith(f"turnout_hold={first};") and "HttpOnly" in cookie, cookie
    assert "Path=/events/shirts/hold;" in cookie, cookie
    # Someone else who knows the address: no link, no renewal.
    status, hdrs, body, _ = hold("shirts", s_id, "Di Eve", "di@example.org")
    assert_status(status, 409, "the same address from another browser", body)
    assert first not in body and "location" not in hdrs
    assert any("already holds one" in a for a in harness.alerts(body)), harness.alerts(body)
    # Nor through a used form token replayed with that address.
    status, hdrs, body, used = hold("shirts", variant_id("shirts", "M"), "Mo Ray",
                                    "mo@example.org")
    assert_status(status, 303, "Mo's hold", body)
    mo = HOLD_LINK.match(hdrs["location"]).group(1)
    status, hdrs, body, _ = hold("shirts", s_id, "Di Eve", "di@example.org", token=used)
    assert first not in hdrs.get("location", "") and first not in body
    assert site().query_one("SELECT count(*), max(renewals) FROM drop_hold WHERE"
                            " email = 'di@example.org'") == (1, 0)
    # The browser that made it gets it back, renewed.
    status, hdrs, body = fetch("POST", "/events/shirts/hold", urllib.parse.urlencode({
        "form_token": fresh_token("shirts"), "variant": str(s_id), "name": "Di Eve",
        "email": "DI@example.org"}), dict(FORM, Cookie=f"turnout_hold={first}"))
    assert_status(status, 303, "the same address from its own browser", body)
    assert HOLD_LINK.match(hdrs["location"]).group(1) == first
    assert site().query_one("SELECT count(*), max(renewals) FROM drop_hold WHERE"
                            " email = 'di@example.org'") == (1, 1)
    act(first, "release")
    act(mo, "release")


def test_per_person_limit_is_409():
    s_id = variant_id("shirts", "S")
    token = hold_ok("shirts", s_id, "Ed Fox", "ed@example.org", quantity="2")
    assert_status(act(token, "claim")[0], 303, "claim 2")
    status, _, body, _ = hold("shirts", s_id, "Ed Fox", "ed@example.org", quantity="1")
    assert_status(status, 409, "a third unit for one person", body)
    assert "as many as one person may" in body


def test_bad_input_is_400_and_writes_nothing():
    s_id = variant_id("shirts", "S")
    before = holds_count("shirts")
    cases = [
        ({"quantity": "0"}, "quantity 0"),
        ({"quantity": "-1"}, "quantity -1"),
        ({"quantity": "1.5"}, "quantity 1.5"),
        ({"quantity": "3"}, "quantity above the limit"),
        ({"quantity": "99999999999"}, "quantity 99999999999"),
        ({"variant": "abc"}, "variant not a number"),
        ({"variant": None}, "no variant"),
        ({"variant": "999999"}, "unknown variant"),
        ({"variant": str(variant_id("other", ""))}, "a variant of another drop"),
        ({"name": ""}, "no name"),
        ({"email": "not-an-address"}, "bad e-mail"),
        ({"form_token": "0" * 80}, "forged form token"),
    ]
    for change, what in cases:
        fields = {"form_token": fresh_token("shirts"), "variant": str(s_id), "quantity": "1",
                  "name": "Bad Input", "email": "bad@example.org"}
        fields.update(change)
        status, _, body = post("/events/shirts/hold", fields)
        assert_status(status, 400, what, body)
        assert harness.alerts(body), f"{what}: no message on the page"
    assert holds_count("shirts") == before


def test_bad_hold_links():
    assert_status(fetch("GET", "/holds/xyz")[0], 404, "malformed hold link")
    assert_status(fetch("GET", "/holds/" + "A" * 32)[0], 404, "upper-case hold link")
    assert_status(fetch("GET", "/holds/" + "0" * 32)[0], 404, "unknown hold link")
    status, _, _ = post("/holds/" + "0" * 32, {"form_token": "x", "action": "claim"})
    assert_status(status, 404, "claim on an unknown hold")
    token = hold_ok("shirts", variant_id("shirts", "S"), "Flo Gray", "flo@example.org")
    _, claim_t, release_t = hold_forms(token)
    status, _, body = post(f"/holds/{token}", {"form_token": claim_t, "action": "steal"})
    assert_status(status, 400, "unknown action", body)
    # A token made for "let it go" does not claim.
    status, _, body = post(f"/holds/{token}", {"form_token": release_t, "action": "claim"})
    assert_status(status, 400, "release token used to claim", body)
    assert hold_row(token)[0] == "live"
    # Expired: the claim is refused with a page that says so.
    run_out([token])
    status, _, body = post(f"/holds/{token}", {"form_token": claim_t, "action": "claim"})
    assert_status(status, 422, "claim after expiry", body)
    assert "ran out" in " ".join(harness.alerts(body))
    assert "try again" in body
    # Refused: nothing was claimed (the row is marked expired by the next
    # write or the sweeper; every read already treats it as run out).
    assert hold_row(token)[0] in ("live", "expired")
    assert not site().query("SELECT 1 FROM drop_claim c JOIN drop_hold h ON h.id = c.hold_id"
                            " WHERE h.token_hash = ?", (token_hash(token),))
    body, claim_t, _ = hold_forms(token)
    assert claim_t is None and "ran out" in body
    # Claimed: letting it go is refused.
    token = hold_ok("shirts", variant_id("shirts", "S"), "Gus Hill", "gus@example.org")
    assert_status(act(token, "claim")[0], 303, "claim")
    _, _, _ = hold_forms(token)
    status, _, body = post(f"/holds/{token}", {"form_token": release_t, "action": "release"})
    assert_status(status, 400, "another hold's release token", body)
    assert hold_row(token)[0] == "claimed"
    assert not counter_problems(), counter_problems()


def test_sold_out_and_all_held():
    v = variant_id("bike", "")
    token = hold_ok("bike", v, "Hal Ives", "hal@example.org")
    status, _, body = fetch("GET", "/events/bike")
    assert "All held: check back in a minute" in body and "Hold it" not in body
    status, _, body, _ = hold("bike", v, "Ivy Jones", "ivy@example.org")
    assert_status(status, 409, "hold while all held", body)
    assert "check back in a minute" in " ".join(harness.alerts(body))
    assert_status(act(token, "claim")[0], 303, "claim the bike")
    status, _, body = fetch("GET", "/events/bike")
    assert ">Sold out</button>" in body
    status, _, body, _ = hold("bike", v, "Ivy Jones", "ivy@example.org")
    assert_status(status, 409, "hold when sold out", body)
    assert "Sold out" in " ".join(harness.alerts(body))
    assert holds_count("bike") == 1


def test_before_opening_counts_down_and_refuses():
    status, _, body = fetch("GET", "/events/later")
    assert_status(status, 200, "drop page before opening")
    assert "This drop opens on" in body and "data-countdown" in body
    assert 'action="/events/later/hold"' not in body
    # A well-made token of this form (the page shows none yet): the rule refuses.
    token = site().forge_form_token(int(time.time()), "hold:later")
    status, _, body = post("/events/later/hold", {
        "form_token": token, "variant": str(variant_id("later", "")), "name": "Early Bird",
        "email": "early@example.org"})
    assert_status(status, 422, "hold before the opening", body)
    assert "not opened yet" in " ".join(harness.alerts(body))
    assert holds_count("later") == 0


def test_rsvp_and_hold_do_not_mix():
    status, _, _ = post("/events/potluck-picnic/hold", {"form_token": "x", "variant": "1",
                                                        "name": "A", "email": "a@b.cd"})
    assert_status(status, 404, "hold at an RSVP event")
    assert_status(fetch("GET", "/events/potluck-picnic/stock.json")[0], 404,
                  "stock.json of an RSVP event")
    status, _, body = post("/events/shirts/rsvp", {"form_token": "x", "name": "A",
                                                   "email": "a@b.cd"})
    assert status in (400, 422), f"RSVP at a drop: {status}"
    assert not site().query("SELECT 1 FROM rsvp r JOIN event e ON e.id = r.event_id"
                            " WHERE e.kind = 'drop'")


def test_stock_json_etag_and_microcache():
    status, hdrs, body = fetch("GET", "/events/shirts/stock.json")
    assert_status(status, 200, "stock.json")
    doc = json.loads(body)
    assert doc["slug"] == "shirts" and doc["open"] is True
    names = {v["name"]: v for v in doc["variants"]}
    assert set(names) == {"S", "M", "L"}
    for v in doc["variants"]:
        assert v["available"] == v["stock"] - v["held"] - v["claimed"]
    assert hdrs.get("etag") and "x-cache" in hdrs
    status, _, _ = fetch("GET", "/events/shirts/stock.json", headers={
        "If-None-Match": hdrs["etag"]})
    assert_status(status, 304, "stock.json with its ETag")
    # A hold changes the numbers: after the microcache's second, a new ETag.
    hold_ok("shirts", variant_id("shirts", "S"), "Jo King", "jo@example.org")
    deadline = time.monotonic() + 5
    while True:
        status, hdrs2, body = fetch("GET", "/events/shirts/stock.json")
        if hdrs2["etag"] != hdrs["etag"] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert hdrs2["etag"] != hdrs["etag"], "stock.json did not change after a hold"


def test_live_page_feed_shows_initials_only():
    status, hdrs, body = fetch("GET", "/events/shirts/live")
    assert_status(status, 200, "live page")
    assert '<meta http-equiv="refresh" content="2">' in body
    assert "A. B. claimed 1 × T-shirt S" in body
    assert "Ann Bell" not in body and "ann@example.org" not in body
    assert "Top claimers" in body   # per-person limit 2


def test_hold_posts_are_rate_limited_per_address():
    source = next_source()
    statuses = Counter()
    for _ in range(25):
        status, _, _ = post("/events/other/hold", {"form_token": "0" * 80, "variant": "1",
                                                    "name": "Flood", "email": "f@e.org"},
                            source=source)
        statuses[status] += 1
    assert statuses[429] > 0 and statuses[400] >= 10, statuses
    # Another address is not held back by it.
    assert_status(post("/events/other/hold", {"form_token": "0" * 80})[0], 400,
                  "another address")


# -- the organiser ---------------------------------------------------------------

def admin():
    """A logged-in admin's session cookie (made once)."""
    if "cookie" not in ADMIN:
        ADMIN["cookie"] = site().admin_login("org", ADMIN_PASSWORD, source=next_source())
    return ADMIN["cookie"]


def admin_post(slug, fields):
    s = site()
    status, _, body = s.fetch("GET", f"/admin/events/{slug}/drop", cookie=admin())
    assert_status(status, 200, "admin drop page")
    fields = dict(fields, csrf=harness.csrf_of(body))
    return s.post_form(f"/admin/events/{slug}/drop", fields, cookie=admin(),
                       source=next_source())


def test_admin_makes_a_drop_with_items_and_stock():
    s = site()
    assert_status(s.fetch("GET", "/admin/events/potluck-picnic/drop")[0], 303,
                  "admin drop page without a session")
    status, _, body = s.fetch("GET", "/admin/events/merch/drop", cookie=admin())
    assert_status(status, 200, "admin drop page of an RSVP event")
    assert "This event takes RSVPs" in body
    for bad, what in ((("hold_seconds", "14")), "hold time below 15"), \
                     ((("hold_seconds", "1801")), "hold time above 1800"), \
                     ((("per_person", "0")), "limit 0"), \
                     ((("renewals", "x")), "renewals not a number"):
        fields = {"action": "settings", "per_person": "1", "hold_seconds": "60",
                  "renewals": "2", "pickup": "At the desk"}
        fields[bad[0]] = bad[1]
        status, _, body = admin_post("merch", fields)
        assert_status(status, 400, what, body)
    assert site().query_one("SELECT kind FROM event WHERE slug = 'merch'")[0] == "rsvp"
    status, hdrs, body = admin_post("merch", {
        "action": "settings", "per_person": "2", "hold_seconds": "90", "renewals": "1",
        "pickup": "At the finish line"})
    assert_status(status, 303, "settings", body)
    assert site().query_one("SELECT kind FROM event WHERE slug = 'merch'")[0] == "drop"
    status, _, body = admin_post("merch", {"action": "item", "name": "Medal",
                                               "price": "free", "description": "Bronze"})
    assert_status(status, 303, "add item", body)
    item = site().query_one("SELECT i.id FROM drop_item i JOIN event e ON e.id = i.event_id"
                            " WHERE e.slug = 'merch'")[0]
    status, _, body = admin_post("merch", {"action": "variant", "id": str(item),
                                               "name": "", "stock": "3"})
    assert_status(status, 303, "add variant", body)
    status, _, body = fetch("GET", "/events/merch")
    assert "Medal" in body and "Hold it" in body
    # A competition (the demo's race, with entrants and times) never becomes a drop.
    status, _, body = admin_post("fun-run-5k", {
        "action": "settings", "per_person": "1", "hold_seconds": "60", "renewals": "1",
        "pickup": "At the finish line"})
    assert_status(status, 409, "a competition made a drop", body)
    assert "is a competition" in body, body[:2000]
    assert site().query_one("SELECT kind FROM event WHERE slug = 'fun-run-5k'")[0] == "rsvp"
    assert site().query_one("SELECT count(*) FROM drop_setting s JOIN event e ON"
                            " e.id = s.event_id WHERE e.slug = 'fun-run-5k'")[0] == 0


def test_admin_claims_list_marks_cancel_and_csv():
    s = site()
    v = variant_id("shirts", "S")
    token = hold_ok("shirts", v, "Kim Lee", "kim@example.org")
    assert_status(act(token, "claim")[0], 303, "claim")
    hold_id = site().query_one("SELECT id FROM drop_hold WHERE email = 'kim@example.org'")[0]
    status, _, body = s.fetch("GET", "/admin/events/shirts/drop", cookie=admin())
    assert "kim@example.org" in body and "Picked up" in body
    for action in ("picked_up", "paid"):
        status, _, body = admin_post("shirts", {"action": action, "hold": str(hold_id)})
        assert_status(status, 303, action, body)
    row = site().query_one("SELECT picked_up_at IS NOT NULL, paid_at IS NOT NULL"
                           " FROM drop_claim WHERE hold_id = ?", (hold_id,))
    assert row == (1, 1), row
    status, hdrs, body = s.fetch("GET", "/admin/events/shirts/claims.csv", cookie=admin())
    assert_status(status, 200, "claims.csv")
    assert "text/csv" in hdrs["content-type"] and "kim@example.org" in body
    # Lowering the stock below what is claimed is refused and says why.
    claimed = site().query_one("SELECT claimed FROM drop_variant WHERE id = ?", (v,))[0]
    status, _, body = admin_post("shirts", {"action": "stock", "id": str(v),
                                           "stock": str(claimed - 1)})
    assert_status(status, 409, "stock below claimed", body)
    assert "below what is already claimed" in " ".join(harness.alerts(body))
    status, _, body = admin_post("shirts", {"action": "cancel", "hold": str(hold_id)})
    assert_status(status, 303, "cancel claim", body)
    assert hold_row(token)[0] == "cancelled"
    assert site().query_one("SELECT count(*) FROM outbox WHERE kind = 'claim_cancelled'"
                            " AND recipient = 'kim@example.org'")[0] == 1
    body, _, _ = hold_forms(token)
    assert "The organiser cancelled this claim" in body
    status, _, body = admin_post("shirts", {"action": "paid", "hold": str(hold_id)})
    assert_status(status, 422, "mark a cancelled claim paid", body)
    assert not counter_problems(), counter_problems()


def test_claim_is_emailed_with_the_pickup_text():
    token = hold_ok("shirts", variant_id("shirts", "S"), "Lu Mae", "lu@example.org")
    assert_status(act(token, "claim")[0], 303, "claim")
    maildir = os.path.join(site().data, "mail", "new")
    deadline = time.monotonic() + 30
    text = ""
    while "lu@example.org" not in text and time.monotonic() < deadline:
        time.sleep(0.2)
        text = ""
        for name in os.listdir(maildir) if os.path.isdir(maildir) else ():
            with open(os.path.join(maildir, name), errors="replace") as f:
                content = f.read()
            if "lu@example.org" in content:
                text = content
    assert "lu@example.org" in text, "no claim e-mail reached the maildir"
    assert "Your claim number" in text and "Collect at the bar" in text, text[:800]


def test_sweeper_marks_holds_that_ran_out():
    token = hold_ok("shirts", variant_id("shirts", "S"), "Mo Ng", "mo@example.org")
    run_out([token])
    deadline = time.monotonic() + 30
    while hold_row(token)[0] == "live" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert hold_row(token)[0] == "expired", "the worker did not mark the hold expired"
    assert site().query_one("SELECT count(*) FROM drop_log l JOIN drop_hold h ON"
                            " h.id = l.hold_id WHERE h.email = 'mo@example.org' AND"
                            " l.action = 'expire'")[0] == 1
    status, _, body = fetch("GET", "/events/shirts/live")
    assert "a hold on T-shirt S ran out" in body


# -- concurrency -------------------------------------------------------------------

def collect_tokens(slug, n, threads=20):
    def one(_):
        return fresh_token(slug)
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, range(n)))


def hold_jobs(slug, start, n):
    v = variant_id(slug, "")
    tokens = collect_tokens(slug, n)
    return [("POST", f"/events/{slug}/hold", {"form_token": t, "variant": str(v),
             "name": f"Storm Person{start + k}", "email": f"s{start + k}@example.org"},
             next_source()) for k, t in enumerate(tokens)]


def check_results(slug, results, jobs, what):
    """Each 303 has its hold (by its link and address); each other answer is a
    409 (none left) or a 503 with Retry-After and wrote nothing."""
    problems, links = [], []
    for (status, hdrs, *_), (_, _, fields, _) in zip(results, jobs):
        row = site().query_one("SELECT h.token_hash FROM drop_hold h JOIN event e ON"
                               " e.id = h.event_id WHERE e.slug = ? AND h.email = ?",
                               (slug, fields["email"]))
        if status == 303:
            m = HOLD_LINK.match(hdrs.get("location", ""))
            if not m or row is None or row[0] != token_hash(m.group(1)):
                problems.append(f"{what}: 303 for {fields['email']} without its hold")
            else:
                links.append(m.group(1))
        elif status == 409 or (status == 503 and hdrs.get("retry-after")):
            if row is not None:
                problems.append(f"{what}: {status} for {fields['email']} but a hold")
        else:
            problems.append(f"{what}: {status} {hdrs.get('error', '')}")
    assert not problems, "\n".join(problems[:20])
    return links


def test_storm_stock_20_never_oversold():
    if harness.VALGRIND:
        raise Skip("concurrency storm in valgrind mode")
    slug = "storm"
    jobs = hold_jobs(slug, 0, 500)
    results = site().storm(jobs)
    links = check_results(slug, results, jobs, "phase 1")
    live = site().query_one("SELECT count(*) FROM drop_hold WHERE status = 'live'"
                            " AND event_id = (SELECT id FROM event WHERE slug = ?)", (slug,))[0]
    assert len(links) == 20 and live == 20, f"{len(links)} holds, {live} live, stock 20"
    assert not counter_problems(), counter_problems()
    # Half are claimed, the others run out: the next wave gets exactly those.
    claims = [act(t, "claim")[0] for t in links[:10]]
    assert claims == [303] * 10, claims
    run_out(links[10:])
    jobs = hold_jobs(slug, 500, 200)
    links2 = check_results(slug, site().storm(jobs), jobs, "phase 2")
    assert len(links2) == 10, f"phase 2: {len(links2)} holds for the 10 that ran out"
    row = site().query_one("SELECT stock, held, claimed FROM drop_variant v JOIN drop_item i"
                           " ON i.id = v.item_id JOIN event e ON e.id = i.event_id"
                           " WHERE e.slug = ?", (slug,))
    assert row == (20, 10, 10), row
    assert not counter_problems(), counter_problems()


def test_storm_last_unit_exactly_one():
    if harness.VALGRIND:
        raise Skip("concurrency storm in valgrind mode")
    jobs = hold_jobs("last", 0, 100)
    links = check_results("last", site().storm(jobs, threads=100), jobs, "last unit")
    assert len(links) == 1, f"{len(links)} holds of the last unit"
    assert holds_count("last") == 1
    assert not counter_problems(), counter_problems()


def test_database_consistent():
    problems = counter_problems()
    assert not problems, "\n".join(problems[:30])


test_sites_clean = harness.test_sites_clean


if __name__ == "__main__":
    harness.run_suite(globals())
