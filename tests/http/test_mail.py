#!/usr/bin/env python3
"""E-mail tests (issue 6): the outbox and turnout-worker against a real SMTP
peer on loopback (Debian's python3-aiosmtpd, started here).

- a sign-up through the real site is delivered and parsed: recipient,
  subject, Date, Message-ID, the manage link;
- a peer answering 451 first, then 250: delivered after a retry;
- a peer answering 550: dead letter with its error, listed by
  turnout-admin and on the admin page's outbox, delivered once after a
  retry from that page; discard there, with every refusal (no CSRF token,
  bad ids, "discard all" unconfirmed) changing nothing;
- header injection in names, e-mails and titles never reaches the wire;
- kill -9 of a worker in the middle of 200 messages: after a restart every
  message is delivered (at least once), none is lost, and only the batch
  in hand may go out twice;
- two workers at once: no message is sent twice;
- the maildir's disk flush failing: nothing is marked sent;
- a slow peer: a worker stops sending its batch before its lease could run
  out and hands the rest back.

The fault cases run workers straight on a database (no web server) and are
skipped in the valgrind pass, where the site's own worker runs under
valgrind for the other cases.

Run: TURNOUT_BUILD=$PWD TURNOUT_SRC=$PWD tests/http/test_mail.py
"""
import asyncio
import email
import email.policy
import email.utils
import html
import os
import re
import shutil
import signal
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from tap import Skip, diag, main  # noqa: E402

try:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult
except ImportError:
    # Debian's python3-aiosmtpd, when another python3 comes first in PATH.
    sys.path.append("/usr/lib/python3/dist-packages")
    try:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult
    except ImportError:  # reported by every case that needs it
        Controller = None

FORM = harness.FORM
ADMIN_NAME, ADMIN_PASSWORD = "olga", "outbox test password"
WORKER = os.path.join(harness.BUILD, "worker", "turnout-worker")
DAY = 24 * 3600
WAIT = 120 if harness.VALGRIND else 30  # seconds for a delivery to show up
BATCH_MAX = 32  # messages a worker claims at once (worker/main.c)


# -- the SMTP peer ---------------------------------------------------------------

class Peer:
    """An SMTP server on loopback. What it answers depends on the recipient:
    flaky-*: 451 to the first DATA, then 250; bounce-*: 550 at RCPT until
    added to accepted; anyone else: 250. delay slows every DATA. smtp:
    aiosmtpd's options (TLS, STARTTLS required, an authenticator)."""

    def __init__(self, delay=0.0, **smtp):
        self.delay = delay
        self.accepted = set()  # bounce-* addresses that now get through
        self.lock = threading.Lock()
        self.messages = []   # (rcpt list, raw bytes) of accepted messages
        self.tries = {}      # recipient -> DATA commands seen
        self.active = 0      # DATA commands in progress
        self.most_active = 0
        self.controller = Controller(self, hostname="127.0.0.1", port=harness.free_port(),
                                     **smtp)
        self.controller.start()
        self.port = self.controller.port

    def stop(self):
        self.controller.stop()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("bounce-") and address not in self.accepted:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        rcpt = envelope.rcpt_tos[0]
        with self.lock:
            self.tries[rcpt] = self.tries.get(rcpt, 0) + 1
            first = self.tries[rcpt] == 1
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            if rcpt.startswith("flaky-") and first:
                return "451 4.3.0 please try again later"
            with self.lock:
                self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
            return "250 Message accepted"
        finally:
            with self.lock:
                self.active -= 1

    def to(self, rcpt):
        """The parsed messages accepted for rcpt."""
        with self.lock:
            return [email.message_from_bytes(raw, policy=email.policy.default)
                    for rcpts, raw in self.messages if rcpt in rcpts]

    def wait_for(self, rcpt, n=1, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while len(self.to(rcpt)) < n:
            assert time.monotonic() < deadline, f"no message for {rcpt} after {timeout} s"
            time.sleep(0.05)
        return self.to(rcpt)


def mail_config(data, port, peer, transport="smtp", scheme="smtp", starttls="off", extra=""):
    """The site's turnout.conf: SMTP to the peer (unless transport says
    otherwise; sendmail is a fake in the data dir), fast retries, short
    lease, cheap admin password hashes (the suite also runs under valgrind),
    then the extra lines."""
    with open(os.path.join(data, "turnout.conf"), "w") as f:
        f.write(f"data_dir = {data}\ntemplates = {harness.SRC}/templates\n"
                f"site_url = http://127.0.0.1:{port}\nsite_name = Test Club\n"
                f"mail_transport = {transport}\nsmtp_url = {scheme}://127.0.0.1:{peer.port}\n"
                f"smtp_starttls = {starttls}\nmail_from = events@turnout.test\n"
                f"sendmail = {data}/sendmail\nmail_retry = 1 1 1\nmail_lease = 5\n"
                f"password_memory_kib = 1024\n{extra}")


# -- the site ----------------------------------------------------------------------

_site = _peer = _cookie = None


def need_aiosmtpd():
    if Controller is None:
        raise RuntimeError("python3-aiosmtpd is missing: run ./quickstart test")


def db_write(data, sql, params=()):
    """Run one statement on the database in data, in its own transaction."""
    con = sqlite3.connect(os.path.join(data, "turnout.db"))
    with con:
        con.execute(sql, params)
    con.close()


def add_event(data, slug, title="Mail test event", capacity=50, starts_in=7 * DAY):
    now = int(time.time())
    db_write(data, "INSERT INTO event (slug, title, description, location, starts_at, ends_at,"
             " status, capacity, max_guests, created_at, updated_at) VALUES (?, ?, '', 'Hall',"
             " ?, ?, 'published', ?, 2, ?, ?)", (slug, title, now + starts_in,
                                                 now + starts_in + 3 * 3600, capacity, now, now))


def add_reminded(data):
    """An event in two hours, with an RSVP made two days ago: the worker
    owes it a reminder (reminder_hours 24) from its first housekeeping."""
    add_event(data, "soon", "Mail soon event", capacity=10, starts_in=7200)
    then = int(time.time()) - 2 * DAY
    db_write(data, "INSERT INTO rsvp (event_id, token_hash, name, email, guests, status,"
             " created_at, updated_at) SELECT id, randomblob(32), 'Rem Inder',"
             " 'remind@example.org', 0, 'confirmed', ?, ? FROM event WHERE slug = 'soon'",
             (then, then))


def site():
    global _site, _peer
    if _site is None:
        need_aiosmtpd()
        _peer = Peer()
        s = harness.Site("mail")

        def prepare(data):
            mail_config(data, s.port, _peer)
            add_event(data, "mailtest")
            add_event(data, "full", "Mail full event", capacity=1)
            add_reminded(data)
            harness.add_admin_user(os.path.join(data, "turnout.conf"), ADMIN_NAME,
                                   ADMIN_PASSWORD)
        s.prepare = prepare
        _site = s.start()
        diag(f"site on port {s.port}, SMTP peer on port {_peer.port}")
    return _site


def rsvp(name, addr, slug="mailtest"):
    """Sign up through the site; returns the manage token."""
    status, _, body = site().request("GET", f"/events/{slug}")
    assert status == 200, status
    token = harness.form_token(body)
    status, hdrs, _ = site().request("POST", f"/events/{slug}/rsvp", urllib.parse.urlencode(
        {"form_token": token, "name": name, "email": addr, "guests": "0"}), FORM)
    assert status == 303, f"RSVP {addr}: status {status}"
    return re.match(r"/rsvp/([0-9a-f]{32})", hdrs["location"]).group(1)


def outbox_row(addr, kind="confirmed"):
    return site().query_one("SELECT state, attempts, last_error, link_token, id FROM outbox"
                            " WHERE recipient = ? AND kind = ?", (addr, kind))


def wait_state(addr, state, kind="confirmed"):
    deadline = time.monotonic() + WAIT
    while (row := outbox_row(addr, kind)) is None or row[0] != state:
        assert time.monotonic() < deadline, f"{addr}: still {row} after {WAIT} s"
        time.sleep(0.05)
    return row


def admin(*args, data=None):
    """Run turnout-admin on the site's config; returns (status, output)."""
    data = data or site().data
    p = subprocess.run([harness.ADMIN, "-c", os.path.join(data, "turnout.conf"), *args],
                       capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, TURNOUT_DATA=data))
    return p.returncode, p.stdout + p.stderr


