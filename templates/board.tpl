{{%AUTOESCAPE context="HTML"}}{{#DIVISION}}<section class="board" data-division="{{INDEX}}" data-from="{{FROM}}" data-count="{{COUNT}}">
{{#NAMED}}<h2>{{NAME}}</h2>{{/NAMED}}
<p class="empty"{{#TABLE}} hidden{{/TABLE}}>{{EMPTY_TEXT}}</p>
<table class="board"{{#EMPTY}} hidden{{/EMPTY}}>
<thead><tr><th scope="col">Rank</th><th scope="col">Bib</th><th scope="col">Name</th><th scope="col">{{FIGURE_LABEL}}</th><th scope="col">Scores</th><th scope="col">Best</th></tr></thead>
<tbody>{{#ROW}}<tr{{#TOP}} class="top top{{RANK}}"{{/TOP}}><td>{{RANK_LABEL}}</td><td>{{BIB}}</td><td>{{NAME}}</td><td>{{FIGURE}}</td><td>{{SCORES}}</td><td>{{BEST}}</td></tr>
{{/ROW}}</tbody>
</table>
{{#PAGER}}<p class="pager">{{#RANGE}}Rows {{FIRST}}–{{LAST}} of {{TOTAL}}.{{/RANGE}}{{#EARLIER}} <a href="{{HREF}}">← Earlier rows</a>{{/EARLIER}}{{#LATER}} <a href="{{HREF}}">Later rows →</a>{{/LATER}}</p>{{/PAGER}}
</section>{{/DIVISION}}
