#!/usr/bin/env node
// Browser check of a real Turnout site, as a visitor sees it.
//
// Starts its own site (turnout-admin init + demo, then scripts/serve start)
// on a free loopback port with a fresh data directory, drives the system's
// headless Chromium through playwright-core, and prints TAP on stdout.
// The site is always stopped again: in `finally`, and on SIGINT/SIGTERM/SIGHUP.
//
// Besides the pages themselves it walks an RSVP with JavaScript disabled
// (sign up with guests, keep-this-link box, counts, a potluck pledge whose
// bar moves on the event page, cancel), and with
// JavaScript on checks that an open event page's live counts (live.js
// polling status.json) follow another visitor's sign-up within 3 s, and
// its potluck bars (items.json) another visitor's pledge.
// An organiser then logs in to /admin on a phone-sized screen, creates an
// event, publishes it, finds it on /, checks a participant in, and opens
// the outbox from the admin bar.
//
// Environment:
//   TURNOUT_BUILD             dir holding the built cgi-bin/ and admin/ (default: repo root)
//   TURNOUT_SRC               dir holding scripts/, templates/, static/, nginx.conf (default: repo root)
//   TURNOUT_TEST_OUT          screenshots go to $TURNOUT_TEST_OUT/browser/ (default: a new temp dir)
//   TURNOUT_BROWSER_SKIP      a reason: skip (instead of fail) when playwright-core is not installed
//   TURNOUT_CHROMIUM          browser binary (default /usr/bin/chromium); never downloaded
//
// Exit status: 0 all ok (or skipped as asked), 1 any failure.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { organiserChecks } from './ux-organiser.mjs';
import { uxVisitor } from './ux-visitor.mjs';
import { browseBoard } from './board.mjs';
import { browseMine } from './mine.mjs';
import { browseMailAndFigures } from './mail-figures.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const build = path.resolve(process.env.TURNOUT_BUILD || repo);
const src = path.resolve(process.env.TURNOUT_SRC || repo);
const chromiumPath = process.env.TURNOUT_CHROMIUM || '/usr/bin/chromium';

// The demo data set (turnout-admin demo): upcoming published events.
const DEMO_EVENTS = ['potluck-picnic', 'fun-run-5k', 'chess-tournament', 'tshirt-drop'];
const EVENT = 'fun-run-5k';
const EVENT_CAPACITY = '50';
const NOJS_EVENT = 'potluck-picnic';	// allows guests (up to 4); has the demo potluck sheet
const PLEDGE_ITEM = 'Sausages';		// demo: 12 of 24 pledged, uncapped
const PLEDGE = 3;
const LIVE_EVENT = 'fun-run-5k';
const LIVE_DEADLINE_MS = 3000;
const DROP_EVENT = 'tshirt-drop';	// demo: S, M, L; two M shirts already claimed
const MOBILE = { width: 375, height: 812 };
const DESKTOP = { width: 1280, height: 900 };
const STEP_TIMEOUT_MS = 15000;
const ADMIN_USER = 'maria';
const ADMIN_PASSWORD = 'a long test password';
const ADMIN_EVENT = { slug: 'browser-picnic', title: 'Browser picnic', starts: '2030-06-01T18:00' };
const WATCHDOG_MS = 600000;

const CHROMIUM_ARGS = [
	'--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
	'--no-first-run', '--disable-background-networking',
	'--disable-component-update', '--disable-sync',
];

// ---------------------------------------------------------------- TAP output

let testNo = 0;
let failures = 0;

function diag(text) {
	for (const line of String(text).replace(/\s+$/, '').split('\n'))
		process.stdout.write(`# ${line}\n`);
}

function report(passed, name, details) {
	testNo++;
	process.stdout.write(`${passed ? 'ok' : 'not ok'} ${testNo} - ${name}\n`);
	if (!passed) {
		failures++;
		if (details) diag(details);
	}
}

// check(name, fn): fn returns true/false, or { ok, why }, or throws.
async function check(name, fn) {
	try {
		const r = await fn();
		if (r === true || (r && r.ok === true)) report(true, name);
		else report(false, name, r && r.why ? r.why : 'check returned false');
	} catch (e) {
		report(false, name, (e && e.message ? e.message : String(e)).split('\n').slice(0, 8).join('\n'));
	}
}

// ---------------------------------------------------------- playwright-core

let chromium;
try {
	({ chromium } = await import('playwright-core'));
} catch (e) {
	const reason = (process.env.TURNOUT_BROWSER_SKIP || '').replace(/\s+/g, ' ').trim();
	if (reason) {
		process.stdout.write(`1..0 # SKIP playwright-core not installed (${reason})\n`);
		process.exit(0);
	}
	process.stdout.write('1..1\n');
	report(false, 'playwright-core can be imported',
		`${e.message}\nrun 'npm ci' in ${here}, or set TURNOUT_BROWSER_SKIP to a reason to skip`);
	process.exit(1);
}

// ------------------------------------------------------------ site control

const tmpRoot = fs.realpathSync(os.tmpdir());
const dataDir = fs.mkdtempSync(path.join(tmpRoot, 'turnout-browse-'));
// mkdtemp makes it 0700; nginx started by root runs its workers as nobody,
// which must reach the socket inside it.
fs.chmodSync(dataDir, 0o755);
const profileDirs = [];
let outDir;
if (process.env.TURNOUT_TEST_OUT) {
	outDir = path.resolve(process.env.TURNOUT_TEST_OUT, 'browser');
	fs.mkdirSync(outDir, { recursive: true });
} else {
	outDir = fs.mkdtempSync(path.join(tmpRoot, 'turnout-browser-out-'));
}

function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const siteEnv = {
	...process.env,
	TURNOUT_PORT: String(port),
	TURNOUT_DATA: dataDir,
	TURNOUT_BUILD: build,
	TURNOUT_SRC: src,
};

