"""Small text helpers shared by the services and the registry import."""

from django.utils.text import slugify

# Letters slugify would drop, spelled out as Norwegians and Sámi write them without them.
SLUG_LETTERS = str.maketrans(
    {"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "å": "a", "Å": "A"}
    | {"đ": "d", "Đ": "D", "ŋ": "n", "Ŋ": "N", "ŧ": "t", "Ŧ": "T"}
)


def norwegian_slug(text: str, *, max_length: int = 200) -> str:
    """A URL slug that keeps Norwegian words readable: "Mobil røntgen" -> "mobil-rontgen"."""
    return slugify((text or "").translate(SLUG_LETTERS))[:max_length].strip("-")
