// Optional in-place updates of a leaderboard page: polls leaderboard.json
// with the ETag of the last answer (If-None-Match: an unchanged board costs
// a 304) and rewrites each division's rows, the frozen / final results
// notice and the "Updated" time without reloading. Without JavaScript the
// page reloads itself instead (a meta refresh inside <noscript>); with
// ?refresh=off neither happens.
(function () {
	'use strict';
	var root = document.querySelector('[data-board-url][data-board-live]');
	if (!root || !window.fetch) return;
	var url = root.getAttribute('data-board-url');
	var POLL_MS = 2000;
	var etag = null;

	function cell(tr, text) {
		var td = document.createElement('td');
		td.textContent = text === null || text === undefined ? '–' : String(text);
		tr.appendChild(td);
	}

	// The JSON holds every row; a page shows its window of them.
	function division(section, div) {
		var tbody = section.querySelector('tbody');
		var rows = document.createDocumentFragment();
		var from = Number(section.getAttribute('data-from')) || 0;
		var count = Number(section.getAttribute('data-count')) || div.rows.length;
		var shown = div.rows.slice(from, from + count);
		shown.forEach(function (row) {
			var tr = document.createElement('tr');
			if (row.rank !== null && row.rank <= 3)
				tr.className = 'top top' + row.rank;
			cell(tr, row.rank);
			cell(tr, row.bib);
			cell(tr, row.name);
			cell(tr, row.figure);
			cell(tr, row.scores);
			cell(tr, row.best);
			rows.appendChild(tr);
		});
		while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
		tbody.appendChild(rows);
		section.querySelector('table').hidden = shown.length === 0;
		section.querySelector('.empty').hidden = shown.length > 0;
	}

	function update(board) {
		var notice = root.querySelector('[data-board-state]');
		notice.textContent = board.notice || '';
		notice.hidden = !board.notice;
		board.divisions.forEach(function (div, k) {
			var section = root.querySelector('[data-division="' + k + '"]');
			if (section) division(section, div);
		});
	}

	function updated() {
		var el = root.querySelector('[data-board-updated]');
		var now = new Date();
		if (el) el.textContent = 'Updated ' + now.toLocaleTimeString([], {
			hour: '2-digit', minute: '2-digit', second: '2-digit' });
	}

	function poll() {
		var headers = etag ? { 'If-None-Match': etag } : {};
		fetch(url, { cache: 'no-store', credentials: 'omit', headers: headers })
			.then(function (r) {
				if (r.status === 304) return null;
				if (!r.ok) throw new Error(String(r.status));
				etag = r.headers.get('ETag');
				return r.json();
			})
			.then(function (board) {
				if (board) update(board);
				updated();
			})
			.catch(function () { /* offline or busy for a moment: try again */ })
			.then(function () { setTimeout(poll, POLL_MS); });
	}
	setTimeout(poll, POLL_MS);
})();
