// Optional: a "Copy the link" button beside the manage link (the link
// itself stays on the page as text to select and copy without it).
(function () {
	'use strict';
	var button = document.querySelector('[data-copy]');
	if (!button || !navigator.clipboard || !window.isSecureContext) return;
	var said = document.querySelector('[data-copied]');
	button.hidden = false;
	button.addEventListener('click', function () {
		navigator.clipboard.writeText(button.getAttribute('data-copy')).then(function () {
			said.textContent = 'Copied.';
		}, function () {
			said.textContent = 'Could not copy: select the link above and copy it.';
		});
	});
})();
