// Browser checks of the organiser's pages (issue 15): door mode at the
// door on a phone with and without JavaScript, cancelling someone from
// the participants page, which asks first, and the visitor's private
// link (e-mailed, copied, replaced); and axe-core on every admin page at
// both widths, logged in and, last, logged out. browse.mjs calls
// organiserChecks() with its site and helpers once the site runs.
//
// The demo's chess tournament has 35 entrants: 32 confirmed (its
// capacity), 3 on the waitlist.

import { axeViolations } from './axe.mjs';

const DOOR_EVENT = 'chess-tournament';
const RACE = 'fun-run-5k';		// demo: a race, timed, in divisions
const POTLUCK = 'potluck-picnic';	// demo: the potluck sheet
const DROP = 'tshirt-drop';		// demo: the T-shirt drop
const TARGET_PX = 44;	// the smallest tap target

// The rows of the door list as the page shows them: name, checked in.
async function doorRows(page) {
	return page.locator('.door-list > li:not([hidden])').evaluateAll((lis) => lis.map((li) => ({
		id: li.id, name: li.querySelector('.who strong').textContent, in: li.classList.contains('in'),
	})));
}

// "checked in N of M" as numbers.
async function doorCount(page) {
	return page.evaluate(() => [Number(document.querySelector('[data-door="in"]').textContent),
		Number(document.querySelector('[data-door="of"]').textContent)]);
}

// Every button and text box of the door list and its search at least
// TARGET_PX high and wide; the first few that are not, else [].
async function smallTargets(page, selector) {
	return page.locator(selector).evaluateAll((els, px) => els
		.filter((el) => el.offsetParent !== null)
		.map((el) => ({ el, r: el.getBoundingClientRect() }))
		.filter(({ r }) => r.height < px || r.width < px)
		.slice(0, 5)
		.map(({ el, r }) => `${el.tagName.toLowerCase()} "${el.textContent.trim()}" ${Math.round(r.width)}x${Math.round(r.height)}`),
	TARGET_PX);
}

export async function login(page, base, user, password) {
	await page.goto(`${base}/admin/login`);
	await page.getByLabel('Name').fill(user);
	await page.getByLabel('Password').fill(password);
	await Promise.all([page.waitForURL(`${base}/admin`), page.getByRole('button', { name: 'Log in' }).click()]);
}

