{{%AUTOESCAPE context="HTML"}}<label for="name-{{KEY}}">Name</label>
<input id="name-{{KEY}}" name="name" value="{{NAME}}" required maxlength="{{NAME_MAX}}">
<label for="category-{{KEY}}">Category</label>
<select id="category-{{KEY}}" name="category">{{#CATEGORY_OPTION}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/CATEGORY_OPTION}}</select>
<label for="suggested-{{KEY}}">Suggested quantity <span class="hint">(1 to {{QUANTITY_MAX}})</span></label>
<input id="suggested-{{KEY}}" name="suggested" type="number" min="1" max="{{QUANTITY_MAX}}" value="{{SUGGESTED}}" required inputmode="numeric">
<label for="unit-{{KEY}}">Unit <span class="hint">(optional: packs, litres…)</span></label>
<input id="unit-{{KEY}}" name="unit" value="{{UNIT}}" maxlength="{{UNIT_MAX}}">
<label class="check"><input type="checkbox" name="capped" value="1"{{#CAPPED}} checked{{/CAPPED}}> Capped: no more than suggested is welcome</label>
