from __future__ import annotations

from safety import checks
from safety.instruments import Level, get_instrument


def test_it_accepts_the_shipped_instruments():
    assert checks.check_instruments() == []


def test_it_refuses_levels_that_are_not_case_risk_levels(monkeypatch):
    danger = get_instrument("danger_assessment_bo")
    odd = danger.__class__(
        **{**danger.__dict__, "levels": (Level("calm", 0, "Calma", "Calm"), *danger.levels[1:])}
    )
    monkeypatch.setattr(checks, "load_all", lambda: {odd.code: odd})
    (error,) = checks.check_instruments()
    assert error.id == "safety.E002"
    assert "calm" in error.msg
