// Browser checks of what a visitor sees (issue 15, items 1-7, 11, 12),
// called by browse.mjs once the demo site runs: on a 375 px phone and a
// 1280 px desktop, with JavaScript on and off. Form errors in a summary
// at the form, pledges answered beside their item, the states of an
// event (a full one made here: capacity 1), the waitlist that turns into
// "You're in!" without a reload, an ended event, the zone and deadline,
// the calendar link, the potluck's fields on the item cards, /live's
// pause link, a drop hold that runs out (said in place, no refresh); and
// axe-core (injected into each page) on every public page at both
// widths, with no violation of impact serious or critical.
// Screenshots: ux-*.png in the output folder.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { axeViolations } from './axe.mjs';

const FULL = { slug: 'ux-full', title: 'Tiny workshop' };	// made here: 1 place
const POTLUCK = 'potluck-picnic';	// demo: guests up to 4, the potluck sheet
const DEADLINE_EVENT = 'fun-run-5k';	// demo: registration closes a day before
const ENDED = 'spring-cleanup';		// demo: 30 days ago
const BOARD = 'chess-tournament';	// demo: a competition with a leaderboard
const DROP = 'tshirt-drop';		// demo: S, M and L shirts, up to 2 a person
const PROMOTION_MS = 8000;		// waiting.js polls every 2 s

// Run sql on the site's database, as a check's { ok, why }.
function sqlite(dataDir, sql) {
	const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', path.join(dataDir, 'turnout.db'), sql],
		{ encoding: 'utf8' });
	return { ok: r.status === 0, why: `sqlite3: exit ${r.status} ${r.stderr || ''}` };
}

// An event with one place, straight into the database (the demo has no full one).
function addFullEvent(dataDir) {
	const now = Math.floor(Date.now() / 1000);
	const starts = now + 10 * 86400;
	return sqlite(dataDir, 'INSERT INTO event (slug, title, description, location, starts_at, ends_at,' +
		' status, capacity, max_guests, created_at, updated_at) VALUES' +
		` ('${FULL.slug}', '${FULL.title}', 'One place only.', 'Makerspace',` +
		` ${starts}, ${starts + 7200}, 'published', 1, 0, ${now}, ${now});`);
}

