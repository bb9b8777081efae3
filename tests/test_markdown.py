"""Markdown in the long text fields: allowed formatting works, hostile input is inert."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.safestring import SafeString

from cases import markdown
from cases.models import MODERATORS_GROUP
from cases.vocabularies import MembershipRole, MembershipStatus
from tests import factories

HOSTILE = {
    "script": "<script>alert(1)</script>",
    "script-upper": "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "md-javascript": "[x](javascript:alert(1))",
    "md-javascript-mixed-case": "[x](JaVaScRiPt:alert(1))",
    "md-javascript-entity": "[x](&#106;avascript:alert(1))",
    "md-javascript-tab-entity": "[x](java&#9;script:alert(1))",
    "md-javascript-leading-space": "[x]( javascript:alert(1))",
    "md-javascript-angle": "[x](<javascript:alert(1)>)",
    "md-data": "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "md-vbscript": "[x](vbscript:msgbox(1))",
    "md-image-javascript": "![x](javascript:alert(1))",
    "md-reference-javascript": "[x][1]\n\n[1]: javascript:alert(1)",
    "a-javascript": '<a href="javascript:x">y</a>',
    "a-javascript-newline-entity": '<a href="jav&#x0A;ascript:alert(1)">y</a>',
    "a-onclick": '<a href="https://example.no" onclick="alert(1)">y</a>',
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "style": "<style>body { display: none }</style>",
    "style-attribute": '<p style="background:url(javascript:alert(1))">x</p>',
    "svg-onload": "<svg onload=alert(1)>",
    "svg-script": "<svg><script>alert(1)</script></svg>",
    "div-onclick": '<div onclick="alert(1)">klikk</div>',
    "details-ontoggle": "<details open ontoggle=alert(1)>",
    "object": '<object data="https://evil.example/x.swf"></object>',
    "embed": '<embed src="https://evil.example/x.swf">',
    "form": '<form action="https://evil.example"><input name="pw"></form>',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "base": '<base href="https://evil.example/">',
    "link-stylesheet": '<link rel="stylesheet" href="https://evil.example/x.css">',
    "math": '<math><mtext><table><mglyph><style><img src=x onerror="alert(1)">',
    "comment-trick": "<!--<img src=--><img src=x onerror=alert(1)//>",
    "unclosed": '<img src="x" onerror="alert(1)"',
}

# Written out here rather than imported, so widening the sanitiser's allow-list shows up here.
SAFE_TAGS = {
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
SAFE_ATTRIBUTES = {"href", "title", "rel", "scope"}
SAFE_SCHEMES = {"http", "https", "mailto"}


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def problems(html: str) -> list[str]:
    """What in this HTML a browser could run or that escapes the allow-list."""
    parser = _Tags()
    parser.feed(html)
    parser.close()
    found = []
    if re.search(r"<\s*script", html, re.IGNORECASE):
        found.append("<script")
    for tag, attrs in parser.tags:
        if tag not in SAFE_TAGS:
            found.append(f"<{tag}>")
        for name, value in attrs.items():
            if name not in SAFE_ATTRIBUTES:
                found.append(f"<{tag} {name}>")
            if name == "href":
                # Browsers drop whitespace and control characters before reading the scheme.
                url = "".join(ch for ch in value or "" if ch > " ").lower()
                scheme = re.match(r"([a-z][a-z0-9+.-]*):", url)
                if scheme and scheme.group(1) not in SAFE_SCHEMES:
                    found.append(f"href={value!r}")
    return found


def test_the_checker_finds_what_it_should():
    assert problems('<p><img src="x" onerror="alert(1)"></p>')
    assert problems('<a href="java\tscript:alert(1)">x</a>')
    assert problems('<a href="https://x" onclick="y">x</a>')
    assert problems("<p style='color:red'>x</p>")
    assert problems("<script>x</script>")
    assert problems('<p>&lt;img src="x" onerror="alert(1)"</p>') == []
    assert problems('<a href="/saker/x/" rel="nofollow">x</a>') == []


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_is_inert(text):
    html = str(markdown.render(text))
    assert problems(html) == [], html


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_inside_markdown_is_inert(text):
    wrapped = (
        f"## Overskrift\n\n- punkt {text}\n\n> sitat {text}\n\n| a | b |\n|---|---|\n| {text} | 2 |"
    )
    html = str(markdown.render(wrapped))
    assert problems(html) == [], html


def test_script_content_is_dropped():
    assert "alert" not in str(markdown.render("<script>alert(1)</script>"))


def test_harmless_text_inside_removed_tags_is_kept():
    assert "klikk" in str(markdown.render('<div onclick="alert(1)">klikk</div>'))


def test_code_shows_html_as_text():
    html = str(markdown.render("`<script>alert(1)</script>`"))
    assert "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>" in html


def test_render_returns_safe_html_and_empty_for_nothing():
    assert isinstance(markdown.render("tekst"), SafeString)
    assert str(markdown.render("")) == ""
    assert str(markdown.render(None)) == ""


def test_nul_bytes_are_removed():
    assert "\x00" not in str(markdown.render("a\x00b"))


# --- allowed Markdown -------------------------------------------------------------------------


def test_headings_start_at_h3():
    html = str(markdown.render("# Første\n\n## Andre\n\nTekst"))
    assert "<h3>Første</h3>" in html
    assert "<h4>Andre</h4>" in html
    assert "<h1" not in html
    assert "<h2" not in html


def test_setext_headings_start_at_h3_too():
    html = str(markdown.render("Første\n======\n\nAndre\n-----\n"))
    assert "<h3>Første</h3>" in html
    assert "<h4>Andre</h4>" in html


def test_heading_levels_keep_their_order():
    html = str(markdown.render("# A\n\n## B\n\n### C\n\n#### D"))
    levels = [int(level) for level in re.findall(r"<h(\d)>", html)]
    assert levels == sorted(levels)
    assert len(set(levels)) == 4
    assert min(levels) >= 3


def test_raw_heading_tags_never_reach_h1_or_h2():
    html = str(markdown.render("<h1>Stor</h1>\n\n<h2>Mindre</h2>"))
    assert "<h1" not in html
    assert "<h2" not in html


def test_lists():
    html = str(markdown.render("- en\n- to\n\n1. første\n2. andre"))
    assert "<ul>\n<li>en</li>\n<li>to</li>\n</ul>" in html
    assert "<ol>\n<li>første</li>\n<li>andre</li>\n</ol>" in html


def test_emphasis_quotes_and_code_blocks():
    html = str(markdown.render("**fet** og *kursiv*\n\n> sitat\n\n    kode\n"))
    assert "<strong>fet</strong>" in html
    assert "<em>kursiv</em>" in html
    assert "<blockquote>" in html
    assert "<pre><code>kode" in html


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("[lenke](https://example.no/sak)", "https://example.no/sak"),
        ("[lenke](http://example.no)", "http://example.no"),
        ("[lenke](mailto:kari@example.no)", "mailto:kari@example.no"),
        ("<https://example.no>", "https://example.no"),
    ],
)
def test_links_get_rel_noopener_noreferrer_nofollow(text, href):
    html = str(markdown.render(text))
    assert f'href="{href}"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_link_target_and_own_rel_are_replaced():
    html = str(markdown.render('<a href="https://example.no" rel="opener" target="_blank">x</a>'))
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "target=" not in html
    assert 'rel="opener"' not in html


def test_link_title_is_kept():
    html = str(markdown.render('[lenke](https://example.no "Tittel")'))
    assert 'title="Tittel"' in html


def test_tables():
    html = str(markdown.render("| Kommune | Innbyggere |\n|:---|---:|\n| Oslo | 717 710 |\n"))
    for tag in ("<table>", "<thead>", "<tbody>", "<tr>", "<th>Kommune</th>", "<td>Oslo</td>"):
        assert tag in html
    assert problems(html) == []
    assert "style=" not in html
    assert "align=" not in html


def test_images_are_not_allowed():
    assert "<img" not in str(markdown.render("![bilde](https://example.no/x.png)"))


def test_to_text_strips_all_markup():
    text = markdown.to_text("## Tittel\n\n**fet** <script>alert(1)</script> [lenke](https://x.no)")
    assert "<" not in text
    assert "alert" not in text
    assert "fet" in text
    assert "lenke" in text


def test_to_text_is_plain_text_not_html():
    assert markdown.to_text("Mat & helse, a < b") == "Mat & helse, a < b"


# --- through the case page --------------------------------------------------------------------


@pytest.mark.django_db
def test_case_page_with_hostile_text_renders_inert(client, municipality):
    hostile = "\n\n".join(v for k, v in HOSTILE.items() if k != "unclosed")
    case = factories.CaseFactory(
        organisation=municipality,
        published=True,
        title="Farlig sak",
        problem=hostile,
        solution=f"Løsningen **virker**.\n\n{hostile}",
        results=hostile,
        reuse_guide=hostile,
        contact=hostile,
    )
    control = factories.CaseFactory(organisation=municipality, published=True, title="Trygg sak")

    response = client.get(case.get_absolute_url())
    baseline = client.get(control.get_absolute_url()).content.decode()

    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>virker</strong>" in html
    assert html.lower().count("<script") == baseline.lower().count("<script")
    assert "onerror" not in html.lower()
    assert "javascript:" not in html.lower()
    assert "<iframe" not in html.lower()
    assert "onload" not in html.lower()
    assert "onclick" not in html.lower()
    assert "alert(1)" not in html


@pytest.mark.django_db
def test_case_page_escapes_plain_fields(client, municipality):
    case = factories.CaseFactory(
        organisation=municipality,
        published=True,
        title="<script>alert('tittel')</script>",
        summary="<img src=x onerror=alert(2)>",
    )
    html = client.get(case.get_absolute_url()).content.decode()
    assert "<script>alert(" not in html
    assert "&lt;script&gt;" in html
    assert "<img src=x" not in html


@pytest.mark.django_db
def test_editor_preview_and_moderation_review_are_sanitised(client, municipality):
    member = factories.UserFactory()
    factories.MembershipFactory(
        user=member,
        organisation=municipality,
        role=MembershipRole.MEMBER,
        status=MembershipStatus.ACTIVE,
    )
    hostile = "\n\n".join(v for k, v in HOSTILE.items() if k != "unclosed")
    client.force_login(member)
    response = client.post(
        reverse("case-create"),
        {
            "organisation": municipality.pk,
            "title": "Forhåndsvisning",
            "solution": hostile,
            "problem": hostile,
            "origin": "unknown",
            "preview": "1",
        },
    )
    assert response.status_code == 200
    for field in ("problem", "solution"):
        assert problems(str(response.context["preview"][field])) == []

    case = factories.CaseFactory(
        organisation=municipality,
        status="submitted",
        problem=hostile,
        solution=hostile,
        results=hostile,
    )
    moderator = factories.UserFactory()
    moderator.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    client.force_login(moderator)
    response = client.get(reverse("moderation-case", kwargs={"slug": case.slug}))
    assert response.status_code == 200
    html = response.content.decode().lower()
    assert "onerror" not in html
    assert "javascript:" not in html
    assert "alert(1)" not in html
