{{%AUTOESCAPE context="HTML"}}<section class="error">
<h1>{{TITLE}}</h1>
<p class="message">{{MESSAGE}}</p>
<p>{{HINT}}</p>
<p><a href="/">Go to the list of events</a></p>
<p class="code">Error {{STATUS}}</p>
</section>
