#!/usr/bin/env python3
"""Potluck HTTP tests (issue 4): the sheet on the event, live and manage
pages, pledges from the RSVP form and the manage page, capped items, stale
forms, bad input, items.json, escaping, and two bounded concurrency cases
against the real nginx + workers. Every case checks the database afterwards
(opened read-only while the site runs).

Run: TURNOUT_BUILD=$PWD TURNOUT_SRC=$PWD tests/http/test_potluck.py
"""
import html
import json
import os
import random
import re
import sqlite3
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

sys.dont_write_bytecode = True  # no __pycache__ in the (maybe read-only) source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from tap import Skip, diag  # noqa: E402
import test_rsvp  # noqa: E402
from test_rsvp import alerts, assert_alert, flip, notices, token_hash  # noqa: E402

DAY = 24 * 3600
NEW_LINK = re.compile(r"^/rsvp/([0-9a-f]{32})\?new=1$")
EVIL = '<script>alert("x")</script> & Co'

# Events the tests add before the site starts: slug -> (capacity, items),
# items as (name, category, suggested, capped, unit).
TEST_EVENTS = {
    "sheet": (None, [("Cake", "food", 5, 0, ""), ("Grill", "utensil", 1, 1, ""),
                     ("Lemonade", "drink", 4, 0, "litres"), (EVIL, "other", 3, 0, "<b>")]),
    "tiny": (1, [("Crisps", "food", 6, 0, "bags")]),
    "chairs": (None, [("Folding chairs", "utensil", 40, 1, ""),
                      ("Cups", "utensil", 100, 0, "packs")]),
    "empty": (None, []),
    "bakery": (None, [("Bread", "food", 5000, 0, "loaves")]),
}

