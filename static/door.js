// Door mode (/admin/events/{slug}/door), optional: the search box filters
// the list as you type, and a tap on "Check in" or "Undo" posts its form
// in the background and swaps in that party's row and the running count
// from the page the server answers with. Without it the page works the
// same with a search button and full page loads.
(function () {
	'use strict';
	var filter = document.querySelector('[data-door-filter]');
	var list = document.querySelector('.door-list');
	if (!filter || !list || !window.fetch || !window.DOMParser) return;
	var none = document.querySelector('[data-door-none]');

	function applyFilter() {
		var words = filter.value.toLowerCase().trim().split(/\s+/).filter(Boolean);
		var shown = 0;
		Array.prototype.forEach.call(list.children, function (li) {
			var text = (li.getAttribute('data-search') || '').toLowerCase();
			var hit = words.every(function (w) { return text.indexOf(w) >= 0; });
			li.hidden = !hit;
			if (hit) shown++;
		});
		if (none) none.hidden = shown > 0 || list.children.length === 0;
	}
	filter.addEventListener('input', applyFilter);

	// Replace what the answer's page has anew: the count, and the row.
	function swap(doc, id) {
		['in', 'of'].forEach(function (name) {
			var sel = '[data-door="' + name + '"]', fresh = doc.querySelector(sel);
			if (fresh) document.querySelector(sel).textContent = fresh.textContent;
		});
		var row = document.getElementById(id), fresh = doc.getElementById(id);
		if (row && fresh) {
			row.replaceWith(document.importNode(fresh, true));
			document.getElementById(id).querySelector('button').focus();
		}
		var alert = doc.querySelector('[role=alert]');
		if (alert) window.alert(alert.textContent);
	}

	list.addEventListener('submit', function (ev) {
		var form = ev.target;
		if (!form.hasAttribute('data-door-form')) return;
		ev.preventDefault();
		var button = form.querySelector('button');
		if (button.disabled) return;	// one tap, one request
		button.disabled = true;
		var li = form.closest('li');
		// The page the server answers with lists this party only (its e-mail is
		// unique at the event): a small answer whatever the size of the event.
		var body = new URLSearchParams(new FormData(form));
		body.set('q', li.getAttribute('data-email'));
		// form.action would be the field named "action": the attribute is the URL.
		fetch(form.getAttribute('action'), {
			method: 'POST', credentials: 'same-origin',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: body.toString()
		}).then(function (r) {
			return r.text();
		}).then(function (html) {
			swap(new DOMParser().parseFromString(html, 'text/html'), li.id);
		}).catch(function () {
			button.disabled = false;
			form.submit();	// the plain way: a full page load
		});
	});
	applyFilter();
})();
