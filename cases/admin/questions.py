"""Questions to a case's owner: read in the admin; asked, answered and hidden on the site."""

from django.contrib import admin

from ..models import Question
from .actions import ReadOnlyAdmin


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    """Every question with its answer and who hid what and why; moderators hide them on the
    case page, through the services."""

    list_display = ("created_at", "case", "organisation", "answered_at", "hidden_at")
    list_filter = ("answered_at", "hidden_at", "answer_hidden_at")
    search_fields = ("case__title", "organisation__name", "text", "answer")
    date_hierarchy = "created_at"
    list_select_related = ("case", "organisation")
    fields = (
        "case",
        "organisation",
        "asked_by",
        "created_at",
        "text",
        "answered_by",
        "answered_at",
        "answer",
        "hidden_by",
        "hidden_at",
        "hidden_reason",
        "answer_hidden_by",
        "answer_hidden_at",
        "answer_hidden_reason",
    )
