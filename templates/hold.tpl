{{%AUTOESCAPE context="HTML"}}<article class="manage hold">
<p class="back"><a href="/events/{{SLUG}}">← {{TITLE}}</a></p>
<h1>Your hold</h1>
{{#ERROR}}<p class="notice warn" role="alert">{{MESSAGE}}</p>{{/ERROR}}
<dl class="facts">
<dt>What</dt><dd>{{QUANTITY}} × {{WHAT}}</dd>
<dt>Price</dt><dd>{{PRICE}}</dd>
<dt>Name</dt><dd>{{NAME}}</dd>
<dt>Status</dt><dd class="state"{{#LIVE}} data-hold-status="expired"{{/LIVE}}>{{STATUS}}</dd>
</dl>
{{#LIVE}}<div data-hold-live>
<p class="state live">Held for you until <time datetime="{{EXPIRES_ISO}}" data-expires-ms="{{EXPIRES_MS}}">{{EXPIRES}}</time> (<span data-countdown>{{SECONDS_LEFT}}</span> seconds left). Claim it before then.</p>
<form method="post" action="/holds/{{TOKEN}}">
<input type="hidden" name="form_token" value="{{CLAIM_TOKEN}}">
<input type="hidden" name="action" value="claim">
<button type="submit">Claim</button>
</form>
<form method="post" action="/holds/{{TOKEN}}">
<input type="hidden" name="form_token" value="{{RELEASE_TOKEN}}">
<input type="hidden" name="action" value="release">
<button type="submit" class="link">Let it go</button>
</form>
</div>
<div role="status"><div data-hold-ran-out hidden><p class="state cancelled">This hold ran out before it was claimed.</p>
<p><a href="/events/{{SLUG}}#hold">Try again</a> if any are left.</p></div></div>{{/LIVE}}
{{#CLAIMED}}<p class="state confirmed">Claimed: your claim number is <strong>{{NUMBER}}</strong>. We have e-mailed you the details.</p>
<p class="pickup">{{PICKUP}}</p>{{/CLAIMED}}
{{#EXPIRED}}<p class="state cancelled">This hold ran out before it was claimed.</p>
<p><a href="/events/{{SLUG}}#hold">Try again</a> if any are left.</p>{{/EXPIRED}}
{{#RELEASED}}<p class="state cancelled">You let this one go: someone else can have it now.</p>{{/RELEASED}}
{{#CANCELLED}}<p class="state cancelled">The organiser cancelled this claim.</p>{{/CANCELLED}}
<p class="hint">Keep this link to come back to this page; anyone with it can claim or let go this hold.</p>
</article>
