"""Every page type is valid HTML, as the Nu Html Checker (the W3C validator) reads it.

The pages come from the same list the browser tests walk (tests/browser/site_pages.py), with
the demo content, as each of their personas sees them, in both languages; the checker runs once
over all of them. It needs Java and the `vnu-jar` package (`npm ci`); CI has both. Pages that
a browser must first act on (an editor's preview, a failed login) are checked as they open.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings

from cases.models import User
from tests.browser.site_pages import PAGE_TYPES

VNU = Path(settings.BASE_DIR) / "node_modules/vnu-jar/build/dist/vnu.jar"
JAVA = shutil.which("java")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        JAVA is None or not VNU.exists(),
        reason="the Nu Html Checker needs Java (apt-get install default-jre-headless) and "
        "node_modules/vnu-jar (npm ci)",
    ),
]


def _pages(tmp_path: Path) -> dict[Path, str]:
    """Each page type's HTML as a file, by the file's name: {file: 'page as persona in lang'}."""
    written: dict[Path, str] = {}
    for page_type in PAGE_TYPES:
        for persona in page_type.personas:
            for lang in ("nb", "en"):
                client = Client(raise_request_exception=False)
                client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
                if persona is not None:
                    client.force_login(User.objects.get(email=persona))
                with override_settings(ROOT_URLCONF=page_type.urlconf or settings.ROOT_URLCONF):
                    response = client.get(page_type.path)
                assert response.status_code == page_type.status, (page_type, persona, lang)
                file = tmp_path / f"{page_type.name}-{persona or 'anonymous'}-{lang}.html"
                file.write_bytes(response.content)
                written[file] = f"{page_type.name} as {persona or 'anonymous'} in {lang}"
    return written


def test_every_page_type_is_valid_html(tmp_path, settings):
    settings.DEBUG = False  # the error pages as visitors get them
    call_command("seed_demo", verbosity=0)
    pages = _pages(tmp_path)
    checked = subprocess.run(
        [JAVA, "-jar", str(VNU), "--format", "json", "--errors-only", *map(str, pages)],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(checked.stderr or checked.stdout or '{"messages": []}')
    problems = [
        f"{pages[Path(message['url'].removeprefix('file:'))]}: line {message.get('lastLine')}: "
        f"{message['message']}"
        for message in report["messages"]
        if message["type"] == "error"
    ]
    assert not problems, "\n".join(problems)
    assert len(pages) > 40
