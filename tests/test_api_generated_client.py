"""The proof that the schema is usable: a Python client generated from /api/schema/ by
openapi-python-client, without a hand edit, makes a full and an incremental sync of the change
feed and writes (a case, an adoption, an archive) against a running site, as docs/api.md
describes. Any operation the generator could not build, or a model that cannot read what the
server sends, fails here."""

import importlib
import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from cases import services
from cases.models import Adoption, Case, Membership
from cases.vocabularies import MembershipRole
from tests import factories

pytestmark = [pytest.mark.client, pytest.mark.django_db(transaction=True)]

PACKAGE = "innovasjon_client"


def generate(schema: dict, folder: Path):
    """Generate the client package from the schema into `folder` and import it."""
    (folder / "schema.json").write_text(json.dumps(schema))
    tools = Path(sys.executable).parent
    result = subprocess.run(
        [
            str(tools / "openapi-python-client"),
            "generate",
            "--path",
            str(folder / "schema.json"),
            "--meta",
            "none",
            "--output-path",
            str(folder / PACKAGE),
        ],
        capture_output=True,
        text=True,
        cwd=folder,
        # Its formatting step runs ruff, from the same environment.
        env={**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"},
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # Every operation and model was generated: no warning, nothing skipped.
    assert "Warning" not in output, output
    sys.path.insert(0, str(folder))
    try:
        importlib.invalidate_caches()
        return importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))


@pytest.fixture
def world(db):
    cache.clear()
    owner = factories.MunicipalityFactory(name="Kristiansand", number="4204", slug="kristiansand")
    adopter = factories.MunicipalityFactory(name="Arendal", number="4203", slug="arendal")
    editor = factories.UserFactory()
    Membership.objects.create(user=editor, organisation=owner, role=MembershipRole.EDITOR)
    neighbour = factories.UserFactory()
    Membership.objects.create(user=neighbour, organisation=adopter, role=MembershipRole.EDITOR)
    cases = [
        factories.CaseFactory(organisation=owner, published=True, title=f"Sak {n}")
        for n in range(5)
    ]
    factories.AdoptionFactory(case=cases[0], organisation=adopter)
    factories.CaseFactory(organisation=owner, title="Et utkast")  # never in the feed
    yield {
        "owner": owner,
        "adopter": adopter,
        "cases": cases,
        "editor_key": services.api_token_create(user=editor, name="Klient")[1],
        "neighbour_key": services.api_token_create(user=neighbour, name="Klient")[1],
    }
    cache.clear()


def public_state(base_url: str) -> dict[tuple[str, int], dict]:
    """What a copy must hold: every public case and adoption and every organisation, as the
    API shows them."""
    from cases.api.serializers import OrganisationSerializer, render_adoptions, render_cases
    from cases.models import Organisation

    request = RequestFactory().get("/", HTTP_HOST=urllib.parse.urlsplit(base_url).netloc)
    cases = render_cases(Case.objects.published(), request)
    adoptions = render_adoptions(Adoption.objects.public(), request)
    return {
        **{("case", pk): shown for pk, shown in cases.items()},
        **{("adoption", pk): shown for pk, shown in adoptions.items()},
        **{
            ("organisation", organisation.pk): OrganisationSerializer(organisation).data
            for organisation in Organisation.objects.select_related("county")
        },
    }


def sync(api, client, copy: dict, since: str | None) -> str:
    """Follow the feed from `since` until it has no more, applying it to `copy`."""
    from innovasjon_client.api.v1 import v1_changes_retrieve
    from innovasjon_client.models import (
        AdoptionChange,
        CaseChange,
        ChangeActionEnum,
        OrganisationChange,
    )
    from innovasjon_client.types import UNSET

    cursor = since
    while True:
        response = v1_changes_retrieve.sync_detailed(
            client=client, since=cursor if cursor is not None else UNSET, limit=2
        )
        assert response.status_code == 200, response.content
        page = response.parsed
        for entry in page.results:
            # The discriminator gives each entry its own type.
            kinds = {
                "case": CaseChange,
                "adoption": AdoptionChange,
                "organisation": OrganisationChange,
            }
            assert isinstance(entry, kinds[entry.kind])
            if entry.action == ChangeActionEnum.DELETE:
                copy.pop((entry.kind, entry.id), None)
            else:
                copy[(entry.kind, entry.id)] = entry.object_.to_dict()
        cursor = page.next_cursor
        if not page.has_more:
            return cursor


