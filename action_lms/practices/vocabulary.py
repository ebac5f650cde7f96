"""Names for the codes practices carry, for display: ISO 639 languages and ISO 3166
countries of the coalition's region, in the reader's language. A code without a name here
is shown as the code."""

from __future__ import annotations

from typing import Any

from ..core.i18n import _l

LANGUAGE_NAMES: dict[str, Any] = {
    "ar": _l("Arabic"),
    "bg": _l("Bulgarian"),
    "bs": _l("Bosnian"),
    "ca": _l("Catalan"),
    "cs": _l("Czech"),
    "cy": _l("Welsh"),
    "da": _l("Danish"),
    "de": _l("German"),
    "el": _l("Greek"),
    "en": _l("English"),
    "es": _l("Spanish"),
    "et": _l("Estonian"),
    "eu": _l("Basque"),
    "fa": _l("Persian"),
    "fi": _l("Finnish"),
    "fr": _l("French"),
    "ga": _l("Irish"),
    "gl": _l("Galician"),
    "he": _l("Hebrew"),
    "hr": _l("Croatian"),
    "hu": _l("Hungarian"),
    "is": _l("Icelandic"),
    "it": _l("Italian"),
    "ku": _l("Kurdish"),
    "lb": _l("Luxembourgish"),
    "lt": _l("Lithuanian"),
    "lv": _l("Latvian"),
    "mk": _l("Macedonian"),
    "mt": _l("Maltese"),
    "nl": _l("Dutch"),
    "no": _l("Norwegian"),
    "pl": _l("Polish"),
    "pt": _l("Portuguese"),
    "rm": _l("Romansh"),
    "ro": _l("Romanian"),
    "rom": _l("Romani"),
    "ru": _l("Russian"),
    "sk": _l("Slovak"),
    "sl": _l("Slovenian"),
    "so": _l("Somali"),
    "sq": _l("Albanian"),
    "sr": _l("Serbian"),
    "sv": _l("Swedish"),
    "ti": _l("Tigrinya"),
    "tr": _l("Turkish"),
    "uk": _l("Ukrainian"),
    "ur": _l("Urdu"),
}

COUNTRY_NAMES: dict[str, Any] = {
    "AL": _l("Albania"),
    "AT": _l("Austria"),
    "BA": _l("Bosnia and Herzegovina"),
    "BE": _l("Belgium"),
    "BG": _l("Bulgaria"),
    "CH": _l("Switzerland"),
    "CY": _l("Cyprus"),
    "CZ": _l("Czechia"),
    "DE": _l("Germany"),
    "DK": _l("Denmark"),
    "EE": _l("Estonia"),
    "ES": _l("Spain"),
    "FI": _l("Finland"),
    "FR": _l("France"),
    "GB": _l("United Kingdom"),
    "GR": _l("Greece"),
    "HR": _l("Croatia"),
    "HU": _l("Hungary"),
    "IE": _l("Ireland"),
    "IS": _l("Iceland"),
    "IT": _l("Italy"),
    "LT": _l("Lithuania"),
    "LU": _l("Luxembourg"),
    "LV": _l("Latvia"),
    "ME": _l("Montenegro"),
    "MK": _l("North Macedonia"),
    "MT": _l("Malta"),
    "NL": _l("Netherlands"),
    "NO": _l("Norway"),
    "PL": _l("Poland"),
    "PT": _l("Portugal"),
    "RO": _l("Romania"),
    "RS": _l("Serbia"),
    "SE": _l("Sweden"),
    "SI": _l("Slovenia"),
    "SK": _l("Slovakia"),
    "TR": _l("Türkiye"),
    "UA": _l("Ukraine"),
}


def language_name(code: str) -> str:
    return str(LANGUAGE_NAMES.get(code, code))


def country_name(code: str) -> str:
    return str(COUNTRY_NAMES.get(code, code))