def admin_cookie():
    """The session of the suite's admin, logged in on first use."""
    global _cookie
    if _cookie is None:
        _cookie = site().admin_login(ADMIN_NAME, ADMIN_PASSWORD)
    return _cookie


def outbox_page(query=""):
    status, hdrs, body = site().fetch("GET", "/admin/outbox" + query, cookie=admin_cookie())
    assert status == 200, f"GET /admin/outbox{query}: {status}"
    assert hdrs["cache-control"] == "no-store", hdrs["cache-control"]
    return body


def outbox_post(fields, csrf=True):
    """POST to the outbox page with the CSRF token scraped from it (csrf
    False: none); returns (status, location or None, body)."""
    if csrf:
        fields = dict(fields, csrf=harness.csrf_of(outbox_page()))
    status, hdrs, body = site().post_form("/admin/outbox", fields, admin_cookie())
    return status, hdrs.get("location"), body


def dead_row(body, mid):
    """The outbox page's table row of dead letter mid, or None."""
    m = re.search(rf'<tr id="m{mid}">.*?</tr>', body, re.S)
    return m.group(0) if m else None


def page_escaped(s):
    """s as the templates escape it for HTML."""
    return html.escape(s).replace("&#x27;", "&#39;")


def text(msg):
    """The plain-text part of a message."""
    return msg.get_body(("plain",)).get_content()


def outbox_states():
    return site().query("SELECT id, state, attempts FROM outbox ORDER BY id")


# -- cases ---------------------------------------------------------------------------

def test_confirmation_delivered_and_parsed():
    token = rsvp("Ann Bell", "ann@example.org")
    msg = _peer.wait_for("ann@example.org")[0]
    assert msg["To"] == "ann@example.org", msg["To"]
    assert msg["From"] == "Test Club <events@turnout.test>", msg["From"]
    assert msg["Subject"] == "You're confirmed: Mail test event", msg["Subject"]
    assert abs(email.utils.parsedate_to_datetime(msg["Date"]).timestamp() - time.time()) < 60
    assert re.fullmatch(r"<turnout\.\d+\.\d+@turnout\.test>", msg["Message-ID"]), msg["Message-ID"]
    assert msg["Reply-To"] is None, msg["Reply-To"]
    # Plain text with the same message as HTML beside it.
    assert msg.get_content_type() == "multipart/alternative", msg.get_content_type()
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in msg.iter_parts())
    body = text(msg)
    assert "Hello Ann Bell," in body, body
    # The party, and when it ends as well as when it starts.
    assert "\nParty: 1 (you)" in body and "\nEnds:  " in body, body
    link = f"http://127.0.0.1:{site().port}/rsvp/{token}"
    assert link in body, body
    # Lines of at most 72 characters, but for a link too long to break.
    assert all(len(line) <= 72 or "http" in line for line in body.splitlines()), body
    html = msg.get_body(("html",)).get_content()
    assert f'<a href="{link}"' in html and "<p" in html and "Hello Ann Bell," in html, html
    # The link works, and once sent it is no longer stored in plain text.
    assert site().request("GET", f"/rsvp/{token}")[0] == 200
    state, attempts, _, link_token, _ = wait_state("ann@example.org", "sent")
    assert (attempts, link_token) == (1, None), (attempts, link_token)


def test_replies_go_to_the_organiser():
    """An event with an organiser's address: its e-mails say Reply-To it."""
    def contact(addr):
        con = sqlite3.connect(site().db_path, timeout=30)
        with con:
            con.execute("UPDATE event SET contact = ? WHERE slug = 'mailtest'", (addr,))
        con.close()

    contact("org@example.org")
    try:
        rsvp("Rae Reply", "rae@example.org")
        msg = _peer.wait_for("rae@example.org")[0]
    finally:
        contact(None)
    assert msg["Reply-To"] == "org@example.org", msg["Reply-To"]
    assert msg["From"] == "Test Club <events@turnout.test>", msg["From"]


