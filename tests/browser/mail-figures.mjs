// Browser checks of issue 15's e-mails (item 9) and the figures of who comes
// back (item 16), called by browse.mjs once its no-JS walk has signed Ada up
// to the potluck and the worker has delivered her confirmation into the
// site's maildir.
//
// Item 9: the confirmation is multipart/alternative; its HTML part, opened
// as a page on a 375 px phone, fits without sideways scrolling, carries the
// manage and calendar links as links, gives the party size, and axe-core
// finds no serious or critical violation in it; no line of the text part is
// longer than 72 characters.
// Item 16: the figures page of the potluck says how many of its people came
// back from an earlier event and the dashboard the share across events, both
// readable at 375 px, with the numbers the database holds.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { axeViolations } from './axe.mjs';
import { login } from './ux-organiser.mjs';

const ADDRESS = 'ada@example.org';
const EVENT = 'potluck-picnic';
const MAIL_DEADLINE_MS = 30000;

// The raw confirmation e-mail to address, or null while the worker has not sent it.
function confirmation(dataDir, address) {
	const dir = path.join(dataDir, 'mail', 'new');
	for (const f of fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []) {
		const text = fs.readFileSync(path.join(dir, f), 'utf8');
		if (text.includes(`To: `) && text.includes(address) && /^Subject: You're confirmed/m.test(text))
			return text;
	}
	return null;
}

// The parts of a multipart message by content type: { 'text/plain': body, ... }
// (lines end in \n here: the file transport stores them as a local mailer would).
function parts(raw) {
	const text = raw.replace(/\r\n/g, '\n');
	const m = text.match(/boundary="([^"]+)"/);
	const out = {};
	if (!m) return out;
	for (const part of text.split(`--${m[1]}`).slice(1, -1)) {
		const [head, ...body] = part.replace(/^\n/, '').split('\n\n');
		const type = head.match(/Content-Type: ([^;\n]+)/);
		if (type) out[type[1]] = body.join('\n\n');
	}
	return out;
}

// One number from the site's database (sqlite3, as the site's own admin would).
function sql(dataDir, query) {
	return Number(execFileSync('sqlite3', [path.join(dataDir, 'turnout.db'), query],
		{ encoding: 'utf8' }).trim());
}

export async function browseMailAndFigures(t) {
	const { base, dataDir, launch, check, screenshot, horizontalFit, MOBILE, user, password } = t;
	const ctx = await launch({ viewport: MOBILE, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
		bypassCSP: true });
	const p = ctx.pages()[0] || await ctx.newPage();
	try {
		let raw = null;
		const until = Date.now() + MAIL_DEADLINE_MS;
		while ((raw = confirmation(dataDir, ADDRESS)) === null && Date.now() < until)
			await new Promise((r) => setTimeout(r, 250));
		const alt = raw ? parts(raw) : {};
		await check('mail: the confirmation has a text and an HTML part', async () => ({
			ok: raw !== null && /multipart\/alternative/.test(raw) &&
				/You are confirmed|you are confirmed/.test(alt['text/plain'] || '') &&
				/<html lang="en">/.test(alt['text/html'] || ''),
			why: raw === null ? 'no confirmation e-mail in the maildir' : Object.keys(alt).join(', '),
		}));
		await check('mail: no line of the text part is longer than 72 characters', async () => {
			const long = (alt['text/plain'] || '').split('\n').filter((l) => [...l].length > 72);
			return { ok: 'text/plain' in alt && long.length === 0, why: long.slice(0, 3).join(' | ') };
		});
		await p.setContent(alt['text/html'] || '<p>none</p>', { waitUntil: 'load' });
		await check('mail: the HTML part fits 375 px without sideways scrolling', () => horizontalFit(p));
		await check('mail: the HTML part links the manage page and the calendar, and names the party', async () => {
			const hrefs = await p.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
			const text = await p.locator('body').innerText();
			const manage = hrefs.some((h) => /\/rsvp\/[0-9a-f]{32}$/.test(h));
			const ics = hrefs.some((h) => /\/events\/[a-z0-9-]+\.ics$/.test(h));
			return { ok: manage && ics && /Party: \d+ \(you/.test(text),
				why: `links ${hrefs.join(' ')}; text ${text.slice(0, 200)}` };
		});
		await check('mail: axe-core finds no serious or critical violation in the HTML part', async () => {
			const v = await axeViolations(p);
			return { ok: v.length === 0, why: v.join('\n') };
		});
		await screenshot(p, 'mail-confirmation-html-mobile');

		// ---- item 16: who comes back
		await login(p, base, user, password);
		const people = sql(dataDir, `SELECT people FROM event_figures f JOIN event e ON e.id = f.event_id
			WHERE e.slug = '${EVENT}'`);
		const cameBack = sql(dataDir, `SELECT came_back FROM event_figures f JOIN event e
			ON e.id = f.event_id WHERE e.slug = '${EVENT}'`);
		await p.goto(`${base}/admin/events/${EVENT}/stats`);
		await check('figures: the potluck says how many came back, as the database counts', async () => {
			const dd = (await p.locator('dt:text-is("Came back") + dd').innerText()).trim();
			return { ok: dd.startsWith(`${cameBack} of ${people} `) && people > 0,
				why: `"${dd}", came back ${cameBack} of ${people}` };
		});
		await check('figures: fits 375 px without sideways scrolling', () => horizontalFit(p));
		await p.goto(`${base}/admin`);
		const sitePeople = sql(dataDir, 'SELECT people FROM site_figures WHERE id = 1');
		await check('figures: the dashboard gives the people across all events', async () => {
			const line = await p.locator('.facts-line', { hasText: 'Across all events' }).innerText();
			return { ok: line.includes(`${sitePeople} people have signed up`), why: line };
		});
		await screenshot(p, 'figures-dashboard-mobile');
	} finally {
		await ctx.close().catch(() => {});
	}
}