// The path of a new hold on an S shirt of the drop, made through its form
// by `email` in the page p.
async function holdShirt(p, base, email) {
	await p.goto(`${base}/events/${DROP}`);
	await p.getByLabel(/T-shirt S \(/).check();
	await p.getByLabel('Your name').fill('Hal Holder');
	await p.getByLabel('E-mail').fill(email);
	await Promise.all([p.waitForURL(/\/holds\/[0-9a-f]{32}$/), p.getByRole('button', { name: 'Hold it' }).click()]);
	return new URL(p.url()).pathname;
}

// The path of the page of the first potluck item someone pledged to (an
// item card links it when it names only the first few who pledged).
async function pledgedItem(p, base) {
	await p.goto(`${base}/events/${POTLUCK}`);
	const id = await p.locator('section.sheet li.item:has(.pledgers)').first().getAttribute('data-item');
	return `/events/${POTLUCK}/items/${id}`;
}

// 1 if the element's top is inside the viewport (what the eye sees on arrival).
async function inView(loc) {
	return loc.evaluate((el) => {
		const r = el.getBoundingClientRect();
		return r.top >= 0 && r.top < window.innerHeight && r.height > 0;
	});
}

export async function uxVisitor(t) {
	const { base, dataDir, launch, check, diag, screenshot, horizontalFit, norm, MOBILE, DESKTOP } = t;
	const phone = { viewport: MOBILE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
	const ctxs = [];
	// Like browse.mjs's watch(), but the 400 and 404 pages asked for here
	// are answers, not faults (Chromium logs each as a console error).
	const faults = [];
	const expected = (text, url) => /status of (400|404)/.test(text) &&
		(/\/events\/[a-z0-9-]+\/rsvp(#rsvp)?$/.test(url) || /\/events\/no-such-event$/.test(url));
	const open = async (label, opts) => {
		const ctx = await launch(opts);
		ctxs.push(ctx);
		const page = ctx.pages()[0] || await ctx.newPage();
		page.on('console', (msg) => {
			const url = (msg.location() || {}).url || '';
			if (msg.type() === 'error' && !expected(msg.text(), url))
				faults.push(`[${label}] console: ${msg.text()} (${url})`);
		});
		page.on('pageerror', (err) => faults.push(`[${label}] page error: ${err.message}`));
		page.on('requestfailed', (req) => {
			const text = req.failure() ? req.failure().errorText : '';
			// A poll in flight when the page is left is aborted: not a fault.
			if (!(text === 'net::ERR_ABORTED' && /\/(status|items)\.json$/.test(new URL(req.url()).pathname)))
				faults.push(`[${label}] request failed: ${req.url()} ${text}`);
		});
		return page;
	};
	try {
		await check('ux: an event with one place is added', () => addFullEvent(dataDir));
		// axe-core goes in as a script tag: the contexts that run it ignore the CSP.
		const views = [
			['phone, no JS', 'mobile-nojs', await open('ux-phone-nojs', { ...phone, javaScriptEnabled: false })],
			['phone, JS', 'mobile-js', await open('ux-phone-js', { ...phone, bypassCSP: true })],
			['desktop, JS', 'desktop-js', await open('ux-desktop-js', { viewport: DESKTOP, bypassCSP: true })],
			['desktop, no JS', 'desktop-nojs', await open('ux-desktop-nojs', { viewport: DESKTOP, javaScriptEnabled: false })],
		];
		const tokens = {};

		// ---- 1 and 7: the sign-up form of the potluck, from the top of the page
		let n = 0;
		for (const [label, shot, p] of views) {
			n++;
			await p.goto(`${base}/events/${POTLUCK}`);
			await check(`ux ${label}: a "Sign up" link near the top leads to the form`, async () => {
				const link = p.locator('.signup-link a');
				const box = await link.boundingBox();
				await Promise.all([p.waitForURL(/#rsvp$/), link.click()]);
				const heading = p.locator('#rsvp-title');
				return { ok: !!box && box.y + box.height <= p.viewportSize().height && await inView(heading),
					why: `link at ${JSON.stringify(box)}; heading in view: ${await inView(heading)}` };
			});
			await check(`ux ${label}: each potluck item card has its quantity field in the sign-up form`, async () => {
				// All but those that need no more (a capped item pledged in full).
				const cards = await p.locator('#rsvp-form li.item').evaluateAll((els) => els.map((li) =>
					`${li.querySelector('strong').textContent}:${!!li.querySelector('input[type=number][name^="item_"]')}:` +
					`${/No more needed/.test(li.textContent)}`));
				return { ok: cards.length > 3 && cards.every((c) => /:true:false$|:false:true$/.test(c)),
					why: cards.join(', ') };
			});
			await check(`ux ${label}: a form with two errors comes back at the form, listing both`, async () => {
				const form = p.locator('#rsvp-form');
				await form.getByLabel('Your name').fill('');
				await form.getByLabel('E-mail').fill('not-an-address');
				await form.getByLabel(/^Guests you bring/).selectOption('2');
				await form.getByLabel(/^Anything we should know/).fill('no nuts please');
				await Promise.all([p.waitForNavigation({ waitUntil: 'load' }),
					form.getByRole('button', { name: 'RSVP', exact: true }).click()]);
				const summary = p.locator('.error-summary');
				const links = (await summary.locator('a').allInnerTexts()).map(norm);
				const title = await p.title();
				const invalid = await p.locator('[aria-invalid="true"]').evaluateAll((els) => els.map((e) => e.id));
				const kept = [await p.locator('#email').inputValue(), await p.locator('#guests').inputValue(),
					await p.locator('#note').inputValue()];
				// With script the focus moves to the summary (static/errors.js).
				const focused = await p.evaluate(() => document.activeElement?.classList.contains('error-summary'));
				const ok = p.url().endsWith(`/events/${POTLUCK}/rsvp#rsvp`) && await inView(summary) &&
					focused === label.endsWith(', JS') &&
					links.length === 2 && /enter your name/.test(links[0]) && /e-mail address/.test(links[1]) &&
					title.startsWith('Error: ') && invalid.join() === 'name,email' &&
					kept.join('|') === 'not-an-address|2|no nuts please';
				return { ok, why: `url ${p.url()}; summary in view ${await inView(summary)}; links ${JSON.stringify(links)};` +
					` title ${JSON.stringify(title)}; invalid ${invalid}; kept ${JSON.stringify(kept)}; focused ${focused}` };
			});
			if (shot.startsWith('mobile'))
				await check(`ux ${label}: the form with errors fits ${MOBILE.width} px`, () => horizontalFit(p));
			await screenshot(p, `ux-errors-${shot}`);
			await check(`ux ${label}: the summary's link goes to its field`, async () => {
				await Promise.all([p.waitForURL(/#email$/), p.locator('.error-summary a').nth(1).click()]);
				return inView(p.locator('#email'));
			});
			await check(`ux ${label}: corrected, the form signs up`, async () => {
				await p.locator('#name').fill(`Una Visitor ${n}`);
				await p.locator('#email').fill(`una${n}@example.org`);
				await Promise.all([p.waitForURL(/\/rsvp\/[0-9a-f]{32}\?new=1/),
					p.getByRole('button', { name: 'RSVP', exact: true }).click()]);
				tokens[shot] = new URL(p.url()).pathname;
				return /you are signed up/.test(norm(await p.locator('[role=status]').first().innerText()));
			});
		}

		// ---- 2: a pledge is answered beside its item
		for (const [label, shot, p] of [views[0], views[2]]) {
			await check(`ux ${label}: a pledge is confirmed beside its item, in view`, async () => {
				await p.goto(`${base}${tokens[shot]}`);
				const li = p.locator('section.sheet li.item').filter({ hasText: 'Potato salad' });
				await li.getByLabel(/^I bring/).fill('1');
				await Promise.all([p.waitForNavigation({ waitUntil: 'load' }),
					li.getByRole('button', { name: 'Pledge' }).click()]);
				const notice = li.locator('[role=status]');
				const text = norm(await notice.innerText());
				return { ok: /#item-\d+$/.test(p.url()) && text === 'Saved: you bring 1 bowl.' && await inView(notice),
					why: `url ${p.url()}; notice ${JSON.stringify(text)}; in view ${await inView(notice)}` };
			});
			await screenshot(p, `ux-pledged-${shot}`);
		}

		// ---- 3 and 11: full, the waitlist, and "You're in!"
		const desk = views[2][2];
		const deskNoJs = views[3][2];
		const phoneJs = views[1][2];
		const phoneNoJs = views[0][2];
		let first, second;
		await check('ux: the one place is taken (no JS, desktop)', async () => {
			await deskNoJs.goto(`${base}/events/${FULL.slug}`);
			await deskNoJs.locator('#name').fill('Pat First');
			await deskNoJs.locator('#email').fill('pat.first@example.org');
			await Promise.all([deskNoJs.waitForURL(/\/rsvp\//), deskNoJs.getByRole('button', { name: 'RSVP', exact: true }).click()]);
			first = new URL(deskNoJs.url()).pathname;
			return /confirmed/.test(norm(await deskNoJs.locator('.state').innerText()));
		});
		await check('ux: a full event looks full, not available, and offers "Join the waitlist"', async () => {
			const colour = async (slug) => {
				await desk.goto(`${base}/events/${slug}`);
				return desk.locator('.spots.big').evaluate((el) => getComputedStyle(el).color);
			};
			const available = await colour(DEADLINE_EVENT);
			const full = await colour(FULL.slug);
			const label = norm(await desk.locator('.spots.big').innerText());
			const button = await desk.getByRole('button', { name: 'Join the waitlist' }).count();
			return { ok: available !== full && label === 'Full: join the waitlist' && button === 1,
				why: `colours ${available} / ${full}; label ${JSON.stringify(label)}; buttons ${button}` };
		});
		await screenshot(desk, 'ux-full-desktop-js');
		await check('ux: joining the waitlist on a phone says so, in parties', async () => {
			await phoneJs.goto(`${base}/events/${FULL.slug}`);
			await phoneJs.locator('#name').fill('Quinn Second');
			await phoneJs.locator('#email').fill('quinn.second@example.org');
			await Promise.all([phoneJs.waitForURL(/\/rsvp\//),
				phoneJs.getByRole('button', { name: 'Join the waitlist' }).click()]);
			second = new URL(phoneJs.url()).pathname;
			const text = norm(await phoneJs.locator('main').innerText());
			return { ok: /you are on the waitlist/.test(text) && !/you are signed up/.test(text) &&
				/number 1 in line, nobody is ahead of you/.test(text) &&
				/updates by itself/.test(text), why: text.slice(0, 400) };
		});
		await check(`ux: the waitlisted page fits ${MOBILE.width} px`, () => horizontalFit(phoneJs));
		await screenshot(phoneJs, 'ux-waitlisted-mobile-js');
		await check('ux: without JS the waitlisted page says to reload it', async () => {
			await phoneNoJs.goto(`${base}${second}`);
			return /does not update by itself: reload it/.test(norm(await phoneNoJs.locator('.waiting').innerText()));
		});
		await check(`ux: when the place frees up, the waiting phone shows "You're in!" within ${PROMOTION_MS / 1000} s, without a reload`, async () => {
			await phoneJs.evaluate(() => { window.notReloaded = true; });
			await deskNoJs.goto(`${base}${first}?confirm=cancel`);
			await deskNoJs.getByRole('button', { name: 'Yes, cancel my RSVP' }).click();
			await phoneJs.getByText("You're in!").waitFor({ timeout: PROMOTION_MS });
			return phoneJs.evaluate(() => window.notReloaded === true);
		});
		await screenshot(phoneJs, 'ux-promoted-mobile-js');

		// ---- 4, 5, 6: an ended event; the zone and deadline; the calendar
		for (const [label, shot, p] of [views[0], views[2]]) {
			await check(`ux ${label}: an ended event shows what happened, nothing to sign up for`, async () => {
				await p.goto(`${base}/events/${ENDED}`);
				const text = norm(await p.locator('main').innerText());
				const live = await p.locator(`a[href$="/live"]`).count();
				return { ok: /This event has ended\. \d+ (people were|person was) signed up\./.test(text) &&
					!/spots? left/.test(text) && live === 0 && await p.locator('#rsvp-form').count() === 0,
					why: `${text.slice(0, 300)}; live links ${live}` };
			});
			await screenshot(p, `ux-ended-${shot}`);
			await check(`ux ${label}: the time zone is named and the deadline shown`, async () => {
				await p.goto(`${base}/events/${DEADLINE_EVENT}`);
				const facts = norm(await p.locator('.facts').innerText());
				return { ok: /When .+\(UTC\)/.test(facts) && /Registration closes \w{3} \d+ \w{3}( \d{4})?, \d\d:\d\d \(UTC\)/.test(facts),
					why: facts };
			});
			await check(`ux ${label}: the event and manage pages link the calendar file`, async () => {
				const href = await p.getByRole('link', { name: 'Add to calendar (.ics)' }).getAttribute('href');
				const res = await p.request.get(`${base}${href}`);
				await p.goto(`${base}${tokens[shot]}`);
				const manage = await p.getByRole('link', { name: 'Add to calendar (.ics)' }).count();
				return { ok: res.status() === 200 && /text\/calendar/.test(res.headers()['content-type']) && manage === 1,
					why: `${href}: ${res.status()} ${res.headers()['content-type']}; manage page links: ${manage}` };
			});
		}

		// ---- 12: /live refreshes, says so, and pauses
		for (const [label, shot, p] of [views[0], views[2]]) {
			await check(`ux ${label}: /live says it refreshes and its link pauses it`, async () => {
				await p.goto(`${base}/events/${DEADLINE_EVENT}/live`);
				const before = norm(await p.locator('.refresh-note').innerText());
				const meta = await p.locator('meta[http-equiv="refresh"]').count();
				await Promise.all([p.waitForURL(/\?refresh=off$/), p.getByRole('link', { name: 'Pause refreshing' }).click()]);
				const after = norm(await p.locator('.refresh-note').innerText());
				const metaAfter = await p.locator('meta[http-equiv="refresh"]').count();
				return { ok: /refreshes every 5 seconds/.test(before) && meta === 1 && metaAfter === 0 &&
					/Refreshing is paused/.test(after), why: `${before} (${meta}) -> ${after} (${metaAfter})` };
			});
			await screenshot(p, `ux-live-paused-${shot}`);
		}

		// ---- a hold that runs out says so in place (no refresh with script)
		await check('ux: a hold that runs out says so on its page, without a reload', async () => {
			const email = 'hal.runs.out@example.org';
			const at = await holdShirt(phoneJs, base, email);
			// Its expiry brought to 3 s from now (the demo holds for 60 s).
			const moved = sqlite(dataDir, `UPDATE drop_hold SET expires_at = ${Date.now() + 3000}` +
				` WHERE email = '${email}' AND status = 'live';`);
			if (!moved.ok)
				return moved;
			await phoneJs.goto(`${base}${at}`);
			const refresh = await phoneJs.locator('meta[http-equiv="refresh"]').count();
			await phoneJs.evaluate(() => { window.notReloaded = true; });
			const note = phoneJs.locator('[data-hold-ran-out]');
			await note.waitFor({ state: 'visible', timeout: 6000 });
			const claim = await phoneJs.getByRole('button', { name: 'Claim' }).isVisible();
			const state = norm(await phoneJs.locator('dd.state').innerText());
			const server = await phoneJs.request.get(`${base}${at}`);
			return { ok: refresh === 0 && await phoneJs.evaluate(() => window.notReloaded === true) && !claim &&
				state === 'expired' && /This hold ran out/.test(norm(await note.innerText())) &&
				/This hold ran out/.test(await server.text()),
			why: `meta refresh ${refresh}; claim shown ${claim}; status ${JSON.stringify(state)}` };
		});
		await screenshot(phoneJs, 'ux-hold-ran-out-mobile-js');

		// ---- axe-core on every public page, at both widths (JS on)
		const pages = [
			['home', '/'],
			['event with a deadline', `/events/${DEADLINE_EVENT}`],
			['potluck event', `/events/${POTLUCK}`],
			['full event', `/events/${FULL.slug}`],
			['ended event', `/events/${ENDED}`],
			['competition', `/events/${BOARD}`],
			['leaderboard, paused', `/events/${BOARD}/leaderboard?refresh=off`],
			['potluck item', (p) => pledgedItem(p, base)],
			['drop', `/events/${DROP}`],
			['drop hold', (p, shot) => holdShirt(p, base, `hal.${shot}@example.org`)],
			['drop live, paused', `/events/${DROP}/live?refresh=off`],
			['waitlist', `/events/${FULL.slug}/waitlist`],
			['live, paused', `/events/${DEADLINE_EVENT}/live?refresh=off`],
			['manage page', (p, shot) => tokens[shot]],
			['promoted manage page', second],
			['page not found', '/events/no-such-event', 404],
		];
		for (const [label, shot, p] of [views[1], views[2]]) {
			for (const [name, url, status = 200] of pages) {
				await check(`ux axe ${label}: ${name}: no serious or critical violation`, async () => {
					// A function finds (or makes) the page in p.
					const res = await p.goto(`${base}${typeof url === 'function' ? await url(p, shot) : url}`);
					const v = await axeViolations(p);
					return { ok: res.status() === status && v.length === 0,
						why: [...v, `at ${p.url()} (${res.status()})`].join('\n') };
				});
				await screenshot(p, `ux-${name.replace(/[^a-z]+/g, '-')}-${shot.replace('-js', '')}`);
			}
			// The refreshing /live itself: meta-refresh is critical to axe; the
			// page says it refreshes and links the pause (checked above).
			await check(`ux axe ${label}: live, refreshing: nothing serious besides the refresh it offers to pause`, async () => {
				await p.goto(`${base}/events/${DEADLINE_EVENT}/live`);
				const v = await axeViolations(p, ['meta-refresh']);
				return { ok: v.length === 0 && await p.getByRole('link', { name: 'Pause refreshing' }).count() === 1,
					why: v.join('\n') };
			});
			await check(`ux axe ${label}: a form with errors: no serious or critical violation`, async () => {
				await p.goto(`${base}/events/${POTLUCK}`);
				await Promise.all([p.waitForNavigation({ waitUntil: 'load' }),
					p.getByRole('button', { name: 'RSVP', exact: true }).click()]);
				const v = await axeViolations(p);
				return { ok: v.length === 0 && await p.locator('.error-summary').count() === 1, why: v.join('\n') };
			});
		}
		await check('ux: no console errors, page errors or failed requests (but the 400 and 404 pages asked for)',
			() => ({ ok: faults.length === 0, why: faults.slice(0, 20).join('\n') }));
	} finally {
		for (const ctx of ctxs)
			await ctx.close().catch(() => {});
	}
	diag(`ux: ${ctxs.length} browser contexts closed`);
}