def test_html_part_escapes_what_visitors_typed():
    """The HTML part shows a name as text, never as markup, and only the
    site's own addresses become links."""
    rsvp('<b>Bo</b> & "co" https://evil.test/x', "bo@example.org")
    msg = _peer.wait_for("bo@example.org")[0]
    html = msg.get_body(("html",)).get_content()
    assert "Hello &lt;b&gt;Bo&lt;/b&gt; &amp; &quot;co&quot;" in html, html
    assert "<b>" not in html and "https://evil.test/x" in html and "evil.test/x\"" not in html, html
    assert "Hello <b>Bo</b> & \"co\"" in text(msg), text(msg)


def test_confirmation_lists_the_pledges():
    """What the person pledged with their sign-up is in the confirmation,
    each amount in words ("1 bottle", "2 bowls")."""
    for name, unit in (("Potato salad", "bowls"), ("Lemonade", "bottles")):
        db_write(site().data, "INSERT INTO item (event_id, name, category, suggested, unit)"
                 " SELECT id, ?, 'food', 5, ? FROM event WHERE slug = 'mailtest'", (name, unit))
    items = dict(site().query("SELECT name, id FROM item WHERE event_id ="
                              " (SELECT id FROM event WHERE slug = 'mailtest')"))
    page = site().request("GET", "/events/mailtest")[2].decode()
    fields = {"form_token": harness.form_token(page), "name": "Pia Pledge",
              "email": "pia@example.org", "guests": "2"}
    for name, quantity in (("Potato salad", 2), ("Lemonade", 1)):
        fields[f"item_{items[name]}"] = str(quantity)
        fields[f"version_{items[name]}"] = "1"
    status, _, _ = site().request("POST", "/events/mailtest/rsvp",
                                  urllib.parse.urlencode(fields), FORM)
    assert status == 303, status
    body = one_mail("pia@example.org", "You're confirmed: Mail test event").replace("\r\n", "\n")
    assert "\nParty: 3 (you + 2 guests)\nYou're bringing:\n" in body, body
    assert "- Potato salad: 2 bowls\n" in body and "- Lemonade: 1 bottle\n" in body, body


def one_mail(rcpt, subject):
    """The body of the one message for rcpt whose subject starts with
    subject (waits for it)."""
    deadline = time.monotonic() + WAIT
    while not (msgs := [m for m in _peer.to(rcpt) if m["Subject"].startswith(subject)]):
        assert time.monotonic() < deadline, \
            f"no {subject!r} for {rcpt}: {[m['Subject'] for m in _peer.to(rcpt)]}"
        time.sleep(0.05)
    assert len(msgs) == 1, f"{len(msgs)} messages {subject!r} for {rcpt}"
    assert msgs[0]["To"] == rcpt, msgs[0]["To"]
    return text(msgs[0])


def test_waitlisted_promoted_cancelled_and_reminder_mails():
    base = f"http://127.0.0.1:{site().port}"
    first = rsvp("Al First", "al@example.org", "full")  # capacity 1
    second = rsvp("Bea Second", "bea@example.org", "full")
    body = one_mail("bea@example.org", "You're on the waitlist: Mail full event")
    assert "Hello Bea Second," in body and f"{base}/rsvp/{second}" in body, body
    assert "You are next in line." in body and "Party: 1 (you)" in body, body
    rsvp("Cy Third", "cy3@example.org", "full")
    body = one_mail("cy3@example.org", "You're on the waitlist: Mail full event")
    assert "\n1 party is ahead of you.\n" in body.replace("\r\n", "\n"), body
    assert f"Event: {base}/events/full" in body, body
    # Al cancels: Al hears so, and Bea moves up.
    status, _, page = site().request("GET", f"/rsvp/{first}?confirm=cancel")
    status, hdrs, _ = site().request("POST", f"/rsvp/{first}", urllib.parse.urlencode(
        {"form_token": harness.form_token(page), "action": "cancel"}), FORM)
    assert status == 303, status
    body = one_mail("al@example.org", "Your RSVP is cancelled: Mail full event")
    assert "Hello Al First," in body and f"{base}/events/full" in body, body
    assert "/rsvp/" not in body, "a cancellation holds a manage link"
    body = one_mail("bea@example.org", "A spot opened up: you're confirmed for Mail full event")
    assert "Hello Bea Second," in body and f"Event: {base}/events/full" in body, body
    # The promotion carries a link of its own; the first one keeps working.
    promoted = re.search(rf"{re.escape(base)}/rsvp/([0-9a-f]{{32}})", body).group(1)
    assert promoted != second
    assert site().request("GET", f"/rsvp/{promoted}")[0] == 200
    assert site().request("GET", f"/rsvp/{second}")[0] == 200
    # The reminder: once, however often the worker looks.
    body = one_mail("remind@example.org", "Reminder: Mail soon event, ")
    assert "Hello Rem Inder," in body and f"Event: {base}/events/soon" in body, body
    assert "/rsvp/" not in body, "a later e-mail holds a manage link"
    assert site().query("SELECT count(*) FROM outbox WHERE kind = 'reminder'") == [(1,)]
    time.sleep(1.5)
    assert sorted(m["Subject"].split(":")[0] for m in _peer.to("remind@example.org")) == [
        "Reminder", "You're confirmed"], "not one confirmation and one reminder"


