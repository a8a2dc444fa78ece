{{%AUTOESCAPE context="HTML"}}<article class="manage">
<p class="back"><a href="/events/{{SLUG}}">← {{TITLE}}</a></p>
<h1>Your RSVP</h1>
{{#NEW}}<p class="notice" role="status">Thank you, {{NAME}}: you are signed up.</p>{{/NEW}}
{{#NEW_WAITLISTED}}<p class="notice waitlist" role="status">Thank you, {{NAME}}: you are on the waitlist. You are not signed up yet: we move you up automatically when a place frees up, and e-mail you.</p>{{/NEW_WAITLISTED}}
{{#DONE}}<p class="notice" role="status">{{MESSAGE}}</p>{{/DONE}}
{{#ERROR}}<p class="notice warn" role="alert">{{MESSAGE}}</p>{{/ERROR}}
{{#CONFIRMED}}<p class="state confirmed">You're confirmed: party of {{PARTY}}.</p>{{/CONFIRMED}}
{{#WAITLISTED}}<div class="waiting" data-watch>
<p class="state waitlisted">You're on the waitlist{{#POSITION}}: number {{POSITION}} in line, {{AHEAD}}{{/POSITION}}. We move you up automatically when places free up.</p>
{{#WATCH}}<p class="hint" data-watch-hint data-status-url="{{STATUS_URL}}" data-version="{{VERSION}}" data-confirmed="{{CONFIRMED_SPOTS}}" data-waitlisted="{{WAITLISTED_SPOTS}}">This page does not update by itself: reload it to see whether you are in.</p>{{/WATCH}}
</div>{{/WAITLISTED}}
{{#CANCELLED}}<p class="state cancelled">This RSVP is cancelled.</p>
<p><a href="/events/{{SLUG}}#rsvp">Sign up again</a> if you can come after all.</p>{{/CANCELLED}}
{{#CONFIRM_CANCEL}}<section class="confirm">
<h2>Cancel your RSVP?</h2>
<p>Your party of {{PARTY}} gives up its places; people on the waitlist move up into them. If you change your mind later, you can sign up again while places are left.</p>
<form method="post" action="/rsvp/{{TOKEN}}">
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
<input type="hidden" name="action" value="cancel">
<button type="submit" class="danger">Yes, cancel my RSVP</button>
<a href="/rsvp/{{TOKEN}}">No, keep it</a>
</form>
</section>{{/CONFIRM_CANCEL}}
{{#KEEP_LINK}}<div class="keep{{#NEW}} new{{/NEW}}">
<p><strong>Keep this link to change or cancel your RSVP:</strong></p>
<p class="link"><a href="/rsvp/{{TOKEN}}">{{LINK}}</a></p>
{{#NEW}}<p>We have e-mailed this link to {{EMAIL}} too.</p>{{/NEW}}
<p><button type="button" class="secondary" data-copy="{{LINK}}" hidden>Copy the link</button> <span class="hint" data-copied role="status"></span></p>
<p class="hint">Bookmark it or copy it somewhere safe: it is the way back to this page. Anyone with the link can change your RSVP, so keep it to yourself.</p>
</div>
<script src="/static/copy.js" defer></script>{{/KEEP_LINK}}
<dl class="facts">
<dt>Event</dt><dd>{{TITLE}}</dd>
<dt>When</dt><dd><time datetime="{{WHEN_ISO}}">{{WHEN}}</time>{{#CALENDAR}} <a href="/events/{{SLUG}}.ics" download>Add to calendar (.ics)</a>{{/CALENDAR}}</dd>
<dt>Where</dt><dd>{{LOCATION}}</dd>
<dt>Name</dt><dd>{{NAME}}</dd>
<dt>E-mail</dt><dd>{{EMAIL}}</dd>
<dt>Party</dt><dd>{{PARTY}} (you + {{GUESTS}} {{GUESTS_WORD}})</dd>
<dt>Note</dt><dd>{{NOTE}}</dd>
</dl>
{{#ENTRY}}<section class="entry" id="entry">
<h2>Your entry</h2>
<dl class="facts">
<dt>Bib</dt><dd>{{BIB}}</dd>
<dt>Name on the leaderboard</dt><dd>{{DISPLAY}}</dd>
{{#DIVISION}}<dt>Division</dt><dd>{{DIVISION}}</dd>{{/DIVISION}}
</dl>
<p><a href="/events/{{SLUG}}/leaderboard">Leaderboard</a></p>
<h3>Your scores</h3>
{{#NO_SCORES}}<p class="empty">No scores yet.</p>{{/NO_SCORES}}
<ul class="scores">{{#SCORE}}<li>Round {{ROUND}}: {{#VOIDED}}<del>{{/VOIDED}}{{VALUE}}{{#UNIT}} {{UNIT}}{{/UNIT}}{{#VOIDED}}</del> (voided: {{REASON}}){{/VOIDED}}</li>{{/SCORE}}</ul>
{{#SELF_SCORE}}<form method="post" action="/rsvp/{{TOKEN}}" class="score">
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
<input type="hidden" name="action" value="score">
<label for="value">Report a score <span class="hint">({{HINT}})</span></label>
<input id="value" name="value" value="{{VALUE}}" required maxlength="20" autocomplete="off">
<button type="submit">Submit score</button>
</form>{{/SELF_SCORE}}
{{#RENAME}}<form method="post" action="/rsvp/{{TOKEN}}" class="rename">
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
<input type="hidden" name="action" value="rename">
<label for="display">Name on the leaderboard</label>
<input id="display" name="display" value="{{DISPLAY}}" required maxlength="{{DISPLAY_MAX}}">
<button type="submit">Change name</button>
</form>{{/RENAME}}
</section>{{/ENTRY}}
{{#CHANGE}}<section class="change">
<h2>Change your RSVP</h2>
<form method="post" action="/rsvp/{{TOKEN}}">
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
<input type="hidden" name="action" value="update">
{{#GUESTS_FIELD}}<label for="guests">Guests you bring</label>
<select id="guests" name="guests">{{#GUEST_OPTION}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{VALUE}}</option>{{/GUEST_OPTION}}</select>{{/GUESTS_FIELD}}
<label for="note">Note</label>
<textarea id="note" name="note" maxlength="1000" rows="3">{{NOTE}}</textarea>
<button type="submit">Save changes</button>
</form>
<p><a class="danger" href="/rsvp/{{TOKEN}}?confirm=cancel">Cancel my RSVP…</a></p>
</section>{{/CHANGE}}
{{#REPLACE}}<details class="replace-link"><summary>Someone else has your link?</summary>
<form method="post" action="/rsvp/{{TOKEN}}">
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
<input type="hidden" name="action" value="replace_link">
<p class="hint">Replace it: every link you had stops working, and you get a new one here and by e-mail.</p>
<button type="submit" class="danger">Replace my link</button>
</form>
</details>{{/REPLACE}}
{{#BRINGING}}<section class="bringing">
<h2>What I'm bringing</h2>
<ul>{{#MINE}}<li>{{NAME}}: {{AMOUNT}}</li>{{/MINE}}</ul>
</section>{{/BRINGING}}
{{#NOTHING_YET}}<p class="hint">You have not pledged anything for the potluck yet: pick something from the list below.</p>{{/NOTHING_YET}}
{{>SHEET}}
</article>
