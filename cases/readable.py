"""A case's content and its changes as people read them: the history's entries ("Endret:
Sammendrag, Stikkord" with what changed) and the moderator's review of everything that will be
published, with what differs from the published version marked.

Snapshots and history entries name organisations, cases and files by id; `Names` reads every
name a page needs in at most three queries, however many entries or fields it shows.
"""

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.safestring import SafeString

from . import markdown
from .content import CODE_FIELDS, CONTENT_FIELDS, TERM_FIELDS, TEXT_FIELDS, field_label
from .models import Adoption, Attachment, Case, CaseEvent, Organisation
from .textdiff import compact_word_diff, word_diff

# Fields whose values are lists of items, each shown added, removed or kept.
LIST_FIELDS = [*TERM_FIELDS, "links", "partners", "attachments"]
# Texts written in Markdown: shown rendered when unchanged, word by word when changed.
MARKDOWN_FIELDS = ["problem", "solution", "results", "reuse_guide", "contact"]
# Fields that name one thing (a code or a case).
VALUE_FIELDS = [*CODE_FIELDS, "source_case"]
# The review's order: the text as the case page reads, then the facts about it.
REVIEW_ORDER = [
    *TEXT_FIELDS,
    "sectors",
    "innovation_types",
    "benefits",
    "workplace_type",
    "stage",
    "tags",
    "links",
    "partners",
    "attachments",
    "origin",
    "source_case",
    "source_description",
]
assert sorted(REVIEW_ORDER) == sorted(CONTENT_FIELDS), "every content field is reviewed"

ADDED, REMOVED, KEPT = "added", "removed", "kept"


@dataclass
class Item:
    """One member of a list: a sector, tag, link, partner or file."""

    text: str
    state: str = KEPT
    url: str = ""
    attachment: Attachment | None = None


@dataclass
class FieldView:
    """One field as shown: `html` for a text (a diff when changed), `items` for a list,
    `old` and `new` for a single value."""

    field: str
    label: str
    changed: bool = False
    html: SafeString | str = ""
    items: list[Item] = dataclasses.field(default_factory=list)
    old: str = ""
    new: str = ""

    @property
    def is_list(self) -> bool:
        return self.field in LIST_FIELDS

    @property
    def is_empty(self) -> bool:
        return not (self.html or self.items or self.old or self.new)


class Names:
    """The names behind the ids in some snapshots or history changes, read once."""

    def __init__(self, values: Iterable[dict[str, Any]]) -> None:
        wanted: dict[str, set[int]] = {
            "partners": set(),
            "source_case": set(),
            "attachments": set(),
        }
        for value in values:
            for name, ids in wanted.items():
                ids.update(_ids(value.get(name)))
        self.organisations = _by_pk(Organisation.objects.all(), wanted["partners"])
        self.cases = _by_pk(Case.all_objects.all(), wanted["source_case"])
        self.attachments = _by_pk(Attachment.all_objects.all(), wanted["attachments"])


def _ids(value: Any) -> set[int]:
    """The ids in a snapshot value: one, a list of them, or none."""
    values = value if isinstance(value, list) else [value]
    return {v for v in values if isinstance(v, int) and not isinstance(v, bool)}


def _by_pk(queryset, ids: set[int]) -> dict[int, Any]:
    return {obj.pk: obj for obj in queryset.filter(pk__in=ids)} if ids else {}


def _code_label(field_name: str, code: Any) -> str:
    vocabulary = CODE_FIELDS.get(field_name) or TERM_FIELDS.get(field_name, (None, None))[1]
    if vocabulary is not None and code in vocabulary.values:
        return str(vocabulary(code).label)
    return "" if code is None else str(code)


def _value_text(field_name: str, value: Any, names: Names) -> str:
    if field_name == "source_case":
        case = names.cases.get(value) if isinstance(value, int) else None
        return case.title if case else ""
    return _code_label(field_name, value) if value else ""


def _items(field_name: str, values: list[Any] | None, names: Names) -> list[Item]:
    items = []
    for value in values or []:
        if field_name == "links" and isinstance(value, dict):
            url = str(value.get("url", ""))
            items.append(Item(text=str(value.get("title") or url), url=url))
        elif field_name == "partners":
            organisation = names.organisations.get(value)
            items.append(
                Item(
                    text=organisation.name if organisation else str(value),
                    url=organisation.get_absolute_url() if organisation else "",
                )
            )
        elif field_name == "attachments":
            attachment = names.attachments.get(value)
            text = (attachment.title or attachment.original_name) if attachment else str(value)
            items.append(Item(text=text, attachment=attachment))
        else:
            items.append(Item(text=_code_label(field_name, value)))
    return items


