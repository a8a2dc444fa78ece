// Optional live counts on the event page: polls status.json every second
// and updates the numbers in place; when they change and the page has a
// potluck sheet, items.json updates its items' numbers and bars too (who
// pledged what, and the still-needed line, show on the next load). The
// page works the same without it.
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

	var sheet = root.querySelector('.sheet');

	// The numbers of one item, as sheet.tpl renders them.
	function setItem(it) {
		var li = sheet.querySelector('[data-item="' + it.id + '"]');
		if (!li) return;
		li.querySelector('.item-count').textContent = it.count_label;
		li.querySelector('.item-need').textContent = it.need_label;
		var bar = li.querySelector('progress');
		bar.max = it.suggested;
		bar.value = Math.min(it.pledged, it.suggested);
		li.classList.toggle('full', it.needed === 0);
	}

	function updateSheet() {
		fetch(root.getAttribute('data-items-url'), { cache: 'no-cache', credentials: 'omit' })
			.then(function (r) { return r.ok ? r.json() : null; })
			.then(function (d) { if (d) d.items.forEach(setItem); })
			.catch(function () { /* the next change tries again */ });
	}

	function update(s) {
		if (s.version === version) return;
		// Pledges change the version too (the first answer may already
		// count one made since the page was rendered).
		if (sheet) updateSheet();
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
