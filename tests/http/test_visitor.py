#!/usr/bin/env python3
"""What a visitor sees (issue 15, items 1-7, 11, 12), on the server side:
form errors listed in a summary linking to each field, fields marked and
values kept, the answer at the form's fragment; pledge results beside the
item; distinct states (available, few left, full with waitlist, closed,
ended, cancelled) and the waitlist in parties; what an ended event shows;
the time zone and the registration deadline on pages and in e-mails; the
calendar links; the potluck's quantity fields on the item cards with
correct plurals; the waitlisted page's watcher; /live's pause link. The
browser side is tests/browser/ux-visitor.mjs.

Run: TURNOUT_BUILD=$PWD TURNOUT_SRC=$PWD tests/http/test_visitor.py
"""
import datetime
import email
import email.policy
import html
import json
import os
import re
import sqlite3
import sys
import time
import zoneinfo

sys.dont_write_bytecode = True  # no __pycache__ in the (maybe read-only) source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from tap import diag  # noqa: E402

DAY = 24 * 3600
ZONE = "Europe/Berlin"
NOW = int(time.time())
CLOSES = (NOW + 5 * DAY) // 60 * 60          # a deadline on a whole minute
NEW_LINK = re.compile(r"^/rsvp/([0-9a-f]{32})\?new=1$")

# slug -> (capacity, max_guests, starts in days, ends after hours, status,
#          rsvp_closes_at, items as (name, suggested, unit))
EVENTS = {
    "open": (50, 3, 7, 2, "published", CLOSES,
             [("Potato salad", 1, "bowls"), ("Cake", 4, ""), ("Glasses", 3, "boxes")]),
    "few": (3, 0, 7, 2, "published", None, []),
    "full": (1, 0, 7, 2, "published", None, []),
    "closed": (10, 0, 7, 2, "published", NOW - DAY, []),
    "ended": (40, 0, -3, 2, "published", None, []),
    "called-off": (40, 0, 7, 2, "cancelled", None, []),
}


def prepare(data):
    harness.write_config(data, f"timezone = {ZONE}\n")
    con = sqlite3.connect(os.path.join(data, "turnout.db"))
    try:
        with con:
            for slug, (cap, guests, days, hours, status, closes, items) in EVENTS.items():
                starts = NOW + days * DAY
                cur = con.execute(
                    "INSERT INTO event (slug, title, description, location, starts_at, ends_at,"
                    " status, capacity, max_guests, rsvp_closes_at, created_at, updated_at)"
                    " VALUES (?, ?, 'For the tests.', 'Test hall', ?, ?, ?, ?, ?, ?, ?, ?)",
                    (slug, f"Event {slug}", starts, starts + hours * 3600, status, cap, guests,
                     closes, NOW, NOW))
                for pos, (name, suggested, unit) in enumerate(items):
                    con.execute("INSERT INTO item (event_id, name, category, suggested, unit,"
                                " position) VALUES (?, ?, 'food', ?, ?, ?)",
                                (cur.lastrowid, name, suggested, unit, pos))
            # A drop, for the holds "my sign-ups" lists.
            shop = con.execute(
                "INSERT INTO event (slug, title, starts_at, status, created_at, updated_at,"
                " kind) VALUES ('shop', 'Event shop', ?, 'published', ?, ?, 'drop')",
                (NOW + 7 * DAY, NOW, NOW)).lastrowid
            con.execute("INSERT INTO drop_setting (event_id) VALUES (?)", (shop,))
            mug = con.execute("INSERT INTO drop_item (event_id, name) VALUES (?, 'Mug')",
                              (shop,)).lastrowid
            con.execute("INSERT INTO drop_variant (item_id, stock) VALUES (?, 10)", (mug,))
            # The ended event had 3 confirmed parties of 1 and 2 of them came.
            ended = con.execute("SELECT id FROM event WHERE slug = 'ended'").fetchone()[0]
            for k in range(3):
                con.execute("INSERT INTO rsvp (event_id, name, email, guests, status,"
                            " token_hash, created_at, updated_at) VALUES (?, ?, ?, 0,"
                            " 'confirmed', ?, ?, ?)",
                            (ended, f"Past Person{k}", f"past{k}@example.org", bytes([k + 1]) * 32,
                             NOW - 9 * DAY, NOW - 9 * DAY))
            con.execute("UPDATE rsvp SET checked_in_at = ? WHERE event_id = ? AND email IN"
                        " ('past0@example.org', 'past1@example.org')", (NOW - 3 * DAY, ended))
    finally:
        con.close()


