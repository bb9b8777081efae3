"""A case's content: what authors write, what a revision holds, what history snapshots,
and how proposed content is checked."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Case, CaseTerm, Organisation
from .vocabularies import Benefit, InnovationType, Origin, Sector, Stage, WorkplaceType

TEXT_FIELDS = ["title", "summary", "problem", "solution", "results", "reuse_guide", "contact"]


CODE_FIELDS = {"workplace_type": WorkplaceType, "stage": Stage, "origin": Origin}


TERM_FIELDS = {
    "sectors": (CaseTerm.Vocabulary.SECTOR, Sector),
    "innovation_types": (CaseTerm.Vocabulary.INNOVATION_TYPE, InnovationType),
    "benefits": (CaseTerm.Vocabulary.BENEFIT, Benefit),
    "tags": (CaseTerm.Vocabulary.TAG, None),
}


CONTENT_FIELDS = [
    *TEXT_FIELDS,
    *CODE_FIELDS,
    *TERM_FIELDS,
    "links",
    "partners",
    "source_case",
    "source_description",
    "attachments",
]


MAX_TAG_LENGTH = 60


def case_snapshot(case: Case) -> dict[str, Any]:
    """The case's content as plain JSON: what history stores and revisions propose."""
    data: dict[str, Any] = {field: getattr(case, field) for field in TEXT_FIELDS}
    data.update({field: getattr(case, field) for field in CODE_FIELDS})
    terms = list(case.terms.all()) if case.pk else []
    for field, (vocabulary, _codes) in TERM_FIELDS.items():
        data[field] = sorted(t.code for t in terms if t.vocabulary == vocabulary)
    data["links"] = list(case.links or [])
    data["partners"] = sorted(case.partners.values_list("pk", flat=True)) if case.pk else []
    data["source_case"] = case.source_case_id
    data["source_description"] = case.source_description
    data["attachments"] = (
        sorted(case.attachments.filter(pending=False).values_list("pk", flat=True))
        if case.pk
        else []
    )
    return data


def case_version(case: Case) -> str:
    """An opaque token that changes whenever the case's content or status changes."""
    return f"{case.pk}:{case.updated_at.isoformat()}:{case.status}"


def snapshot_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    """{field: [old, new]} for the fields that differ."""
    return {
        field: [before.get(field), after.get(field)]
        for field in CONTENT_FIELDS
        if before.get(field) != after.get(field)
    }


def clean_content(
    data: dict[str, Any], *, owner: Organisation, case: Case | None
) -> dict[str, Any]:
    """Normalise and validate proposed content. Raises ValidationError with per-field messages."""
    errors: dict[str, list[str]] = {}
    unknown = set(data) - set(CONTENT_FIELDS)
    if unknown:
        errors["__all__"] = [_("Unknown fields: %s.") % ", ".join(sorted(unknown))]
    clean: dict[str, Any] = {}
    for field in TEXT_FIELDS:
        if field in data:
            value = data[field] if data[field] is not None else ""
            if not isinstance(value, str):
                errors.setdefault(field, []).append(_("Must be text."))
                continue
            value = value.replace("\x00", "").strip()
            limit = Case._meta.get_field(field).max_length
            if limit and len(value) > limit:
                errors.setdefault(field, []).append(
                    _("At most %(limit)d characters (now %(length)d).")
                    % {"limit": limit, "length": len(value)}
                )
            clean[field] = value
    if "title" in clean and not clean["title"]:
        errors.setdefault("title", []).append(_("A case needs a title."))
    for field, choices in CODE_FIELDS.items():
        if field in data:
            value = data[field] or ""
            if field == "origin" and not value:
                value = Origin.UNKNOWN
            if value and value not in choices.values:
                errors.setdefault(field, []).append(
                    _("Unknown code “%(value)s”. Allowed: %(allowed)s.")
                    % {"value": value, "allowed": ", ".join(choices.values)}
                )
            clean[field] = value
    for field, (_vocabulary, choices) in TERM_FIELDS.items():
        if field in data:
            values = data[field] or []
            if isinstance(values, str):
                values = [values]
            codes = []
            for value in values:
                value = str(value).replace("\x00", "").strip()
                if choices is None:
                    value = value.lower()
                    if len(value) > MAX_TAG_LENGTH:
                        errors.setdefault(field, []).append(
                            _("A tag has at most %d characters.") % MAX_TAG_LENGTH
                        )
                        continue
                elif value not in choices.values:
                    errors.setdefault(field, []).append(
                        _("Unknown code “%(value)s”. Allowed: %(allowed)s.")
                        % {"value": value, "allowed": ", ".join(choices.values)}
                    )
                    continue
                if value and value not in codes:
                    codes.append(value)
            clean[field] = sorted(codes)
    if "links" in data:
        links = []
        for link in data["links"] or []:
            if isinstance(link, str):
                link = {"url": link, "title": ""}
            url = str(link.get("url", "")).strip() if isinstance(link, dict) else ""
            if not url.startswith(("https://", "http://")):
                errors.setdefault("links", []).append(
                    _("A link must start with https:// or http://.")
                )
                continue
            links.append({"url": url[:500], "title": str(link.get("title", "")).strip()[:200]})
        clean["links"] = links
    if "partners" in data:
        ids = [getattr(p, "pk", p) for p in data["partners"] or []]
        try:
            ids = sorted({int(pk) for pk in ids})
        except (TypeError, ValueError):
            errors.setdefault("partners", []).append(_("Partners are organisation ids."))
            ids = []
        found = set(Organisation.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if set(ids) - found:
            errors.setdefault("partners", []).append(_("Unknown partner organisation."))
        if owner.pk in found:
            errors.setdefault("partners", []).append(
                _("The owner organisation cannot also be a partner.")
            )
        clean["partners"] = sorted(found - {owner.pk})
    if "source_case" in data:
        source = data["source_case"]
        source_id = getattr(source, "pk", source)
        if source_id in ("", None):
            clean["source_case"] = None
        else:
            try:
                source_id = int(source_id)
            except (TypeError, ValueError):
                source_id = None
            if source_id is None or not Case.objects.published().filter(pk=source_id).exists():
                errors.setdefault("source_case", []).append(
                    _("The source must be a published case on this platform.")
                )
            elif case is not None and case.pk == source_id:
                errors.setdefault("source_case", []).append(_("A case cannot be its own source."))
            clean["source_case"] = source_id
    if "source_description" in data:
        clean["source_description"] = (data["source_description"] or "").strip()
    if "attachments" in data:
        ids = {int(pk) for pk in data["attachments"] or []}
        known = set(case.attachments.values_list("pk", flat=True)) if case else set()
        if ids - known:
            errors.setdefault("attachments", []).append(_("Unknown attachment."))
        clean["attachments"] = sorted(ids & known)
    # A first-of-its-kind case has no source: the database refuses it, so say so clearly.
    origin = clean.get("origin", case.origin if case else Origin.UNKNOWN)
    if origin == Origin.FIRST and (clean.get("source_case") or clean.get("source_description")):
        errors.setdefault("origin", []).append(
            _(
                "A case that is the first of its kind has no source; remove the source or "
                "choose another origin."
            )
        )
    if errors:
        raise ValidationError(errors)
    return clean