def test_organiser_cancel_asks_first_and_says_so():
    """Cancelling someone from the participants page asks first (a page,
    no script), refuses a bad message changing nothing, and the e-mail
    says the organiser cancelled, with their message: not the self-cancel's
    "thank you for letting us know"."""
    rsvp("Cy Cancel", "cy@example.org")
    rid = site().query_one("SELECT id FROM rsvp WHERE email = 'cy@example.org'")[0]
    path = "/admin/events/mailtest/rsvps"
    status, _, body = site().fetch("GET", path, cookie=admin_cookie())
    assert status == 200, status
    ask = f"{path}?confirm=cancel&amp;rsvp={rid}#confirm"
    assert ask in body, "no link to the question before cancelling"
    assert 'value="cancel"' not in body, "a one-tap cancel form is still on the page"
    status, _, body = site().fetch("GET", html.unescape(ask).split("#")[0],
                                   cookie=admin_cookie())
    assert status == 200 and "Cancel Cy Cancel's RSVP?" in body, status
    csrf = harness.csrf_of(body)
    form = {"csrf": csrf, "action": "cancel", "rsvp": str(rid)}
    active = "SELECT status FROM rsvp WHERE id = ?"
    # Without the yes: the question, nothing changed.
    status, hdrs, _ = site().post_form(path, form, admin_cookie())
    assert status == 303 and hdrs["location"] == \
        f"{path}?confirm=cancel&rsvp={rid}#confirm", (status, hdrs)
    # A message past its bound: the question again with the error, nothing changed.
    status, _, body = site().post_form(path, dict(form, confirm="yes", message="x" * 1001),
                                       admin_cookie())
    assert status == 400 and "too long" in harness.alerts(body)[0], status
    assert 'id="confirm"' in body and "x" * 1001 in body, "the typed message is lost"
    assert site().query_one(active, (rid,)) == ("confirmed",)
    note = "Sorry <Cy>: the hall shrank.\nWe kept your address for next time."
    yes = dict(form, confirm="yes", message=note)
    for _ in range(2):  # a double submit changes nothing more
        status, hdrs, _ = site().post_form(path, yes, admin_cookie())
        assert status == 303 and hdrs["location"] == f"{path}?done=cancel#r{rid}", hdrs
    assert site().query_one(active, (rid,)) == ("cancelled",)
    body = one_mail("cy@example.org", "The organiser cancelled your RSVP: Mail test event")
    body = body.replace("\r\n", "\n")
    assert "Hello Cy Cancel," in body and note in body, body
    assert "thank you" not in body.lower(), body
    assert site().query_one("SELECT count(*) FROM outbox WHERE rsvp_id = ? AND kind ="
                            " 'cancelled'", (rid,)) == (1,)


def test_451_then_delivered_after_retry():
    rsvp("Flo Flaky", "flaky-flo@example.org")
    msgs = _peer.wait_for("flaky-flo@example.org")
    assert len(msgs) == 1
    state, attempts, _, _, _ = wait_state("flaky-flo@example.org", "sent")
    assert attempts == 2, attempts
    assert _peer.tries["flaky-flo@example.org"] == 2


def test_550_dead_letter_then_admin_retry():
    addr = "bounce-bo@example.org"
    rsvp("Bo Bounce", addr)
    _, attempts, error, link_token, mid = wait_state(addr, "dead")
    assert attempts == 1, "a 5xx is permanent: no retries"
    assert "550" in error, error
    assert link_token is not None, "a dead letter keeps its link for a retry"
    rc, out = admin("outbox", "list")
    assert rc == 0, out
    assert re.search(rf"^dead {mid}  confirmed  {addr}  event mailtest .*550", out, re.M), out
    assert "dead 1" in out.splitlines()[0] or ", dead " in out.splitlines()[0], out
    # The admin page shows it with its error, and the dashboard points there.
    body = outbox_page()
    row = dead_row(body, mid)
    assert row and f">{addr}</td>" in row and page_escaped(error) in row, (error, row)
    dead = site().query_one("SELECT count(*) FROM outbox WHERE state = 'dead'")[0]
    assert re.search(rf"<td>dead</td><td>{dead}</td>", body), body
    status, _, dash = site().fetch("GET", "/admin", cookie=admin_cookie())
    assert status == 200 and re.search(
        rf'<a href="/admin/outbox">{dead} e-mails? could not be delivered</a>', dash), dash
    # Fixed at the far end: "Retry" on the page delivers it, exactly once.
    _peer.accepted.add(addr)
    status, location, _ = outbox_post({"action": "retry", "id": str(mid)})
    assert (status, location) == (303, "/admin/outbox?done=retry&n=1"), (status, location)
    assert "1 e-mail queued again for sending." in outbox_page("?done=retry&n=1")
    assert len(_peer.wait_for(addr)) == 1
    assert wait_state(addr, "sent")[1] == 1, "a retry starts with all its attempts"
    time.sleep(1.5)
    assert len(_peer.to(addr)) == 1, "delivered exactly once after the retry"
    assert dead_row(outbox_page(), mid) is None
    # The same button again (a double click, a reload): nothing to do, no error.
    status, location, _ = outbox_post({"action": "retry", "id": str(mid)})
    assert (status, location) == (303, "/admin/outbox?done=none"), (status, location)
    assert "Nothing to do: already retried or discarded." in outbox_page("?done=none")
    assert len(_peer.to(addr)) == 1
    rc, out = admin("outbox", "retry", str(mid))
    assert rc == 1 and "no dead letter" in out, out


def test_outbox_page_discard_and_refusals():
    # An apostrophe and an ampersand are allowed in an address: shown escaped.
    one, two = "bounce-o'hara&co@example.org", "bounce-two@example.org"
    rsvp("Oona O'Hara", one)
    rsvp("Tom Two", two)
    mid = wait_state(one, "dead")[4]
    wait_state(two, "dead")
    # A mail server's error text may hold anything: it is shown as text.
    con = sqlite3.connect(site().db_path, timeout=30)
    with con:
        con.execute("UPDATE outbox SET last_error = last_error || ? WHERE id = ?",
                    (' <b>"no" & <script>', mid))
    con.close()
    error = outbox_row(one)[2]
    row = dead_row(outbox_page(), mid)
    assert row and page_escaped(one) in row and page_escaped(error) in row, row
    assert "<b>" not in row and "<script>" not in row, row
    before = outbox_states()
    # Not logged in: the login page, for reading and for acting.
    status, hdrs, _ = site().fetch("GET", "/admin/outbox")
    assert (status, hdrs["location"]) == (303, "/admin/login"), status
    # Without the session's CSRF token: refused.
    status, _, _ = outbox_post({"action": "discard", "id": str(mid)}, csrf=False)
    assert status == 403, status
    # Bad ids and actions: 400 saying what was wrong; id 0 is not "all".
    for action, mid_text in (("discard", "-1"), ("discard", "abc"), ("discard", ""),
                             ("discard", "99999999999999999999"), ("discard", "0"),
                             ("discard", "+1"), ("discard", None), ("retry", " 1"),
                             ("resend", str(mid)), (None, str(mid))):
        status, _, body = outbox_post({"action": action, "id": mid_text})
        assert status == 400, (action, mid_text, status)
        assert harness.alerts(body) and "Nothing was changed." in harness.alerts(body)[0], \
            harness.alerts(body)
    # "Discard all" asks first; without the confirmation it only asks.
    for confirm in (None, "no"):
        status, _, body = outbox_post({"action": "discard", "id": "all", "confirm": confirm})
        assert status == 200 and "Discard all 2 dead letters?" in body, (status, body)
        assert 'name="confirm" value="yes"' in body
    assert outbox_states() == before, "a refused or unconfirmed POST changed the outbox"
    # Discard one: final, and a second identical POST is harmless.
    status, location, _ = outbox_post({"action": "discard", "id": str(mid)})
    assert (status, location) == (303, "/admin/outbox?done=discard&n=1"), (status, location)
    assert outbox_row(one)[0] == "discarded"
    assert outbox_row(one)[3] is None, "a discarded message keeps no link"
    status, location, _ = outbox_post({"action": "discard", "id": str(mid)})
    assert (status, location) == (303, "/admin/outbox?done=none"), (status, location)
    assert outbox_row(one)[0] == "discarded"
    # Discard all, confirmed.
    status, location, _ = outbox_post({"action": "discard", "id": "all", "confirm": "yes"})
    assert (status, location) == (303, "/admin/outbox?done=discard&n=1"), (status, location)
    assert outbox_row(two)[0] == "discarded"
    body = outbox_page()
    assert "None: every e-mail was delivered or is still on its way." in body
    assert "could not be delivered" not in site().fetch("GET", "/admin", cookie=admin_cookie())[2]


