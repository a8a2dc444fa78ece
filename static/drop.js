// Optional live numbers for drops. On a drop's page: polls stock.json every
// second and updates each variant's "available" in place. On a hold page
// and before a drop opens: counts the seconds down, then shows the hold ran
// out or reloads the opened drop. The pages work the same without it (they
// reload themselves at the expiry or the opening).
(function () {
	'use strict';
	var root = document.querySelector('[data-stock-url]');

	if (root && window.fetch) {
		var url = root.getAttribute('data-stock-url');
		var version = null;
		var poll = function () {
			// no-cache revalidates with the ETag: an unchanged drop costs a 304.
			fetch(url, { cache: 'no-cache', credentials: 'omit' })
				.then(function (r) { return r.ok ? r.json() : null; })
				.then(function (s) {
					if (!s || s.version === version) return;
					version = s.version;
					s.variants.forEach(function (v) {
						var el = root.querySelector('[data-variant="' + v.id +
							'"] [data-live="available"]');
						if (el) el.textContent = String(v.available);
					});
				})
				.catch(function () { /* the next poll tries again */ })
				.then(function () { setTimeout(poll, 1000); });
		};
		setTimeout(poll, 1000);
	}

	// A countdown in seconds, from the seconds the server gave (the
	// visitor's clock may be off): to the hold's expiry, or the opening.
	// At the end a hold shows in place that it ran out (the server has
	// let it go by then); a drop that opens reloads for its form. Without
	// script a <noscript> refresh reloads the page at that instant.
	var left = document.querySelector('[data-countdown]');
	if (!left) return;
	var end = Date.now() + 1000 * Number(left.getAttribute('data-countdown') || left.textContent);
	var ranOut = function () {
		var live = document.querySelector('[data-hold-live]');
		var note = document.querySelector('[data-hold-ran-out]');
		var status = document.querySelector('[data-hold-status]');
		if (!live || !note) {
			window.location.reload();
			return;
		}
		live.hidden = true;
		note.hidden = false;
		if (status) status.textContent = status.getAttribute('data-hold-status');
	};
	var tick = function () {
		var s = Math.max(0, Math.ceil((end - Date.now()) / 1000));
		left.textContent = String(s);
		if (s > 0) setTimeout(tick, 250);
		else ranOut();
	};
	tick();
}());
