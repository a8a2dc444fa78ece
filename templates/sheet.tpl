{{%AUTOESCAPE context="HTML"}}<section class="sheet" id="potluck">
<h2>Potluck: what to bring</h2>
{{#NEEDED}}<p class="needed">Still needed: {{#NEED}}{{NEED_NAME}} {{NEED_AMOUNT}}{{#NEED_separator}} · {{/NEED_separator}}{{/NEED}}</p>{{/NEEDED}}
{{#ALL_PLEDGED}}<p class="needed">Everything on the list is pledged. Thank you!</p>{{/ALL_PLEDGED}}
{{#CATEGORY}}<h3>{{LABEL}}</h3>
<ul class="items">{{#ITEM}}<li class="item{{#FULL}} full{{/FULL}}" id="item-{{ID}}" data-item="{{ID}}">
<p class="item-head"><strong>{{NAME}}</strong> <span class="item-count">{{COUNT_LABEL}}</span></p>
<progress max="{{SUGGESTED}}" value="{{FILLED}}">{{PLEDGED}} of {{SUGGESTED}}</progress>
<p class="item-need">{{NEED_LABEL}}</p>
{{#PLEDGERS}}<p class="pledgers">{{#WHO}}{{WHO_NAME}} ({{WHO_QUANTITY}}{{#TENTATIVE}}, tentative{{/TENTATIVE}}){{#WHO_separator}}, {{/WHO_separator}}{{/WHO}}{{#MORE}} and <a href="/events/{{SLUG}}/items/{{ID}}">{{MORE}} more</a>{{/MORE}}</p>{{/PLEDGERS}}
{{#ITEM_NOTICE}}<p class="notice{{#WARN}} warn{{/WARN}}" id="item-{{ID}}-notice" role="{{ROLE}}">{{MESSAGE}}</p>{{/ITEM_NOTICE}}
{{#BRING_FIELD}}<div class="bring-field">
<input type="hidden" name="version_{{ID}}" value="{{VERSION}}">
<label for="bring-{{ID}}">I bring<span class="visually-hidden"> {{NAME}}</span>{{#UNIT}} ({{UNIT}}){{/UNIT}}</label>
<input id="bring-{{ID}}" name="item_{{ID}}" type="number" min="0" max="{{MAX}}" value="{{QUANTITY}}" inputmode="numeric"{{#INVALID}} aria-invalid="true" aria-describedby="item-{{ID}}-notice"{{/INVALID}}>
</div>{{/BRING_FIELD}}
{{#PLEDGE_FORM}}<form method="post" action="/rsvp/{{TOKEN}}#item-{{ID}}" class="pledge">
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
<input type="hidden" name="action" value="pledge">
<input type="hidden" name="item" value="{{ID}}">
<input type="hidden" name="version" value="{{VERSION}}">
<label for="pledge-{{ID}}">I bring<span class="visually-hidden"> {{NAME}}</span>{{#UNIT}} ({{UNIT}}){{/UNIT}}</label>
<input id="pledge-{{ID}}" name="quantity" type="number" min="0" max="{{MAX}}" value="{{QUANTITY}}" inputmode="numeric"{{#INVALID}} aria-invalid="true" aria-describedby="item-{{ID}}-notice"{{/INVALID}}>
<button type="submit">Pledge</button>
</form>{{/PLEDGE_FORM}}
</li>{{/ITEM}}</ul>{{/CATEGORY}}
{{#FORMS_HINT}}<p class="hint">Enter how many you bring and press Pledge; 0 takes your pledge back.</p>{{/FORMS_HINT}}
</section>