site = harness.site_once("visitor", prepare,
                         lambda s: diag(f"site on port {s.port}, data {s.data}"))


def fetch(method, path, body=None, headers=None):
    return site().fetch(method, path, body, headers=headers)


def page(path, want=200):
    status, hdrs, body = fetch("GET", path)
    assert status == want, f"GET {path}: {status}, want {want}"
    return body


def post(path, fields):
    return site().post_form(path, fields)


def rsvp_count(slug):
    return site().query_one("SELECT count(*) FROM rsvp r JOIN event e ON e.id = r.event_id"
                            " WHERE e.slug = ?", (slug,))[0]


def item_id(slug, name):
    return site().query_one("SELECT i.id FROM item i JOIN event e ON e.id = i.event_id"
                            " WHERE e.slug = ? AND i.name = ?", (slug, name))[0]


def sign_up(slug, name, email_addr, extra=None):
    """POST the event page's form; (status, headers, body)."""
    token = harness.form_token(page(f"/events/{slug}"))
    return post(f"/events/{slug}/rsvp", dict({"form_token": token, "name": name,
                                              "email": email_addr}, **(extra or {})))


def sign_up_ok(slug, name, email_addr, extra=None):
    status, hdrs, body = sign_up(slug, name, email_addr, extra)
    assert status == 303, f"sign-up {name}: {status}; {harness.alerts(body)}"
    return NEW_LINK.match(hdrs["location"]).group(1)


def title(body):
    return html.unescape(re.search(r"<title>(.*?)</title>", body, re.S).group(1))


def tag(body, element_id):
    """The start tag of the element with this id."""
    m = re.search(rf'<[a-z]+ [^>]*id="{re.escape(element_id)}"[^>]*>', body)
    return m.group(0) if m else ""


def card(body, iid):
    m = re.search(rf'<li class="item[^"]*" id="item-{iid}".*?</li>', body, re.S)
    return m.group(0) if m else ""


def berlin(t):
    """t as the pages show a time naming the zone: "Fri 4 Dec, 18:00
    (Europe/Berlin)", with the year when it is not this year."""
    z = zoneinfo.ZoneInfo(ZONE)
    d = datetime.datetime.fromtimestamp(t, z)
    year = "" if d.year == datetime.datetime.now(z).year else f" {d.year}"
    return f"{d:%a} {d.day} {d:%b}{year}, {d:%H:%M} ({ZONE})"


# -- 1. form errors --------------------------------------------------------------

def test_every_error_listed_and_linked_values_kept():
    before = rsvp_count("open")
    status, _, body = sign_up("open", "   ", "not-an-address", {
        "guests": "2", "note": "vegan <please>", f"item_{item_id('open', 'Cake')}": "2"})
    assert status == 400, status
    assert harness.error_summary(body) == [
        ("name", "Please enter your name."),
        ("email", "That does not look like an e-mail address (name@example.org).")], \
        harness.error_summary(body)
    assert title(body).startswith("Error: Event open"), title(body)
    for field in ("name", "email"):
        t = tag(body, field)
        assert 'aria-invalid="true"' in t and f'aria-describedby="{field}-error"' in t, t
        assert re.search(rf'<p class="field-error" id="{field}-error"><span class="visually-hidden">'
                         r'Error: </span>[^<]+</p>', body), f"no message beside {field}"
    assert "aria-invalid" not in tag(body, "note") and "aria-invalid" not in tag(body, "guests")
    assert 'value="not-an-address"' in tag(body, "email"), "typed e-mail not kept"
    assert '<option value="2" selected>' in body, "guests choice not kept"
    assert "vegan &lt;please&gt;</textarea>" in body, "note not kept"
    cake = item_id("open", "Cake")
    assert 'value="2"' in tag(body, f"bring-{cake}"), "pledge not kept"
    # The answer lands on the form (the fragment), the summary at its top.
    assert 'action="/events/open/rsvp#rsvp"' in body
    form_at = body.index('<section class="rsvp" id="rsvp"')
    assert form_at < body.index('class="error-summary"') < body.index('id="rsvp-form"')
    assert rsvp_count("open") == before, "a refused form wrote an RSVP"


