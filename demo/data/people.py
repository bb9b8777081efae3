"""The demo's users: the main logins, and the people who act for the organisations."""

from cases.vocabularies import MembershipRole

from .records import Spec

# ------------------------------------------------------------------------------------------
# Users. One fixed password for all; every address is verified. Memberships: (slug, role).
# Whoever acts for an organisation below (writes, records reuse, spreads) is its first member
# here; whoever confirms a reuse is the first editor of the case owner.
# ------------------------------------------------------------------------------------------

PASSWORD = "demo-passord-2026"
# The main logins, printed first by the command.
ADMIN_EMAIL = "admin@demo.no"
MODERATOR_EMAIL = "moderator@demo.no"
EMPLOYEE_EMAIL = "ansatt@demo.no"

EDITOR = MembershipRole.EDITOR
MEMBER = MembershipRole.MEMBER

USERS: list[Spec] = [
    {"email": ADMIN_EMAIL, "full_name": "Ada Admin", "superuser": True, "memberships": []},
    {
        "email": MODERATOR_EMAIL,
        "full_name": "Marte Moe",
        "moderator": True,
        "memberships": [],
    },
    {
        "email": EMPLOYEE_EMAIL,
        "full_name": "Anders Aasen",
        "memberships": [("oslo", EDITOR)],
    },
    {
        "email": "sykehjem.oslo@demo.no",
        "full_name": "Ingrid Haugen",
        "memberships": [("tasen-helsehus", EDITOR)],
    },
    {
        "email": "bergen@demo.no",
        "full_name": "Sigrid Bakke",
        "memberships": [("bergen", EDITOR)],
    },
    {
        "email": "trondheim@demo.no",
        "full_name": "Ola Rønning",
        "memberships": [("trondheim", EDITOR)],
    },
    {
        "email": "skole.trondheim@demo.no",
        "full_name": "Emma Lie",
        "memberships": [("charlottenlund-ungdomsskole", MEMBER)],
    },
    {
        "email": "stavanger@demo.no",
        "full_name": "Lars Eide",
        "memberships": [("stavanger", EDITOR)],
    },
    {
        "email": "kristiansand@demo.no",
        "full_name": "Kristin Solberg",
        "memberships": [("kristiansand", EDITOR)],
    },
    {
        "email": "tromso@demo.no",
        "full_name": "Silje Nilsen",
        "memberships": [("tromso", MEMBER)],
    },
    {
        "email": "alesund@demo.no",
        "full_name": "Eirik Vik",
        "memberships": [("alesund", EDITOR)],
    },
    {
        "email": "bodo@demo.no",
        "full_name": "Hanne Johansen",
        "memberships": [("bodo", EDITOR)],
    },
    {
        "email": "hjemmetjenesten.bodo@demo.no",
        "full_name": "Tor Pedersen",
        "memberships": [("hjemmetjenesten-i-bodo", EDITOR)],
    },
    {
        "email": "lillehammer@demo.no",
        "full_name": "Per Bakken",
        "memberships": [("lillehammer", EDITOR)],
    },
    {
        "email": "levanger@demo.no",
        "full_name": "Marit Sandvik",
        "memberships": [("levanger", EDITOR)],
    },
    {"email": "voss@demo.no", "full_name": "Knut Lunde", "memberships": [("voss", EDITOR)]},
    {
        "email": "vevelstad@demo.no",
        "full_name": "Tone Strand",
        "memberships": [("vevelstad", MEMBER)],
    },
    {
        "email": "rost@demo.no",
        "full_name": "Ragnhild Olsen",
        "memberships": [("rost", MEMBER)],
    },
    {
        "email": "utsira@demo.no",
        "full_name": "Jon Utne",
        "memberships": [("utsira", MEMBER)],
    },
    {
        "email": "trondelag.fylke@demo.no",
        "full_name": "Bjørn Aune",
        "memberships": [("trondelag-fylkeskommune", EDITOR)],
    },
    {
        "email": "nordland.fylke@demo.no",
        "full_name": "Linn Hansen",
        "memberships": [("nordland-fylkeskommune", MEMBER)],
    },
    {
        "email": "vestland.fylke@demo.no",
        "full_name": "Geir Myklebust",
        "memberships": [("vestland-fylkeskommune", MEMBER)],
    },
    {
        "email": "agder.fylke@demo.no",
        "full_name": "Camilla Berg",
        "memberships": [("agder-fylkeskommune", MEMBER)],
    },
    {
        "email": "innlandet.fylke@demo.no",
        "full_name": "Håkon Dahl",
        "memberships": [("innlandet-fylkeskommune", MEMBER)],
    },
    {
        "email": "vestfold.fylke@demo.no",
        "full_name": "Anne Kristiansen",
        "memberships": [("vestfold-fylkeskommune", EDITOR)],
    },
    {
        "email": "telemark.fylke@demo.no",
        "full_name": "Stian Moen",
        "memberships": [("telemark-fylkeskommune", MEMBER)],
    },
    {
        "email": "more.fylke@demo.no",
        "full_name": "Ida Sæther",
        "memberships": [("more-og-romsdal-fylkeskommune", EDITOR)],
    },
]
