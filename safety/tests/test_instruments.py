"""Instruments as data: the shipped files load, scores match numbers worked out by hand, and a
broken file or a bad answer is refused with a message that says where the problem is.

Expected scores are written out by hand from the weights in the TOML files (sum shown in a
comment), never computed with the code under test. No database."""

from __future__ import annotations

from pathlib import Path

import pytest

from safety.instruments import (
    DEFAULT_DIRECTORY,
    Instrument,
    InstrumentError,
    clear_cache,
    get_instrument,
    label,
    load_all,
    load_instrument,
    score,
)

DANGER = "danger_assessment_bo"
CHILD = "child_risk_bo"

DANGER_ITEMS = [
    "violence_increasing",  # 2
    "death_threats",  # 3, critical
    "weapon_access",  # 2
    "weapon_used_or_threatened",  # 4, critical
    "strangulation",  # 4, critical
    "forced_sex",  # 2
    "controlling_jealousy",  # 1
    "isolation",  # 1
    "violence_in_pregnancy",  # 2
    "aggressor_unemployed",  # 1
    "recent_separation",  # 2
    "threats_to_children",  # 2
    "stalking",  # 2
    "aggressor_suicide_threats",  # 2
    "alcohol_drugs",  # 1
    "injuries_needing_care",  # 2
    "protection_order_breached",  # 3
    "previous_reports_unanswered",  # 1
    "believes_capable_of_killing",  # 2
]

# A small valid instrument; each validation test breaks one thing in it.
VALID = """\
code = "mini"
version = 1
name_es = "Mini"
name_en = "Mini"
description_es = "Prueba"
description_en = "Test"
source = "Tests"
status = "to_check"
applies_to = "any"

[[items]]
code = "threat"
kind = "yes_no"
weight = 3
critical = true
text_es = "¿Amenazas?"
text_en = "Threats?"

[[items]]
code = "frequency"
kind = "choice"
text_es = "¿Con qué frecuencia?"
text_en = "How often?"
options = [
  { code = "never", label_es = "Nunca", label_en = "Never", weight = 0 },
  { code = "monthly", label_es = "Cada mes", label_en = "Monthly", weight = 2 },
  { code = "daily", label_es = "A diario", label_en = "Daily", weight = 5, critical = true },
]

[[levels]]
code = "low"
min_score = 0
label_es = "Bajo"
label_en = "Low"

[[levels]]
code = "high"
min_score = 4
label_es = "Alto"
label_en = "High"

[[levels]]
code = "extreme"
min_score = 7
label_es = "Extremo"
label_en = "Extreme"
"""


def write(tmp_path: Path, text: str, name: str = "broken.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str) -> InstrumentError:
    path = write(tmp_path, text)
    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)
    assert "broken.toml" in str(caught.value)
    return caught.value


def changed(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, 1)


# --- The shipped instruments -------------------------------------------------------------------


def test_shipped_instruments_load() -> None:
    instruments = load_all()
    assert set(instruments) == {DANGER, CHILD}
    danger, child = instruments[DANGER], instruments[CHILD]
    assert [item.code for item in danger.items] == DANGER_ITEMS
    assert danger.applies_to == "adult"
    assert child.applies_to == "child"
    assert len(child.items) == 11
    for instrument in (danger, child):
        # Own items and weights, not validated yet: the data says so.
        assert instrument.status == "assumed"
        assert "validated by the network's psychologists" in " ".join(instrument.source.split())
        assert [level.code for level in instrument.levels] == ["low", "moderate", "high", "extreme"]
        assert instrument.critical_min_level == "high"
        for item in instrument.items:
            assert item.text_es
            assert item.text_en
        for level in instrument.levels:
            assert level.label_es
            assert level.label_en


