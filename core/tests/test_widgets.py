from __future__ import annotations

from django import forms

from core.widgets import FastSelect


class PlaceForm(forms.Form):
    place = forms.ChoiceField(
        widget=FastSelect,
        choices=[("", "—"), ("La Paz", [("020105", "El Alto"), ("020101", "<La Paz>")])],
        required=False,
    )


def test_it_renders_the_same_choices_as_djangos_select_with_groups_and_selection():
    html = str(PlaceForm({"place": "020105"})["place"])
    assert html.startswith("<select ")
    assert 'name="place"' in html
    assert 'id="id_place"' in html
    assert '<optgroup label="La Paz">' in html
    assert '<option value="020105" selected>El Alto</option>' in html
    assert '<option value="020101">&lt;La Paz&gt;</option>' in html  # escaped
    assert '<option value="">—</option>' in html


def test_it_validates_like_any_choice_field():
    assert not PlaceForm({"place": "999999"}).is_valid()
    assert PlaceForm({"place": "020101"}).is_valid()