// run(cmd, args): synchronous; output goes to a file, not a pipe (stdout is
// TAP's alone, and the daemons that `serve start` leaves running inherit its
// descriptors: a pipe would stay open, and spawnSync would wait for them).
const runLog = path.join(dataDir, 'browse-run.log');
function run(cmd, args, timeoutMs = 60000, input = undefined) {
	const fd = fs.openSync(runLog, 'w');
	let r;
	try {
		r = spawnSync(cmd, args, { env: siteEnv, stdio: [input === undefined ? 'ignore' : 'pipe', fd, fd],
			timeout: timeoutMs, input });
	} finally {
		fs.closeSync(fd);
	}
	const out = fs.readFileSync(runLog, 'utf8').trim();
	const ok = r.status === 0 && !r.error;
	const why = `$ ${[cmd, ...args].join(' ')}\nexit ${r.status}${r.signal ? ` (signal ${r.signal})` : ''}` +
		`${r.error ? `\n${r.error.message}` : ''}${out ? `\n${out}` : ''}`;
	return { ok, out, why };
}

let siteStarted = false;
let siteStopped = false;

// Synchronous so that it can run from a signal handler too.
function stopSite() {
	if (siteStopped || !siteStarted) return;
	siteStopped = true;
	const r = run('sh', [path.join(src, 'scripts', 'serve'), 'stop'], 30000);
	if (!r.ok) diag(`stopping the site failed:\n${r.why}`);
}

let tailsShown = false;
function logTails() {
	tailsShown = true;
	const lines = [];
	for (const f of ['log/turnout.log', 'log/nginx-error.log']) {
		const p = path.join(dataDir, f);
		if (!fs.existsSync(p)) continue;
		const text = fs.readFileSync(p, 'utf8').trim().split('\n').slice(-10).join('\n');
		if (text) lines.push(`--- ${p} (last lines)`, text);
	}
	return lines.join('\n');
}

function removeTemp(keepData) {
	for (const d of profileDirs)
		fs.rmSync(d, { recursive: true, force: true, maxRetries: 3 });
	if (!keepData) fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
}

for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
	process.on(sig, () => {
		diag(`${sig}: stopping the site`);
		stopSite();
		removeTemp(false);
		process.exit(code);	// playwright kills the browsers it launched on exit
	});
}