def test_item_error_links_to_its_card():
    cake = item_id("open", "Cake")
    status, _, body = sign_up("open", "Ivy Item", "ivy@example.org", {f"item_{cake}": "lots"})
    assert status == 400, status
    assert harness.error_summary(body) == [
        (f"bring-{cake}", "Quantities must be whole numbers from 0 to 10000.")], \
        harness.error_summary(body)
    c = card(body, cake)
    assert 'role="alert">Quantities must be whole numbers' in c, c
    assert 'aria-invalid="true"' in tag(body, f"bring-{cake}")
    assert 'value="Ivy Item"' in tag(body, "name")
    assert site().query_one("SELECT count(*) FROM rsvp WHERE email = 'ivy@example.org'")[0] == 0


def test_taken_address_is_an_email_error():
    sign_up_ok("open", "Tess Taken", "tess@example.org")
    status, _, body = sign_up("open", "Tess Again", "TESS@example.org")
    assert status == 409, status
    assert [f for f, _ in harness.error_summary(body)] == ["email"]
    assert "E-mail me my link" in body


# -- 2. pledges answer beside the item -------------------------------------------

def pledge(token, iid, quantity):
    body = page(f"/rsvp/{token}")
    m = re.search(rf'<form method="post" action="/rsvp/{token}#item-{iid}" class="pledge">\s*'
                  r'<input type="hidden" name="form_token" value="([0-9a-f]+)">.*?'
                  r'name="version" value="(\d+)"', body, re.S)
    assert m, f"no pledge form for item {iid} going to its anchor"
    return post(f"/rsvp/{token}", {"form_token": m.group(1), "action": "pledge",
                                   "item": str(iid), "version": m.group(2),
                                   "quantity": str(quantity)})


def test_pledge_confirmed_beside_the_item():
    token = sign_up_ok("open", "Pia Pledge", "pia@example.org")
    salad = item_id("open", "Potato salad")
    status, hdrs, _ = pledge(token, salad, 1)
    assert status == 303, status
    assert hdrs["location"] == f"/rsvp/{token}?done=pledged&item={salad}#item-{salad}", \
        hdrs["location"]
    body = page(hdrs["location"].split("#")[0])
    c = card(body, salad)
    assert 'role="status">Saved: you bring 1 bowl.</p>' in c, c
    assert "Saved" not in body.replace(c, ""), "the confirmation is also elsewhere"
    # Refused: 400, the message and the marked field at the item, the value kept.
    status, _, body = pledge(token, salad, "many")
    assert status == 400, status
    c = card(body, salad)
    assert 'role="alert">Quantities must be whole numbers' in c, c
    assert 'aria-invalid="true"' in tag(body, f"pledge-{salad}") and \
        'value="many"' in tag(body, f"pledge-{salad}")
    assert title(body).startswith("Error: "), title(body)
    assert site().query_one("SELECT quantity FROM pledge WHERE item_id = ?", (salad,))[0] == 1


# -- 3. states, and the waitlist in parties --------------------------------------

