"""Bytes of an inventory file → text, whatever Windows tool and console wrote them.

`systeminfo > file` writes the console's OEM code page (cp850 in Western Europe, cp437 in the US,
cp866 in Russia, GBK in China, cp932 in Japan …), PowerShell 5 redirection writes UTF-16 LE with a
BOM, PowerShell 7 and editors write UTF-8, and a file opened and saved in Notepad may end up in the
ANSI code page (cp1252, cp1251 …). None of them says which. The order of checks:

1. byte-order marks (UTF-8, UTF-16 LE/BE; UTF-32 is refused: no Windows tool writes it, so such a
   file has been through a conversion we would only be guessing about);
2. NUL bytes: the pattern of UTF-16 without a BOM (ASCII text leaves every other byte NUL), anything
   else with NULs or many control bytes is binary;
3. plain ASCII, then strict UTF-8 (random high bytes are almost never valid UTF-8);
4. the code pages, each decoded strictly and scored for plausibility: letters inside words of one
   script score, box-drawing characters, control characters and mixed scripts in a word cost. The
   caller may pass `hints` (known localized labels, matched against line starts up to the first
   colon): finding one in the decoded text is the strongest evidence, which is what tells GBK from
   cp949 or cp932 on short files.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from sumtui.fleet.inventory.model import InventoryError

# Most likely first: ties go to the earlier one. OEM (console) pages come before their ANSI siblings
# because `systeminfo > file` is how most of these files are made.
CODE_PAGES = ("cp850", "cp1252", "cp437", "cp852", "cp1250", "cp866", "cp1251",
              "gbk", "cp932", "cp950", "cp949")

_SAMPLE = 8192  # bytes looked at for NUL / control patterns: enough to judge, cheap on big files
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x19\x1c-\x1f\x7f]")
# Tokens are words holding a non-ASCII character: found from the non-ASCII runs, then widened over
# the letters around them.
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_WORD_TAIL = re.compile(r"[A-Za-z\u0080-\U0010ffff]*")
_NON_ASCII_CHAR = re.compile(r"[\u0080-\U0010ffff]")
_SPACED_IDEOGRAPHS = re.compile(r"[\u4e00-\u9fff] [\u4e00-\u9fff]")
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0e-\x19\x1c-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\ufffe\uffff]")
_HINT_BONUS = 25
_DOUBLE_BYTE = frozenset({"gbk", "cp932", "cp950", "cp949"})
_MAX_CHAR_SCORE = 2  # the most one character can add (a CJK character, or a Latin one inside a word)
_HEAD = 4096  # characters scored per candidate: plenty to judge, and bounded on big files


def decode_text(data: bytes, *, name: str, hints: Iterable[str] = ()) -> str:
    """The text of `data`; raises InventoryError (naming `name`) for binary data or an unusable encoding."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise InventoryError(f"{name}: UTF-32 text is not supported: save it as UTF-8 or UTF-16")
    if data.startswith(codecs.BOM_UTF8):
        return _checked(_strict(data[3:], "utf-8", name), name)
    if data.startswith(codecs.BOM_UTF16_LE):
        return _checked(_strict(data[2:], "utf-16-le", name), name)
    if data.startswith(codecs.BOM_UTF16_BE):
        return _checked(_strict(data[2:], "utf-16-be", name), name)

    sample = data[:_SAMPLE]
    if b"\x00" in sample:
        return _checked(_strict(data, _nul_pattern(sample, name), name), name)
    if len(_CONTROL.findall(sample)) > max(2, len(sample) // 100):
        raise InventoryError(f"{name}: binary data, not an inventory")
    if data.isascii():
        return data.decode("ascii")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return _best_code_page(data, name, _hint_set(tuple(hints)))


@lru_cache(maxsize=8)  # callers pass the same label table every time
def _hint_set(hints: tuple[str, ...]) -> frozenset[str]:
    return frozenset(" ".join(h.split()).casefold() for h in hints if not h.isascii())


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        if exc.end >= len(data) and exc.start >= len(data) - 4:
            # A file cut inside its last character (an odd UTF-16 byte count): decode what is whole and
            # let the parser see a text that stops mid-line.
            return data[: exc.start].decode(encoding)
        raise InventoryError(f"{name}: invalid {encoding.upper()} text at byte {exc.start}") from None


def _checked(text: str, name: str) -> str:
    # A BOM or a NUL pattern can happen by chance in binary data; what decodes must still look like text.
    sample = text[:_SAMPLE]
    if len(_TEXT_CONTROL.findall(sample)) > max(2, len(sample) // 100):
        raise InventoryError(f"{name}: binary data, not an inventory")
    return text


def _nul_pattern(sample: bytes, name: str) -> str:
    sample = sample[: len(sample) & ~3]
    if not sample:
        raise InventoryError(f"{name}: binary data, not an inventory")
    quarter = len(sample) // 4
    by_pos = [sample[i::4].count(0) for i in range(4)]
    # UTF-32 LE keeps ASCII in byte 0 of 4 and NULs in bytes 2 and 3; BE the mirror image.
    mostly_nul = [count > 0.9 * quarter for count in by_pos]
    if mostly_nul[2] and mostly_nul[3] or mostly_nul[0] and mostly_nul[1]:
        raise InventoryError(f"{name}: UTF-32 text is not supported: save it as UTF-8 or UTF-16")
    even, odd = by_pos[0] + by_pos[2], by_pos[1] + by_pos[3]
    half = len(sample) // 2
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    raise InventoryError(f"{name}: binary data, not an inventory")


def _best_code_page(data: bytes, name: str, hints: frozenset[str]) -> str:
    # Double-byte pages first: on CJK text they score high at once, which lets the single-byte
    # readings of the same bytes stop scoring early (see plausibility's floor). Ties still go to the
    # earlier page of CODE_PAGES.
    order = sorted(range(len(CODE_PAGES)), key=lambda i: CODE_PAGES[i] not in _DOUBLE_BYTE)
    best: tuple[int, int, str] | None = None  # (score, -preference, text)
    for index in order:
        try:
            text = data.decode(CODE_PAGES[index])
        except UnicodeDecodeError:
            continue
        head = text[:_HEAD]  # labels and most non-ASCII words sit at the top of every format we read
        bonus = _HINT_BONUS * _hint_hits(head, hints)
        score = plausibility(head, CODE_PAGES[index], floor=None if best is None else best[0] - bonus)
        if score is None:
            continue
        candidate = (score + bonus, -index, text)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    if best is None or best[0] < 0:
        raise InventoryError(f"{name}: unrecognised text encoding (not UTF-8, UTF-16 or a Windows code page)")
    return best[2]


def _hint_hits(head: str, hints: frozenset[str]) -> int:
    """How many lines start with a known label ("主机名:"): a set lookup per line, not a substring search."""
    if not hints:
        return 0
    found = set()
    for line in head.split("\n"):
        label, colon, _ = line.partition(":")
        if colon and not label.isascii():  # every hint has a non-ASCII character
            key = " ".join(label.split()).casefold()
            if key in hints:
                found.add(key)
    return len(found)


def plausibility(text: str, encoding: str = "", floor: int | None = None) -> int | None:
    """How much the non-ASCII characters of `text` look like words of a real language (higher is better).

    `encoding` is the code page `text` was decoded with: for double-byte pages only the characters of
    the page's common core (GB2312 in GBK, JIS level 1 and kana in cp932 …) count, since a wrong
    double-byte reading lands mostly on rare characters. With `floor`, gives up (None) as soon as the
    score can no longer reach it: no character adds more than _MAX_CHAR_SCORE.
    """
    score = 0
    remaining = len(text) - len(text.encode("ascii", "ignore")) if floor is not None else 0
    done = 0
    for match in _NON_ASCII_RUN.finditer(text):
        start, stop = match.span()
        if start < done:
            continue  # already scored as part of the previous token
        while start and text[start - 1].isascii() and text[start - 1].isalpha():
            start -= 1  # widen to the whole word: "modalit" + "à"
        done = _WORD_TAIL.match(text, stop).end()
        token = text[start:done]
        score += _token_score(token, encoding)
        if floor is not None:
            remaining -= len(token) - len(token.encode("ascii", "ignore"))
            if score + _MAX_CHAR_SCORE * remaining < floor:
                return None
    if encoding in _DOUBLE_BYTE:
        # Chinese and Japanese put no space between two ideographs; Korean puts one between words, so
        # a Korean text read as GBK shows "龋胶飘 捞抚".
        score -= 2 * len(_SPACED_IDEOGRAPHS.findall(text))
    return score


@lru_cache(maxsize=16384)  # a fleet's files share their labels: most tokens are seen again and again
def _token_score(token: str, encoding: str) -> int:
    """Score of one word-like token (ASCII letters and non-ASCII characters) holding a non-ASCII one."""
    score = 0
    scripts: set[str] = set()
    latin = non_ascii = bad_case = 0
    last = len(token) - 1
    for match in _NON_ASCII_CHAR.finditer(token):
        index, char = match.start(), match.group()
        non_ascii += 1
        char_score, script = _char_class(char, encoding)
        score += char_score
        if script == "PUNCT":
            if 0 < index < last:
                score -= 2  # "…" or "„" between two letters is a wrongly decoded letter
        elif script:
            scripts.add(script)
            if script == "LATIN":
                latin += 1
                if index and char.isupper() and token[index - 1].islower():
                    bad_case += 1  # "systŐme": a capital inside a lower-case word
    ascii_letters = len(token) - non_ascii
    foreign = scripts - {"LATIN"}
    if foreign and ascii_letters:
        score -= 2 * non_ascii  # "Sм" / "Sδ": ASCII letters glued to another script
    if len(foreign - {"CJK", "HIRAGANA", "KATAKANA"}) > 1 or foreign and "LATIN" in scripts:
        score -= 3 * non_ascii  # one word in two scripts
    elif scripts == {"LATIN"} and ascii_letters:
        if latin * 2 <= latin + ascii_letters:
            score += latin  # an accented letter inside a word: "modalità", "Domäne", "Sì"
        elif len(token) >= 3:
            score -= 2 * latin  # "âzâXâg": more accents than plain letters is a misread double-byte page
    return score - 2 * bad_case


@lru_cache(maxsize=8192)
def _char_class(char: str, encoding: str) -> tuple[int, str | None]:
    """(score, script) of one non-ASCII character; script is None for non-letters, "PUNCT" for punctuation."""
    code = ord(char)
    category = unicodedata.category(char)
    if category[0] == "L":
        if 0xFF61 <= code <= 0xFF9F:
            return -3, "HALFWIDTH"  # half-width katakana: what a CJK page misread as cp932 looks like
        word = unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]
        if word in ("CJK", "HIRAGANA", "KATAKANA", "HANGUL"):
            # One character per two bytes: a common one weighs like two Latin letters, a rare one nothing.
            if encoding == "cp949" and word == "CJK":
                return (1 if _is_common(char, encoding) else 0), word  # Korean text rarely uses Hanja
            return (2 if _is_common(char, encoding) else 0), word
        if word == "GREEK":
            return 0, word
        return 1, word
    if category[0] == "P":
        if 0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFF65:
            return 2, None  # CJK and full-width punctuation: "。", "，", "（"
        return 0, "PUNCT"
    if category == "Zs":
        return 0, None
    if 0x2500 <= code <= 0x259F:
        return -3, None  # box drawing and blocks: OEM-page bytes read with the wrong page
    if category[0] in ("S", "N", "M"):
        return -1, None
    return -5, None  # controls, private use, unassigned


def _is_common(char: str, encoding: str) -> bool:
    """Whether a CJK character is in the everyday core of its double-byte page (a misreading is not)."""
    try:
        if encoding == "gbk":
            char.encode("gb2312")
            return True
        if encoding == "cp949":
            char.encode("euc_kr")
            return True
        raw = char.encode(encoding) if encoding else b""
    except UnicodeEncodeError:
        return False
    if len(raw) != 2:
        return not encoding  # not decoded from a double-byte page: nothing to judge
    lead = raw[0]
    if encoding == "cp932":
        return 0x81 <= lead <= 0x84 or 0x88 <= lead <= 0x98  # symbols, kana, JIS level-1 kanji
    if encoding == "cp950":
        return 0xA1 <= lead <= 0xC6  # symbols and Big5 level-1 hanzi
    return True