def test_shipped_weights_and_thresholds() -> None:
    danger, child = get_instrument(DANGER), get_instrument(CHILD)
    assert danger.max_score == 39  # the 19 weights listed in DANGER_ITEMS
    assert [level.min_score for level in danger.levels] == [0, 6, 12, 20]
    assert [i.code for i in danger.items if i.critical] == [
        "death_threats",
        "weapon_used_or_threatened",
        "strangulation",
    ]
    assert child.max_score == 28  # 4+3+3+2+2+2+4+3+2+2+1
    assert [level.min_score for level in child.levels] == [0, 5, 10, 16]


def test_default_directory_is_cached() -> None:
    assert get_instrument(DANGER) is get_instrument(DANGER)
    assert load_all()[CHILD] is load_all(None)[CHILD]
    # An explicit directory is read afresh (equal, but new objects).
    fresh = load_all(DEFAULT_DIRECTORY)
    assert fresh[DANGER] == get_instrument(DANGER)
    assert fresh[DANGER] is not get_instrument(DANGER)


def test_clear_cache_reads_the_files_again() -> None:
    before = get_instrument(DANGER)
    clear_cache()
    assert get_instrument(DANGER) == before
    assert get_instrument(DANGER) is not before


def test_load_all_needs_a_directory(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError, match=r"nowhere: not a directory of instruments"):
        load_all(tmp_path / "nowhere")


def test_instruments_are_immutable() -> None:
    danger = get_instrument(DANGER)
    with pytest.raises(AttributeError):
        danger.version = 2  # type: ignore[misc]
    assert isinstance(danger.items, tuple)


# --- Scoring, by hand --------------------------------------------------------------------------


def test_all_no_is_low_and_complete() -> None:
    result = score(get_instrument(DANGER), dict.fromkeys(DANGER_ITEMS, "no"))
    assert result.score == 0
    assert result.level.code == "low"
    assert result.answered == 19
    assert result.missing == []
    assert result.complete
    assert result.critical_items == []


def test_all_yes_is_extreme() -> None:
    result = score(get_instrument(DANGER), dict.fromkeys(DANGER_ITEMS, True))
    assert result.score == 39
    assert result.level.code == "extreme"
    assert result.instrument_code == DANGER
    assert result.instrument_version == 1


def test_moderate_by_hand() -> None:
    answers: dict[str, str | bool] = dict.fromkeys(DANGER_ITEMS, "no")
    answers |= {
        "violence_increasing": "yes",  # 2
        "forced_sex": "yes",  # 2
        "stalking": True,  # 2
        "isolation": True,  # 1
    }
    result = score(get_instrument(DANGER), answers)
    assert result.score == 7
    assert result.level.code == "moderate"
    assert not result.raised_by_critical


def test_threshold_boundaries() -> None:
    twelve: dict[str, str | bool] = {
        "weapon_access": "yes",  # 2
        "forced_sex": "yes",  # 2
        "violence_in_pregnancy": "yes",  # 2
        "recent_separation": "yes",  # 2
        "threats_to_children": "yes",  # 2
        "injuries_needing_care": "yes",  # 2
    }
    assert score(get_instrument(DANGER), twelve).score == 12
    assert score(get_instrument(DANGER), twelve).level.code == "high"

    eleven = twelve | {"injuries_needing_care": "no", "alcohol_drugs": "yes"}  # 12 - 2 + 1
    assert score(get_instrument(DANGER), eleven).score == 11
    assert score(get_instrument(DANGER), eleven).level.code == "moderate"


def test_partial_answers_count_zero_and_are_reported() -> None:
    answers: dict[str, str | bool] = {
        "violence_increasing": "yes",  # 2
        "weapon_access": "yes",  # 2
        "recent_separation": "no",
    }
    result = score(get_instrument(DANGER), answers)
    assert result.score == 4
    assert result.level.code == "low"
    assert result.answered == 3
    assert not result.complete
    assert result.missing == [
        code
        for code in DANGER_ITEMS
        if code not in {"violence_increasing", "weapon_access", "recent_separation"}
    ]
    assert len(result.missing) == 16


