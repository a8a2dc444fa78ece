// Optional live counts on the event page: polls status.json every second
// and updates the numbers in place. The page works the same without it.
(function () {
	'use strict';
	var root = document.querySelector('[data-status-url]');
	if (!root || !window.fetch) return;
	var url = root.getAttribute('data-status-url');
	var version = null;

	function set(name, value) {
		var el = root.querySelector('[data-live="' + name + '"]');
		if (el && value !== null && value !== undefined) el.textContent = String(value);
	}

	function update(s) {
		if (s.version === version) return;
		version = s.version;
		set('spots_label', s.spots_label);
		set('confirmed', s.confirmed);
		set('waitlisted', s.waitlisted);
		set('spots_left', s.spots_left);
		var bar = root.querySelector('[data-live-bar]');
		if (bar && s.capacity !== null) {
			bar.max = s.capacity;
			bar.value = Math.min(s.confirmed, s.capacity);
		}
	}

	function poll() {
		// no-cache revalidates with the ETag: an unchanged event costs a 304.
		fetch(url, { cache: 'no-cache', credentials: 'omit' })
			.then(function (r) { return r.ok ? r.json() : null; })
			.then(function (s) { if (s) update(s); })
			.catch(function () { /* offline for a moment: try again */ })
			.then(function () { setTimeout(poll, 1000); });
	}
	setTimeout(poll, 1000);
})();
