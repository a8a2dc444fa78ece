{{%AUTOESCAPE context="HTML"}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{SUBJECT}}</title>
</head>
<body style="margin:0;padding:16px;background:#ffffff;color:#1a1a1a;font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;font-size:16px;line-height:1.5">
<div style="max-width:36em">
{{#PARA}}<p style="margin:0 0 1em">{{#PART}}{{#BR}}<br>
{{/BR}}{{#TEXT}}{{T}}{{/TEXT}}{{#LINK}}<a href="{{URL}}" style="color:#0b57d0;word-break:break-all">{{URL}}</a>{{/LINK}}{{/PART}}</p>
{{/PARA}}</div>
</body>
</html>