def test_each_state_looks_different():
    sign_up_ok("full", "Fern Full", "fern@example.org")
    want = {
        "open": ("available", r"\d+ spots left of 50"),
        "few": ("few", "Only 3 spots left of 3"),
        "full": ("waitlist", "Full: join the waitlist"),
        "closed": ("closed", "Sign-ups closed"),
    }
    home = page("/")
    for slug, (state, label) in want.items():
        body = page(f"/events/{slug}")
        assert re.search(f'<p class="spots big state-{state}" data-live="spots_label">{label}</p>',
                         body), f"{slug}: {re.findall(r'<p class=.spots big[^>]*>[^<]*', body)}"
        assert re.search(f'<p class="spots state-{state}">{label}</p>', home), f"home: {slug}"
    body = page("/events/full")
    assert '<button type="submit">Join the waitlist</button>' in body
    assert '<a class="button" href="#rsvp">Join the waitlist</a>' in body
    assert body.index('href="#rsvp"') < body.index('<dl class="facts">'), "link not near the top"
    assert '<button type="submit">RSVP</button>' in page("/events/few")


def test_waitlist_counts_parties():
    first = sign_up_ok("full", "Wes Wait", "wes@example.org")
    second = sign_up_ok("full", "Wyn Wait", "wyn@example.org")
    body = page(f"/rsvp/{first}?new=1")
    assert "number 1 in line, nobody is ahead of you" in body
    assert "you are on the waitlist" in body and "you are signed up" not in body
    body = page(f"/rsvp/{second}")
    assert "number 2 in line, 1 party ahead of you" in body, re.findall(r"number.*?\.", body)
    assert "spots ahead" not in body
    # The watcher: the script, the status URL and version, and the hint without it.
    assert '<script src="/static/waiting.js" defer></script>' in body
    assert re.search(r'data-status-url="/events/full/status.json" data-version="\d+"'
                     r' data-confirmed="1" data-waitlisted="2">This page'
                     r' does not update by itself: reload it', body)
    assert "waiting.js" not in page(f"/rsvp/{sign_up_ok('open', 'Cal Conf', 'cal@example.org')}")


# -- 4. ended events --------------------------------------------------------------

def test_ended_event_shows_what_happened():
    body = page("/events/ended")
    assert "This event has ended. 3 people were signed up. 2 parties checked in at the door." \
        in body, re.findall(r'<p class="notice ended">.*?</p>', body)
    for gone in ("spots left", "/events/ended/live", "<progress", 'id="rsvp"', ".ics",
                 "Registration closes", "data-live"):
        assert gone not in body, f"ended event page shows {gone!r}"
    assert "live.js" not in body
    body = page("/events/called-off")
    assert "This event has been cancelled." in body and "spots left" not in body


# -- 5. time zone and deadline ----------------------------------------------------

def test_zone_and_deadline_named():
    body = page("/events/open")
    assert f"<dt>Registration closes</dt><dd>{berlin(CLOSES)}</dd>" in body, \
        re.findall(r"Registration closes</dt><dd>[^<]*", body)
    starts = site().query_one("SELECT starts_at FROM event WHERE slug = 'open'")[0]
    assert f">{berlin(starts)}</time>" in body
    assert f"({ZONE})</time>" in page("/")
    assert "Registration closes" not in page("/events/closed"), "a passed deadline"


def test_deadline_and_calendar_in_the_email():
    sign_up_ok("open", "Mia Mail", "mia@example.org")
    new = os.path.join(site().data, "mail", "new")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        msgs = [email.message_from_binary_file(open(os.path.join(new, f), "rb"),
                                               policy=email.policy.default)
                for f in (os.listdir(new) if os.path.isdir(new) else [])]
        mine = [m for m in msgs if m["To"] and "mia@example.org" in m["To"]]
        if mine:
            break
        time.sleep(0.2)
    assert mine, "no confirmation e-mail for mia within 30 s"
    text = mine[0].get_body(("plain",)).get_content()
    assert f"Registration closes: {berlin(CLOSES)}" in text, text
    assert re.search(r"Add to calendar: http\S*/events/open\.ics", text), text
    assert f"({ZONE})" in text.split("When:")[1].split("\n")[0], text


# -- 6. calendar links -------------------------------------------------------------

def test_calendar_linked_from_event_and_manage_pages():
    assert '<a href="/events/open.ics" download>Add to calendar (.ics)</a>' in page("/events/open")
    token = sign_up_ok("open", "Ike Ics", "ike@example.org")
    assert 'href="/events/open.ics"' in page(f"/rsvp/{token}")
    status, hdrs, body = fetch("GET", "/events/open.ics")
    assert status == 200 and hdrs["content-type"].startswith("text/calendar"), status


