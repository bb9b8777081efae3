"""The Django side of `.ci/restore-check`: writes through the services and syncs through the
change feed of the database that DATABASE_URL names, as a REST client would.

    restore_check.py write               cases and adoptions, written through the services
    restore_check.py sync FILE           a full sync; the client's cursor is kept in FILE
    restore_check.py broken              the feed and the health check refuse (503)
    restore_check.py restored FILE       after `after_restore`: a new full sync is an exact copy,
                                         new writes reach its incremental sync, and the cursor
                                         kept in FILE is answered 410

Every step checks what it claims and exits non-zero, saying what differed, when it does not.
"""

import logging
import os
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from cases import services  # noqa: E402
from cases.models import MODERATORS_GROUP, Case, Membership, Organisation, User  # noqa: E402
from cases.vocabularies import MembershipRole, OrganisationKind  # noqa: E402

MUNICIPALITIES = (("Hamar", "3403"), ("Lillehammer", "3405"), ("Gjøvik", "3407"))
MODERATOR = "moderator@restore-check.example.no"


def fail(message: str) -> None:
    print(f"restore-check: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def editor(name: str) -> User:
    return User.objects.get(email=f"redaktor@{name.lower()}.restore-check.example.no")


def organisation(name: str) -> Organisation:
    return Organisation.objects.get(name=name)


def publish(owner: str, title: str):
    author = editor(owner)
    case = services.case_create(
        actor=author,
        organisation=organisation(owner),
        data={
            "title": title,
            "summary": f"Kort om {title.lower()}.",
            "problem": "Mange timer gikk med til manuelt arbeid.",
            "solution": "Vi tok i bruk en ny arbeidsmåte.",
            "sectors": ["health-care"],
            "innovation_types": ["service"],
            "stage": "in-use",
            "origin": "first",
        },
    )
    case = services.case_submit(actor=author, case=case)
    return services.case_approve(
        actor=User.objects.get(email=MODERATOR),
        case=case,
        reviewed_version=services.case_version(case),
    )


def adopt(case, adopter: str):
    return services.adoption_record(
        actor=editor(adopter),
        case=case,
        organisation=organisation(adopter),
        mode="adapted",
        channel="network",
    )


def write() -> None:
    county = Organisation.objects.create(
        kind=OrganisationKind.COUNTY, name="Innlandet", slug="innlandet", number="34"
    )
    for name, number in MUNICIPALITIES:
        municipality = Organisation.objects.create(
            kind=OrganisationKind.MUNICIPALITY,
            name=name,
            slug=name.lower(),
            number=number,
            parent=county,
        )
        user = User.objects.create_user(
            email=f"redaktor@{name.lower()}.restore-check.example.no", password=None
        )
        Membership.objects.create(user=user, organisation=municipality, role=MembershipRole.EDITOR)
    moderator = User.objects.create_user(email=MODERATOR, password=None)
    moderator.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])

    kiosk = publish("Hamar", "Digital innbyggerkiosk")
    nattevakt = publish("Lillehammer", "Sensorbasert nattevakt")
    skyss = publish("Gjøvik", "Samordnet skoleskyss")
    adopt(kiosk, "Lillehammer")
    adopt(kiosk, "Gjøvik")
    adopt(nattevakt, "Hamar")
    services.case_archive(actor=editor("Gjøvik"), case=skyss, reason="Erstattet av ny ordning.")
    services.case_create(
        actor=editor("Hamar"),
        organisation=organisation("Hamar"),
        data={"title": "Utkast som aldri ble publisert"},
    )
    print(
        "restore-check: wrote through the services: 3 municipalities, 4 cases (2 published, "
        "1 archived, 1 draft), 3 adoptions"
    )


def server(client: APIClient) -> dict:
    """The server's published data, as its lists show it."""

    def everything(path):
        found = {}
        response = client.get(path, {"page_size": 200})
        while True:
            if response.status_code != 200:
                fail(f"{path}: {response.status_code} {response.content[:300]!r}")
            body = response.json()
            found.update({str(item["id"]): item for item in body["results"]})
            if not body["next"]:
                return found
            response = client.get(body["next"])

    return {
        "case": everything("/api/v1/cases/"),
        "adoption": everything("/api/v1/adoptions/"),
        "organisation": everything("/api/v1/organisations/"),
    }


