// Optional, on a waitlisted party's manage page: polls the event's cached
// status.json (the event page's live counts use the same) and, when its
// counts show people moved up, reads this page again; once it says the party is
// confirmed, shows "You're in!" in place of the waitlist line. Without
// the script the page says to reload it.
(function () {
	'use strict';
	var box = document.querySelector('[data-watch]');
	var hint = box && box.querySelector('[data-watch-hint]');
	if (!hint || !window.fetch || !window.DOMParser) return;
	var url = hint.getAttribute('data-status-url');
	var version = Number(hint.getAttribute('data-version'));
	var confirmed = Number(hint.getAttribute('data-confirmed'));
	var waitlisted = Number(hint.getAttribute('data-waitlisted'));
	hint.textContent = 'This page updates by itself when you move up.';

	function promoted(html) {
		var doc = new DOMParser().parseFromString(html, 'text/html');
		var state = doc.querySelector('.state.confirmed');
		if (!state) return false;
		var p = document.createElement('p');
		p.className = 'notice in';
		p.setAttribute('role', 'status');
		p.textContent = "You're in! A place freed up and is yours now. ";
		var reload = document.createElement('a');
		reload.href = location.pathname;
		reload.textContent = 'Show my RSVP';
		p.appendChild(reload);
		box.replaceWith(p);
		state.remove();
		return true;
	}

	function check() {
		// Only a change of the event can have moved us: read our own page then.
		return fetch(location.pathname, { cache: 'no-store', credentials: 'same-origin' })
			.then(function (r) { return r.ok ? r.text() : ''; })
			.then(promoted);
	}

	function poll() {
		fetch(url, { cache: 'no-cache', credentials: 'omit' })
			.then(function (r) { return r.ok ? r.json() : null; })
			.then(function (s) {
				if (!s || s.version === version) return false;
				// A promotion moves spots from the waitlist to the confirmed:
				// pledges and new people joining the queue cannot be ours.
				var moved = s.confirmed !== confirmed || s.waitlisted < waitlisted;
				version = s.version;
				confirmed = s.confirmed;
				waitlisted = s.waitlisted;
				return moved ? check() : false;
			})
			.catch(function () { return false; /* offline for a moment */ })
			.then(function (done) { if (!done) setTimeout(poll, 2000); });
	}
	poll();
})();