def _key(field_name: str, value: Any) -> Any:
    """What makes two list members the same: a link by its address, anything else by itself."""
    if field_name == "links" and isinstance(value, dict):
        return value.get("url")
    return value


def _list_changes(field_name: str, old: Any, new: Any, names: Names) -> list[Item]:
    """The new list with each member kept or added, then the members removed."""
    old_list = old if isinstance(old, list) else []
    new_list = new if isinstance(new, list) else []
    old_keys = {_key(field_name, v) for v in old_list}
    new_keys = {_key(field_name, v) for v in new_list}
    items = []
    for value, item in zip(new_list, _items(field_name, new_list, names), strict=True):
        old_same = next(
            (v for v in old_list if _key(field_name, v) == _key(field_name, value)), None
        )
        if _key(field_name, value) not in old_keys or (old_same is not None and old_same != value):
            item.state = ADDED
        items.append(item)
    gone = [v for v in old_list if _key(field_name, v) not in new_keys or v not in new_list]
    for item in _items(field_name, gone, names):
        item.state = REMOVED
        items.append(item)
    return items


def field_view(
    field_name: str, old: Any, new: Any, names: Names, *, compact: bool, compare: bool = True
) -> FieldView:
    """One content field, its change from `old` to `new` marked when `compare`."""
    view = FieldView(field=field_name, label=field_label(field_name))
    view.changed = compare and old != new
    if field_name in LIST_FIELDS:
        view.items = (
            _list_changes(field_name, old, new, names)
            if view.changed
            else _items(field_name, new, names)
        )
        if compact:
            view.items = [item for item in view.items if item.state != KEPT]
    elif field_name in VALUE_FIELDS:
        view.new = _value_text(field_name, new, names)
        view.old = _value_text(field_name, old, names) if view.changed else ""
    elif view.changed:
        diff = compact_word_diff if compact else word_diff
        view.html = diff(str(old or ""), str(new or ""))
    elif field_name in MARKDOWN_FIELDS:
        view.html = markdown.render(str(new or ""))
    else:
        view.html = str(new or "")
    return view


def review_fields(
    after: dict[str, Any], before: dict[str, Any] | None, names: Names
) -> list[FieldView]:
    """Every field that will be published, in the case page's order; with `before` (the
    published version) each change is marked."""
    return [
        field_view(
            name,
            (before or {}).get(name),
            after.get(name),
            names,
            compact=False,
            compare=before is not None,
        )
        for name in REVIEW_ORDER
    ]


@dataclass
class Entry:
    """One history entry: the event, the names of the fields it changed, and what changed."""

    event: CaseEvent
    labels: list[str]
    fields: list[FieldView]


def _other_label(name: str) -> str:
    """The label of a field outside a case's content (a reuse record's), or the name."""
    model_field = name.removesuffix("_id")
    try:
        label = Adoption._meta.get_field(model_field).verbose_name  # type: ignore[union-attr]
    except FieldDoesNotExist:
        return name
    return str(label).capitalize()


def _other_value(name: str, value: Any) -> str:
    try:
        model_field = Adoption._meta.get_field(name.removesuffix("_id"))
    except FieldDoesNotExist:
        return str(value)
    choices = dict(getattr(model_field, "flatchoices", None) or [])
    if value in ("None", None, ""):
        return ""
    return str(choices.get(value, value))


def _pairs(changes: Any) -> dict[str, tuple[Any, Any] | None]:
    """{field: (old, new)} from what an entry stored. Older entries stored the fields' names
    only (a list, or values that are no pair): those read as a name without a change."""
    if isinstance(changes, list):
        return {str(name): None for name in changes}
    if not isinstance(changes, dict):
        return {}
    return {
        str(name): (value[0], value[1]) if isinstance(value, list) and len(value) == 2 else None
        for name, value in changes.items()
    }


def history_entries(events: Iterable[CaseEvent]) -> list[Entry]:
    """The events with their changes in words, the names behind ids read once for them all."""
    events = list(events)
    changes = [_pairs(event.changes) for event in events]
    names = Names(
        {name: pair[side] for name, pair in change.items() if pair is not None}
        for change in changes
        for side in (0, 1)
    )
    entries = []
    for event, change in zip(events, changes, strict=True):
        labels, fields = [], []
        for name, pair in change.items():
            if name in CONTENT_FIELDS:
                labels.append(field_label(name))
                if pair is not None:
                    fields.append(field_view(name, pair[0], pair[1], names, compact=True))
            else:
                label = _other_label(name)
                labels.append(label)
                if pair is not None:
                    fields.append(
                        FieldView(
                            field=name,
                            label=label,
                            changed=True,
                            old=_other_value(name, pair[0]),
                            new=_other_value(name, pair[1]),
                        )
                    )
        entries.append(Entry(event=event, labels=labels, fields=fields))
    return entries
