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


def _segments(old: str, new: str) -> tuple[list[tuple[str, str]], bool]:
    """The two texts as ("equal" | "del" | "ins", text) runs, and whether the comparison was cut
    short at MAX_TOKENS."""
    old_tokens, new_tokens = TOKEN.findall(old or ""), TOKEN.findall(new or "")
    head = _common_prefix(old_tokens, new_tokens)
    tail = _common_suffix(old_tokens, new_tokens, head)
    old_middle = old_tokens[head : len(old_tokens) - tail]
    new_middle = new_tokens[head : len(new_tokens) - tail]
    truncated = len(old_middle) > MAX_TOKENS or len(new_middle) > MAX_TOKENS
    old_compared, new_compared = old_middle[:MAX_TOKENS], new_middle[:MAX_TOKENS]

    segments: list[tuple[str, str]] = [("equal", "".join(old_tokens[:head]))]
    removed: list[str] = []
    added: list[str] = []

    def flush() -> None:
        if removed:
            segments.append(("del", "".join(removed)))
        if added:
            segments.append(("ins", "".join(added)))
        removed.clear()
        added.clear()

    if old_compared or new_compared:
        for tag, a1, a2, b1, b2 in _opcodes(old_compared, new_compared):
            if tag == "equal":
                flush()
                segments.append(("equal", "".join(old_compared[a1:a2])))
                continue
            removed.extend(old_compared[a1:a2])
            added.extend(new_compared[b1:b2])
    removed.extend(old_middle[MAX_TOKENS:])
    added.extend(new_middle[MAX_TOKENS:])
    flush()
    segments.append(("equal", "".join(old_tokens[len(old_tokens) - tail :])))
    return [(kind, text) for kind, text in segments if text], truncated


def _html(segments: list[tuple[str, str]], truncated: bool) -> SafeString:
    parts = [
        escape(text) if kind == "equal" else f"<{kind}>{escape(text)}</{kind}>"
        for kind, text in segments
    ]
    if truncated:
        parts.append(truncation_note())
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above


def word_diff(old: str, new: str) -> SafeString:
    """Old and new text as HTML with deletions in <del> and insertions in <ins>, word by word."""
    return _html(*_segments(old, new))


# Words kept on each side of a change in the compact form.
CONTEXT_WORDS = 6


def _words(text: str, count: int, *, last: bool) -> str:
    """The first (or last) `count` words of a text, with the spaces between them."""
    tokens = TOKEN.findall(text)
    words = 0
    for index, token in enumerate(reversed(tokens) if last else tokens):
        if not token.isspace():
            words += 1
            if words > count:
                kept = tokens[len(tokens) - index :] if last else tokens[:index]
                return "".join(kept)
    return text


def compact_word_diff(old: str, new: str) -> SafeString:
    """The changes only, each with a few words around it, and "…" for what lies between: for a
    history, where one changed word in a long text must not mean the whole text again."""
    segments, truncated = _segments(old, new)
    compact: list[tuple[str, str]] = []
    for index, (kind, text) in enumerate(segments):
        if kind != "equal":
            compact.append((kind, text))
            continue
        first, last = index == 0, index == len(segments) - 1
        after = "" if first else _words(text, CONTEXT_WORDS, last=False)
        before = "" if last else _words(text, CONTEXT_WORDS, last=True)
        if len(after) + len(before) >= len(text):
            compact.append((kind, text))
            continue
        ellipsis = " … " if not first and not last else ("… " if first else " …")
        compact.append((kind, f"{after.rstrip()}{ellipsis}{before.lstrip()}"))
    return _html(compact, truncated)