def test_nothing_answered_is_still_a_result() -> None:
    result = score(get_instrument(CHILD), {})
    assert result.score == 0
    assert result.level.code == "low"
    assert result.answered == 0
    assert len(result.missing) == 11


def test_critical_yes_raises_low_score_to_high() -> None:
    result = score(get_instrument(DANGER), {"strangulation": "yes"})  # 4 points: low
    assert result.score == 4
    assert result.score_level.code == "low"
    assert result.level.code == "high"
    assert result.raised_by_critical
    assert result.critical_items == ["strangulation"]


def test_critical_no_does_not_raise() -> None:
    result = score(get_instrument(DANGER), {"strangulation": "no", "death_threats": False})
    assert result.level.code == "low"
    assert result.critical_items == []


def test_critical_never_lowers_a_higher_level() -> None:
    answers: dict[str, str | bool] = {
        "death_threats": "yes",  # 3
        "weapon_access": "yes",  # 2
        "weapon_used_or_threatened": "yes",  # 4
        "strangulation": "yes",  # 4
        "recent_separation": "yes",  # 2
        "protection_order_breached": "yes",  # 3
        "believes_capable_of_killing": "yes",  # 2
    }
    result = score(get_instrument(DANGER), answers)
    assert result.score == 20
    assert result.level.code == "extreme"
    assert not result.raised_by_critical
    assert result.critical_items == ["death_threats", "weapon_used_or_threatened", "strangulation"]


def test_child_screen_by_hand() -> None:
    child = get_instrument(CHILD)
    at_home = score(
        child,
        {
            "aggressor_contact": "lives_with",  # 4
            "aggressor_is_caregiver": "yes",  # 3
            "no_protective_adult": "yes",  # 3
        },
    )
    assert at_home.score == 10
    assert at_home.level.code == "high"
    assert at_home.critical_items == []

    away = score(
        child,
        {"aggressor_contact": "no_access", "repeated_abuse": "yes", "school_dropout": "yes"},
    )  # 0 + 2 + 1
    assert away.score == 3
    assert away.level.code == "low"
    assert away.answered == 3
    assert len(away.missing) == 8

    pregnancy = score(child, {"pregnancy_from_abuse": "yes", "aggressor_contact": "easy_access"})
    assert pregnancy.score == 5  # 3 + 2
    assert pregnancy.score_level.code == "moderate"
    assert pregnancy.level.code == "high"
    assert pregnancy.critical_items == ["pregnancy_from_abuse"]


def test_critical_option_and_custom_minimum_level(tmp_path: Path) -> None:
    mini = load_instrument(write(tmp_path, VALID, "mini.toml"))
    daily = score(mini, {"frequency": "daily"})  # 5: high by score, critical option
    assert (daily.score, daily.level.code, daily.critical_items) == (5, "high", ["frequency"])

    stricter = load_instrument(
        write(tmp_path, 'critical_min_level = "extreme"\n' + VALID, "stricter.toml")
    )
    assert stricter.critical_min_level == "extreme"
    threat = score(stricter, {"threat": "yes", "frequency": "monthly"})  # 3 + 2
    assert threat.score == 5
    assert threat.score_level.code == "high"
    assert threat.level.code == "extreme"
    assert score(stricter, {"frequency": "monthly"}).level.code == "low"  # 2, nothing critical


# --- Bad answers -------------------------------------------------------------------------------


def test_unknown_item_code_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"unknown item 'choking'"):
        score(get_instrument(DANGER), {"choking": "yes"})


@pytest.mark.parametrize("value", ["maybe", "sí", "", "lives_with"])
def test_yes_no_takes_only_yes_or_no(value: str) -> None:
    with pytest.raises(ValueError, match=r"item 'strangulation' takes 'yes' or 'no'"):
        score(get_instrument(DANGER), {"strangulation": value})


