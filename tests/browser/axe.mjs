// axe-core for the browser checks (issue 15): the serious and critical
// violations it finds on a page. ux-visitor.mjs, ux-organiser.mjs and
// mine.mjs share it.
//
// axe goes in as a script tag, so the page's browser context must be
// launched with bypassCSP: true (the site's CSP allows no inline script).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'node_modules', 'axe-core',
	'axe.min.js');
const SERIOUS = ['serious', 'critical'];
let source = null;	// read once, on first use

// The serious and critical violations axe-core finds on the page, one
// line each: impact, rule, what it asks and the first few elements. The
// rules in `off` are not run (the caller says why).
export async function axeViolations(page, off = []) {
	if (source === null)
		source = fs.readFileSync(SOURCE, 'utf8');
	await page.addScriptTag({ content: source });
	return page.evaluate(async ({ off, serious }) => {
		const rules = {};
		for (const id of off) rules[id] = { enabled: false };
		const res = await window.axe.run(document, { resultTypes: ['violations'], rules });
		return res.violations.filter((v) => serious.includes(v.impact)).map((v) =>
			`${v.impact} ${v.id}: ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}` +
			(v.nodes.length > 3 ? ` (and ${v.nodes.length - 3} more)` : ''));
	}, { off, serious: SERIOUS });
}