export async function organiserChecks({ launch, base, check, horizontalFit, screenshot, norm, watch,
	submitRsvp, user, password, MOBILE, DESKTOP, signupEvent }) {
	const door = `${base}/admin/events/${DOOR_EVENT}/door`;
	const contexts = [];
	// A page of a new browser with opts, logged in as the organiser.
	const loggedIn = async (opts, label) => {
		const ctx = await launch(opts);
		contexts.push(ctx);
		const page = ctx.pages()[0] || await ctx.newPage();
		watch(page, label);
		await login(page, base, user, password);
		return page;
	};
	try {
		// ---- door mode on a phone, JavaScript on
		const p = await loggedIn({ viewport: MOBILE, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
			bypassCSP: true }, 'door-phone');

		await check('door: the participants page links to door mode', async () => {
			await p.goto(`${base}/admin/events/${DOOR_EVENT}/rsvps`);
			await Promise.all([p.waitForURL(door), p.getByRole('link', { name: 'Door mode' }).click()]);
			return norm(await p.locator('h1').textContent()).startsWith('Door: ');
		});
		await check('door: confirmed parties in alphabetical order, "checked in 0 of 32"', async () => {
			const names = (await doorRows(p)).map((r) => r.name);
			const sorted = [...names].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }));
			const count = await doorCount(p);
			return { ok: names.length === 32 && names.join('|') === sorted.join('|') &&
				count.join(' of ') === '0 of 32',
				why: `count ${count}, names ${names.slice(0, 5).join(', ')}…` };
		});
		await check(`door: no horizontal scroll at ${MOBILE.width} px`, () => horizontalFit(p));
		await check(`door: buttons and search at least ${TARGET_PX} px`, async () => {
			const small = await smallTargets(p, '.door button, .door input[type=search]');
			return { ok: small.length === 0, why: small.join('; ') };
		});
		await screenshot(p, 'admin-mobile-door');
		await check('door: typing filters the list without a page load', async () => {
			await p.evaluate(() => { window.doorMark = 1; });
			await p.getByLabel('Find a name or e-mail').pressSequentially('polg');
			const names = (await doorRows(p)).map((r) => r.name);
			return { ok: names.join('|') === 'Susan Polgar|Zsuzsa Polgar' &&
				await p.evaluate(() => window.doorMark === 1) && p.url() === door,
			why: `shown ${JSON.stringify(names)} at ${p.url()}` };
		});
		await check('door: one tap checks in without a page load, the count goes up', async () => {
			const row = p.locator('.door-list li', { hasText: 'Susan Polgar' });
			await row.getByRole('button', { name: 'Check in Susan Polgar' }).tap();
			await p.locator('.door-list li.in', { hasText: 'Susan Polgar' }).waitFor({ timeout: 5000 });
			const count = await doorCount(p);
			const names = (await doorRows(p)).map((r) => r.name);
			return { ok: count.join(' of ') === '1 of 32' && await p.evaluate(() => window.doorMark === 1) &&
				names.length === 2,
			why: `count ${count}, shown ${JSON.stringify(names)}, reloaded: ${await p.evaluate(() => window.doorMark !== 1)}` };
		});
		await check('door: undo takes the check-in back', async () => {
			const row = p.locator('.door-list li', { hasText: 'Susan Polgar' });
			await row.getByRole('button', { name: 'Undo check-in of Susan Polgar' }).tap();
			await p.locator('.door-list li:not(.in)', { hasText: 'Susan Polgar' }).waitFor({ timeout: 5000 });
			const count = await doorCount(p);
			return { ok: count.join(' of ') === '0 of 32' && await p.evaluate(() => window.doorMark === 1),
				why: `count ${count}` };
		});
		await check('door: a name nobody has says so', async () => {
			await p.getByLabel('Find a name or e-mail').fill('zzz-nobody');
			return { ok: (await doorRows(p)).length === 0 &&
				await p.locator('[data-door-none]').isVisible(), why: 'no "Nobody matches."' };
		});

		// ---- the private link: e-mailed, a copy button with JavaScript
		await p.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
		let link = '';
		await check('link: the confirmation page says the link was e-mailed, and copies it', async () => {
			await p.goto(`${base}/events/${signupEvent}`);
			const got = await submitRsvp(p, { name: 'Lin Link', email: 'lin.link@example.org' });
			if (!got.ok)
				return got;
			link = got.url.replace(/\?.*$/, '');
			const said = await p.getByText('We have e-mailed this link to lin.link@example.org too.').count();
			await p.getByRole('button', { name: 'Copy the link' }).tap();
			await p.getByText('Copied.').waitFor({ timeout: 5000 });
			const copied = await p.evaluate(() => navigator.clipboard.readText());
			return { ok: said === 1 && copied === link, why: `said ${said}, copied ${JSON.stringify(copied)}` };
		});
		await check(`link: the confirmation page fits ${MOBILE.width} px`, () => horizontalFit(p));
		await screenshot(p, 'rsvp-mobile-new-link');

		// ---- without JavaScript: the search button and full page loads
		const n = await loggedIn({ viewport: MOBILE, isMobile: true, hasTouch: true, javaScriptEnabled: false },
			'door-nojs');
		await check('link without JS: no copy button, the link as text; "Replace my link" moves to a new one', async () => {
			await n.goto(link);
			const button = await n.getByRole('button', { name: 'Copy the link' }).count();
			const text = norm(await n.locator('.keep .link').textContent());
			await n.getByText('Someone else has your link?').click();
			await Promise.all([n.waitForURL(/\/rsvp\/[0-9a-f]{32}\?done=replaced$/),
				n.getByRole('button', { name: 'Replace my link' }).click()]);
			const notice = norm(await n.locator('.notice[role=status]').textContent());
			const now = n.url().replace(/\?.*$/, '');
			const old = await n.request.get(link);	// not a page: its 404 is no console error
			return { ok: button === 0 && text === link && now !== link && old.status() === 404 &&
				notice.startsWith('Your link is replaced'),
			why: `button ${button}, text ${JSON.stringify(text)}, notice ${JSON.stringify(notice)}, old link ${old.status()}` };
		});
		await check('door without JS: the search button narrows the list', async () => {
			await n.goto(door);
			await n.getByLabel('Find a name or e-mail').fill('Tal');
			await Promise.all([n.waitForURL(/\/door\?q=Tal$/), n.getByRole('button', { name: 'Search' }).click()]);
			const names = (await doorRows(n)).map((r) => r.name);
			return { ok: names.join('|') === 'Mikhail Tal', why: JSON.stringify(names) };
		});
		await check('door without JS: check in and undo by form, the count follows', async () => {
			await Promise.all([n.waitForURL(/done=checkin&q=Tal#r\d+$/),
				n.getByRole('button', { name: 'Check in Mikhail Tal' }).click()]);
			const after = await doorCount(n);
			const done = norm(await n.locator('.notice[role=status]').textContent());
			await Promise.all([n.waitForURL(/done=uncheckin/),
				n.getByRole('button', { name: 'Undo check-in of Mikhail Tal' }).click()]);
			const undone = await doorCount(n);
			return { ok: after.join(' of ') === '1 of 32' && done === 'Checked in.' &&
				undone.join(' of ') === '0 of 32', why: `after ${after} (${done}), undone ${undone}` };
		});

		// ---- cancelling someone asks first (no script needed), at both widths
		await check('cancel without JS: the row\'s button asks first; "No" changes nothing', async () => {
			await n.goto(`${base}/admin/events/${DOOR_EVENT}/rsvps`);
			const row = n.locator('tr', { hasText: 'Max Euwe' });
			await Promise.all([n.waitForURL(/confirm=cancel/), row.getByRole('link', { name: 'Cancel RSVP…' }).click()]);
			const question = norm(await n.locator('#confirm h2').textContent());
			await Promise.all([n.waitForURL(/\/rsvps#r\d+$/), n.getByRole('link', { name: 'No, keep it' }).click()]);
			return { ok: question === 'Cancel Max Euwe\'s RSVP?' &&
				await n.locator('tr', { hasText: 'Max Euwe' }).count() === 1,
			why: `question ${JSON.stringify(question)}` };
		});
		await check(`cancel: the question fits ${MOBILE.width} px`, async () => {
			const row = n.locator('tr', { hasText: 'Max Euwe' });
			await Promise.all([n.waitForURL(/confirm=cancel/), row.getByRole('link', { name: 'Cancel RSVP…' }).click()]);
			await screenshot(n, 'admin-mobile-cancel-confirm');
			return horizontalFit(n);
		});
		await check('cancel: "Yes" with a message cancels, and says so', async () => {
			await n.getByLabel(/^Message to Max Euwe/).fill('The hall is smaller than we thought.');
			await Promise.all([n.waitForURL(/done=cancel/),
				n.getByRole('button', { name: 'Yes, cancel the RSVP' }).click()]);
			const done = norm(await n.locator('.notice[role=status]').textContent());
			return { ok: done.startsWith('RSVP cancelled') &&
				await n.locator('tr', { hasText: 'Max Euwe' }).count() === 0, why: done };
		});

		const d = await loggedIn({ viewport: DESKTOP, bypassCSP: true }, 'door-desktop');
		await check('cancel at 1280 px with JS: asks first too', async () => {
			await d.goto(`${base}/admin/events/${DOOR_EVENT}/rsvps`);
			const row = d.locator('tr', { hasText: 'Magnus Berg' });
			await Promise.all([d.waitForURL(/confirm=cancel/), row.getByRole('link', { name: 'Cancel RSVP…' }).click()]);
			return { ok: await d.locator('#confirm').isVisible() &&
				await d.locator('tr', { hasText: 'Magnus Berg' }).count() === 1, why: d.url() };
		});
		await check('door at 1280 px: the list and its count', async () => {
			await d.goto(door);
			// Max Euwe's place went to the first on the waitlist.
			const count = await doorCount(d), rows = await doorRows(d);
			return { ok: count.join(' of ') === '0 of 32' && rows.length === 32 &&
				!rows.some((r) => r.name === 'Max Euwe'), why: `count ${count}, ${rows.length} rows` };
		});
		await screenshot(d, 'admin-desktop-door');

		// ---- the admin layout: the width on a desktop, cards on a phone, no empty tables
		await check('admin layout at 1280 px: the participants page uses the width', async () => {
			await d.goto(`${base}/admin/events/${DOOR_EVENT}/rsvps`);
			const w = await d.locator('main').evaluate((m) => m.getBoundingClientRect().width);
			return { ok: w >= 1000, why: `main is ${w} px wide` };
		});
		await screenshot(d, 'admin-desktop-rsvps');
		await check(`admin layout at ${MOBILE.width} px: participants as cards, nothing sideways`, async () => {
			await p.goto(`${base}/admin/events/${DOOR_EVENT}/rsvps`);
			const head = await p.locator('table.rsvps thead').first().evaluate((t) => getComputedStyle(t).display);
			const fit = await horizontalFit(p);
			return { ok: head === 'none' && (fit === true || fit.ok), why: `thead ${head}; ${fit.why || ''}` };
		});
		await check(`admin layout at ${MOBILE.width} px: buttons, links as buttons and tick boxes at least ${TARGET_PX} px`, async () => {
			const small = await smallTargets(p, 'main button, main a.button, main label.tick');
			return { ok: small.length === 0, why: small.join('; ') };
		});
		await screenshot(p, 'admin-mobile-rsvps-cards');
		await check('admin layout: no table under "Nobody is waiting."', async () => {
			await p.goto(`${base}/admin/events/${signupEvent}/rsvps`);
			return { ok: await p.getByText('Nobody is waiting.').count() === 1 &&
				await p.locator('main table').count() === 1, why: `${await p.locator('main table').count()} tables` };
		});
		await check(`admin layout at ${MOBILE.width} px: the chart's numbers at the page's text size`, async () => {
			await p.goto(`${base}/admin/events/${DOOR_EVENT}/stats`);
			const px = await p.locator('.chart .y-max').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
			const fit = await horizontalFit(p);
			return { ok: px >= 14 && (fit === true || fit.ok), why: `font ${px} px; ${fit.why || ''}` };
		});
		await screenshot(p, 'admin-mobile-stats-chart');

		// ---- axe-core on every admin page, at both widths, with a screenshot of each
		const axePages = [
			['dashboard', '/admin'],
			['participants', `/admin/events/${DOOR_EVENT}/rsvps`],
			['cancel question', null],	// the first "Cancel RSVP…" link of the participants
			['door mode', `/admin/events/${DOOR_EVENT}/door`],
			['figures', `/admin/events/${DOOR_EVENT}/stats`],
			['competitions', '/admin/competitions'],
			['scores', `/admin/events/${DOOR_EVENT}/scores`],
			['leaderboard', `/admin/events/${DOOR_EVENT}/leaderboard`],
			['competition', `/admin/events/${DOOR_EVENT}/competition`],
			['race scores', `/admin/events/${RACE}/scores`],
			['race leaderboard', `/admin/events/${RACE}/leaderboard`],
			['race competition', `/admin/events/${RACE}/competition`],
			['accounts', '/admin/accounts'],
			['new event', '/admin/events/new'],
			['event editor', `/admin/events/${POTLUCK}/edit`],
			['potluck items', `/admin/events/${POTLUCK}/items`],
			['drop', `/admin/events/${DROP}/drop`],
			['outbox', '/admin/outbox'],
		];
		for (const [page, width, shot] of [[p, MOBILE.width, 'mobile'], [d, DESKTOP.width, 'desktop']]) {
			for (const [name, url] of axePages) {
				await check(`axe-core at ${width} px: ${name}: no serious or critical violation`, async () => {
					let status = 200;
					if (url)
						status = (await page.goto(`${base}${url}`)).status();
					else
						await Promise.all([page.waitForURL(/confirm=cancel/),
							page.getByRole('link', { name: 'Cancel RSVP…' }).first().click()]);
					// The page itself, not a login or error page in its place.
					const shown = url === null ? await page.locator('#confirm').count() === 1 :
						new URL(page.url()).pathname === url && status === 200;
					const found = await axeViolations(page);
					return { ok: shown && found.length === 0, why: [...found, `at ${page.url()} (${status})`].join('\n') };
				});
				await screenshot(page, `admin-axe-${shot}-${name.replace(/[^a-z]+/g, '-')}`);
			}
			// Last, logged out by the admin bar's button: the login page.
			await check(`axe-core at ${width} px: login, logged out: no serious or critical violation`, async () => {
				await Promise.all([page.waitForURL(/\/admin\/login\?out=1$/),
					page.locator('.admin-bar').getByRole('button', { name: 'Log out' }).click()]);
				const said = await page.getByText('You are logged out.').count();
				const found = await axeViolations(page);
				return { ok: said === 1 && found.length === 0, why: [...found, `"You are logged out." ${said} times`].join('\n') };
			});
			await screenshot(page, `admin-axe-${shot}-login`);
		}
	} finally {
		for (const ctx of contexts)
			await ctx.close().catch(() => {});
	}
}