def test_unknown_option_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"item 'aggressor_contact' takes one of 'lives_with'"):
        score(get_instrument(CHILD), {"aggressor_contact": "neighbour"})


def test_bool_for_a_choice_item_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"item 'aggressor_contact'.*got True"):
        score(get_instrument(CHILD), {"aggressor_contact": True})


def test_every_bad_answer_is_named_at_once() -> None:
    with pytest.raises(ValueError, match=r"^Instrument 'child_risk_bo': ") as caught:
        score(get_instrument(CHILD), {"nope": "yes", "repeated_abuse": "often"})
    assert "'nope'" in str(caught.value)
    assert "'repeated_abuse'" in str(caught.value)
    assert "child_risk_bo" in str(caught.value)


# --- Validation of instrument files ------------------------------------------------------------


def test_valid_template_loads(tmp_path: Path) -> None:
    mini = load_instrument(write(tmp_path, VALID, "mini.toml"))
    assert isinstance(mini, Instrument)
    assert mini.max_score == 8  # 3 + max(0, 2, 5)


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    error = refused(tmp_path, changed('name_en = "Mini"', 'name_en = "Mini'))
    assert error.line == 4
    assert "line 4" in str(error)
    assert "TOML syntax error" in str(error)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError, match=r"absent\.toml: cannot read the file"):
        load_instrument(tmp_path / "absent.toml")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_bytes(VALID.replace("Prueba", "Peligro é").encode("latin-1"))
    with pytest.raises(InstrumentError, match=r"broken\.toml: the file is not valid UTF-8"):
        load_instrument(path)


def test_unknown_top_level_key(tmp_path: Path) -> None:
    error = refused(tmp_path, "autor = 'x'\n" + VALID)
    assert "unknown key 'autor'" in str(error)


def test_unknown_item_key_names_item_and_suggests(tmp_path: Path) -> None:
    error = refused(tmp_path, changed("weight = 3", "wieght = 3"))
    assert "item 'threat': unknown key 'wieght' (did you mean 'weight'?)" in str(error)


def test_unknown_option_key_names_item_and_option(tmp_path: Path) -> None:
    error = refused(tmp_path, changed('label_en = "Never",', 'label_en = "Never", colour = "x",'))
    assert "item 'frequency', option 'never': unknown key 'colour'" in str(error)


def test_unknown_level_key(tmp_path: Path) -> None:
    error = refused(tmp_path, changed("min_score = 4", "min_score = 4\ncolour = 'red'"))
    assert "level 'high': unknown key 'colour'" in str(error)


def test_missing_top_level_field(tmp_path: Path) -> None:
    error = refused(tmp_path, changed('source = "Tests"\n', ""))
    assert "missing field 'source'" in str(error)


def test_missing_item_field_names_item(tmp_path: Path) -> None:
    error = refused(tmp_path, changed('text_en = "Threats?"\n', ""))
    assert "item 'threat': missing field 'text_en'" in str(error)


def test_item_without_code_is_named_by_position(tmp_path: Path) -> None:
    error = refused(tmp_path, changed('code = "frequency"\n', ""))
    assert "item #2: missing field 'code'" in str(error)


def test_yes_no_without_weight(tmp_path: Path) -> None:
    error = refused(tmp_path, changed("weight = 3\n", ""))
    assert "item 'threat': missing field 'weight'" in str(error)


def test_duplicate_item_codes(tmp_path: Path) -> None:
    error = refused(tmp_path, changed('code = "frequency"', 'code = "threat"'))
    assert "item 'threat': duplicate item code" in str(error)


def test_negative_weight(tmp_path: Path) -> None:
    error = refused(tmp_path, changed("weight = 3", "weight = -3"))
    assert "item 'threat': 'weight' must be a non-negative whole number (got -3)" in str(error)