const watchdog = setTimeout(() => {
	report(false, 'finishes in time', `still running after ${WATCHDOG_MS / 1000} s`);
	stopSite();
	removeTemp(true);
	process.stdout.write(`1..${testNo}\n`);
	process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

// ------------------------------------------------------------- browser

async function launch(viewportOpts) {
	const profile = fs.mkdtempSync(path.join(tmpRoot, 'turnout-chromium-'));
	profileDirs.push(profile);
	// launchPersistentContext passes --user-data-dir=<profile> (a fresh,
	// empty temp dir); launch() refuses that flag in args.
	const ctx = await chromium.launchPersistentContext(profile, {
		executablePath: chromiumPath,
		headless: true,
		args: CHROMIUM_ARGS,
		timeout: 30000,
		...viewportOpts,
	});
	ctx.setDefaultTimeout(STEP_TIMEOUT_MS);
	ctx.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
	return ctx;
}

// Every console error (CSP violations land here), uncaught page exception
// and failed request is kept, tagged with the context it came from.
const consoleErrors = [];

function watch(page, label) {
	page.on('console', (msg) => {
		if (msg.type() === 'error') {
			const loc = msg.location();
			consoleErrors.push(`[${label}] console: ${msg.text()}` +
				(loc && loc.url ? ` (${loc.url}${loc.lineNumber ? `:${loc.lineNumber}` : ''})` : ''));
		}
	});
	page.on('pageerror', (err) => consoleErrors.push(`[${label}] page error: ${err.message}`));
	page.on('requestfailed', (req) => {
		const f = req.failure();
		const text = f ? f.errorText : '';
		// live.js polls status.json every second: a poll still in flight
		// when the visitor submits a form or follows a link is aborted by
		// the navigation. That is not a fault of the site; anything else is.
		if (text === 'net::ERR_ABORTED' && /\/(status|stock|leaderboard)\.json$/.test(new URL(req.url()).pathname)) {
			abortedPolls.push(`[${label}] ${req.url()}`);
			return;
		}
		consoleErrors.push(`[${label}] request failed: ${req.method()} ${req.url()} ${text}`);
	});
}
const abortedPolls = [];

const norm = (s) => String(s || '').replace(/\s+/g, ' ').trim();

// A screenshot is an artifact for a person to look at, not a check: it is
// not counted, and a failure to take one is only reported.
async function screenshot(page, name) {
	const file = path.join(outDir, `${name}.png`);
	try {
		await page.screenshot({ path: file, fullPage: true });
		diag(`screenshot: ${file}`);
	} catch (e) {
		diag(`screenshot ${name} not taken: ${e.message.split('\n')[0]}`);
	}
}

// Horizontal overflow: the document must not be wider than the layout
// viewport, and the layout viewport must be the device's 375 px (which
// needs <meta name="viewport" content="width=device-width...">).
async function horizontalFit(page) {
	const m = await page.evaluate(() => {
		const de = document.documentElement;
		const wide = [];
		for (const el of document.body ? document.body.querySelectorAll('*') : []) {
			const r = el.getBoundingClientRect();
			if (r.right > de.clientWidth + 1 && wide.length < 5)
				wide.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}` +
					`${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}` +
					` right=${Math.round(r.right)}`);
		}
		const meta = document.querySelector('meta[name="viewport"]');
		return {
			innerWidth: window.innerWidth,
			clientWidth: de.clientWidth,
			scrollWidth: Math.max(de.scrollWidth, document.body ? document.body.scrollWidth : 0),
			meta: meta ? meta.getAttribute('content') : null,
			wide,
		};
	});
	const why = `innerWidth=${m.innerWidth} clientWidth=${m.clientWidth} scrollWidth=${m.scrollWidth}` +
		` meta viewport=${JSON.stringify(m.meta)}` +
		(m.wide.length ? `\nelements past the right edge: ${m.wide.join(', ')}` : '');
	const ok = m.innerWidth === MOBILE.width && m.scrollWidth <= m.clientWidth;
	return { ok, why };
}

// The live counts of an event page, as shown (server-rendered or updated
// by live.js): numbers parsed from [data-live=...].
async function liveCounts(page) {
	const text = async (name) => {
		const loc = page.locator(`[data-live="${name}"]`);
		return (await loc.count()) ? norm(await loc.first().textContent()) : null;
	};
	const c = { confirmed: await text('confirmed'), spots_left: await text('spots_left'), label: await text('spots_label') };
	c.nConfirmed = /^\d+$/.test(c.confirmed || '') ? Number(c.confirmed) : NaN;
	c.nLeft = /^\d+$/.test(c.spots_left || '') ? Number(c.spots_left) : NaN;
	return c;
}
const showCounts = (c) => `confirmed=${JSON.stringify(c.confirmed)} spots_left=${JSON.stringify(c.spots_left)} label=${JSON.stringify(c.label)}`;

// Fill and submit the RSVP form of the event page open in `page`; resolves
// to the manage token once the browser has landed on /rsvp/<token>?new=1.
async function submitRsvp(page, fields) {
	const form = page.locator('section.rsvp form');
	await form.waitFor({ state: 'visible', timeout: 5000 });
	await form.getByLabel('Your name').fill(fields.name);
	await form.getByLabel('E-mail').fill(fields.email);
	if (fields.guests !== undefined)
		await form.getByLabel(/^Guests you bring/).selectOption(String(fields.guests));
	if (fields.note !== undefined)
		await form.getByLabel(/^Anything we should know/).fill(fields.note);
	const [resp] = await Promise.all([
		page.waitForNavigation({ url: /\/rsvp\/[0-9a-f]+/, waitUntil: 'load' }),
		form.getByRole('button', { name: 'RSVP', exact: true }).click(),
	]);
	const u = new URL(page.url());
	const m = u.pathname.match(/^\/rsvp\/([0-9a-f]{32})$/);
	const post = resp && resp.request().redirectedFrom();
	const postStatus = post ? (await post.response())?.status() : undefined;
	return {
		token: m ? m[1] : null,
		url: page.url(),
		ok: !!m && u.origin === base && u.search === '?new=1' && resp.status() === 200 &&
			post && post.method() === 'POST' && postStatus === 303,
		why: `landed on ${page.url()} (status ${resp ? resp.status() : 'none'});` +
			` form post: ${post ? `${post.method()} ${post.url()} -> ${postStatus}` : 'no redirect seen'}`,
	};
}

// -------------------------------------------------------------- the run

let desktop;
let mobile;
let dropPhone, dropWatch;
let nojs;
let nojsMobile;
let live;
let adminCtx;
let keepData = false;

try {
	const admin = path.join(build, 'admin', 'turnout-admin');
	let setup = run(admin, ['init']);
	if (setup.ok) setup = run(admin, ['demo']);
	if (setup.ok) setup = run(admin, ['user', 'add', ADMIN_USER], 60000, `${ADMIN_PASSWORD}\n`);
	report(setup.ok, 'turnout-admin init, demo and user add', setup.why);
	if (!setup.ok) throw new Error('setup failed');

	const start = run('sh', [path.join(src, 'scripts', 'serve'), 'start'], 90000);
	siteStarted = true;	// serve may have left half a site: stop it anyway
	report(start.ok, `site starts on ${base}`, `${start.why}\n${logTails()}`);
	if (!start.ok) throw new Error('site did not start');
	diag(`site: ${base}/ (data in ${dataDir})`);

	// ---- desktop
	desktop = await launch({ viewport: DESKTOP });
	const page = desktop.pages()[0] || await desktop.newPage();
	watch(page, 'desktop');

	let homeResp;
	await check('GET / answers 200', async () => {
		homeResp = await page.goto(`${base}/`, { waitUntil: 'load' });
		const st = homeResp ? homeResp.status() : 'no response';
		const csp = homeResp ? homeResp.headers()['content-security-policy'] : undefined;
		diag(`Content-Security-Policy on /: ${csp ? csp : '(none)'}`);
		return { ok: st === 200, why: `status ${st}` };
	});

	await check('home page has a title naming the site', async () => {
		const t = norm(await page.title());
		return { ok: /turnout/i.test(t), why: `title is ${JSON.stringify(t)}` };
	});

	const linkText = {};
	for (const slug of DEMO_EVENTS) {
		await check(`home page shows a link to /events/${slug}`, async () => {
			const link = page.locator(`a[href$="/events/${slug}"]`).first();
			await link.waitFor({ state: 'visible', timeout: 5000 });
			linkText[slug] = norm(await link.innerText());
			return { ok: linkText[slug].length > 0, why: 'link has no text' };
		});
	}

	await check('home page lists only the upcoming published demo events', async () => {
		const slugs = await page.$$eval('a[href]', (as) => as
			.map((a) => new URL(a.getAttribute('href'), location.href))
			.filter((u) => u.origin === location.origin)
			.map((u) => (u.pathname.match(/^\/events\/([^/]+)\/?$/) || [])[1])
			.filter(Boolean));
		const listed = [...new Set(slugs)].sort();
		const want = [...DEMO_EVENTS].sort();
		return {
			ok: JSON.stringify(listed) === JSON.stringify(want),
			why: `listed: ${listed.join(', ') || '(none)'}\nexpected: ${want.join(', ')}`,
		};
	});

	await screenshot(page, 'desktop-home');

	await check(`clicking ${EVENT} opens /events/${EVENT}`, async () => {
		await Promise.all([
			page.waitForURL((u) => u.pathname === `/events/${EVENT}`),
			page.locator(`a[href$="/events/${EVENT}"]`).first().click(),
		]);
		await page.waitForLoadState('load');
		const u = new URL(page.url());
		return { ok: u.origin === base && u.pathname === `/events/${EVENT}`, why: `url is ${page.url()}` };
	});

	await check('event page has a visible heading with the event title', async () => {
		const h = page.locator('h1').first();
		await h.waitFor({ state: 'visible', timeout: 5000 });
		const text = norm(await h.innerText());
		const fromHome = linkText[EVENT] || '';
		return {
			ok: text.length > 0 && (!fromHome || fromHome.toLowerCase().includes(text.toLowerCase())),
			why: `h1 is ${JSON.stringify(text)}; link text on / was ${JSON.stringify(fromHome)}`,
		};
	});

	await check(`event page shows "${EVENT_CAPACITY}" and "spots left"`, async () => {
		const body = norm(await page.locator('body').innerText());
		const ok = new RegExp(`\\b${EVENT_CAPACITY}\\b`).test(body) && /spots left/i.test(body);
		return { ok, why: `page text: ${body.slice(0, 600)}` };
	});

	await screenshot(page, 'desktop-event');
	await desktop.close();
	desktop = undefined;

	// ---- mobile: 375 px wide, mobile viewport emulation (meta viewport honoured)
	mobile = await launch({ viewport: MOBILE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
	const mpage = mobile.pages()[0] || await mobile.newPage();
	watch(mpage, 'mobile');
	for (const [label, urlPath, shot] of [['/', '/', 'mobile-home'], ['event page', `/events/${EVENT}`, 'mobile-event']]) {
		await check(`${label}: no horizontal scroll at ${MOBILE.width} px`, async () => {
			const r = await mpage.goto(`${base}${urlPath}`, { waitUntil: 'load' });
			if (!r || r.status() !== 200) return { ok: false, why: `GET ${urlPath}: status ${r ? r.status() : 'none'}` };
			return horizontalFit(mpage);
		});
		await screenshot(mpage, shot);
	}
	await mobile.close();
	mobile = undefined;

	// ---- RSVP with JavaScript disabled: sign up with guests, keep the
	// link, see the count drop, cancel, see the count come back.
	nojs = await launch({ viewport: DESKTOP, javaScriptEnabled: false });
	const np = nojs.pages()[0] || await nojs.newPage();
	watch(np, 'nojs');
	const nojsPolls = [];
	np.on('request', (req) => {
		if (/\/status\.json$/.test(new URL(req.url()).pathname)) nojsPolls.push(req.url());
	});
	const nojsEventUrl = `${base}/events/${NOJS_EVENT}`;
	let before;
	let token;
	let keptLink;

	await check(`no JS: /events/${NOJS_EVENT} shows the counts and a guests choice`, async () => {
		const r = await np.goto(nojsEventUrl, { waitUntil: 'load' });
		before = await liveCounts(np);
		const options = await np.locator('section.rsvp select#guests option').allTextContents();
		diag(`no JS: ${NOJS_EVENT} before the RSVP: ${showCounts(before)}; guest options ${options.join(',')}`);
		return {
			ok: !!r && r.status() === 200 && Number.isInteger(before.nLeft) &&
				Number.isInteger(before.nConfirmed) && options.includes('2'),
			why: `status ${r ? r.status() : 'none'}; ${showCounts(before)}; guest options: ${options.join(',') || '(none)'}`,
		};
	});

	await check('no JS: the RSVP form (2 guests) lands on /rsvp/<32 hex>?new=1 via a 303', async () => {
		const r = await submitRsvp(np, {
			name: 'Ada Lovelace', email: 'ada@example.org', guests: 2,
			note: 'Bringing a lemon cake (contains nuts).',
		});
		token = r.token;
		return r;
	});

	await check('no JS: manage page says "You\'re confirmed: party of 3."', async () => {
		const t = norm(await np.locator('.state.confirmed').textContent({ timeout: 5000 }));
		return { ok: /^You['\u2019]re confirmed: party of 3\.$/.test(t), why: `.state.confirmed is ${JSON.stringify(t)}` };
	});

	await check('no JS: the keep-this-link box shows the full link with the same token', async () => {
		const keep = np.locator('.keep');
		const text = norm(await keep.innerText({ timeout: 5000 }));
		const a = keep.locator('a').first();
		const href = await a.getAttribute('href');
		const shown = norm(await a.innerText());
		keptLink = new URL(href, np.url()).href;
		const want = `${base}/rsvp/${token}`;
		return {
			ok: !!token && /Keep this link to change or cancel your RSVP/.test(text) &&
				keptLink === want && shown === want,
			why: `box: ${JSON.stringify(text)}\nhref ${JSON.stringify(href)}, link text ${JSON.stringify(shown)}; expected ${want}`,
		};
	});

	await check('no JS: manage page lists the name, party and note as entered', async () => {
		const facts = norm(await np.locator('.facts').innerText());
		const ok = /Ada Lovelace/.test(facts) && /ada@example\.org/.test(facts) &&
			/Party\s*3\b/.test(facts) && /lemon cake \(contains nuts\)/.test(facts);
		return { ok, why: `facts: ${facts}` };
	});

	await screenshot(np, 'nojs-desktop-rsvp-manage');

	// The potluck sheet: pledge from the manage page (a plain form post),
	// then the item's bar on the event page has moved by as much.
	await check(`no JS: pledging ${PLEDGE} ${PLEDGE_ITEM} on the manage page moves its bar on the event page`, async () => {
		const bar = async () => {
			await np.goto(nojsEventUrl, { waitUntil: 'load' });
			const li = np.locator('section.sheet li.item').filter({ hasText: PLEDGE_ITEM });
			return {
				value: Number(await li.locator('progress').getAttribute('value')),
				who: norm(await li.locator('.pledgers').innerText().catch(() => '')),
			};
		};
		const before = await bar();
		await np.goto(keptLink, { waitUntil: 'load' });
		const li = np.locator('section.sheet li.item').filter({ hasText: PLEDGE_ITEM });
		await li.getByLabel('I bring').fill(String(PLEDGE));
		const [resp] = await Promise.all([
			np.waitForNavigation({ url: (u) => u.searchParams.get('done') === 'pledged', waitUntil: 'load' }),
			li.getByRole('button', { name: 'Pledge' }).click(),
		]);
		const bringing = norm(await np.locator('section.bringing').innerText({ timeout: 5000 }));
		const after = await bar();
		diag(`no JS: ${PLEDGE_ITEM} bar ${before.value} -> ${after.value}; pledgers: ${after.who}`);
		await screenshot(np, 'nojs-desktop-event-after-pledge');
		await np.goto(keptLink, { waitUntil: 'load' });
		return {
			ok: !!resp && resp.status() === 200 && bringing.includes(`${PLEDGE_ITEM}: ${PLEDGE}`) &&
				after.value === before.value + PLEDGE && after.who.includes(`Ada L. (${PLEDGE})`),
			why: `after the pledge: ${np.url()}; bringing ${JSON.stringify(bringing)};` +
				` bar ${before.value} -> ${after.value}; pledgers ${JSON.stringify(after.who)}`,
		};
	});

	// The same pages at 375 px (the RSVP is still open here, so the cancel
	// confirmation can be shown too).
	nojsMobile = await launch({
		viewport: MOBILE, isMobile: true, hasTouch: true, deviceScaleFactor: 2, javaScriptEnabled: false,
	});
	const nm = nojsMobile.pages()[0] || await nojsMobile.newPage();
	watch(nm, 'nojs-mobile');
	for (const [label, urlPath, shot] of [
		[`${NOJS_EVENT} event page (form with guests)`, `/events/${NOJS_EVENT}`, 'nojs-mobile-event-guests'],
		['RSVP manage page', `/rsvp/${token}?new=1`, 'nojs-mobile-rsvp-manage'],
		['cancel confirmation', `/rsvp/${token}?confirm=cancel`, 'nojs-mobile-rsvp-cancel-confirm'],
	]) {
		await check(`no JS: ${label}: no horizontal scroll at ${MOBILE.width} px`, async () => {
			if (!token) return { ok: false, why: 'no RSVP token from the sign-up above' };
			const r = await nm.goto(`${base}${urlPath}`, { waitUntil: 'load' });
			if (!r || r.status() !== 200) return { ok: false, why: `status ${r ? r.status() : 'none'}` };
			return horizontalFit(nm);
		});
		await screenshot(nm, shot);
	}
	await nojsMobile.close();
	nojsMobile = undefined;

	await check('no JS: back on the event page, spots left dropped by 3 (confirmed up by 3)', async () => {
		await Promise.all([
			np.waitForURL((u) => u.pathname === `/events/${NOJS_EVENT}`),
			np.locator('p.back a').first().click(),
		]);
		const now = await liveCounts(np);
		diag(`no JS: ${NOJS_EVENT} with the RSVP: ${showCounts(now)}`);
		await screenshot(np, 'nojs-desktop-event-after-rsvp');
		return {
			ok: now.nLeft === before.nLeft - 3 && now.nConfirmed === before.nConfirmed + 3 &&
				(now.label || '').startsWith(`${now.nLeft} spots left`),
			why: `before: ${showCounts(before)}\nafter:  ${showCounts(now)}`,
		};
	});

	await check('no JS: "Cancel my RSVP…" on the kept link asks for confirmation', async () => {
		await np.goto(keptLink, { waitUntil: 'load' });
		await Promise.all([
			np.waitForURL((u) => u.search === '?confirm=cancel'),
			np.getByRole('link', { name: 'Cancel my RSVP…' }).click(),
		]);
		const u = new URL(np.url());
		const heading = norm(await np.locator('section.confirm h2').textContent({ timeout: 5000 }));
		const buttons = await np.getByRole('button', { name: 'Yes, cancel my RSVP' }).count();
		return {
			ok: u.pathname === `/rsvp/${token}` && buttons === 1,
			why: `url ${np.url()}; heading ${JSON.stringify(heading)}; ${buttons} "Yes, cancel my RSVP" buttons`,
		};
	});

	await screenshot(np, 'nojs-desktop-rsvp-cancel-confirm');

	await check('no JS: "Yes, cancel my RSVP" returns to the manage page: "This RSVP is cancelled."', async () => {
		const [resp] = await Promise.all([
			np.waitForNavigation({ url: (u) => u.pathname === `/rsvp/${token}` && !u.search.includes('confirm'), waitUntil: 'load' }),
			np.getByRole('button', { name: 'Yes, cancel my RSVP' }).click(),
		]);
		const state = norm(await np.locator('.state.cancelled').textContent({ timeout: 5000 }));
		const notice = norm(await np.locator('.notice').allInnerTexts().then((t) => t.join(' | ')));
		const cancelLinks = await np.getByRole('link', { name: 'Cancel my RSVP…' }).count();
		diag(`no JS: after cancelling: ${np.url()}; notice ${JSON.stringify(notice)}`);
		return {
			ok: !!resp && resp.status() === 200 && state === 'This RSVP is cancelled.' && cancelLinks === 0,
			why: `url ${np.url()} (status ${resp ? resp.status() : 'none'}); state ${JSON.stringify(state)};` +
				` ${cancelLinks} cancel links still shown`,
		};
	});

	await screenshot(np, 'nojs-desktop-rsvp-cancelled');

	await check('no JS: the event page count is back up', async () => {
		await np.goto(nojsEventUrl, { waitUntil: 'load' });
		const now = await liveCounts(np);
		diag(`no JS: ${NOJS_EVENT} after cancelling: ${showCounts(now)}`);
		return {
			ok: now.nLeft === before.nLeft && now.nConfirmed === before.nConfirmed && now.label === before.label,
			why: `before: ${showCounts(before)}\nnow:    ${showCounts(now)}`,
		};
	});

	await check('no JS: the pages really ran without JavaScript (no status.json polls)', async () => {
		// live.js would poll one second after load: give it the chance.
		await np.waitForTimeout(1500);
		return {
			ok: nojsPolls.length === 0,
			why: `status.json requested ${nojsPolls.length} times: ${nojsPolls.slice(0, 3).join(', ')}`,
		};
	});
	await nojs.close();
	nojs = undefined;

	// ---- live counts with JavaScript: page A stays open on the event page
	// (never reloaded) while page B signs up; live.js must update A.
	live = await launch({ viewport: DESKTOP });
	const pa = live.pages()[0] || await live.newPage();
	watch(pa, 'live-A');
	const liveEventUrl = `${base}/events/${LIVE_EVENT}`;
	const statusPath = `/events/${LIVE_EVENT}/status.json`;
	let a0;
	let aNavigations = 0;

	await check(`JS: page A on /events/${LIVE_EVENT} polls status.json`, async () => {
		const r = await pa.goto(liveEventUrl, { waitUntil: 'load' });
		const poll = await pa.waitForResponse((res) => new URL(res.url()).pathname === statusPath, { timeout: 5000 });
		await poll.finished();
		a0 = await liveCounts(pa);
		await pa.evaluate(() => { window.turnoutBrowseMarker = true; });
		pa.on('framenavigated', (f) => { if (f === pa.mainFrame()) aNavigations++; });
		diag(`JS: page A shows ${showCounts(a0)}`);
		return {
			ok: !!r && r.status() === 200 && [200, 304].includes(poll.status()) &&
				Number.isInteger(a0.nConfirmed) && Number.isInteger(a0.nLeft),
			why: `page status ${r ? r.status() : 'none'}, first poll ${poll.status()}; ${showCounts(a0)}`,
		};
	});

	// Resolves to the page's own clock (Date.now) at the first poll of the
	// DOM that shows the wanted counts; rejects after timeoutMs.
	const waitForCounts = (confirmed, left, timeoutMs) => pa.waitForFunction(([c, l]) => {
		const t = (n) => { const el = document.querySelector(`[data-live="${n}"]`); return el ? el.textContent.trim() : null; };
		return t('confirmed') === String(c) && t('spots_left') === String(l) ? Date.now() : false;
	}, [confirmed, left], { polling: 20, timeout: timeoutMs }).then((h) => h.jsonValue());

	const liveCheck = async (what, tDone, confirmed, left) => {
		if (!tDone) return { ok: false, why: `no time for ${what}: the step above failed` };
		let tSeen;
		try {
			tSeen = await waitForCounts(confirmed, left, LIVE_DEADLINE_MS + 7000);
		} catch (e) {
			const now = await liveCounts(pa);
			return { ok: false, why: `not seen within ${LIVE_DEADLINE_MS + 7000} ms after ${what}; page A shows ${showCounts(now)}` };
		}
		const delay = tSeen - tDone;
		const now = await liveCounts(pa);
		const stillThere = await pa.evaluate(() => window.turnoutBrowseMarker === true);
		diag(`live update delay after ${what}: ${delay} ms (server's answer to the POST -> page A's DOM); A shows ${showCounts(now)}`);
		return {
			ok: delay <= LIVE_DEADLINE_MS && stillThere && aNavigations === 0 &&
				(now.label || '').startsWith(`${left} spots left`),
			why: `delay ${delay} ms (limit ${LIVE_DEADLINE_MS}); page A navigations ${aNavigations},` +
				` marker ${stillThere ? 'kept' : 'gone (reloaded)'}; A shows ${showCounts(now)}`,
		};
	};

	const pb = await live.newPage();
	watch(pb, 'live-B');
	let tSignedUp;
	let liveToken;
	const postAnswered = (page, pathname) => page.waitForResponse((res) =>
		res.request().method() === 'POST' && new URL(res.url()).pathname === pathname, { timeout: STEP_TIMEOUT_MS })
		.then((res) => { const t = Date.now(); return { res, t }; });

	await check(`JS: page B signs up for ${LIVE_EVENT} through the form`, async () => {
		await pb.goto(liveEventUrl, { waitUntil: 'load' });
		const guestFields = await pb.locator('section.rsvp select#guests').count();
		const answered = postAnswered(pb, `/events/${LIVE_EVENT}/rsvp`);
		const r = await submitRsvp(pb, { name: 'Grace Hopper', email: 'grace@example.org', note: 'Walking it.' });
		const { res, t } = await answered;
		tSignedUp = t;
		liveToken = r.token;
		const state = r.token ? norm(await pb.locator('.state').first().textContent({ timeout: 5000 })) : '';
		return {
			ok: r.ok && res.status() === 303 && guestFields === 0 && /^You['\u2019]re confirmed: party of 1\.$/.test(state),
			why: `${r.why}; POST answered ${res.status()}; guests fields ${guestFields}; state ${JSON.stringify(state)}`,
		};
	});

	await check(`JS: within ${LIVE_DEADLINE_MS / 1000} s page A shows confirmed +1 and spots left -1, without a reload`,
		() => a0 ? liveCheck('the sign-up', tSignedUp, a0.nConfirmed + 1, a0.nLeft - 1) : { ok: false, why: 'page A never loaded' });

	let tCancelled;
	await check('JS: page B cancels that RSVP', async () => {
		if (!liveToken) return { ok: false, why: 'no RSVP token from the sign-up above' };
		await Promise.all([
			pb.waitForURL((u) => u.search === '?confirm=cancel'),
			pb.getByRole('link', { name: 'Cancel my RSVP…' }).click(),
		]);
		const answered = postAnswered(pb, `/rsvp/${liveToken}`);
		await Promise.all([
			pb.waitForURL((u) => u.search === '?done=cancelled', { waitUntil: 'load' }),
			pb.getByRole('button', { name: 'Yes, cancel my RSVP' }).click(),
		]);
		const { res, t } = await answered;
		tCancelled = t;
		const state = norm(await pb.locator('.state').first().textContent({ timeout: 5000 }));
		return { ok: res.status() === 303 && state === 'This RSVP is cancelled.', why: `POST answered ${res.status()}; state ${JSON.stringify(state)}` };
	});

	await check(`JS: within ${LIVE_DEADLINE_MS / 1000} s page A shows the counts back where they were`,
		() => a0 ? liveCheck('the cancellation', tCancelled, a0.nConfirmed, a0.nLeft) : { ok: false, why: 'page A never loaded' });

	// Page C stays open on the potluck event page while page B signs up
	// with a pledge: live.js must move C's bar (items.json) without a reload.
	await check(`JS: an open ${NOJS_EVENT} page shows another visitor's pledge of ${PLEDGE} ${PLEDGE_ITEM} within ${LIVE_DEADLINE_MS / 1000} s`, async () => {
		const pc = await live.newPage();
		watch(pc, 'live-C');
		const polled = pc.waitForResponse((res) => new URL(res.url()).pathname === `/events/${NOJS_EVENT}/items.json`,
			{ timeout: 5000 });
		await pc.goto(`${base}/events/${NOJS_EVENT}`, { waitUntil: 'load' });
		await (await polled).finished();
		const li = pc.locator('section.sheet li.item').filter({ hasText: PLEDGE_ITEM });
		const before = norm(await li.locator('.item-count').textContent());
		const m = /^(\d+) of (\d+)/.exec(before);
		const want = m ? `${Number(m[1]) + PLEDGE} of ${m[2]} pledged` : '?';
		await pb.goto(`${base}/events/${NOJS_EVENT}`, { waitUntil: 'load' });
		const form = pb.locator('section.rsvp form');
		await form.getByLabel('Your name').fill('Alan Turing');
		await form.getByLabel('E-mail').fill('alan@example.org');
		await form.getByLabel(PLEDGE_ITEM).fill(String(PLEDGE));
		const answered = postAnswered(pb, `/events/${NOJS_EVENT}/rsvp`);
		await form.getByRole('button', { name: 'RSVP', exact: true }).click();
		const { res, t } = await answered;
		let seen = null;
		try {
			seen = await pc.waitForFunction(([name, text]) => [...document.querySelectorAll('section.sheet li.item')]
				.some((el) => el.querySelector('strong').textContent === name &&
					el.querySelector('.item-count').textContent === text) ? Date.now() : false,
			[PLEDGE_ITEM, want], { polling: 20, timeout: LIVE_DEADLINE_MS + 7000 }).then((h) => h.jsonValue());
		} catch (e) { /* reported below */ }
		const now = norm(await li.locator('.item-count').textContent());
		diag(`JS: ${PLEDGE_ITEM} on page C: ${before} -> ${now}` + (seen ? ` after ${seen - t} ms` : ''));
		await pc.close();
		return {
			ok: res.status() === 303 && seen !== null && seen - t <= LIVE_DEADLINE_MS,
			why: `POST answered ${res.status()}; page C shows ${JSON.stringify(now)}, want ${JSON.stringify(want)}` +
				(seen ? ` after ${seen - t} ms` : ' (not seen)'),
		};
	});

	await live.close();
	live = undefined;

	// ---- the organiser, on a phone
	adminCtx = await launch({ viewport: MOBILE, isMobile: true, hasTouch: true });
	const ap = adminCtx.pages()[0] || await adminCtx.newPage();
	watch(ap, 'admin');

	await check('admin: /admin without a session lands on the login page', async () => {
		const res = await ap.goto(`${base}/admin`);
		return { ok: new URL(ap.url()).pathname === '/admin/login' && res.status() === 200 &&
			res.headers()['cache-control'] === 'no-store', why: `at ${ap.url()} (${res.status()})` };
	});

	await check('admin: logging in opens the dashboard with the admin\'s name', async () => {
		await ap.getByLabel('Name').fill(ADMIN_USER);
		await ap.getByLabel('Password').fill(ADMIN_PASSWORD);
		await Promise.all([ap.waitForURL(`${base}/admin`), ap.getByRole('button', { name: 'Log in' }).click()]);
		const bar = norm(await ap.locator('.admin-bar').textContent());
		return { ok: bar.includes(ADMIN_USER) && norm(await ap.locator('h1').textContent()) === 'Dashboard',
			why: `admin bar ${JSON.stringify(bar)}` };
	});

	await check('admin: a new draft event is saved', async () => {
		await Promise.all([ap.waitForURL(`${base}/admin/events/new`), ap.getByRole('link', { name: 'New event' }).click()]);
		await ap.getByLabel('Title').fill(ADMIN_EVENT.title);
		await ap.getByLabel(/^Address \(slug\)/).fill(ADMIN_EVENT.slug);
		await ap.getByLabel('Location').fill('Linden Park');
		await ap.getByLabel('Starts', { exact: true }).fill(ADMIN_EVENT.starts);
		await ap.getByLabel(/^Capacity/).fill('10');
		await Promise.all([ap.waitForURL(/\/edit\?saved=1$/), ap.getByRole('button', { name: 'Save' }).click()]);
		const notice = norm(await ap.locator('[role=status]').textContent());
		return { ok: notice === 'Saved.' && (await ap.getByLabel('Status').inputValue()) === 'draft',
			why: `at ${ap.url()}, notice ${JSON.stringify(notice)}` };
	});

	await check('admin: not on / while a draft', async () => {
		await ap.goto(`${base}/`);
		return (await ap.getByRole('link', { name: ADMIN_EVENT.title }).count()) === 0;
	});

	await check('admin: publishing puts it on /', async () => {
		await ap.goto(`${base}/admin/events/${ADMIN_EVENT.slug}/edit`);
		await ap.getByLabel('Status').selectOption('published');
		await Promise.all([ap.waitForURL(/\/edit\?saved=1$/), ap.getByRole('button', { name: 'Save' }).click()]);
		await ap.goto(`${base}/`);
		return (await ap.getByRole('link', { name: ADMIN_EVENT.title }).count()) === 1;
	});

	await check('admin: a visitor signs up for it', async () => {
		await ap.getByRole('link', { name: ADMIN_EVENT.title }).click();
		return submitRsvp(ap, { name: 'Door Tester', email: 'door@example.org' });
	});

	await check('admin: the participants page checks the visitor in with one tap', async () => {
		await ap.goto(`${base}/admin/events/${ADMIN_EVENT.slug}/rsvps`);
		const row = ap.locator('tr', { hasText: 'Door Tester' });
		await Promise.all([ap.waitForURL(/done=checkin/), row.getByRole('button', { name: 'Check in' }).click()]);
		const done = norm(await ap.locator('[role=status]').textContent());
		const cell = norm(await ap.locator('tr', { hasText: 'Door Tester' }).locator('td').nth(2).textContent());
		return { ok: done === 'Checked in.' && cell.startsWith('✓') && cell.includes('Undo'),
			why: `notice ${JSON.stringify(done)}, cell ${JSON.stringify(cell)}` };
	});

	await check(`admin: participants page: no horizontal scroll at ${MOBILE.width} px`, () => horizontalFit(ap));
	await screenshot(ap, 'admin-mobile-rsvps');

	await check('admin: an item added on the items page shows on the event page', async () => {
		await ap.goto(`${base}/admin/events/${ADMIN_EVENT.slug}/edit`);
		await Promise.all([ap.waitForURL(/\/items$/), ap.getByRole('link', { name: 'Potluck items' }).click()]);
		const add = ap.locator('#add');
		await add.getByLabel('Name').fill('Watermelon');
		await add.getByLabel('Category').selectOption('food');
		await add.getByLabel(/^Suggested quantity/).fill('2');
		await add.getByLabel(/^Unit/).fill('slices');
		await Promise.all([ap.waitForURL(/done=added/), add.getByRole('button', { name: 'Add' }).click()]);
		const done = norm(await ap.locator('[role=status]').textContent());
		await ap.goto(`${base}/events/${ADMIN_EVENT.slug}`);
		const item = norm(await ap.locator('.sheet .item', { hasText: 'Watermelon' }).textContent());
		return { ok: done === 'Item added.' && item.includes('0 of 2 slices pledged'),
			why: `notice ${JSON.stringify(done)}, item ${JSON.stringify(item)}` };
	});
	await check(`admin: items page: no horizontal scroll at ${MOBILE.width} px`, async () => {
		await ap.goto(`${base}/admin/events/${ADMIN_EVENT.slug}/items`);
		return horizontalFit(ap);
	});
	await screenshot(ap, 'admin-mobile-items');

	await check('admin: the figures page draws its chart', async () => {
		await ap.goto(`${base}/admin/events/${ADMIN_EVENT.slug}/stats`);
		return (await ap.locator('svg polyline').count()) === 3;
	});
	await screenshot(ap, 'admin-mobile-stats');

	await check('admin: the admin bar\'s Outbox link opens the e-mail counts', async () => {
		await Promise.all([ap.waitForURL(`${base}/admin/outbox`),
			ap.locator('.admin-bar').getByRole('link', { name: 'Outbox' }).click()]);
		const states = await ap.locator('table.outbox-states tbody tr td:first-child').allTextContents();
		return { ok: norm(await ap.locator('h1').textContent()) === 'Outbox' &&
			states.join(' ') === 'pending sending sent dead discarded',
			why: `at ${ap.url()}, states ${JSON.stringify(states)}` };
	});
	await check(`admin: outbox page: no horizontal scroll at ${MOBILE.width} px`, () => horizontalFit(ap));
	await screenshot(ap, 'admin-mobile-outbox');

	await adminCtx.close();
	adminCtx = undefined;
	await organiserChecks({ launch, base, check, horizontalFit, screenshot, norm, watch, submitRsvp,
		user: ADMIN_USER, password: ADMIN_PASSWORD, MOBILE, DESKTOP, signupEvent: ADMIN_EVENT.slug });
	if (abortedPolls.length)
		diag(`status.json polls aborted by leaving the page (not counted as failures): ${abortedPolls.length}`);

	// ---- a drop from a phone: hold, the countdown, claim; a second page sees the stock fall
	dropWatch = await launch({ viewport: DESKTOP });
	const dw = dropWatch.pages()[0] || await dropWatch.newPage();
	watch(dw, 'drop-watch');
	dropPhone = await launch({ viewport: MOBILE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
	const dp = dropPhone.pages()[0] || await dropPhone.newPage();
	watch(dp, 'drop-phone');
	// The M shirts' "available" on the watching page, as a number.
	const mAvailable = () => dw.evaluate(() => {
		const li = [...document.querySelectorAll('li[data-variant]')]
			.find((el) => el.textContent.trim().startsWith('M:'));
		return li ? Number(li.querySelector('[data-live="available"]').textContent) : NaN;
	});
	let mBefore = NaN;
	await check('drop: a second page shows how many M shirts are available', async () => {
		await dw.goto(`${base}/events/${DROP_EVENT}`);
		mBefore = await mAvailable();
		return { ok: mBefore > 0, why: `M available: ${mBefore}` };
	});
	await check('drop: hold an M shirt from a phone', async () => {
		await dp.goto(`${base}/events/${DROP_EVENT}`);
		await dp.getByLabel(/T-shirt M \(/).check();
		await dp.getByLabel('Your name').fill('Phone Holder');
		await dp.getByLabel('E-mail').fill('phone.holder@example.org');
		await Promise.all([dp.waitForURL(/\/holds\/[0-9a-f]{32}$/),
			dp.getByRole('button', { name: 'Hold it' }).click()]);
		return { ok: norm(await dp.locator('h1').textContent()) === 'Your hold', why: dp.url() };
	});
	await check(`drop: hold page: no horizontal scroll at ${MOBILE.width} px`, () => horizontalFit(dp));
	await screenshot(dp, 'drop-mobile-hold');
	await check('drop: the hold page counts the seconds down', async () => {
		const first = Number(norm(await dp.locator('[data-countdown]').textContent()));
		await dp.waitForFunction((f) => Number(document.querySelector('[data-countdown]').textContent) < f,
			first, { timeout: 5000 });
		return first > 0;
	});
	await check('drop: claim it and see the claim number', async () => {
		await dp.getByRole('button', { name: 'Claim' }).click();
		await dp.getByText(/your claim number is/).waitFor({ timeout: 5000 });
		return true;
	});
	await check('drop: the second page sees the stock fall without a reload', async () => {
		const deadline = Date.now() + LIVE_DEADLINE_MS + 2000;
		let now = await mAvailable();
		while (now !== mBefore - 1 && Date.now() < deadline) {
			await dw.waitForTimeout(200);
			now = await mAvailable();
		}
		return { ok: now === mBefore - 1, why: `M available ${now}, was ${mBefore}` };
	});
	await dropPhone.close();
	dropPhone = undefined;
	await dropWatch.close();
	dropWatch = undefined;

	await uxVisitor({ base, dataDir, launch, check, diag, screenshot, horizontalFit, norm, MOBILE, DESKTOP });
	await browseBoard({ base, admin: path.join(build, 'admin', 'turnout-admin'), run, launch, watch, check,
		report, diag, norm, screenshot, horizontalFit, MOBILE, DESKTOP });
	await browseMine({ base, dataDir, launch, check, screenshot, horizontalFit, MOBILE });
	await browseMailAndFigures({ base, dataDir, launch, check, screenshot, horizontalFit, MOBILE,
		user: ADMIN_USER, password: ADMIN_PASSWORD });

	await check('no console errors, page errors or failed requests', () => ({
		ok: consoleErrors.length === 0,
		why: consoleErrors.slice(0, 20).join('\n'),
	}));
} catch (e) {
	if (!/^(setup failed|site did not start)$/.test(e.message))
		report(false, 'browser session runs to the end', e.stack || e.message);
} finally {
	for (const ctx of [desktop, mobile, nojs, nojsMobile, live, adminCtx, dropPhone, dropWatch])
		if (ctx) await ctx.close().catch(() => {});
	if (failures > 0) {
		const tails = tailsShown ? '' : logTails();
		if (tails) diag(tails);
		diag(`site data kept in ${dataDir}`);
		keepData = true;
	}
	stopSite();
	removeTemp(keepData);
	clearTimeout(watchdog);
}

process.stdout.write(`1..${testNo}\n`);
process.exit(failures > 0 ? 1 : 0);
