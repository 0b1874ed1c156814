"""Spelling-tolerant name keys for Azerbaijani, Uzbek and Russian names.

The same person is written Məmmədov, Mammadov, Mamedov or Мамедов; Əliyev, Aliyev, Aliev or
Алиев; Xəlilov, Khalilov or Халилов. `name_key` folds all of those to one plain key (lower-case
Latin a–z, no doubled letters), so two spellings compare equal or nearly so.

`stored_prefixes` goes the other way: from the first letters of a key to every way the registry
(which stores names in the country's official Latin alphabet, capitalised) can begin a name
with them. The search asks the database for those prefixes through the name index, so it never
reads more than the handful of names that could match.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

# Cyrillic (Russian, Azerbaijani and Uzbek letters) to Latin, as people transliterate names.
CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "o", "ж": "j",
    "з": "z", "и": "i", "й": "y", "к": "k", "қ": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "ө": "ö", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ү": "ü", "ў": "o", "ф": "f",
    "х": "h", "ҳ": "h", "һ": "h", "ц": "ts", "ч": "ç", "ш": "ş", "щ": "ş", "ъ": "", "ы": "i",
    "ь": "", "э": "e", "ю": "yu", "я": "ya", "ә": "ə", "ҹ": "j", "ј": "y", "і": "i",
}
# Digraphs of Russian-style and Uzbek Latin spellings, folded before single letters.
DIGRAPHS = (("dzh", "j"), ("dj", "j"), ("kh", "h"), ("sh", "ş"), ("ch", "ç"), ("zh", "j"),
            ("gh", "g"))
# Then one letter to one letter. Azerbaijani c sounds as j (Cəfərov = Джафаров = Jafarov);
# ç becomes c only after that, so the two never meet. Vowels are folded hard (ə/e/a) because
# Russian spellings swap them (Məmmədov → Мамедов).
LETTERS = str.maketrans({
    "c": "j", "ç": "c", "ə": "a", "ä": "a", "e": "a", "ı": "i", "ö": "o", "ü": "u", "ş": "s",
    "x": "h", "q": "k", "ğ": "g", "w": "v",
})
APOSTROPHES = re.compile(r"[ʻʼ'’‘`´]")
NOT_LETTERS = re.compile(r"[^a-z ]+")
DOUBLED = re.compile(r"([a-z])\1+")

# From a key letter to the ways the stored (official Latin) alphabets write it.
SPELLINGS: dict[str, tuple[str, ...]] = {
    "a": ("a", "ə", "e"),
    "i": ("i", "ı"),
    "o": ("o", "ö", "oʻ", "o'", "o‘"),
    "u": ("u", "ü"),
    "h": ("h", "x", "kh"),
    "s": ("s", "ş", "sh"),
    "c": ("ç", "ch"),
    "j": ("c", "j", "dj"),
    "g": ("g", "ğ", "gʻ", "g'", "g‘"),
    "k": ("k", "q"),
}
VOWELS = frozenset("aeiouy")


def _fold(text: str) -> str:
    # İ and I: Azerbaijani and Turkish casing differ from the default; both fold to i.
    text = unicodedata.normalize("NFC", text).replace("İ", "i").replace("I", "i").lower()
    text = "".join(CYRILLIC.get(ch, ch) for ch in text)
    text = APOSTROPHES.sub("", text)
    for digraph, letter in DIGRAPHS:
        text = text.replace(digraph, letter)
    return text.translate(LETTERS)


def name_key(text: str) -> str:
    """The spelling-independent key of a name or of several names separated by spaces."""
    text = _fold(text)
    # Other accents (é, ñ) fall back to the bare letter; anything else that is no letter goes.
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    text = NOT_LETTERS.sub(" ", text)
    text = DOUBLED.sub(r"\1", text)
    # Əliyev / Aliev: a y gliding after i is written by some and not by others.
    text = text.replace("iy", "i")
    return " ".join(text.split())


def _capitalised(spelling: str) -> tuple[str, ...]:
    if spelling.startswith("i"):
        return ("I", "İ")  # Uzbek and Russian-style I, Azerbaijani dotted İ
    if spelling.startswith("ı"):
        return ("I",)
    return (spelling[0].upper() + spelling[1:],)


def stored_prefixes(key: str, length: int = 3) -> list[str]:
    """Every capitalised way a stored name can begin with the first `length` letters of `key`.

    A non-final consonant may be doubled (key "mam…" is stored "Məmm…") and a non-final i may be
    followed by a y (key "alia…" is stored "Əliye…"), the two things `name_key` folds away.
    """
    head = key.replace(" ", "")[:length]
    choices: list[list[str]] = []
    for position, letter in enumerate(head):
        spellings = list(SPELLINGS.get(letter, (letter,)))
        final = position == len(head) - 1
        if not final and letter not in VOWELS and position > 0:
            spellings += [s + s for s in spellings if len(s) == 1]
        if not final and letter == "i":
            spellings += [s + "y" for s in spellings]
        if position == 0:
            spellings = [c for s in spellings for c in _capitalised(s)]
        choices.append(spellings)
    return sorted({"".join(parts) for parts in itertools.product(*choices)})
