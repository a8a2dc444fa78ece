// Browser checks of "my sign-ups" (issue 15, item 10), called by browse.mjs
// with its site and helpers once the demo is loaded and served.
//
// On a 375 px phone: the /me form is found from the footer, can be filled
// and sent, and a bad address comes back with its error summary; the page
// saying a link is on its way, and the page behind the e-mailed link (read
// from the worker's maildir), fit the screen without sideways scrolling;
// axe-core finds no serious or critical violation on any of them.

import fs from 'node:fs';
import path from 'node:path';
import { axeViolations } from './axe.mjs';

const ADDRESS = 'ada@example.org';	// signed up by browse.mjs's no-JS walk
const MAIL_DEADLINE_MS = 30000;

// The path of the newest "my sign-ups" link e-mailed to address, or null.
function mailedLink(dataDir, address) {
	const dir = path.join(dataDir, 'mail', 'new');
	let found = null;
	for (const f of fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []) {
		const text = fs.readFileSync(path.join(dir, f), 'utf8');
		const m = text.match(/https?:\/\/\S+?(\/me\/[0-9a-f]{32})/);
		if (m && text.includes(address)) found = m[1];
	}
	return found;
}

export async function browseMine(t) {
	const { base, dataDir, launch, check, screenshot, horizontalFit, MOBILE } = t;
	// axe-core goes in as a script tag: the context that runs it ignores the CSP.
	const ctx = await launch({ viewport: MOBILE, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
		bypassCSP: true });
	const p = ctx.pages()[0] || await ctx.newPage();
	const axe = async (name) => check(`mine: ${name}: no serious or critical violation`, async () => {
		const v = await axeViolations(p);
		return { ok: v.length === 0, why: v.join('\n') };
	});
	const fits = async (name) => check(`mine: ${name} fits 375 px without sideways scrolling`,
		() => horizontalFit(p));
	try {
		await check('mine: the footer links "My sign-ups" to the form', async () => {
			await p.goto(`${base}/`);
			await Promise.all([p.waitForNavigation({ waitUntil: 'load' }),
				p.getByRole('link', { name: 'My sign-ups' }).click()]);
			return { ok: new URL(p.url()).pathname === '/me' &&
				await p.getByLabel('E-mail').isVisible(), why: p.url() };
		});
		await fits('the form');
		await axe('the form');
		await screenshot(p, 'mine-form-mobile');

		await check('mine: a bad address comes back with the error and the value kept', async () => {
			await p.getByLabel('E-mail').fill('ada at example');
			await Promise.all([p.waitForNavigation({ waitUntil: 'load' }),
				p.getByRole('button', { name: 'E-mail me the link' }).click()]);
			const summary = await p.locator('.error-summary').count();
			const value = await p.getByLabel('E-mail').inputValue();
			return { ok: summary === 1 && value === 'ada at example', why: `summary ${summary}, value ${value}` };
		});
		await fits('the form with an error');
		await axe('the form with an error');

		await check('mine: a good address says a link is on its way', async () => {
			await p.getByLabel('E-mail').fill(ADDRESS);
			await Promise.all([p.waitForNavigation({ waitUntil: 'load' }),
				p.getByRole('button', { name: 'E-mail me the link' }).click()]);
			const heading = await p.getByRole('heading', { level: 1 }).innerText();
			return { ok: heading === 'Check your e-mail', why: heading };
		});
		await fits('"check your e-mail"');
		await axe('"check your e-mail"');

		let link = null;
		await check('mine: the link arrives by e-mail', async () => {
			const until = Date.now() + MAIL_DEADLINE_MS;
			while (!(link = mailedLink(dataDir, ADDRESS)) && Date.now() < until)
				await p.waitForTimeout(250);
			return { ok: link !== null, why: `no e-mail to ${ADDRESS} with a /me/ link` };
		});
		if (link === null)
			return;
		await check('mine: the page behind the link lists the sign-ups', async () => {
			await p.goto(`${base}${link}`);
			const cards = await p.locator('.mine-list > li').count();
			return { ok: cards > 0, why: `${cards} cards` };
		});
		await fits('the list');
		await axe('the list');
		await screenshot(p, 'mine-list-mobile');
	} finally {
		await ctx.close().catch(() => {});
	}
}
