from django.conf import settings
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import RedirectView

from .feeds import CaseFeed
from .sitemaps import SITEMAPS
from .views import (
    adoptions,
    browse,
    cases,
    catalogue,
    floor,
    health,
    home,
    moderation,
    organisations,
    pages,
    questions,
    saved_searches,
    stats,
)

urlpatterns = [
    path("", home.home, name="home"),
    path("saker/", browse.case_search, name="case-list"),
    path("saker/feed/", CaseFeed(), name="feed-cases"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", pages.robots_txt, name="robots-txt"),
    path("favicon.ico", pages.favicon, name="favicon"),
    path("katalog", catalogue.catalogue, name="catalogue"),
    path("apne-data/<str:name>", catalogue.snapshot_file, name="snapshot-file"),
    path("saker/ny/", cases.case_create, name="case-create"),
    path("saker/forhandsvis-tekst/", cases.text_preview, name="text-preview"),
    path("saker/<slug:slug>/", cases.case_detail, name="case-detail"),
    path("saker/<slug:slug>/rediger/", cases.case_edit, name="case-edit"),
    path("saker/<slug:slug>/send-inn/", cases.case_submit, name="case-submit"),
    path("saker/<slug:slug>/arkiver/", cases.case_archive, name="case-archive"),
    path("saker/<slug:slug>/gjenopprett/", cases.case_restore, name="case-restore"),
    path("saker/<slug:slug>/slett/", cases.case_delete, name="case-delete"),
    path("saker/<slug:slug>/rapporter/", cases.case_report, name="case-report"),
    path("saker/<slug:slug>/historikk/", cases.case_history, name="case-history"),
    path("saker/<slug:slug>/gjenbrukt-av/", cases.case_adopters, name="case-adopters"),
    path("saker/<slug:slug>/vedlegg/", cases.attachment_add, name="attachment-add"),
    path(
        "saker/<slug:slug>/vedlegg/<int:pk>/fjern/",
        cases.attachment_remove,
        name="attachment-remove",
    ),
    path("vedlegg/<int:pk>/<str:name>", cases.attachment_download, name="attachment-download"),
    path("saker/<slug:slug>/gjenbruk/", adoptions.adoption_create, name="adoption-create"),
    path("saker/<slug:slug>/sporsmal/", questions.question_ask, name="question-ask"),
    path(
        "saker/<slug:slug>/sporsmal/<int:pk>/svar/",
        questions.question_answer,
        name="question-answer",
    ),
    path(
        "saker/<slug:slug>/sporsmal/<int:pk>/skjul/", questions.question_hide, name="question-hide"
    ),
    path("gjenbruk/<int:pk>/endre/", adoptions.adoption_edit, name="adoption-edit"),
    path("gjenbruk/<int:pk>/trekk-tilbake/", adoptions.adoption_withdraw, name="adoption-withdraw"),
    path("gjenbruk/<int:pk>/bekreft/", adoptions.adoption_confirm, name="adoption-confirm"),
    path(
        "organisasjoner/<slug:slug>/",
        organisations.organisation_detail,
        name="organisation-detail",
    ),
    path(
        "organisasjoner/<slug:slug>/spredning/ny/",
        adoptions.spread_create,
        name="spread-create",
    ),
    path("mitt-arbeid/", cases.my_work, name="my-work"),
    path("lagrede-sok/folg/", saved_searches.saved_search_follow, name="saved-search-follow"),
    path(
        "lagrede-sok/<int:pk>/epost/",
        saved_searches.saved_search_frequency,
        name="saved-search-frequency",
    ),
    path(
        "lagrede-sok/<int:pk>/slett/",
        saved_searches.saved_search_delete,
        name="saved-search-delete",
    ),
    path(
        "lagrede-sok/avmeld/<str:token>/",
        saved_searches.saved_search_unsubscribe,
        name="saved-search-unsubscribe",
    ),
    path(
        "lagrede-sok/avmeld/<str:token>/ett-klikk/",
        saved_searches.saved_search_unsubscribe_one_click,
        name="saved-search-unsubscribe-one-click",
    ),
    # The page's earlier address, kept for bookmarks and old emails.
    path("mine-saker/", RedirectView.as_view(pattern_name="my-work", permanent=True)),
    path("tilgjengelighet/", pages.accessibility, name="accessibility"),
    path("om/", pages.about, name="about"),
    path("personvern/", pages.privacy, name="privacy"),
    path("kontakt/", pages.contact, name="contact"),
    path("statistikk/", stats.dashboard, name="stats-dashboard"),
    path("statistikk/metode/", stats.method, name="stats-method"),
    path("statistikk/<slug:table>.csv", stats.csv_download, name="stats-csv"),
    path(
        "statistikk/semikolon/<slug:table>.csv",
        stats.csv_download,
        {"dialect": "norwegian"},
        name="stats-csv-norwegian",
    ),
    path("statistikk/tabeller.xlsx", stats.xlsx_download, name="stats-xlsx-all"),
    path("statistikk/excel/<slug:table>.xlsx", stats.xlsx_download, name="stats-xlsx"),
    path("moderering/", moderation.queue, name="moderation-queue"),
    path("moderering/saker/<slug:slug>/", moderation.review_case, name="moderation-case"),
    path("moderering/endringer/<int:pk>/", moderation.review_revision, name="moderation-revision"),
    path(
        "moderering/rapporter/<int:pk>/handtert/",
        moderation.report_resolve,
        name="moderation-report-resolve",
    ),
    path("", include("cases.account_urls")),
    path("helse/", health.health, name="health"),
]

# The benchmark's floor (bench/): only on a server the benchmark starts, never in production.
if settings.BENCH_FLOOR_VIEW:
    urlpatterns.append(path("_floor/", floor.floor, name="floor"))