# -- 7. the potluck on the sign-up form --------------------------------------------

def test_quantity_fields_on_the_item_cards():
    body = page("/events/open")
    form = body[body.index('id="rsvp-form"'):body.index("</form>", body.index('id="rsvp-form"'))]
    for name in ("Potato salad", "Cake", "Glasses"):
        iid = item_id("open", name)
        c = card(form, iid)
        assert c, f"{name}: no card inside the sign-up form"
        assert f'name="item_{iid}"' in c and f'name="version_{iid}"' in c, c
    assert "bring-intro" in form and 'fieldset class="bring"' not in body
    # Plurals: one bowl, several boxes.
    salad, glasses = item_id("open", "Potato salad"), item_id("open", "Glasses")
    assert "of 1 bowl pledged" in card(body, salad), card(body, salad)
    assert "0 of 3 boxes pledged" in card(body, glasses)
    token = sign_up_ok("open", "Bo Box", "bo@example.org", {f"item_{glasses}": "1"})
    body = page(f"/rsvp/{token}")
    assert "Glasses: 1 box</li>" in body, re.findall(r"<li>Glasses[^<]*", body)
    data = json.loads(page("/events/open/items.json"))
    labels = {i["name"]: i["count_label"] for i in data["items"]}
    assert labels["Glasses"] == "1 of 3 boxes pledged", labels


# -- 12. /live pauses -------------------------------------------------------------

def test_live_says_it_refreshes_and_pauses():
    body = page("/events/open/live")
    assert '<meta http-equiv="refresh" content="5">' in body
    assert 'This page refreshes every 5 seconds. <a href="/events/open/live?refresh=off">' \
        'Pause refreshing</a>' in body
    body = page("/events/open/live?refresh=off")
    assert 'http-equiv="refresh"' not in body
    assert 'Refreshing is paused. <a href="/events/open/live">' in body
    status, _, _ = fetch("GET", "/events/open/live?refresh=" + "x" * 20)
    assert status == 400, f"an over-long refresh value: {status}"


# -- 10. my sign-ups -------------------------------------------------------------

ME_LINK = re.compile(r"http\S*/me/([0-9a-f]{32})")


def me_post(fields, source):
    """POST /me from its own client address (nginx limits /me per address)."""
    return site().post_form("/me", fields, source=source)


def ask_for_link(addr, source):
    return me_post({"form_token": harness.form_token(page("/me")), "email": addr}, source)


def mail_texts(addr):
    """The plain-text bodies of the e-mails to addr that have arrived."""
    new = os.path.join(site().data, "mail", "new")
    texts = []
    for f in sorted(os.listdir(new) if os.path.isdir(new) else []):
        with open(os.path.join(new, f), "rb") as fh:
            m = email.message_from_binary_file(fh, policy=email.policy.default)
        if m["To"] and addr in m["To"]:
            texts.append(m.get_body(("plain",)).get_content())
    return texts


def my_links(addr, n):
    """The tokens of the first n "my sign-ups" e-mails to addr, waiting for them."""
    deadline = time.monotonic() + 30
    while True:
        links = [m.group(1) for m in map(ME_LINK.search, mail_texts(addr)) if m]
        if len(links) >= n or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(links) >= n, f"{len(links)} sign-ups e-mails to {addr} within 30 s, want {n}"
    return links


def mine_rows(addr):
    return (site().query_one("SELECT count(*) FROM mine_link WHERE email = ?", (addr,))[0],
            site().query_one("SELECT count(*) FROM outbox WHERE kind = 'mine'"
                             " AND recipient = ?", (addr,))[0])


def rsvp_id_of(slug, addr):
    return site().query_one("SELECT r.id FROM rsvp r JOIN event e ON e.id = r.event_id"
                            " WHERE e.slug = ? AND r.email = ?", (slug, addr))[0]


