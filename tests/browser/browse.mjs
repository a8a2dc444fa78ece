#!/usr/bin/env node
// Browser check of a real Turnout site, as a visitor sees it.
//
// Starts its own site (turnout-admin init + demo, then scripts/serve start)
// on a free loopback port with a fresh data directory, drives the system's
// headless Chromium through playwright-core, and prints TAP on stdout.
// The site is always stopped again: in `finally`, and on SIGINT/SIGTERM/SIGHUP.
//
// Environment:
//   TURNOUT_BUILD             dir holding the built cgi-bin/ and admin/ (default: repo root)
//   TURNOUT_SRC               dir holding scripts/, templates/, static/, nginx.conf (default: repo root)
//   TURNOUT_TEST_OUT          screenshots go to $TURNOUT_TEST_OUT/browser/ (default: a new temp dir)
//   TURNOUT_BROWSER_REQUIRED  1 = fail (instead of skip) when playwright-core is not installed
//   TURNOUT_CHROMIUM          browser binary (default /usr/bin/chromium); never downloaded
//
// Exit status: 0 all ok (or skipped), 1 any failure.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const build = path.resolve(process.env.TURNOUT_BUILD || repo);
const src = path.resolve(process.env.TURNOUT_SRC || repo);
const chromiumPath = process.env.TURNOUT_CHROMIUM || '/usr/bin/chromium';

// The demo data set (turnout-admin demo): upcoming published events.
const DEMO_EVENTS = ['potluck-picnic', 'fun-run-5k', 'chess-tournament', 'tshirt-drop'];
const EVENT = 'fun-run-5k';
const EVENT_CAPACITY = '50';
const MOBILE = { width: 375, height: 812 };
const DESKTOP = { width: 1280, height: 900 };
const STEP_TIMEOUT_MS = 15000;
const WATCHDOG_MS = 180000;

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
	if (process.env.TURNOUT_BROWSER_REQUIRED === '1') {
		process.stdout.write('1..1\n');
		report(false, 'playwright-core can be imported',
			`${e.message}\nrun 'npm ci' in ${here} (TURNOUT_BROWSER_REQUIRED=1)`);
		process.exit(1);
	}
	process.stdout.write('1..0 # SKIP playwright-core not installed\n');
	process.exit(0);
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
function run(cmd, args, timeoutMs = 60000) {
	const fd = fs.openSync(runLog, 'w');
	let r;
	try {
		r = spawnSync(cmd, args, { env: siteEnv, stdio: ['ignore', fd, fd], timeout: timeoutMs });
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
		consoleErrors.push(`[${label}] request failed: ${req.method()} ${req.url()} ${f ? f.errorText : ''}`);
	});
}

const norm = (s) => String(s || '').replace(/\s+/g, ' ').trim();

async function screenshot(page, name) {
	const file = path.join(outDir, `${name}.png`);
	await page.screenshot({ path: file, fullPage: true });
	diag(`screenshot: ${file}`);
	return true;
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

// -------------------------------------------------------------- the run

let desktop;
let mobile;
let keepData = false;

try {
	const admin = path.join(build, 'admin', 'turnout-admin');
	let setup = run(admin, ['init']);
	if (setup.ok) setup = run(admin, ['demo']);
	report(setup.ok, 'turnout-admin init and demo', setup.why);
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

	await check('desktop screenshot of /', () => screenshot(page, 'desktop-home'));

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

	await check('desktop screenshot of the event page', () => screenshot(page, 'desktop-event'));
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
		await check(`mobile screenshot of ${label}`, () => screenshot(mpage, shot));
	}
	await mobile.close();
	mobile = undefined;

	await check('no console errors, page errors or failed requests', () => ({
		ok: consoleErrors.length === 0,
		why: consoleErrors.slice(0, 20).join('\n'),
	}));
} catch (e) {
	if (!/^(setup failed|site did not start)$/.test(e.message))
		report(false, 'browser session runs to the end', e.stack || e.message);
} finally {
	for (const ctx of [desktop, mobile])
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
