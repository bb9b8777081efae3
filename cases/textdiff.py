"""Two versions of a text compared word by word, for the moderator's review of an edit.

What an author writes must not decide how long the page takes (difflib without its junk
heuristic took 2.75 s for 6,000 repeated words). So:
- the texts are split into words and runs of space in one pass;
- the beginning and end they share are set aside in one pass each: an edit usually changes a
  few places, and only what lies between them is compared;
- the comparer gets at most MAX_TOKENS words and spaces of each side; what lies beyond is shown
  removed and added in whole, and a note says so;
- the comparer is RapidFuzz's Indel (longest common subsequence), bit-parallel: its work is
  bounded by the product of the two lengths over 64, never more.
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from rapidfuzz.distance import Indel

TOKEN = re.compile(r"\s+|\S+")
# Words and runs of space of each side that are compared one by one (about 5,000 words).
MAX_TOKENS = 10_000


def _opcodes(old: list[str], new: list[str]):
    """(tag, old start, old end, new start, new end) turning `old` into `new`."""
    return Indel.opcodes(old, new)


def _common_prefix(old: list[str], new: list[str]) -> int:
    n, limit = 0, min(len(old), len(new))
    while n < limit and old[n] == new[n]:
        n += 1
    return n


def _common_suffix(old: list[str], new: list[str], start: int) -> int:
    n, limit = 0, min(len(old), len(new)) - start
    while n < limit and old[-1 - n] == new[-1 - n]:
        n += 1
    return n


def truncation_note() -> str:
    text = _(
        "The versions differ over more than %(words)s words: beyond that, the old text is "
        "shown struck through and the new one underlined, each in whole."
    ) % {"words": f"{MAX_TOKENS // 2:,}".replace(",", "\u00a0")}
    return f'<p class="ds-paragraph diff-note" data-size="sm">{escape(text)}</p>'


def word_diff(old: str, new: str) -> SafeString:
    """Old and new text as HTML with deletions in <del> and insertions in <ins>, word by word."""
    old_tokens, new_tokens = TOKEN.findall(old or ""), TOKEN.findall(new or "")
    head = _common_prefix(old_tokens, new_tokens)
    tail = _common_suffix(old_tokens, new_tokens, head)
    old_middle = old_tokens[head : len(old_tokens) - tail]
    new_middle = new_tokens[head : len(new_tokens) - tail]
    truncated = len(old_middle) > MAX_TOKENS or len(new_middle) > MAX_TOKENS
    old_compared, new_compared = old_middle[:MAX_TOKENS], new_middle[:MAX_TOKENS]

    parts: list[str] = [escape("".join(old_tokens[:head]))]
    removed: list[str] = []
    added: list[str] = []

    def flush() -> None:
        if removed:
            parts.append(f"<del>{escape(''.join(removed))}</del>")
        if added:
            parts.append(f"<ins>{escape(''.join(added))}</ins>")
        removed.clear()
        added.clear()

    if old_compared or new_compared:
        for tag, a1, a2, b1, b2 in _opcodes(old_compared, new_compared):
            if tag == "equal":
                flush()
                parts.append(escape("".join(old_compared[a1:a2])))
                continue
            removed.extend(old_compared[a1:a2])
            added.extend(new_compared[b1:b2])
    removed.extend(old_middle[MAX_TOKENS:])
    added.extend(new_middle[MAX_TOKENS:])
    flush()
    parts.append(escape("".join(old_tokens[len(old_tokens) - tail :])))
    if truncated:
        parts.append(truncation_note())
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above