def test_header_injection_never_reaches_the_wire():
    # The form refuses line breaks in names and e-mail addresses.
    for name, addr in (("Eve\r\nBcc: victim@evil.test", "eve@example.org"),
                       ("Eve", "eve@example.org\r\nBcc: victim@evil.test"),
                       ("Eve", "eve@example.org>\r\nBcc: <victim@evil.test")):
        status, _, body = site().request("GET", "/events/mailtest")
        status, _, _ = site().request("POST", "/events/mailtest/rsvp", urllib.parse.urlencode(
            {"form_token": harness.form_token(body), "name": name, "email": addr}), FORM)
        assert status == 400, (name, addr, status)
    # Written straight into the database (past the form): a bad address
    # cannot even be stored, and a bad name or title stays in the body.
    con = sqlite3.connect(site().db_path, timeout=30)
    try:
        try:
            with con:
                con.execute("INSERT INTO rsvp (event_id, token_hash, name, email, guests,"
                            " status, created_at, updated_at) SELECT id, randomblob(32), 'x',"
                            " 'x@example.org' || char(13, 10) || 'Bcc: victim@evil.test', 0,"
                            " 'confirmed', 1, 1 FROM event WHERE slug = 'mailtest'")
            raise AssertionError("an address with CRLF was enqueued")
        except sqlite3.IntegrityError:
            pass
        with con:
            now = int(time.time())
            con.execute("INSERT INTO event (slug, title, starts_at, status, created_at,"
                        " updated_at) VALUES ('inject', 'Party' || char(13, 10) ||"
                        " 'Bcc: victim@evil.test', ?, 'published', ?, ?)",
                        (now + 7 * DAY, now, now))
            con.execute("INSERT INTO rsvp (event_id, token_hash, name, email, guests, status,"
                        " created_at, updated_at) SELECT id, randomblob(32), 'Mal' ||"
                        " char(13, 10) || 'Bcc: victim@evil.test' || char(10) || char(10) ||"
                        " 'fake body', 'mal@example.org', 0, 'confirmed', 1, 1 FROM event"
                        " WHERE slug = 'inject'")
    finally:
        con.close()
    msg = _peer.wait_for("mal@example.org")[0]
    for rcpts, raw in _peer.messages:
        assert b"victim@evil.test" not in b"".join(
            line for line in raw.split(b"\r\n\r\n", 1)[0].splitlines(True)
            if not line.startswith(b"Subject:")), raw
        assert rcpts != ["victim@evil.test"]
    assert msg["Bcc"] is None and msg["Subject"] == "You're confirmed: Party  Bcc: victim@evil.test"
    assert "Hello Mal  Bcc: victim@evil.test  fake body," in text(msg)


def resend_form(addr):
    """Sign up with an address that has an RSVP: 409 with the resend form;
    returns its form token."""
    status, _, body = site().request("GET", "/events/mailtest")
    status, _, body = site().request("POST", "/events/mailtest/rsvp", urllib.parse.urlencode(
        {"form_token": harness.form_token(body), "name": "Again", "email": addr}), FORM)
    assert status == 409, status
    m = re.search(rb'action="/events/mailtest/resend".*?name="form_token" value="([0-9a-f]+)"'
                  rb'.*?name="email" value="([^"]*)"', body, re.S)
    assert m, "no resend form on the 409 page"
    return m.group(1).decode()


def post_resend(token, addr):
    status, _, body = site().request("POST", "/events/mailtest/resend", urllib.parse.urlencode(
        {"form_token": token, "email": addr}), FORM)
    assert status == 200, status
    return re.sub(r"[^\s]+@example\.org", "ADDR", body.decode())


