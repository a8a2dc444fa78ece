// Optional live numbers for drops. On a drop's page: polls stock.json every
// second and updates each variant's "available" in place. On a hold page
// and before a drop opens: counts the seconds down. The pages work the same
// without it (they reload themselves at the expiry or the opening).
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

	// A countdown in seconds: to the hold's expiry instant, or the opening.
	var left = document.querySelector('[data-countdown]');
	if (!left) return;
	var expires = document.querySelector('[data-expires-ms]');
	var end = expires ? Number(expires.getAttribute('data-expires-ms')) :
		Date.now() + 1000 * Number(left.getAttribute('data-countdown'));
	var tick = function () {
		var s = Math.max(0, Math.ceil((end - Date.now()) / 1000));
		left.textContent = String(s);
		if (s > 0) setTimeout(tick, 250);
	};
	tick();
}());