def sync(client: APIClient, copy: dict, cursor: str | None) -> tuple[str, int]:
    """Follow the feed from `cursor` (None: from the start) into `copy`; the new cursor and the
    number of entries read. Pages of 2 entries, so that following the cursor is exercised."""
    entries = 0
    while True:
        params = {"limit": 2}
        if cursor is not None:
            params["since"] = cursor
        response = client.get("/api/v1/changes/", params)
        if response.status_code != 200:
            fail(f"the feed answered {response.status_code}: {response.content[:300]!r}")
        page = response.json()
        for entry in page["results"]:
            objects = copy.setdefault(entry["kind"], {})
            if entry["action"] == "upsert":
                objects[str(entry["id"])] = entry["object"]
            else:
                objects.pop(str(entry["id"]), None)
        entries += len(page["results"])
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return cursor, entries


def exact(copy: dict, client: APIClient, what: str) -> None:
    expected = server(client)
    if copy != expected:
        fail(
            f"{what}: the copy has {sorted(copy['case'])} cases, {sorted(copy['adoption'])} "
            f"adoptions and {len(copy['organisation'])} organisations, the server "
            f"{sorted(expected['case'])}, {sorted(expected['adoption'])} and "
            f"{len(expected['organisation'])}"
        )
    print(
        f"restore-check: {what}: an exact copy ({len(copy['case'])} cases, "
        f"{len(copy['adoption'])} adoptions, {len(copy['organisation'])} organisations)"
    )


def full_sync(file: str) -> None:
    client = APIClient()
    copy = {"case": {}, "adoption": {}, "organisation": {}}
    cursor, entries = sync(client, copy, None)
    exact(copy, client, f"full sync of {entries} entries")
    Path(file).write_text(cursor)
    print(f"restore-check: the client keeps cursor {cursor}")


def broken() -> None:
    client = APIClient()
    feed = client.get("/api/v1/changes/")
    health = client.get("/helse/")
    if feed.status_code != 503 or health.status_code != 503:
        fail(
            f"before after_restore the feed answered {feed.status_code} and the health check "
            f"{health.status_code}, not 503: the restored log was not detected"
        )
    print(f"restore-check: before after_restore: feed 503 ({feed.json()['detail']})")
    print(f"restore-check: before after_restore: /helse/ 503 {health.json()['checks']}")


def restored(file: str) -> None:
    client = APIClient()
    health = client.get("/helse/")
    if health.status_code != 200:
        fail(f"/helse/ answered {health.status_code}: {health.content!r}")
    print("restore-check: after after_restore: /helse/ 200")

    copy = {"case": {}, "adoption": {}, "organisation": {}}
    cursor, entries = sync(client, copy, None)
    exact(copy, client, f"a new full sync of {entries} entries")

    robot = publish("Hamar", "Multidoserobot på sykehjem")
    adopt(robot, "Lillehammer")
    kiosk = services.case_archive(
        actor=editor("Hamar"),
        case=Case.objects.get(title="Digital innbyggerkiosk"),
        reason="Avviklet.",
    )
    print(
        "restore-check: wrote on the restored database: a case published and adopted, "
        f"case {kiosk.pk} archived (its adoptions leave the public view)"
    )
    cursor, entries = sync(client, copy, cursor)
    if entries == 0:
        fail("the incremental sync saw none of the new writes")
    exact(copy, client, f"incremental sync of {entries} entries")

    old = Path(file).read_text()
    response = client.get("/api/v1/changes/", {"since": old})
    if response.status_code != 410:
        fail(f"the cursor from before the restore got {response.status_code}, not 410")
    print(f"restore-check: the old cursor {old}: 410 ({response.json()['detail']})")


def main(argv: list[str]) -> None:
    # The 503s and the 410 that the checks expect are not errors worth a log line here.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    # The notifications that the writes send go nowhere.
    mail = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with override_settings(MAILERS=mail, EMAIL_BACKEND=mail["default"]["BACKEND"]):
        match argv:
            case ["write"]:
                write()
            case ["sync", file]:
                full_sync(file)
            case ["broken"]:
                broken()
            case ["restored", file]:
                restored(file)
            case _:
                fail(f"unknown step {argv}; see the docstring")


if __name__ == "__main__":
    main(sys.argv[1:])