def test_negative_option_weight(tmp_path: Path) -> None:
    error = refused(tmp_path, changed("weight = 2 }", "weight = -2 }"))
    assert "item 'frequency', option 'monthly': 'weight' must be a non-negative" in str(error)


@pytest.mark.parametrize("weight", ["true", "1.5", '"3"'])
def test_weight_must_be_a_whole_number(tmp_path: Path, weight: str) -> None:
    error = refused(tmp_path, changed("weight = 3", f"weight = {weight}"))
    assert "item 'threat': 'weight' must be a non-negative whole number" in str(error)


def test_levels_not_ascending(tmp_path: Path) -> None:
    error = refused(tmp_path, changed("min_score = 7", "min_score = 4"))
    assert "level 'extreme': levels must be in ascending order of min_score" in str(error)


def test_levels_not_starting_at_zero(tmp_path: Path) -> None:
    error = refused(tmp_path, changed("min_score = 0", "min_score = 1"))
    assert "level 'low': the first level must start at min_score = 0 (got 1)" in str(error)


def test_duplicate_level_code(tmp_path: Path) -> None:
    error = refused(tmp_path, changed('code = "extreme"', 'code = "high"'))
    assert "level 'high': duplicate level code" in str(error)


def test_unreachable_level(tmp_path: Path) -> None:
    error = refused(tmp_path, changed("min_score = 7", "min_score = 9"))
    assert "level 'extreme': `min_score` 9 can never be reached" in str(error)
    assert "at most 8" in str(error)


def test_unknown_kind(tmp_path: Path) -> None:
    error = refused(tmp_path, changed('kind = "yes_no"', 'kind = "scale"'))
    assert "item 'threat': unknown kind 'scale'" in str(error)


def test_choice_without_options(tmp_path: Path) -> None:
    text = VALID.split("options = [")[0] + VALID.split("\n]\n", 1)[1]
    error = refused(tmp_path, text)
    assert "item 'frequency': kind = 'choice' needs a non-empty `options` list" in str(error)


def test_choice_with_empty_options(tmp_path: Path) -> None:
    text = VALID.split("options = [")[0] + "options = []\n" + VALID.split("\n]\n", 1)[1]
    error = refused(tmp_path, text)
    assert "item 'frequency': kind = 'choice' needs a non-empty `options` list" in str(error)


def test_duplicate_option_code(tmp_path: Path) -> None:
    error = refused(tmp_path, changed('code = "monthly"', 'code = "never"'))
    assert "item 'frequency', option 'never': duplicate option code" in str(error)


def test_weight_on_choice_and_options_on_yes_no(tmp_path: Path) -> None:
    text = changed('kind = "choice"', 'kind = "choice"\nweight = 1')
    text = text.replace("critical = true\n", 'critical = true\noptions = [{ code = "a" }]\n', 1)
    error = refused(tmp_path, text)
    assert "item 'frequency': `weight` is only for kind = 'yes_no'" in str(error)
    assert "item 'threat': `options` are only for kind = 'choice'" in str(error)


def test_critical_on_a_choice_item(tmp_path: Path) -> None:
    error = refused(tmp_path, changed('kind = "choice"', 'kind = "choice"\ncritical = true'))
    assert "item 'frequency': `critical` is only for kind = 'yes_no'; mark the option" in str(error)


def test_empty_items(tmp_path: Path) -> None:
    text = (
        VALID.split("[[items]]")[0] + "items = []\n\n[[levels]]" + VALID.split("[[levels]]", 1)[1]
    )
    error = refused(tmp_path, text)
    assert "'items' must not be empty" in str(error)


def test_unknown_applies_to(tmp_path: Path) -> None:
    error = refused(tmp_path, changed('applies_to = "any"', 'applies_to = "adults"'))
    assert "unknown applies_to 'adults'; use one of 'adult', 'child', 'any'" in str(error)


