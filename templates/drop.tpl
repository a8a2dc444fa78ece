{{%AUTOESCAPE context="HTML"}}<article class="event drop" data-stock-url="/events/{{SLUG}}/stock.json">
<p class="back"><a href="/">← All events</a></p>
<h1>{{TITLE}}</h1>
<dl class="facts">
<dt>When</dt><dd><time datetime="{{WHEN_ISO}}">{{WHEN}}</time></dd>
<dt>Where</dt><dd>{{LOCATION}}</dd>
<dt>Per person</dt><dd>Up to {{PER_PERSON}}</dd>
</dl>
<div class="description">{{DESCRIPTION}}</div>
{{#COUNTDOWN}}<p class="notice countdown">This drop opens on <time datetime="{{OPENS_ISO}}">{{OPENS}}</time>, in <span data-countdown="{{SECONDS}}">{{SECONDS}}</span> seconds. The page reloads by itself when it opens.</p>{{/COUNTDOWN}}
{{#CLOSED}}<p class="notice">This drop is closed.</p>{{/CLOSED}}
<section class="stock" aria-live="polite">
{{#ITEM}}<div class="drop-item">
<h2>{{NAME}}</h2>
<p class="price">{{PRICE}}</p>
<p>{{DESCRIPTION}}</p>
<ul class="variants">{{#VARIANT}}<li data-variant="{{ID}}">{{NAME}}: <strong data-live="available">{{AVAILABLE}}</strong> of {{STOCK}} available{{#ALL_HELD}} (all held: check back in a minute){{/ALL_HELD}}{{#SOLD_OUT}} (sold out){{/SOLD_OUT}}</li>{{/VARIANT}}</ul>
</div>{{/ITEM}}
<p class="links"><a href="/events/{{SLUG}}/live">Live stock and activity</a></p>
</section>
{{#FORM_ERROR}}<p class="notice warn" role="alert">{{ERROR}}</p>{{/FORM_ERROR}}
{{#HOLD_FORM}}<section class="hold" id="hold">
<form method="post" action="/events/{{SLUG}}/hold">
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
{{#ONE_VARIANT}}<input type="hidden" name="variant" value="{{ID}}">{{/ONE_VARIANT}}
{{#CHOICE}}<fieldset><legend>Which one?</legend>
{{#OPTION}}<label><input type="radio" name="variant" value="{{ID}}" required{{#DISABLED}} disabled{{/DISABLED}}{{#CHECKED}} checked{{/CHECKED}}> {{LABEL}} ({{AVAILABLE}} left)</label>
{{/OPTION}}</fieldset>{{/CHOICE}}
{{#QUANTITY}}<label for="quantity">How many (up to {{MAX}})</label>
<input id="quantity" name="quantity" type="number" min="1" max="{{MAX}}" value="1" inputmode="numeric">{{/QUANTITY}}
<label for="name">Your name</label>
<input id="name" name="name" value="{{NAME}}" required maxlength="100" autocomplete="name">
<label for="email">E-mail</label>
<input id="email" name="email" type="email" value="{{EMAIL}}" required maxlength="254" autocomplete="email">
<p class="hint">A hold keeps it for you for {{HOLD_SECONDS}} seconds: claim it on the next page.</p>
{{#OPEN}}<button type="submit">Hold it</button>{{/OPEN}}
{{#ALL_HELD}}<button type="submit" disabled>All held: check back in a minute</button>{{/ALL_HELD}}
{{#SOLD_OUT}}<button type="submit" disabled>Sold out</button>{{/SOLD_OUT}}
</form>
</section>{{/HOLD_FORM}}
</article>