def test_resend_keeps_the_old_link_and_reveals_nothing():
    old = rsvp("Rita Resend", "rita@example.org")
    _peer.wait_for("rita@example.org")
    token = resend_form("rita@example.org")
    page = post_resend(token, "rita@example.org")
    # Someone without an RSVP gets exactly the same page, and no e-mail.
    assert post_resend(resend_form("rita@example.org"), "nobody@example.org") == page
    assert post_resend(token, "rita@example.org") == page  # a replay: nothing more
    # The page says what happens: the old link keeps working.
    assert "any link you had before keeps working" in page and "no longer works" not in page
    msgs = _peer.wait_for("rita@example.org", n=2)
    assert msgs[1]["Subject"] == "Your link for Mail test event", msgs[1]["Subject"]
    new = re.search(r"/rsvp/([0-9a-f]{32})", text(msgs[1])).group(1)
    assert new != old
    assert "still works" in text(msgs[1])
    assert site().request("GET", f"/rsvp/{new}")[0] == 200
    assert site().request("GET", f"/rsvp/{old}")[0] == 200, "a resend disabled the old link"
    time.sleep(1.5)
    assert len(_peer.to("rita@example.org")) == 2
    assert _peer.to("nobody@example.org") == []
    # "Replace my link" (a leaked one): every link stops working but the new one,
    # which the page moves to and the e-mail carries; a double submit lands there too.
    page = site().request("GET", f"/rsvp/{new}")[2].decode()
    form = {"form_token": re.search(r'name="form_token" value="([0-9a-f]+)">\s*<input'
                                    r' type="hidden" name="action" value="replace_link"',
                                    page).group(1), "action": "replace_link"}
    answers = [site().request("POST", f"/rsvp/{new}", urllib.parse.urlencode(form), FORM)
               for _ in range(2)]
    assert [a[0] for a in answers] == [303, 303], [a[0] for a in answers]
    where = answers[0][1]["location"]
    assert where == answers[1][1]["location"] and where.endswith("?done=replaced"), where
    replaced = re.match(r"/rsvp/([0-9a-f]{32})\?", where).group(1)
    status, _, page = site().request("GET", where)
    assert status == 200 and b"Your link is replaced" in page, status
    for gone in (old, new):
        assert site().request("GET", f"/rsvp/{gone}")[0] == 404, "a replaced link still works"
    msgs = _peer.wait_for("rita@example.org", n=3)
    assert f"/rsvp/{replaced}" in text(msgs[2])
    # A form for another RSVP's link is refused, changing nothing.
    status, _, _ = site().request("POST", f"/rsvp/{replaced}", urllib.parse.urlencode(form), FORM)
    assert status == 400 and site().request("GET", f"/rsvp/{replaced}")[0] == 200


# -- fault cases: workers straight on a database -----------------------------------

def test_resend_is_limited_to_3_an_hour():
    addr = "rae.rate@example.org"
    rsvp("Rae Rate", addr)
    _peer.wait_for(addr)
    pages = {post_resend(resend_form(addr), addr) for _ in range(5)}
    assert len(pages) == 1, "a limited resend answers differently (it would tell)"
    msgs = _peer.wait_for(addr, n=4)
    time.sleep(1.5)
    subjects = [m["Subject"] for m in _peer.to(addr)]
    assert sorted(subjects) == ["You're confirmed: Mail test event"] + [
        "Your link for Mail test event"] * 3, subjects
    # Every link sent works: a resend adds one, it replaces none.
    links = [re.search(r"/rsvp/([0-9a-f]{32})", text(m)).group(1) for m in msgs]
    works = [site().request("GET", f"/rsvp/{t}")[0] == 200 for t in links]
    assert works == [True] * 4 and len(set(links)) == 4, works


class Bench:
    """A database with n pending messages, a peer, and workers to start."""

    def __init__(self, name, n, peer_delay, transport="smtp", smtp=None, **conf):
        need_aiosmtpd()
        if harness.VALGRIND:
            raise Skip("fault cases run in the plain pass only")
        self.data = tempfile.mkdtemp(prefix=f"turnout-{name}-")
        self.peer = Peer(delay=peer_delay, **(smtp or {}))
        self.procs = []
        self.killed = set()  # pids the test killed on purpose
        self.conf = os.path.join(self.data, "turnout.conf")
        mail_config(self.data, 8080, self.peer, transport, **conf)
        subprocess.run([harness.ADMIN, "-c", self.conf, "init"], check=True,
                       capture_output=True, env=dict(os.environ, TURNOUT_DATA=self.data))
        add_event(self.data, "batch", capacity=None)
        con = sqlite3.connect(os.path.join(self.data, "turnout.db"))
        with con:  # the insert trigger enqueues one message per RSVP
            con.executemany(
                "INSERT INTO rsvp (event_id, token_hash, name, email, guests, status,"
                " created_at, updated_at) SELECT id, randomblob(32), ?, ?, 0, 'confirmed',"
                " 1, 1 FROM event", [(f"P{i}", f"p{i}@example.org") for i in range(n)])
        con.close()
        self.addrs = {f"p{i}@example.org" for i in range(n)}

    def start_worker(self, wrapper=()):
        log = open(os.path.join(self.data, f"worker{len(self.procs)}.log"), "w")
        p = subprocess.Popen([*wrapper, WORKER, "-c", self.conf], stdout=log, stderr=log,
                             stdin=subprocess.DEVNULL)
        log.close()
        self.procs.append(p)
        return p

    def delivered(self):
        with self.peer.lock:
            return [r for rcpts, _ in self.peer.messages for r in rcpts]

    def query(self, sql):
        con = sqlite3.connect(os.path.join(self.data, "turnout.db"), timeout=30)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def wait_all_sent(self, timeout):
        deadline = time.monotonic() + timeout
        while self.query("SELECT count(*) FROM outbox WHERE state <> 'sent'")[0][0]:
            assert time.monotonic() < deadline, self.query(
                "SELECT state, count(*) FROM outbox GROUP BY state")
            time.sleep(0.1)

    def close(self):
        """Stop the workers and the peer, keep the logs; fails if a worker
        died of a signal the test did not send."""
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                p.wait(timeout=30)
        self.peer.stop()
        for f in os.listdir(self.data):
            if f.endswith(".log"):
                shutil.copy(os.path.join(self.data, f),
                            os.path.join(harness.out_dir(), f"{os.path.basename(self.data)}-{f}"))
        shutil.rmtree(self.data, ignore_errors=True)
        crashed = [f"worker {p.pid} killed by signal {-p.returncode}" for p in self.procs
                   if p.returncode < 0 and p.pid not in self.killed]
        assert not crashed, "\n".join(crashed)