def add_test_events(data):
    """prepare(): several workers; the test events and their items straight
    into the new database."""
    harness.write_config(data, f"workers = {harness.STORM_WORKERS}\n")
    now = int(time.time())
    con = sqlite3.connect(os.path.join(data, "turnout.db"))
    try:
        with con:
            for slug, (capacity, items) in TEST_EVENTS.items():
                cur = con.execute(
                    "INSERT INTO event (slug, title, description, location, starts_at,"
                    " ends_at, status, capacity, max_guests, created_at, updated_at)"
                    " VALUES (?, ?, 'An event for the tests.', 'Test hall', ?, ?,"
                    " 'published', ?, 0, ?, ?)",
                    (slug, f"Test event {slug}", now + 7 * DAY, now + 7 * DAY + 3600,
                     capacity, now, now))
                for pos, (name, cat, suggested, capped, unit) in enumerate(items):
                    con.execute("INSERT INTO item (event_id, name, category, suggested,"
                                " capped, unit, position) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                (cur.lastrowid, name, cat, suggested, capped, unit, pos))
    finally:
        con.close()


site = harness.site_once("potluck", add_test_events,
                         lambda s: diag(f"site on port {s.port}, data {s.data}"))


# -- helpers -------------------------------------------------------------------

def fetch(method, path, body=None, headers=None):
    return site().fetch(method, path, body, headers=headers)


def post(path, fields):
    return site().post_form(path, fields)


def expect(got, want, what, body=""):
    assert got == want, f"{what}: status {got}, want {want}; alerts {alerts(body)}"


def item(slug, name):
    """The item row as a dict."""
    r = site().query_one("SELECT i.id, i.suggested, i.capped, i.pledged, i.version FROM item i"
                         " JOIN event e ON e.id = i.event_id WHERE e.slug = ? AND i.name = ?",
                         (slug, name))
    return dict(zip(("id", "suggested", "capped", "pledged", "version"), r))


def pledges_of(token):
    """{item name: quantity} of the RSVP behind a manage token."""
    return dict(site().query("SELECT i.name, p.quantity FROM pledge p JOIN item i ON"
                             " i.id = p.item_id JOIN rsvp r ON r.id = p.rsvp_id"
                             " WHERE r.token_hash = ?", (token_hash(token),)))


def snapshot():
    """Everything a refused request must leave alone."""
    s = site()
    return (s.query("SELECT id, pledged, version FROM item ORDER BY id"),
            s.query("SELECT item_id, rsvp_id, quantity FROM pledge ORDER BY id"),
            s.query_one("SELECT count(*) FROM rsvp")[0])


def sheet_problems():
    """Totals that differ from the sums of pledges, caps exceeded, pledges
    of cancelled RSVPs, and the integrity check."""
    s = site()
    problems = [f"item {i}: pledged {p}, pledges sum to {t}" for i, p, t in s.query(
        "SELECT i.id, i.pledged, (SELECT coalesce(sum(quantity), 0) FROM pledge p"
        " WHERE p.item_id = i.id) t FROM item i WHERE i.pledged <> t")]
    problems += [f"item {i}: capped at {n} but {p} pledged" for i, n, p in s.query(
        "SELECT id, suggested, pledged FROM item WHERE capped AND pledged > suggested")]
    problems += [f"pledge {i} of a cancelled RSVP" for i, in s.query(
        "SELECT p.id FROM pledge p JOIN rsvp r ON r.id = p.rsvp_id"
        " WHERE r.status = 'cancelled'")]
    integrity = s.query("PRAGMA integrity_check")
    if integrity != [("ok",)]:
        problems.append(f"integrity_check: {integrity[:5]}")
    return problems


def assert_sheet_consistent():
    problems = sheet_problems()
    assert not problems, "\n".join(problems[:30])


def event_form(slug):
    """(form token, {item id: version}) of the event page's RSVP form."""
    status, _, body = fetch("GET", f"/events/{slug}")
    expect(status, 200, f"GET /events/{slug}")
    versions = {int(i): v for i, v in re.findall(r'name="version_(\d+)" value="(\d+)"', body)}
    return harness.form_token(body), versions


def rsvp(slug, name, email, items=None, token=None):
    """POST the RSVP form with {item id: quantity}; (status, headers, body)."""
    ftoken, versions = event_form(slug)
    fields = {"form_token": token or ftoken, "name": name, "email": email}
    for item_id, q in (items or {}).items():
        fields[f"item_{item_id}"] = str(q)
        fields[f"version_{item_id}"] = versions.get(item_id, "1")
    return post(f"/events/{slug}/rsvp", fields)


def rsvp_ok(slug, name, email, items=None):
    status, hdrs, body = rsvp(slug, name, email, items)
    expect(status, 303, f"RSVP {name}", body)
    return NEW_LINK.match(hdrs["location"]).group(1)


PLEDGE_FORM = re.compile(
    r'<form method="post" action="/rsvp/[0-9a-f]{32}#item-\d+" class="pledge">\s*'
    r'<input type="hidden" name="form_token" value="([0-9a-f]+)">\s*'
    r'<input type="hidden" name="action" value="pledge">\s*'
    r'<input type="hidden" name="item" value="(\d+)">\s*'
    r'<input type="hidden" name="version" value="(\d+)">.*?'
    r'name="quantity" type="number" min="0" max="(\d+)" value="(\d*)"', re.S)


def pledge_forms(body):
    """{item id: (form token, version, max, value)} of a manage page."""
    return {int(i): (t, int(v), int(m), q) for t, i, v, m, q in PLEDGE_FORM.findall(body)}


def pledge(token, item_id, quantity, version=None, form_token=None):
    """POST the manage page's pledge form for item_id; (status, headers, body)."""
    status, _, body = fetch("GET", f"/rsvp/{token}")
    expect(status, 200, "manage page")
    forms = pledge_forms(body)
    assert item_id in forms, f"no pledge form for item {item_id}: {sorted(forms)}"
    t, v, _, _ = forms[item_id]
    return post(f"/rsvp/{token}", {
        "form_token": form_token or t, "action": "pledge", "item": str(item_id),
        "version": str(v if version is None else version), "quantity": str(quantity)})


def items_json(slug, headers=None):
    status, hdrs, body = fetch("GET", f"/events/{slug}/items.json", headers=headers)
    return status, hdrs, json.loads(body) if status == 200 else None


# -- pages ---------------------------------------------------------------------

def test_event_page_shows_the_sheet_and_fields():
    status, _, body = fetch("GET", "/events/potluck-picnic")
    expect(status, 200, "event page")
    start = body.index('<section class="sheet"')
    sheet = body[start:body.index("</section>", start)]
    cats = re.findall(r"<h3>(\w+)</h3>", sheet)
    assert cats == ["Food", "Drinks", "Utensils", "Decoration"], cats
    assert "12 of 24 pledged" in sheet and "Nora J. (12)" in sheet, "sausages or pledger"
    assert '<progress max="24" value="12">' in sheet, "sausages bar"
    # Still needed first: within utensils the plates before the full grill.
    assert sheet.index("Paper plates") < sheet.index("Grill"), "full item listed first"
    assert re.search(r"Still needed: Sausages 12 · Potato salad 3 bowls", sheet), "still needed"
    assert "Jensen" not in body and "nora@example.org" not in body, "full name or e-mail shown"
    # The RSVP form: a field per item except the full grill; one form token.
    grill = item("potluck-picnic", "Grill")["id"]
    fields = re.findall(r'name="item_(\d+)"', body)
    assert len(fields) == 7 and str(grill) not in fields, fields
    assert len(harness.form_tokens(body)) == 1, "more than the RSVP form on the event page"
    status, _, body = fetch("GET", "/events/empty")
    assert 'class="sheet"' not in body and "item_" not in body, "sheet without items"


def test_live_page_shows_the_sheet():
    status, _, body = fetch("GET", "/events/potluck-picnic/live")
    expect(status, 200, "live page")
    assert 'http-equiv="refresh"' in body and "12 of 24 pledged" in body, "live sheet"
    assert "form_token" not in body, "forms on the live page"


def test_rsvp_with_pledges():
    cake, lem = item("sheet", "Cake"), item("sheet", "Lemonade")
    tok = rsvp_ok("sheet", "Ada Lovelace", "ada@example.org", {cake["id"]: 2, lem["id"]: 3})
    assert pledges_of(tok) == {"Cake": 2, "Lemonade": 3}, pledges_of(tok)
    assert item("sheet", "Cake")["pledged"] == 2 and item("sheet", "Cake")["version"] > cake["version"]
    status, _, body = fetch("GET", f"/rsvp/{tok}")
    bringing = body[body.index("What I'm bringing"):]
    assert re.search(r"<li>Cake: 2</li>", bringing) and "<li>Lemonade: 3 litres</li>" in bringing, \
        "manage page does not list what I'm bringing"
    # Blank and 0 quantities pledge nothing.
    tok = rsvp_ok("sheet", "Bob Blank", "bob@example.org", {cake["id"]: 0})
    assert pledges_of(tok) == {}
    assert_sheet_consistent()


def test_rsvp_over_a_cap_is_refused_whole():
    grill, cake = item("sheet", "Grill"), item("sheet", "Cake")
    rsvp_ok("sheet", "Gil Grill", "gil@example.org", {grill["id"]: 1})
    before = snapshot()
    status, _, body = rsvp("sheet", "Late Comer", "late@example.org",
                           {cake["id"]: 1, grill["id"]: 1})
    expect(status, 409, "RSVP pledging a full capped item", body)
    assert_alert(body, r"Grill: no more needed", "full grill")
    assert 'value="Late Comer"' in body and 'value="late@example.org"' in body, "form not refilled"
    assert snapshot() == before, "a refused RSVP changed something"


def test_manage_pledge_set_change_remove():
    tok = rsvp_ok("sheet", "Cleo Change", "cleo@example.org")
    cake = item("sheet", "Cake")
    status, _, body = fetch("GET", f"/rsvp/{tok}")
    forms = pledge_forms(body)
    assert set(forms) == {i for i, in site().query(
        "SELECT i.id FROM item i JOIN event e ON e.id = i.event_id WHERE e.slug = 'sheet'"
        " AND NOT (capped AND pledged >= suggested)")}, forms
    assert harness.form_tokens(body)[0] not in [f[0] for f in forms.values()]
    assert "You have not pledged anything" in body
    status, hdrs, body = pledge(tok, cake["id"], 1)
    expect(status, 303, "pledge 1", body)
    assert hdrs["location"] == f"/rsvp/{tok}?done=pledged&item={cake['id']}#item-{cake['id']}", \
        hdrs["location"]
    status, _, body = fetch("GET", f"/rsvp/{tok}?done=pledged&item={cake['id']}")
    # The confirmation is beside the item (where the redirect's fragment lands).
    card = re.search(rf'<li class="item[^"]*" id="item-{cake["id"]}".*?</li>', body, re.S)
    assert card and 'role="status">Saved: you bring 1' in card.group(0), notices(body)
    assert pledge_forms(body)[cake["id"]][3] == "1", "form does not show my quantity"
    versions = [item("sheet", "Cake")["version"]]
    for q in (4, 2):
        status, _, body = pledge(tok, cake["id"], q)
        expect(status, 303, f"change to {q}", body)
        assert pledges_of(tok) == {"Cake": q}
        versions.append(item("sheet", "Cake")["version"])
    assert site().query_one("SELECT count(*) FROM pledge p JOIN rsvp r ON r.id = p.rsvp_id"
                            " WHERE r.token_hash = ?", (token_hash(tok),))[0] == 1
    status, _, _ = pledge(tok, cake["id"], 0)
    expect(status, 303, "remove")
    versions.append(item("sheet", "Cake")["version"])
    assert pledges_of(tok) == {}
    assert versions == sorted(set(versions)), f"versions did not grow each time: {versions}"
    assert_sheet_consistent()


def test_double_submit_changes_once():
    tok = rsvp_ok("sheet", "Dora Double", "dora@example.org")
    cake = item("sheet", "Cake")
    _, _, body = fetch("GET", f"/rsvp/{tok}")
    t, v, _, _ = pledge_forms(body)[cake["id"]]
    fields = {"form_token": t, "action": "pledge", "item": str(cake["id"]), "version": str(v),
              "quantity": "2"}
    for _ in range(3):
        status, hdrs, body = post(f"/rsvp/{tok}", fields)
        expect(status, 303, "replayed pledge", body)
    fields["quantity"] = "5"
    status, _, _ = post(f"/rsvp/{tok}", fields)
    expect(status, 303, "replay with other data")
    assert pledges_of(tok) == {"Cake": 2}, pledges_of(tok)
    assert item("sheet", "Cake")["pledged"] == cake["pledged"] + 2
    assert_sheet_consistent()


def test_bad_input_changes_nothing():
    tok = rsvp_ok("sheet", "Bad Input", "bad@example.org")
    other = rsvp_ok("sheet", "Other Person", "other@example.org")
    cake = item("sheet", "Cake")
    foreign = item("tiny", "Crisps")
    _, _, body = fetch("GET", f"/rsvp/{tok}")
    t, v, _, _ = pledge_forms(body)[cake["id"]]
    _, _, obody = fetch("GET", f"/rsvp/{other}")
    other_token = pledge_forms(obody)[cake["id"]][0]
    update_token = harness.form_token(body)
    good = {"action": "pledge", "item": str(cake["id"]), "version": str(v), "quantity": "1"}
    before = snapshot()
    wrong = []
    for what, changes, want in (
            ("quantity -1", {"quantity": "-1"}, 400),
            ("quantity 1.5", {"quantity": "1.5"}, 400),
            ("quantity 99999999999", {"quantity": "99999999999"}, 400),
            ("quantity 10001", {"quantity": "10001"}, 400),
            ("quantity abc", {"quantity": "abc"}, 400),
            ("quantity with spaces", {"quantity": " 1"}, 400),
            ("item abc", {"item": "abc"}, 400),
            ("no item", {"item": None}, 400),
            ("no version", {"version": None}, 400),
            ("version -3", {"version": "-3"}, 400),
            ("item of another event", {"item": str(foreign["id"])}, 404),
            ("item that does not exist", {"item": "99999"}, 404),
            ("no form_token", {"form_token": None}, 400),
            ("forged form_token", {"form_token": flip(t)}, 400),
            ("another RSVP's pledge token", {"form_token": other_token}, 400),
            ("the update form's token", {"form_token": update_token}, 400)):
        fields = dict(good, form_token=t)
        fields.update(changes)
        status, _, body = post(f"/rsvp/{tok}", fields)
        if status != want:
            wrong.append(f"{what}: status {status}, want {want}; {alerts(body)}")
        elif status == 400 and not alerts(body):
            wrong.append(f"{what}: no role=alert message")
    # Quantity 0 without a pledge removes nothing: nothing changes either.
    status, _, _ = post(f"/rsvp/{tok}", dict(good, form_token=t, quantity="0"))
    if status != 303:
        wrong.append(f"quantity 0 without a pledge: status {status}, want 303")
    assert snapshot() == before, "bad input changed something"
    # The RSVP form refuses bad quantities too, and an item of another event.
    for what, items, want in (("-1", {cake["id"]: -1}, 400), ("1.5", {cake["id"]: 1.5}, 400),
                              ("99999999999", {cake["id"]: 99999999999}, 400),
                              ("another event's item", {foreign["id"]: 1}, 404),
                              ("unknown item", {99999: 1}, 404)):
        status, _, body = rsvp("sheet", "Rita Refused", "rita@example.org", items)
        if status != want:
            wrong.append(f"RSVP with quantity {what}: status {status}, want {want}")
        elif want == 400 and 'value="Rita Refused"' not in body:
            wrong.append(f"RSVP with quantity {what}: form not shown again")
    assert snapshot() == before, "bad RSVP input changed something"
    assert not wrong, "\n".join(wrong)


def test_capped_refusal_says_what_is_left():
    grill = item("sheet", "Grill")
    # The grill is taken (test above): a pledge for it is refused.
    b = rsvp_ok("sheet", "Ben Cap", "bencap@example.org")
    _, _, body = fetch("GET", f"/rsvp/{b}")
    assert grill["id"] not in pledge_forms(body), "a form for a full capped item"
    before = snapshot()
    status, _, body = post(f"/rsvp/{b}", {
        "form_token": harness.form_tokens(body)[-1], "action": "pledge",
        "item": str(grill["id"]), "version": str(grill["version"]), "quantity": "1"})
    expect(status, 409, "pledge a full grill", body)
    assert_alert(body, r"^Grill: no more needed", "full grill")
    assert snapshot() == before, "a refused pledge changed something"


def test_stale_forms():
    cake = item("sheet", "Cake")
    x = rsvp_ok("sheet", "Xena Stale", "xena@example.org", {cake["id"]: 3})
    _, _, old_page = fetch("GET", f"/rsvp/{x}")
    t, old_v, _, _ = pledge_forms(old_page)[cake["id"]]
    rsvp_ok("sheet", "Yuri Fresh", "yuri@example.org", {cake["id"]: 1})  # someone pledges
    before = snapshot()
    # A decrease on the old page: the current numbers and the form again.
    status, _, body = post(f"/rsvp/{x}", {"form_token": t, "action": "pledge",
                                          "item": str(cake["id"]), "version": str(old_v),
                                          "quantity": "1"})
    expect(status, 409, "stale decrease", body)
    assert_alert(body, r"^Cake changed while you were looking: now \d+ more needed|"
                 r"^Cake changed while you were looking: now 0 more", "stale")
    now = item("sheet", "Cake")
    forms = pledge_forms(body)
    assert forms[cake["id"]][1] == now["version"] and forms[cake["id"]][3] == "1", \
        f"form not refilled with the fresh version: {forms[cake['id']]}, item {now}"
    assert f"{now['pledged']} of 5 pledged" in body, "current numbers not shown"
    assert snapshot() == before, "a stale decrease changed something"
    # The refilled form goes through.
    f = forms[cake["id"]]
    status, _, _ = post(f"/rsvp/{x}", {"form_token": f[0], "action": "pledge",
                                       "item": str(cake["id"]), "version": str(f[1]),
                                       "quantity": "1"})
    expect(status, 303, "refilled form")
    # An increase of an uncapped item on a stale page adds up.
    status, _, _ = pledge(x, cake["id"], 4, version=old_v)
    expect(status, 303, "stale increase of an uncapped item")
    assert pledges_of(x)["Cake"] == 4
    assert_sheet_consistent()


def test_waitlisted_pledge_is_tentative_and_cancel_releases():
    crisps = item("tiny", "Crisps")
    rsvp_ok("tiny", "First In", "first@example.org")  # capacity 1: the next one waits
    w = rsvp_ok("tiny", "Wanda Wait", "wanda@example.org", {crisps["id"]: 2})
    assert site().query_one("SELECT status FROM rsvp WHERE token_hash = ?",
                            (token_hash(w),))[0] == "waitlisted"
    _, _, body = fetch("GET", "/events/tiny")
    assert "Wanda W. (2, tentative)" in body, "waitlisted pledge not marked tentative"
    status, _, body = fetch("GET", f"/rsvp/{w}?confirm=cancel")
    status, _, _ = post(f"/rsvp/{w}", {"form_token": harness.form_tokens(body)[-1],
                                       "action": "cancel"})
    expect(status, 303, "cancel")
    assert item("tiny", "Crisps")["pledged"] == crisps["pledged"], "cancel kept the pledge"
    assert pledges_of(w) == {}
    _, _, body = fetch("GET", f"/rsvp/{w}")
    assert not harness.form_tokens(body), "a cancelled RSVP still offers forms"
    assert_sheet_consistent()


def test_names_are_escaped():
    evil = item("sheet", EVIL)
    tok = rsvp_ok("sheet", '<b>Eve</b> "Quote" Smith', "eve@example.org", {evil["id"]: 1})
    for path in ("/events/sheet", f"/rsvp/{tok}", "/events/sheet/live"):
        _, _, body = fetch("GET", path)
        assert "<script>" not in body and "<b>" not in body, f"unescaped markup on {path}"
        assert html.escape(EVIL) in body.replace("&#39;", "&#x27;"), \
            f"item name not shown escaped on {path}"
    _, _, body = fetch("GET", "/events/sheet")
    assert "&lt;b&gt;Eve&lt;/b&gt; S. (1)" in body, "pledger name not escaped"
    status, _, data = items_json("sheet")
    names = [i["name"] for i in data["items"]]
    assert EVIL in names, names
    _, _, raw = fetch("GET", "/events/sheet/items.json")
    assert "<script>" not in raw, "raw markup in items.json"


def pledger_names(body):
    return re.findall(r"<li>([^<(]+) \((\d+)\)</li>", body)


def test_sheet_shows_the_first_pledgers_and_links_the_rest():
    """The sheet (event, live and manage pages) names an item's first
    POTLUCK_NAMES_SHOWN pledgers and links "and N more" to the item's own
    page, which lists everyone in pledge order, POTLUCK_PLEDGERS_PAGE at a
    time (Next page links; a malformed start is the list's start)."""
    bread = item("bakery", "Bread")
    for k, name in enumerate(("Ann Apple", "Ben Baker", "Cat Crumb", "Dan Dough", "Eve Rye")):
        rsvp_ok("bakery", name, f"{name.split()[0].lower()}@example.org", {bread["id"]: k + 1})
    link = f"/events/bakery/items/{bread['id']}"
    for path in ("/events/bakery", "/events/bakery/live"):
        status, _, body = fetch("GET", path)
        expect(status, 200, path, body)
        assert "Ann A. (1), Ben B. (2), Cat C. (3) and" in body, path
        assert f'<a href="{link}">2 more</a>' in body and "Dan D." not in body, path
    status, _, body = fetch("GET", link)
    expect(status, 200, link, body)
    assert pledger_names(body) == [("Ann A.", "1"), ("Ben B.", "2"), ("Cat C.", "3"),
                                   ("Dan D.", "4"), ("Eve R.", "5")], pledger_names(body)
    assert "15 of 5000 loaves pledged" in body and "Next page" not in body
    # 200 more, straight into the database: three pages of 100, 100 and 5.
    con = sqlite3.connect(site().db_path, timeout=30)
    try:
        with con:
            event_id = con.execute("SELECT id FROM event WHERE slug = 'bakery'").fetchone()[0]
            for k in range(200):
                rid = con.execute(
                    "INSERT INTO rsvp (event_id, token_hash, name, email, guests, status,"
                    " created_at, updated_at) VALUES (?, randomblob(32), ?, ?, 0,"
                    " 'confirmed', 1, 1)", (event_id, f"Guest{k:03d} Loaf",
                                            f"guest{k}@example.org")).lastrowid
                con.execute("INSERT INTO pledge (item_id, rsvp_id, quantity, created_at,"
                            " updated_at) VALUES (?, ?, 1, 1, 1)", (bread["id"], rid))
    finally:
        con.close()
    seen, path, pages = [], link, 0
    while path:
        status, _, body = fetch("GET", path)
        expect(status, 200, path, body)
        seen += pledger_names(body)
        pages += 1
        nxt = re.search(r'<a href="(/events/bakery/items/\d+\?from=\d+)">Next page', body)
        path = html.unescape(nxt.group(1)) if nxt else None
    assert pages == 3 and len(seen) == 205, (pages, len(seen))
    assert seen[5:] == [(f"Guest{k:03d} L.", "1") for k in range(200)], seen[5:8]
    assert "From the first" in body
    # A malformed start is the first page; past the end, nobody.
    for bad in ("abc", "-1", "1x", "9" * 30):
        status, _, body = fetch("GET", f"{link}?from={bad}")
        expect(status, 200 if len(bad) <= 16 else 400, bad, body)
        if status == 200:
            assert pledger_names(body)[:1] == [("Ann A.", "1")], bad
    status, _, body = fetch("GET", f"{link}?from=999999999")
    assert status == 200 and pledger_names(body) == [] and "No more pledges." in body
    # No such item at this event, or not an item id at all: 404.
    other = item("sheet", "Cake")["id"]
    for path in (f"/events/bakery/items/{other}", "/events/bakery/items/999999",
                 "/events/bakery/items/0", "/events/bakery/items/x1",
                 f"/events/nosuch/items/{bread['id']}", f"/events/bakery/items/0{bread['id']}"):
        status, _, _ = fetch("GET", path)
        assert status == 404, (path, status)


def test_items_json_etag_and_microcache():
    status, hdrs, data = items_json("sheet")
    expect(status, 200, "items.json")
    assert hdrs["content-type"].startswith("application/json")
    ev_version = site().query_one("SELECT version FROM event WHERE slug = 'sheet'")[0]
    assert data["slug"] == "sheet" and data["version"] == ev_version, data
    assert hdrs.get("etag") == f'"v{ev_version}"', hdrs.get("etag")
    cake = next(i for i in data["items"] if i["name"] == "Cake")
    row = item("sheet", "Cake")
    assert (cake["suggested"], cake["pledged"], cake["needed"], cake["version"],
            cake["capped"]) == (5, row["pledged"], max(0, 5 - row["pledged"]),
                                row["version"], False), cake
    assert cake["need_label"] in ("Enough pledged; more is welcome",
                                  f"{5 - row['pledged']} more needed"), cake["need_label"]
    status, _, _ = items_json("sheet", {"If-None-Match": hdrs["etag"]})
    expect(status, 304, "items.json with the current ETag")
    # Then nginx answers from its cache. An answer is fresh to the end of its
    # second, so a poll that lands in the next one may find it UPDATING (the
    # old one, refreshed in the background; under valgrind that takes long):
    # poll on, a HIT must come.
    seen = []
    for _ in range(20):
        status, h2, _ = items_json("sheet")
        seen.append(h2.get("x-cache"))
        if seen[-1] == "HIT":
            break
        time.sleep(0.2)
    assert seen[-1] == "HIT", f"X-Cache {seen}, want a HIT"
    # A pledge shows within 2 s through the cache.
    tok = rsvp_ok("sheet", "Jay Json", "jay@example.org")
    pledge(tok, row["id"], 1)
    deadline = time.monotonic() + (2 if not harness.VALGRIND else 10)
    while True:
        status, h3, data = items_json("sheet")
        c = next(i for i in data["items"] if i["name"] == "Cake")
        if c["pledged"] == row["pledged"] + 1:
            break
        assert time.monotonic() < deadline, f"items.json still says {c}"
        time.sleep(0.05)
    assert h3["etag"] != hdrs["etag"]
    status, _, _ = fetch("GET", "/events/nope/items.json")
    expect(status, 404, "items.json of an unknown event")


# -- concurrency ---------------------------------------------------------------

def manage_forms(tokens, item_id):
    """The pledge form (token, version) for item_id on each manage page."""
    def one(tok):
        status, _, body = site().request("GET", f"/rsvp/{tok}")
        f = pledge_forms(body.decode())[item_id]
        return f[0], f[1]
    with ThreadPoolExecutor(20) as pool:
        return list(pool.map(one, tokens))


def test_concurrency_capped_chairs():
    if harness.VALGRIND:
        raise Skip("concurrency storm in valgrind mode")
    chairs = item("chairs", "Folding chairs")
    people = [rsvp_ok("chairs", f"Chair Person{k}", f"chair{k}@example.org") for k in range(200)]
    forms = manage_forms(people, chairs["id"])
    rng = random.Random(4)
    wants = [rng.randint(1, 3) for _ in people]
    jobs = [("POST", f"/rsvp/{tok}", {"form_token": t, "action": "pledge",
                                      "item": str(chairs["id"]), "version": str(v),
                                      "quantity": str(q)})
            for tok, (t, v), q in zip(people, forms, wants)]
    t0 = time.monotonic()
    results = site().storm(jobs, 200)
    took = time.monotonic() - t0
    statuses = Counter(a.status for a in results)
    diag(f"200 concurrent pledges of 1-3 chairs in {took:.2f} s: {dict(statuses)}")
    accepted, problems = 0, []
    for (status, hdrs, _, body), q in zip(results, wants):
        if status == 303:
            accepted += q
        elif status == 409:
            said = [re.search(r"only (\d+) more needed|no more needed", a) for a in alerts(body)]
            said = [m for m in said if m]
            if not said:
                problems.append(f"409 without how many were left: {alerts(body)}")
            elif said[0].group(1) is not None and int(said[0].group(1)) >= q:
                problems.append(f"409 for {q} chairs though {said[0].group(1)} were left")
        elif not (status == 503 and hdrs.get("retry-after")):
            problems.append(f"status {status}: {alerts(body)}")
    now = item("chairs", "Folding chairs")
    total = site().query_one("SELECT coalesce(sum(quantity), 0) FROM pledge WHERE item_id = ?",
                             (chairs["id"],))[0]
    diag(f"pledged {now['pledged']} of 40 chairs; accepted requests add up to {accepted}")
    assert now["pledged"] <= 40, f"OVER THE CAP: {now['pledged']} chairs pledged"
    assert now["pledged"] == total == accepted, (now, total, accepted)
    assert now["pledged"] >= 38, f"only {now['pledged']} of 40 chairs though 200 offered"
    assert not problems, "\n".join(problems[:20])
    assert_sheet_consistent()


def test_concurrency_same_participant():
    if harness.VALGRIND:
        raise Skip("concurrency storm in valgrind mode")
    cups = item("chairs", "Cups")
    tok = rsvp_ok("chairs", "Sam Same", "sam@example.org", {cups["id"]: 1})
    forms = manage_forms([tok] * 100, cups["id"])
    jobs = [("POST", f"/rsvp/{tok}", {"form_token": t, "action": "pledge",
                                      "item": str(cups["id"]), "version": str(v),
                                      "quantity": str(2 + k)})
            for k, (t, v) in enumerate(forms)]
    results = site().storm(jobs, 100)
    statuses = Counter(a.status for a in results)
    diag(f"100 concurrent changes by one participant: {dict(statuses)}")
    bad = [st for st, h, *_ in results if st not in (303, 409) and
           not (st == 503 and h.get("retry-after"))]
    assert not bad, f"unexpected statuses {Counter(bad)}"
    accepted = {2 + k for k, a in enumerate(results) if a.status == 303}
    assert accepted, "no change was accepted"
    rows = site().query("SELECT quantity FROM pledge WHERE item_id = ?", (cups["id"],))
    assert len(rows) == 1, f"{len(rows)} pledge rows for one participant"
    assert rows[0][0] in accepted, \
        f"pledge of {rows[0][0]}, but the accepted requests set {sorted(accepted)}"
    assert item("chairs", "Cups")["pledged"] == rows[0][0], "total differs from the pledge"
    assert_sheet_consistent()


# -- the whole database --------------------------------------------------------

def test_database_consistent():
    assert_sheet_consistent()


# Last: stops the site, looks for crashes and reads its valgrind logs.
test_sites_clean = harness.test_sites_clean


if __name__ == "__main__":
    harness.run_suite(globals())
