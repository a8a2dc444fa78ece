{{%AUTOESCAPE context="HTML"}}<article class="event state-{{STATE}}" data-status-url="/events/{{SLUG}}/status.json" data-items-url="/events/{{SLUG}}/items.json">
<p class="back"><a href="/">← All events</a></p>
<h1>{{TITLE}}</h1>
{{#CANCELLED}}<p class="notice warn">This event has been cancelled.</p>{{/CANCELLED}}
{{#ENDED}}<p class="notice ended">This event has ended. {{SIGNED_UP}}{{#CAME}} {{CAME}}{{/CAME}} Thank you to everyone who came.</p>{{/ENDED}}
{{#SIGNUP_LINK}}<p class="signup-link"><a class="button" href="#rsvp">{{LABEL}}</a></p>{{/SIGNUP_LINK}}
<dl class="facts">
<dt>When</dt><dd><time datetime="{{WHEN_ISO}}">{{WHEN}}</time>{{#ENDS}} until {{ENDS}}{{/ENDS}}</dd>
<dt>Where</dt><dd>{{LOCATION}}</dd>
{{#CAPACITY}}<dt>Places</dt><dd>{{CAPACITY}}</dd>{{/CAPACITY}}
{{#GUESTS}}<dt>Guests</dt><dd>Up to {{MAX_GUESTS}} per sign-up</dd>{{/GUESTS}}
{{#REG_CLOSES}}<dt>Registration closes</dt><dd>{{CLOSES}}</dd>{{/REG_CLOSES}}
</dl>
{{#CALENDAR}}<p class="calendar"><a href="/events/{{SLUG}}.ics" download>Add to calendar (.ics)</a></p>{{/CALENDAR}}
{{#STATUS}}<section class="status" aria-live="polite">
<p class="spots big state-{{STATE}}" data-live="spots_label">{{SPOTS}}</p>
{{#BAR}}<progress max="{{CAPACITY}}" value="{{FILLED}}" data-live-bar>{{FILLED}} of {{CAPACITY}}</progress>{{/BAR}}
<p class="counts"><span>Confirmed: <strong data-live="confirmed">{{CONFIRMED}}</strong></span> <span>Waitlisted: <strong data-live="waitlisted">{{WAITLISTED}}</strong></span>{{#BAR}} <span>Spots left: <strong data-live="spots_left">{{SPOTS_LEFT}}</strong></span>{{/BAR}}</p>
<p class="links"><a href="/events/{{SLUG}}/live">Live status</a>{{#WAITLIST_LINK}} · <a href="/events/{{SLUG}}/waitlist">Waitlist</a>{{/WAITLIST_LINK}}</p>
</section>{{/STATUS}}
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
{{#SHEET_ALONE}}{{>SHEET}}{{/SHEET_ALONE}}
{{#RSVP_CLOSED}}<p class="notice">{{REASON}}</p>{{/RSVP_CLOSED}}
{{#RSVP_FORM}}<section class="rsvp" id="rsvp" aria-labelledby="rsvp-title">
<h2 id="rsvp-title">{{HEADING}}</h2>
{{>ERRORS}}
{{#RESEND}}<form method="post" action="/events/{{SLUG}}/resend" class="resend">
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
<input type="hidden" name="email" value="{{EMAIL}}">
<button type="submit">E-mail me my link</button>
</form>{{/RESEND}}
{{#WILL_WAITLIST}}<p class="notice waitlist">The event is full: if you sign up you join the waitlist, and you are moved up automatically when spots free up.</p>{{/WILL_WAITLIST}}
<form method="post" action="/events/{{SLUG}}/rsvp#rsvp" id="rsvp-form" novalidate>
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
<div class="field">
<label for="name">Your name</label>
{{#NAME_ERROR}}<p class="field-error" id="name-error"><span class="visually-hidden">Error: </span>{{MESSAGE}}</p>{{/NAME_ERROR}}
<input id="name" name="name" value="{{NAME}}" required maxlength="100" autocomplete="name"{{#NAME_ERROR}} aria-invalid="true" aria-describedby="name-error"{{/NAME_ERROR}}>
</div>
<div class="field">
<label for="email">E-mail</label>
{{#EMAIL_ERROR}}<p class="field-error" id="email-error"><span class="visually-hidden">Error: </span>{{MESSAGE}}</p>{{/EMAIL_ERROR}}
<input id="email" name="email" type="email" value="{{EMAIL}}" required maxlength="254" autocomplete="email"{{#EMAIL_ERROR}} aria-invalid="true" aria-describedby="email-error"{{/EMAIL_ERROR}}>
</div>
{{#GUESTS_FIELD}}<div class="field">
<label for="guests">Guests you bring (up to {{MAX_GUESTS}})</label>
{{#GUESTS_ERROR}}<p class="field-error" id="guests-error"><span class="visually-hidden">Error: </span>{{MESSAGE}}</p>{{/GUESTS_ERROR}}
<select id="guests" name="guests"{{#GUESTS_ERROR}} aria-invalid="true" aria-describedby="guests-error"{{/GUESTS_ERROR}}>{{#GUEST_OPTION}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{VALUE}}</option>{{/GUEST_OPTION}}</select>
</div>{{/GUESTS_FIELD}}
<div class="field">
<label for="note">Anything we should know? <span class="hint">(optional: dietary needs, access, what you'll bring)</span></label>
{{#NOTE_ERROR}}<p class="field-error" id="note-error"><span class="visually-hidden">Error: </span>{{MESSAGE}}</p>{{/NOTE_ERROR}}
<textarea id="note" name="note" maxlength="1000" rows="3"{{#NOTE_ERROR}} aria-invalid="true" aria-describedby="note-error"{{/NOTE_ERROR}}>{{NOTE}}</textarea>
</div>
{{#ENTRY_FIELDS}}<div class="field">
<label for="display">Name on the leaderboard <span class="hint">(optional: your first name and initial if empty; you can change it later)</span></label>
{{#DISPLAY_ERROR}}<p class="field-error" id="display-error"><span class="visually-hidden">Error: </span>{{MESSAGE}}</p>{{/DISPLAY_ERROR}}
<input id="display" name="display" value="{{DISPLAY}}" maxlength="{{DISPLAY_MAX}}"{{#DISPLAY_ERROR}} aria-invalid="true" aria-describedby="display-error"{{/DISPLAY_ERROR}}>
</div>
{{#DIVISION_FIELD}}<div class="field">
<label for="division">Division</label>
{{#DIVISION_ERROR}}<p class="field-error" id="division-error"><span class="visually-hidden">Error: </span>{{MESSAGE}}</p>{{/DIVISION_ERROR}}
<select id="division" name="division" required{{#DIVISION_ERROR}} aria-invalid="true" aria-describedby="division-error"{{/DIVISION_ERROR}}>{{#DIVISION_OPTION}}<option value="{{ID}}"{{#SELECTED}} selected{{/SELECTED}}>{{NAME}}</option>{{/DIVISION_OPTION}}</select>
</div>{{/DIVISION_FIELD}}{{/ENTRY_FIELDS}}
{{#BRING}}<p class="bring-intro">What will you bring? <span class="hint">(optional: enter how many on the items below)</span></p>
{{>SHEET}}{{/BRING}}
<button type="submit">{{BUTTON}}</button>
</form>
</section>{{/RSVP_FORM}}
</article>
