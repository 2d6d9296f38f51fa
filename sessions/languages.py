"""A language as people read it: sources name languages by code ("en", "deu", "pt_BR",
media.ccc.de's "deu-eng" for a talk in two), the catalog shows names ("German")."""

from django.conf.locale import LANG_INFO

# ISO 639-2 (three letters, both the bibliographic and the terminology forms) for the
# languages Django knows by two letters: what media.ccc.de, pyvideo and frab files use.
THREE_LETTERS = {
    "ara": "ar", "bul": "bg", "cat": "ca", "ces": "cs", "cze": "cs", "dan": "da", "deu": "de",
    "ger": "de", "ell": "el", "gre": "el", "eng": "en", "epo": "eo", "spa": "es", "est": "et",
    "eus": "eu", "baq": "eu", "fas": "fa", "per": "fa", "fin": "fi", "fra": "fr", "fre": "fr",
    "gle": "ga", "glg": "gl", "heb": "he", "hin": "hi", "hrv": "hr", "hun": "hu", "ind": "id",
    "isl": "is", "ice": "is", "ita": "it", "jpn": "ja", "kor": "ko", "lit": "lt", "lav": "lv",
    "nld": "nl", "dut": "nl", "nor": "no", "nob": "nb", "pol": "pl", "por": "pt", "ron": "ro",
    "rum": "ro", "rus": "ru", "slk": "sk", "slo": "sk", "slv": "sl", "srp": "sr", "swe": "sv",
    "tha": "th", "tur": "tr", "ukr": "uk", "vie": "vi", "zho": "zh", "chi": "zh",
}  # fmt: skip


def language_name(code: str) -> str:
    """The English name of a language code, "German and English" for "deu-eng"; the code
    itself when it is not a language we know."""
    if not code:
        return ""
    parts = [p for p in code.replace("_", "-").lower().split("-") if p]
    if len(parts) > 1 and all(len(p) == 3 for p in parts):  # "deu-eng": two languages
        names = [_one(p) for p in parts]
        if all(names):
            return " and ".join(names)
    return _one("-".join(parts)) or code


OWN_NAMES = {"zh": "Chinese"}  # Django knows only its two written forms


def _one(code: str) -> str:
    code = THREE_LETTERS.get(code, code)
    if code in OWN_NAMES:
        return OWN_NAMES[code]
    info = LANG_INFO.get(code)
    if info is None and "-" in code:  # "fr-ca" where Django only knows "fr"
        return _one(code.split("-")[0])
    while info is not None and "fallback" in info:  # "zh-cn" -> "zh-hans"
        info = LANG_INFO.get(info["fallback"][0])
    return info["name"] if info else ""


def two_letters(code: str) -> str:
    """ "deu" -> "de", "en" -> "en", "deu-eng" -> "de" (a file with two audio tracks plays
    the first unless asked): one form to compare languages in."""
    first = code.replace("_", "-").lower().split("-")[0] if code else ""
    return THREE_LETTERS.get(first, first)
