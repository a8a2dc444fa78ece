// A form that came back with errors: move the focus to its error summary,
// as the GOV.UK pattern does, so a screen reader reads the errors first
// and the keyboard starts from their links. Without script the page still
// opens scrolled to the form (its fragment) with the summary at its top.
// On load, not before: going to the fragment would take the focus back.
window.addEventListener('load', function () {
	'use strict';
	var summary = document.querySelector('.error-summary');
	if (summary) summary.focus();
});