def open_rsvp(link, rid, body=None):
    """POST the page's "Manage this RSVP" button of RSVP rid: (status, headers)."""
    body = body or page(f"/me/{link}")
    token = re.search(r'name="form_token" value="([0-9a-f]+)">\s*<input type="hidden"'
                      r' name="action" value="open">', body).group(1)
    status, hdrs, _ = post(f"/me/{link}", {"form_token": token, "action": "open",
                                            "rsvp": str(rid)})
    return status, hdrs


def revoke(link):
    body = page(f"/me/{link}")
    token = re.search(r'name="form_token" value="([0-9a-f]+)">\s*<input type="hidden"'
                      r' name="action" value="revoke">', body).group(1)
    return post(f"/me/{link}", {"form_token": token, "action": "revoke"})


def test_mine_same_answer_known_or_not():
    sign_up_ok("few", "Kay Known", "kay@example.org")
    known = ask_for_link("kay@example.org", "127.0.15.1")
    unknown = ask_for_link("nobody-here@example.org", "127.0.15.1")
    assert known[0] == unknown[0] == 303, (known[0], unknown[0])
    assert known[1]["location"] == unknown[1]["location"] == "/me?done=sent", \
        (known[1]["location"], unknown[1]["location"])
    assert known[2] == unknown[2], "the answers' bodies differ"
    body = page("/me?done=sent")
    assert "If that address has sign-ups here, a link" in body
    assert "/me/" not in body, "the link is only e-mailed"
    my_links("kay@example.org", 1)
    assert mine_rows("nobody-here@example.org") == (0, 0), "no link, no e-mail for nobody"
    assert mine_rows("kay@example.org") == (1, 1)


def test_mine_lists_everything_and_opens_each():
    addr = "mo@example.org"
    salad = item_id("open", "Potato salad")
    sign_up_ok("open", "Mo Many", addr, {f"item_{salad}": "1"})
    sign_up_ok("few", "Mo Many", addr)
    sign_up_ok("full", "Fay First", "fay-full@example.org")     # full, whatever ran before
    sign_up_ok("full", "Mo Many", addr)
    sign_up_ok("open", "Other One", "other-mo@example.org")
    assert ask_for_link(addr, "127.0.15.2")[0] == 303
    link = my_links(addr, 1)[0]
    status, hdrs, body = fetch("GET", f"/me/{link}")
    assert status == 200, status
    assert hdrs.get("referrer-policy") == "no-referrer", hdrs.get("referrer-policy")
    for slug in ("open", "few", "full"):
        assert f'<a href="/events/{slug}">Event {slug}</a>' in body, slug
    assert "Potato salad: 1 bowl" in body, "the pledge"
    assert re.search(r"On the waitlist: (nobody is|\d+ part(y|ies)) ahead of you", body), \
        "the waitlist place"
    assert body.count("<p class=\"status\">Confirmed</p>") == 2, "open and few"
    assert "Other One" not in body and "other-mo" not in body, "another address's sign-up"
    # Each RSVP opens at a manage link of its own; the same one again.
    status, hdrs = open_rsvp(link, rsvp_id_of("open", addr), body)
    assert status == 303, status
    manage = re.fullmatch(r"/rsvp/([0-9a-f]{32})", hdrs["location"]).group(1)
    assert "Event open" in page(f"/rsvp/{manage}")
    assert open_rsvp(link, rsvp_id_of("open", addr))[1]["location"] == hdrs["location"]
    status, _ = open_rsvp(link, rsvp_id_of("open", "other-mo@example.org"), body)
    assert status == 404, f"another address's RSVP opened: {status}"
    # Revoked: the page and the RSVP links opened from it stop; twice is harmless.
    status, hdrs, _ = revoke(link)
    assert status == 303 and hdrs["location"] == "/me?done=revoked", status
    status, _, body = fetch("GET", f"/me/{link}")
    assert status == 410 and "It was revoked." in body and 'href="/me"' in body, status
    page(f"/rsvp/{manage}", 404)
    # A second submit of the form (the page is gone, so its token is made here).
    status, hdrs, _ = post(f"/me/{link}", {"form_token": site().forge_form_token(
        int(time.time()), f"revoke:{link}"), "action": "revoke"})
    assert status == 303 and hdrs["location"] == "/me?done=revoked", f"revoked again: {status}"
    page("/me/" + "0" * 32, 404)


