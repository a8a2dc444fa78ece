{{%AUTOESCAPE context="HTML"}}<article class="item-pledgers">
<p class="back"><a href="/events/{{SLUG}}#potluck">← {{TITLE}}</a></p>
<h1>{{NAME}}</h1>
<p class="item-count">{{PLEDGED}} of {{SUGGESTED}}{{#UNIT}} {{UNIT}}{{/UNIT}} pledged · {{NEED_LABEL}}</p>
{{#NOBODY}}<p class="empty">Nobody has pledged this yet.</p>{{/NOBODY}}
{{#NO_MORE}}<p class="empty">No more pledges.</p>{{/NO_MORE}}
<ul class="pledgers">{{#WHO}}<li>{{WHO_NAME}} ({{WHO_QUANTITY}}{{#TENTATIVE}}, tentative{{/TENTATIVE}})</li>{{/WHO}}</ul>
{{#FIRST_PAGE}}<p class="pager"><a href="/events/{{SLUG}}/items/{{ID}}">← From the first</a></p>{{/FIRST_PAGE}}
{{#NEXT_PAGE}}<p class="pager"><a href="/events/{{SLUG}}/items/{{ID}}?from={{FROM}}">Next page →</a></p>{{/NEXT_PAGE}}
</article>