def test_kill_9_mid_batch_loses_nothing():
    b = Bench("kill9", 200, peer_delay=0.01)
    try:
        w = b.start_worker()
        deadline = time.monotonic() + WAIT
        while len(b.delivered()) < 60:
            assert time.monotonic() < deadline and w.poll() is None, "worker stalled"
            time.sleep(0.01)
        b.killed.add(w.pid)
        w.kill()
        w.wait()
        before = len(b.delivered())
        states = dict(b.query("SELECT state, count(*) FROM outbox GROUP BY state"))
        diag(f"killed after {before} deliveries: {states}")
        assert states.get("pending", 0) > 0, "kill came too late to test anything"
        b.start_worker()
        b.wait_all_sent(timeout=60)
        got = b.delivered()
        assert set(got) == b.addrs, f"lost: {sorted(b.addrs - set(got))[:5]}"
        diag(f"{len(got)} deliveries for {len(b.addrs)} messages"
             f" ({len(got) - len(b.addrs)} duplicate(s) from the kill)")
        # Sent but not yet marked: the batch in hand goes out again.
        assert len(got) - len(b.addrs) <= BATCH_MAX, "only the batch in hand may repeat"
    finally:
        b.close()


def test_two_workers_never_send_a_row_twice():
    b = Bench("two", 200, peer_delay=0.005)
    try:
        b.start_worker()
        b.start_worker()
        b.wait_all_sent(timeout=60)
        got = b.delivered()
        assert sorted(got) == sorted(b.addrs), \
            f"{len(got)} deliveries for {len(b.addrs)} messages"
        diag(f"most deliveries in progress at once: {b.peer.most_active}")
        for p in b.procs:
            p.send_signal(signal.SIGTERM)
            assert p.wait(timeout=30) == 0
        logs = [open(os.path.join(b.data, f"worker{i}.log")).read() for i in range(2)]
        sent = [len(re.findall(r"\) sent$", log, re.M)) for log in logs]
        diag(f"messages sent by each worker: {sent}")
        assert sum(sent) == 200 and min(sent) > 0, sent
    finally:
        b.close()


def test_sigterm_finishes_the_message_in_hand():
    b = Bench("term", 3, peer_delay=1.0)
    try:
        w = b.start_worker()
        deadline = time.monotonic() + WAIT
        while b.peer.active == 0:
            assert time.monotonic() < deadline and w.poll() is None, "nothing sent"
            time.sleep(0.01)
        w.send_signal(signal.SIGTERM)
        assert w.wait(timeout=30) == 0
        states = dict(b.query("SELECT state, count(*) FROM outbox GROUP BY state"))
        assert states == {"sent": 1, "pending": 2}, states
        assert len(b.delivered()) == 1
    finally:
        b.close()


def test_batch_ends_before_the_lease_runs_out():
    """A slow peer: one worker claims all four, but sends only while its
    lease outlasts a delivery (mail_lease 5 s, so 2 s), then hands the rest
    back untried. Sending on, it would overlap the other worker, which
    takes the rows over when the lease runs out."""
    b = Bench("lease", 4, peer_delay=1.5)
    try:
        b.start_worker()
        b.start_worker()
        b.wait_all_sent(timeout=60)
        assert sorted(b.delivered()) == sorted(b.addrs), b.delivered()
        assert b.peer.most_active == 1, "two deliveries overlapped"
        attempts = b.query("SELECT attempts FROM outbox")
        assert attempts == [(1,)] * 4, f"a row was taken over, or a release counted: {attempts}"
    finally:
        b.close()


def test_maildir_transport():
    """The default for a new site: one file per message in maildir/new,
    over more than one batch."""
    b = Bench("maildir", BATCH_MAX + 8, peer_delay=0, transport="maildir")
    try:
        b.start_worker()
        b.wait_all_sent(timeout=30)
        new = os.path.join(b.data, "mail", "new")
        files = sorted(os.listdir(new))
        assert len(files) == BATCH_MAX + 8, len(files)
        assert not os.listdir(os.path.join(b.data, "mail", "tmp"))
        msgs = [email.message_from_binary_file(open(os.path.join(new, f), "rb"),
                                               policy=email.policy.default) for f in files]
        assert {m["To"] for m in msgs} == b.addrs
        assert all(m["Subject"] == "You're confirmed: Mail test event" for m in msgs)
        assert oct(os.stat(new).st_mode & 0o777) == "0o700", "mail holds private links"
    finally:
        b.close()


def test_maildir_flush_failure_marks_nothing_sent():
    """syncfs fails (strace makes it return EIO): the files in new/ may not
    survive a crash, so their messages are retried, never marked sent."""
    if shutil.which("strace") is None or subprocess.run(
            ["strace", "-qq", "-o", os.devnull, "true"]).returncode != 0:
        raise Skip("needs strace, allowed to trace")
    b = Bench("flush", 3, peer_delay=0, transport="maildir")
    w = b.start_worker(["strace", "-f", "-qq", "-o", os.devnull,
                        "-e", "trace=syncfs", "-e", "inject=syncfs:error=EIO"])
    try:
        deadline = time.monotonic() + WAIT
        # mail_retry = 1 1 1: four attempts a second apart, then dead.
        while b.query("SELECT count(*) FROM outbox WHERE state <> 'dead'")[0][0]:
            assert time.monotonic() < deadline and w.poll() is None, b.query(
                "SELECT state, attempts, last_error FROM outbox")
            time.sleep(0.1)
        rows = b.query("SELECT attempts, last_error FROM outbox")
        assert all(a == 4 and e.endswith("syncfs: Input/output error") for a, e in rows), rows
    finally:
        # strace started the worker and holds SIGTERM back: stop the worker.
        with open(f"/proc/{w.pid}/task/{w.pid}/children") as f:
            for pid in f.read().split():
                os.kill(int(pid), signal.SIGTERM)
        w.wait(timeout=30)
        b.close()


def tls_context(d):
    """(server SSL context, certificate file): a self-signed certificate
    for 127.0.0.1 made with openssl in directory d."""
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx, cert