def test_mine_opens_holds():
    addr = "hal@example.org"      # a hold and no RSVP
    variant = site().query_one("SELECT v.id FROM drop_variant v JOIN drop_item i"
                               " ON i.id = v.item_id WHERE i.name = 'Mug'")[0]
    status, hdrs, _ = post("/events/shop/hold", {
        "form_token": harness.form_token(page("/events/shop")), "variant": str(variant),
        "name": "Hal Hold", "email": addr})
    assert status == 303, f"hold: {status}"
    own = re.fullmatch(r"/holds/([0-9a-f]{32})", hdrs["location"]).group(1)
    assert ask_for_link(addr, "127.0.15.6")[0] == 303
    link = my_links(addr, 1)[0]
    body = page(f"/me/{link}")
    assert "1 × Mug" in body and "Held for you" in body, "the hold"
    m = re.search(r'name="form_token" value="([0-9a-f]+)">\s*<input type="hidden"'
                  r' name="action" value="open">\s*<input type="hidden" name="hold"'
                  r' value="(\d+)">', body)
    status, hdrs, _ = post(f"/me/{link}", {"form_token": m.group(1), "action": "open",
                                            "hold": m.group(2)})
    assert status == 303, f"open the hold: {status}"
    opened = re.fullmatch(r"/holds/([0-9a-f]{32})", hdrs["location"]).group(1)
    assert opened != own and "Mug" in page(f"/holds/{opened}")
    # Revoking the page ends the hold's link opened from it, not the hold's own.
    assert revoke(link)[0] == 303
    page(f"/holds/{opened}", 404)
    assert "Mug" in page(f"/holds/{own}")


def test_mine_expired_link_is_gone():
    addr = "exp@example.org"
    sign_up_ok("few", "Ex Pired", addr)
    assert ask_for_link(addr, "127.0.15.3")[0] == 303
    link = my_links(addr, 1)[0]
    page(f"/me/{link}")
    con = sqlite3.connect(site().db_path, timeout=30)
    try:
        with con:
            con.execute("UPDATE mine_link SET created_at = created_at - 31 * 86400,"
                        " expires_at = created_at - 86400 WHERE email = ?", (addr,))
    finally:
        con.close()
    status, _, body = fetch("GET", f"/me/{link}")
    assert status == 410 and "has expired" in body and 'href="/me"' in body, status


def test_mine_rate_limited_per_address():
    addr = "rita@example.org"
    sign_up_ok("few", "Rita Rate", addr)
    for k in range(4):
        status, hdrs, _ = ask_for_link(addr, "127.0.15.4")
        assert status == 303 and hdrs["location"] == "/me?done=sent", (k, status)
    assert mine_rows(addr) == (3, 3), f"links and e-mails after 4 asks: {mine_rows(addr)}"
    my_links(addr, 3)


def test_mine_bad_address_and_missing_token():
    before = site().query_one("SELECT count(*) FROM mine_link")[0]
    token = harness.form_token(page("/me"))
    status, _, body = me_post({"form_token": token, "email": "not an address"}, "127.0.15.5")
    assert status == 400, status
    assert harness.error_summary(body) and harness.error_summary(body)[0][0] == "email", \
        harness.error_summary(body)
    assert 'value="not an address"' in body, "the typed value is kept"
    assert 'aria-invalid="true"' in body
    assert title(body).startswith("Error: ")
    status, _, body = me_post({"email": "kay@example.org"}, "127.0.15.5")
    assert status == 400, f"no form token: {status}"
    assert ("me-form", "The form was incomplete. Please reload the page and try again.") in \
        harness.error_summary(body), harness.error_summary(body)
    assert site().query_one("SELECT count(*) FROM mine_link")[0] == before, "nothing written"


# Last: stops the site, looks for crashes and reads its valgrind logs.
test_sites_clean = harness.test_sites_clean


if __name__ == "__main__":
    harness.run_suite(globals())
