{{%AUTOESCAPE context="HTML"}}<article class="event" data-status-url="/events/{{SLUG}}/status.json" data-items-url="/events/{{SLUG}}/items.json">
<p class="back"><a href="/">← All events</a></p>
<h1>{{TITLE}}</h1>
{{#CANCELLED}}<p class="notice warn">This event has been cancelled.</p>{{/CANCELLED}}
{{#ENDED}}<p class="notice">This event has ended. Thank you to everyone who came.</p>{{/ENDED}}
<dl class="facts">
<dt>When</dt><dd><time datetime="{{WHEN_ISO}}">{{WHEN}}</time>{{#ENDS}} until {{ENDS}}{{/ENDS}}</dd>
<dt>Where</dt><dd>{{LOCATION}}</dd>
{{#CAPACITY}}<dt>Places</dt><dd>{{CAPACITY}}</dd>{{/CAPACITY}}
{{#GUESTS}}<dt>Guests</dt><dd>Up to {{MAX_GUESTS}} per sign-up</dd>{{/GUESTS}}
{{#REG_CLOSES}}<dt>Registration closes</dt><dd>{{CLOSES}}</dd>{{/REG_CLOSES}}
</dl>
<section class="status" aria-live="polite">
<p class="spots big" data-live="spots_label">{{SPOTS}}</p>
{{#BAR}}<progress max="{{CAPACITY}}" value="{{FILLED}}" data-live-bar>{{FILLED}} of {{CAPACITY}}</progress>{{/BAR}}
<p class="counts"><span>Confirmed: <strong data-live="confirmed">{{CONFIRMED}}</strong></span> <span>Waitlisted: <strong data-live="waitlisted">{{WAITLISTED}}</strong></span>{{#BAR}} <span>Spots left: <strong data-live="spots_left">{{SPOTS_LEFT}}</strong></span>{{/BAR}}</p>
<p class="links"><a href="/events/{{SLUG}}/live">Live status</a>{{#WAITLIST_LINK}} · <a href="/events/{{SLUG}}/waitlist">Waitlist</a>{{/WAITLIST_LINK}}</p>
</section>
<div class="description">{{DESCRIPTION}}</div>
{{#LEADERBOARD}}<section class="leaderboard" id="leaderboard">
<h2>Leaderboard</h2>
<p class="rule">{{RULE_LABEL}}: the top five. <a href="/events/{{SLUG}}/leaderboard">Full leaderboard</a></p>
<p class="notice board-state"{{#NO_NOTICE}} hidden{{/NO_NOTICE}}>{{NOTICE}}</p>
{{#DIVISION}}{{#NAMED}}<h3>{{NAME}}</h3>{{/NAMED}}
{{#EMPTY}}<p class="empty">No entries yet.</p>{{/EMPTY}}
{{#TABLE}}<table class="board">
<thead><tr><th scope="col">Rank</th><th scope="col">Name</th><th scope="col">{{FIGURE_LABEL}}</th></tr></thead>
<tbody>{{#ROW}}<tr{{#TOP}} class="top top{{RANK}}"{{/TOP}}><td>{{RANK_LABEL}}</td><td>{{NAME}}</td><td>{{FIGURE}}</td></tr>
{{/ROW}}</tbody>
</table>{{/TABLE}}{{/DIVISION}}
</section>{{/LEADERBOARD}}
{{>SHEET}}
{{#RSVP_CLOSED}}<p class="notice">{{REASON}}</p>{{/RSVP_CLOSED}}
{{#RSVP_FORM}}<section class="rsvp" id="rsvp">
<h2>Sign up</h2>
{{#FORM_ERROR}}<p class="notice warn" role="alert">{{ERROR}}</p>{{/FORM_ERROR}}
{{#RESEND}}<form method="post" action="/events/{{SLUG}}/resend" class="resend">
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
<input type="hidden" name="email" value="{{EMAIL}}">
<button type="submit">E-mail me my link</button>
</form>{{/RESEND}}
{{#WILL_WAITLIST}}<p class="notice">The event is full: if you sign up you join the waitlist, and you are moved up automatically when spots free up.</p>{{/WILL_WAITLIST}}
<form method="post" action="/events/{{SLUG}}/rsvp">
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
<label for="name">Your name</label>
<input id="name" name="name" value="{{NAME}}" required maxlength="100" autocomplete="name">
<label for="email">E-mail</label>
<input id="email" name="email" type="email" value="{{EMAIL}}" required maxlength="254" autocomplete="email">
{{#GUESTS_FIELD}}<label for="guests">Guests you bring (up to {{MAX_GUESTS}})</label>
<select id="guests" name="guests">{{#GUEST_OPTION}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{VALUE}}</option>{{/GUEST_OPTION}}</select>{{/GUESTS_FIELD}}
<label for="note">Anything we should know? <span class="hint">(optional: dietary needs, access, what you'll bring)</span></label>
<textarea id="note" name="note" maxlength="1000" rows="3">{{NOTE}}</textarea>
{{#ENTRY_FIELDS}}<label for="display">Name on the leaderboard <span class="hint">(optional: your first name and initial if empty; you can change it later)</span></label>
<input id="display" name="display" value="{{DISPLAY}}" maxlength="{{DISPLAY_MAX}}">
{{#DIVISION_FIELD}}<label for="division">Division</label>
<select id="division" name="division" required>{{#DIVISION_OPTION}}<option value="{{ID}}"{{#SELECTED}} selected{{/SELECTED}}>{{NAME}}</option>{{/DIVISION_OPTION}}</select>{{/DIVISION_FIELD}}{{/ENTRY_FIELDS}}
{{#BRING}}<fieldset class="bring"><legend>What will you bring? <span class="hint">(optional; see the list above)</span></legend>
{{#FIELD}}<label for="bring-{{ID}}">{{NAME}}{{#UNIT}} ({{UNIT}}){{/UNIT}} <span class="hint">{{NEED_LABEL}}</span></label>
<input type="hidden" name="version_{{ID}}" value="{{VERSION}}">
<input id="bring-{{ID}}" name="item_{{ID}}" type="number" min="0" max="{{MAX}}" value="{{QUANTITY}}" inputmode="numeric">
{{/FIELD}}</fieldset>{{/BRING}}
<button type="submit">RSVP</button>
</form>
</section>{{/RSVP_FORM}}
</article>
