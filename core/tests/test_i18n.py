"""Every Spanish string has its English translation, and the English interface really shows.

Fails when someone adds a string and forgets the catalogue: run `make messages`, translate the
new entries in locale/en/LC_MESSAGES/django.po, and run it again (see docs/translations.md).
Pure Python: no gettext binaries needed to run these tests.
"""

from __future__ import annotations

from typing import Any

import polib
import pytest
from django.test import Client

from core import i18n_check

SKIP_TO_CONTENT = "Saltar al contenido"  # a string of templates/base.html


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return i18n_check.load_po()


@pytest.fixture
def pages(client: Client, db: None, settings: Any) -> Client:
    """The test client, with static files served from the apps (no collectstatic needed)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return client


def test_every_string_has_an_english_translation(catalogue: polib.POFile) -> None:
    messages = i18n_check.extract_project()
    assert len(messages) > 50, (
        "the extractor found almost nothing: is it looking in the right place?"
    )
    missing = i18n_check.missing_translations(messages, catalogue)
    assert not missing, (
        "Strings with no English translation (run `make messages`, then translate them in "
        f"{i18n_check.CATALOGUE_PO.relative_to(i18n_check.ROOT)}):\n"
        + i18n_check.format_messages(missing)
    )


def test_catalogue_has_no_fuzzy_entries_and_keeps_placeholders(
    catalogue: polib.POFile,
) -> None:
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not fuzzy, f"Fuzzy entries are not used at run time; review them: {fuzzy}"
    mismatched = i18n_check.placeholder_mismatches(catalogue)
    assert not mismatched, "Placeholders differ from the Spanish:\n" + "\n".join(mismatched)


def test_compiled_catalogue_is_up_to_date() -> None:
    problems = i18n_check.mo_differences()
    assert not problems, (
        "django.mo is out of date with django.po: run "
        "`manage.py compilemessages -l en -i .venv -i var` (or `make messages`).\n"
        + "\n".join(problems)
    )


def test_login_page_is_spanish_by_default_and_english_on_request(
    pages: Client, catalogue: polib.POFile
) -> None:
    entry = catalogue.find(SKIP_TO_CONTENT)
    assert entry is not None
    english = entry.msgstr
    assert english
    assert english != SKIP_TO_CONTENT

    spanish_page = pages.get("/accounts/login/")
    assert spanish_page.status_code == 200
    assert '<html lang="es">' in spanish_page.text
    assert SKIP_TO_CONTENT in spanish_page.text

    english_page = pages.get("/accounts/login/", headers={"accept-language": "en"})
    assert english_page.status_code == 200
    assert '<html lang="en">' in english_page.text
    assert english in english_page.text
    assert SKIP_TO_CONTENT not in english_page.text


def test_language_cookie_switches_to_english(pages: Client) -> None:
    pages.cookies["django_language"] = "en"
    page = pages.get("/accounts/login/", headers={"accept-language": "es"})
    assert '<html lang="en">' in page.text
    assert SKIP_TO_CONTENT not in page.text


def test_extractor_finds_template_strings() -> None:
    template = (
        "{% load i18n %}\n"
        "{% translate \"Audiencia cautelar\" %} {% trans 'Imputación formal' as label %}\n"
        '{% translate "Abrir" context "verbo" %}\n'
        "{% blocktranslate trimmed with n=case.number %}\n"
        "  Caso {{ n }}\n"
        "  abierto\n"
        "{% endblocktranslate %}\n"
        "{% blocktrans count counter=items|length %}Un plazo{% plural %}"
        "{{ counter }} plazos{% endblocktrans %}\n"
        "{% comment %}{% translate 'No se extrae' %}{% endcomment %}\n"
    )
    found = {
        (m.context, m.msgid, m.plural): m.line
        for m in i18n_check.extract_template(template, "x.html")
    }
    assert found == {
        (None, "Audiencia cautelar", None): 2,
        (None, "Imputación formal", None): 2,
        ("verbo", "Abrir", None): 3,
        (None, "Caso %(n)s abierto", None): 4,
        (None, "Un plazo", "%(counter)s plazos"): 8,
    }


def test_extractor_finds_python_strings() -> None:
    source = (
        "from django.utils.translation import gettext_lazy as _, ngettext, pgettext\n"
        'a = _("Medida de protección")\n'
        'b = ngettext("Un día", "%(n)s días", 2)\n'
        'c = pgettext("rol", "Fiscal")\n'
        "d = _(nombre)  # not a literal: makemessages cannot see it either\n"
    )
    found = {(m.context, m.msgid, m.plural) for m in i18n_check.extract_python(source, "x.py")}
    assert found == {
        (None, "Medida de protección", None),
        (None, "Un día", "%(n)s días"),
        ("rol", "Fiscal", None),
    }


def test_a_new_untranslated_string_is_reported(catalogue: polib.POFile) -> None:
    messages = [
        *i18n_check.extract_template(
            '{% load i18n %}{% translate "Mi trabajo" %}{% translate "Cadena sin traducir" %}',
            "templates/nuevo.html",
        ),
        *i18n_check.extract_python('_("Otra cadena nueva")', "survivors/nuevo.py"),
    ]
    missing = i18n_check.missing_translations(messages, catalogue)
    assert [m.msgid for m in missing] == ["Cadena sin traducir", "Otra cadena nueva"]
    report = i18n_check.format_messages(missing)
    assert "templates/nuevo.html:1" in report
    assert "survivors/nuevo.py:1" in report