def test_a_generated_client_syncs_and_writes(live_server, world, tmp_path, settings):
    with urllib.request.urlopen(f"{live_server.url}/api/schema/?format=json") as answer:
        schema = json.load(answer)
    generated = generate(schema, tmp_path)
    from innovasjon_client.api.v1 import (
        v1_cases_adoptions_create,
        v1_cases_archive_create,
        v1_cases_create,
        v1_cases_list,
        v1_cases_retrieve,
        v1_stats_diffusion_retrieve,
        v1_vocabularies_retrieve,
    )
    from innovasjon_client.models import (
        AdoptionWriteRequest,
        CaseWriteRequest,
        ChannelEnum,
        ModeEnum,
        Problem,
        ReasonRequest,
    )

    anonymous = generated.Client(base_url=live_server.url)
    editor = generated.AuthenticatedClient(base_url=live_server.url, token=world["editor_key"])
    neighbour = generated.AuthenticatedClient(
        base_url=live_server.url, token=world["neighbour_key"]
    )

    # Reads need no token, and their models read what the server sends.
    listed = v1_cases_list.sync(client=anonymous, page_size=2)
    assert listed.count == 5
    assert len(listed.results) == 2
    assert v1_vocabularies_retrieve.sync(client=anonymous).centrality_class[0].code == 1
    assert v1_stats_diffusion_retrieve.sync(client=anonymous).cases.total == 5

    # A full sync.
    copy: dict = {}
    cursor = sync(generated, anonymous, copy, None)
    assert copy == public_state(live_server.url)
    assert sum(1 for kind, _pk in copy if kind != "organisation") == 6

    # Writes: a case (a draft, so not in the feed), retried with the same key.
    body = CaseWriteRequest(organisation=world["owner"].pk, title="Fra en generert klient")
    key = str(uuid.uuid4())
    created = v1_cases_create.sync_detailed(client=editor, body=body, idempotency_key=key)
    assert created.status_code == 201, created.content
    assert created.headers["Location"].endswith(f"/api/v1/cases/{created.parsed.id}/")
    retried = v1_cases_create.sync_detailed(client=editor, body=body, idempotency_key=key)
    assert retried.parsed.id == created.parsed.id
    assert Case.all_objects.filter(title="Fra en generert klient").count() == 1
    own = v1_cases_retrieve.sync(client=editor, id=created.parsed.id)
    assert own.status.value == "draft"

    # An error comes back as a typed problem with its code.
    refused = v1_cases_create.sync_detailed(
        client=editor, body=CaseWriteRequest(organisation=world["owner"].pk, title="")
    )
    assert refused.status_code == 400
    assert isinstance(refused.parsed, Problem)
    assert refused.parsed.code == "invalid"
    assert refused.parsed.errors[0].field == "title"

    # An adoption by another organisation, and an archived case: an upsert and deletes.
    adopted = v1_cases_adoptions_create.sync_detailed(
        client=neighbour,
        id=world["cases"][1].pk,
        body=AdoptionWriteRequest(
            organisation=world["adopter"].pk, mode=ModeEnum.COPIED, channel=ChannelEnum.NETWORK
        ),
    )
    assert adopted.status_code == 201, adopted.content
    archived = v1_cases_archive_create.sync_detailed(
        client=editor, id=world["cases"][0].pk, body=ReasonRequest(reason="Erstattet.")
    )
    assert archived.status_code == 200, archived.content
    assert archived.parsed.status.value == "archived"

    # An incremental sync from the cursor brings the copy up to date.
    cursor = sync(generated, anonymous, copy, cursor)
    assert copy == public_state(live_server.url)
    assert ("adoption", adopted.parsed.id) in copy
    assert ("case", world["cases"][0].pk) not in copy
    # Nothing more since.
    assert sync(generated, anonymous, copy, cursor) == cursor