class Login:
    """An aiosmtpd authenticator that lets in one user and password, and
    keeps every login it was asked for."""

    def __init__(self, user, password):
        self.user, self.password, self.tried = user, password, []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        self.tried.append((mechanism, auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=(auth_data.login.decode(), auth_data.password.decode())
                          == (self.user, self.password))


def tls_bench(name, scheme, trust=True, password="right horse", login=None):
    """A Bench with one message for a peer speaking TLS: STARTTLS required
    (scheme smtp) or TLS from the start (smtps), logins checked by login;
    the worker trusts the peer's certificate if trust."""
    d = tempfile.mkdtemp(prefix="turnout-tls-")
    ctx, cert = tls_context(d)
    pw = os.path.join(d, "password")
    with open(pw, "w") as f:
        f.write(password + "\n")
    os.chmod(pw, 0o600)
    smtp = {"ssl_context": ctx} if scheme == "smtps" else {
        "tls_context": ctx, "require_starttls": True}
    extra = ""
    if trust:
        extra += f"smtp_ca_file = {cert}\n"
    if login:
        smtp.update(authenticator=login, auth_required=True)
        extra += f"smtp_user = club\nsmtp_password_file = {pw}\n"
    b = Bench(name, 1, peer_delay=0, smtp=smtp, scheme=scheme, starttls="on", extra=extra)
    b.tls_dir = d
    return b


def outcome(b):
    """Wait for the first try of the one message to end: (state, attempts, error)."""
    deadline = time.monotonic() + WAIT
    while (row := b.query("SELECT state, attempts, coalesce(last_error, '')"
                          " FROM outbox")[0])[:2] in (("pending", 0), ("sending", 1)):
        assert time.monotonic() < deadline, row
        time.sleep(0.05)
    return row


def test_smtp_refused_without_starttls():
    # smtp_starttls = on and a server that offers no STARTTLS: nothing sent.
    b = Bench("nostarttls", 1, peer_delay=0, starttls="on")
    try:
        b.start_worker()
        state, _, error = outcome(b)
        assert state in ("pending", "dead") and "SSL" in error, (state, error)
        assert b.delivered() == [], "sent in plain text"
    finally:
        b.close()


def test_smtp_starttls_with_login():
    login = Login("club", "right horse")
    b = tls_bench("starttls", "smtp", login=login)
    try:
        b.start_worker()
        assert outcome(b)[0] == "sent"
        assert b.delivered() == ["p0@example.org"]
        assert [(u, p) for _, u, p in login.tried] == [("club", "right horse")], login.tried
    finally:
        b.close()
        shutil.rmtree(b.tls_dir, ignore_errors=True)


def test_smtp_wrong_password_sends_nothing():
    login = Login("club", "right horse")
    b = tls_bench("badlogin", "smtp", password="wrong horse", login=login)
    try:
        b.start_worker()
        state, _, error = outcome(b)
        assert state != "sent" and error, (state, error)
        assert b.delivered() == [], "sent without a valid login"
        assert ("club", "wrong horse") in [(u, p) for _, u, p in login.tried], login.tried
    finally:
        b.close()
        shutil.rmtree(b.tls_dir, ignore_errors=True)


def test_smtps_checks_the_certificate():
    for trust in (True, False):
        b = tls_bench(f"smtps{int(trust)}", "smtps", trust=trust)
        try:
            b.start_worker()
            state, _, error = outcome(b)
            if trust:
                assert state == "sent" and b.delivered() == ["p0@example.org"], (state, error)
            else:
                assert state != "sent" and b.delivered() == [], "sent to an unknown certificate"
                assert "certificate" in error.lower(), error
        finally:
            b.close()
            shutil.rmtree(b.tls_dir, ignore_errors=True)


FAKE_SENDMAIL = """#!/bin/sh
# A stand-in for sendmail: keeps each message and its arguments, exits
# with the status in the file exit-status (0 if there is none).
d=$(dirname "$0")
n=$(ls "$d" | grep -c '^sent[.]')
echo "$@" > "$d/args.$n"
cat > "$d/sent.$n"
exit "$(cat "$d/exit-status" 2>/dev/null || echo 0)"
"""


def test_sendmail_transport():
    b = Bench("sendmail", 1, peer_delay=0, transport="sendmail")
    fake = os.path.join(b.data, "sendmail")
    with open(fake, "w") as f:
        f.write(FAKE_SENDMAIL)
    os.chmod(fake, 0o755)

    def set_status(code):
        with open(os.path.join(b.data, "exit-status"), "w") as f:
            f.write(f"{code}\n")

    def wait_row(check):
        deadline = time.monotonic() + 30
        while not check(row := b.query("SELECT state, attempts, coalesce(last_error, '')"
                                       " FROM outbox ORDER BY id DESC LIMIT 1")[0]):
            assert time.monotonic() < deadline, row
            time.sleep(0.05)
        return row
    try:
        set_status(75)  # EX_TEMPFAIL: try again later
        b.start_worker()
        wait_row(lambda r: r[0] == "pending" and "status 75" in r[2])
        set_status(0)
        assert wait_row(lambda r: r[0] == "sent")[1] == 2
        with open(os.path.join(b.data, "args.1")) as f:
            assert f.read().split() == ["-t", "-i", "-f", "events@turnout.test"]
        with open(os.path.join(b.data, "sent.1"), "rb") as f:
            raw = f.read()
        assert b"\r" not in raw, "local programs get LF line ends"
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert msg["To"] == "p0@example.org" and msg["Subject"].startswith("You're confirmed")
        # EX_DATAERR, EX_NOUSER, EX_NOHOST: dead at once, no retry.
        for code in (65, 67, 68):
            set_status(code)
            con = sqlite3.connect(os.path.join(b.data, "turnout.db"), timeout=30)
            with con:
                con.execute("INSERT INTO rsvp (event_id, token_hash, name, email, guests,"
                            " status, created_at, updated_at) SELECT id, randomblob(32), 'Q',"
                            " ?, 0, 'confirmed', 1, 1 FROM event", (f"q{code}@example.org",))
            con.close()
            assert wait_row(lambda r: r[0] == "dead")[1:] == (
                1, f"sendmail exited with status {code}"), code
    finally:
        b.close()


def test_worker_logs_are_clean():
    """The site's worker ran every case above: no errors but the expected ones."""
    site().stop()
    with open(os.path.join(site().log_dir, "worker.log")) as f:
        log = f.read()
    assert "worker stopped" in log, log[-2000:]
    unexpected = [line for line in log.splitlines() if "error" in line
                  and "(reply 451)" not in line and "(reply 550)" not in line]
    assert not unexpected, unexpected
    assert not re.search(r"[0-9a-f]{32}", log), "a token in the log"


def test_sites_clean():
    if _peer is not None:
        _peer.stop()
    harness.test_sites_clean()


if __name__ == "__main__":
    try:
        sys.exit(main(globals()))
    finally:
        harness.close_all()