def test_unknown_status(tmp_path: Path) -> None:
    error = refused(tmp_path, changed('status = "to_check"', 'status = "validated"'))
    assert "unknown status 'validated'; use one of 'confirmed', 'to_check', 'assumed'" in str(error)


def test_bad_version_and_codes(tmp_path: Path) -> None:
    text = changed("version = 1", 'version = "1.0"').replace('code = "threat"', 'code = "Threat!"')
    error = refused(tmp_path, text)
    assert "`version` must be a whole number from 1 (got '1.0')" in str(error)
    assert "item 'Threat!': 'code' must be lowercase letters" in str(error)


def test_critical_min_level_must_be_a_level(tmp_path: Path) -> None:
    error = refused(tmp_path, 'critical_min_level = "severe"\n' + VALID)
    assert "`critical_min_level` is 'severe', not one of the levels" in str(error)


def test_critical_items_need_a_high_level(tmp_path: Path) -> None:
    error = refused(tmp_path, changed('code = "high"', 'code = "elevated"'))
    assert "critical items raise the level to 'high', which is not one of the levels" in str(error)


def test_every_problem_is_listed(tmp_path: Path) -> None:
    text = changed('status = "to_check"', 'status = "ok"').replace("weight = 3", "weight = -1")
    error = refused(tmp_path, text)
    assert "2 problems" in str(error)
    assert len(error.problems) == 2


def test_two_files_with_the_same_code(tmp_path: Path) -> None:
    write(tmp_path, VALID, "a.toml")
    write(tmp_path, VALID, "b.toml")
    with pytest.raises(InstrumentError) as caught:
        load_all(tmp_path)
    message = str(caught.value)
    assert "b.toml" in message
    assert "a.toml" in message
    assert "instrument code 'mini' is already used" in message


def test_load_all_reports_the_broken_file(tmp_path: Path) -> None:
    write(tmp_path, VALID, "a.toml")
    write(tmp_path, changed('kind = "yes_no"', 'kind = "yesno"'))
    with pytest.raises(InstrumentError, match=r"broken\.toml: item 'threat': unknown kind"):
        load_all(tmp_path)


def test_load_all_ignores_other_files(tmp_path: Path) -> None:
    write(tmp_path, VALID, "mini.toml")
    (tmp_path / "notes.md").write_text("not an instrument", encoding="utf-8")
    assert list(load_all(tmp_path)) == ["mini"]


# --- Labels ------------------------------------------------------------------------------------


def test_label_picks_language_with_spanish_fallback() -> None:
    danger = get_instrument(DANGER)
    strangulation = danger.item("strangulation")
    assert strangulation is not None
    assert label(danger, "es") == "Valoración de peligro en violencia de pareja"
    assert label(danger, "en") == "Intimate-partner violence danger assessment"
    assert label(danger, "en-us") == label(danger, "en")
    assert label(danger, "en_GB") == label(danger, "en")
    assert label(danger, "qu") == label(danger, "es")  # Quechua: no text yet, Spanish
    assert label(danger, None) == label(danger, "es")
    assert label(danger.levels[2], "es") == "Alto"
    assert label(danger.levels[2], "en") == "High"
    assert label(strangulation, "en").startswith("Has your partner or ex-partner ever squeezed")
    assert label(strangulation, "es", "help").startswith("Aunque no haya dejado marcas")
    contact = get_instrument(CHILD).item("aggressor_contact")
    assert contact is not None
    assert label(contact.options[3], "es") == "No se sabe"
    assert label(contact.options[3], "en") == "Not known"


def test_label_falls_back_when_english_is_missing(tmp_path: Path) -> None:
    mini = load_instrument(
        write(tmp_path, changed('text_en = "Threats?"', 'text_en = "Threats?"\nhelp_es = "Ayuda"'))
    )
    threat = mini.items[0]
    assert label(threat, "en", "help") == "Ayuda"
    assert label(mini.items[1], "en", "help") == ""
