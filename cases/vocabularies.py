"""The fixed code lists. Codes are stable API identifiers; labels are translated (nb in locale/)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    COUNTY = "county", _("County municipality")
    UNIT = "unit", _("Unit (workplace)")
    STATE_AGENCY = "state-agency", _("State agency")
    RESEARCH = "research", _("Research institution")
    COMPANY = "company", _("Company")
    OTHER = "other", _("Other")


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("Member")
    EDITOR = "editor", _("Editor")


class MembershipStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    ACTIVE = "active", _("Active")


class IdentitySourceKind(models.TextChoices):
    """What an identity provider asserts that maps a person to an organisation, strongest first."""

    TENANT = "tenant", _("Entra tenant id")
    ORGANISATION_NUMBER = "orgno", _("Organisation number (Ansattporten)")
    EMAIL_DOMAIN = "email-domain", _("Email domain")


class InnovationType(models.TextChoices):
    SERVICE = "service", _("Service")
    PROCESS = "process", _("Process / new way of organising work")
    COMMUNICATION = "communication", _("Communication with the outside world")
    PRODUCT = "product", _("Product")


class Origin(models.TextChoices):
    FIRST = "first", _("The first of its kind")
    ADAPTED = "adapted", _("Inspired by others, but substantially adapted")
    COPIED = "copied", _("Largely copied")
    UNKNOWN = "unknown", _("Don't know")


class AdoptionMode(models.TextChoices):
    ADAPTED = "adapted", _("Adapted")
    COPIED = "copied", _("Copied")


class Channel(models.TextChoices):
    NETWORK = "network", _("(County) municipal and professional networks")
    CONFERENCE = "conference", _("Seminars and conferences")
    PLATFORM = "platform", _("This platform")
    DIRECT = "direct", _("Direct contact")
    SUPPLIER = "supplier", _("Supplier")
    RESEARCH = "research", _("Research and education institutions")
    MEDIA = "media", _("Media and social media")
    OTHER = "other", _("Other")


class Sector(models.TextChoices):
    HEALTH_CARE = "health-care", _("Health and care")
    EDUCATION = "education", _("Childhood and education")
    TRANSPORT = "transport", _("Transport")
    CULTURE = "culture", _("Culture")
    TECHNICAL = "technical", _("Technical services and environment")
    WELFARE = "welfare", _("NAV and social services")
    PLANNING = "planning", _("Planning and business")
    ADMINISTRATION = "administration", _("Administration and governance")


class WorkplaceType(models.TextChoices):
    PRIMARY_SCHOOL = "primary-school", _("Primary and lower secondary school")
    UPPER_SECONDARY = "upper-secondary", _("Upper secondary school")
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    NURSING_HOME = "nursing-home", _("Nursing home")
    HOME_CARE = "home-care", _("Home care services")
    HEALTH_CENTRE = "health-centre", _("Health centre and school health service")
    CHILD_WELFARE = "child-welfare", _("Child welfare")
    WELFARE_OFFICE = "welfare-office", _("NAV office")
    CULTURE = "culture", _("Culture")
    TECHNICAL = "technical", _("Technical services")
    ADMINISTRATION = "administration", _("Administration")
    OTHER = "other", _("Other")


class Stage(models.TextChoices):
    IDEA = "idea", _("Idea")
    DEVELOPMENT = "development", _("Development")
    PILOT = "pilot", _("Pilot")
    IN_USE = "in-use", _("In use")
    EVALUATED = "evaluated", _("Evaluated")
    DISCONTINUED = "discontinued", _("Discontinued")


class Benefit(models.TextChoices):
    QUALITY = "quality", _("Better quality")
    EFFICIENCY = "efficiency", _("Efficiency")
    AVOIDED_COSTS = "avoided-costs", _("Avoided costs")
    STAFF = "staff", _("Greater staff well-being")
    CITIZEN_INFLUENCE = "citizen-influence", _("More user involvement")
    BUSINESS = "business", _("Value for business")


class SizeClass(models.TextChoices):
    SMALL = "small", _("Under 5,000 inhabitants")
    MEDIUM = "medium", _("5,000–19,999 inhabitants")
    LARGE = "large", _("20,000 inhabitants or more")


class EmployeeBand(models.TextChoices):
    B1_19 = "1-19", _("1–19 employees")
    B20_49 = "20-49", _("20–49 employees")
    B50_99 = "50-99", _("50–99 employees")
    B100 = "100+", _("100 employees or more")


class Region(models.TextChoices):
    OSLO_VIKEN = "oslo-viken", _("Oslo and Viken")
    INNLANDET = "innlandet", _("Innlandet")
    AGDER_SOR_OSTLANDET = "agder-sor-ostlandet", _("Agder and Sør-Østlandet")
    VESTLANDET = "vestlandet", _("Vestlandet")
    TRONDELAG = "trondelag", _("Trøndelag")
    NORD_NORGE = "nord-norge", _("Nord-Norge")


class CentralityClass(models.IntegerChoices):
    C1 = 1, _("1 – most central")
    C2 = 2, "2"
    C3 = 3, "3"
    C4 = 4, "4"
    C5 = 5, "5"
    C6 = 6, _("6 – least central")


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    PUBLISHED = "published", _("Published")
    CHANGES_REQUESTED = "changes-requested", _("Changes requested")
    ARCHIVED = "archived", _("Archived")


class AdoptionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_USE = "in-use", _("In use")
    DISCONTINUED = "discontinued", _("Discontinued")


class SpreadKind(models.TextChoices):
    NETWORK_MEETING = "network-meeting", _("Presented at a network meeting")
    CONFERENCE = "conference", _("Presented at a conference or seminar")
    VISIT = "visit", _("Study visit")
    ARTICLE = "article", _("Article or post")
    OTHER = "other", _("Other")


class AttachmentKind(models.TextChoices):
    IMAGE = "image", _("Image")
    DOCUMENT = "document", _("Document")


# Landsdel names as SSB writes them (in registry files) mapped to region codes.
REGION_BY_LANDSDEL = {
    "Oslo og Viken": Region.OSLO_VIKEN,
    "Innlandet": Region.INNLANDET,
    "Agder og Sør-Østlandet": Region.AGDER_SOR_OSTLANDET,
    "Vestlandet": Region.VESTLANDET,
    "Trøndelag": Region.TRONDELAG,
    "Nord-Norge": Region.NORD_NORGE,
}


def size_class_for(population: int | None) -> str:
    """KS' usual size classes: small under 5 000, medium 5 000-19 999, large 20 000 and more."""
    if population is None:
        return ""
    if population < 5000:
        return SizeClass.SMALL
    if population < 20000:
        return SizeClass.MEDIUM
    return SizeClass.LARGE


# The code lists clients can ask for, by the name the API uses.
VOCABULARIES = {
    "organisation_kind": OrganisationKind,
    "innovation_type": InnovationType,
    "origin": Origin,
    "adoption_mode": AdoptionMode,
    "channel": Channel,
    "sector": Sector,
    "workplace_type": WorkplaceType,
    "stage": Stage,
    "benefit": Benefit,
    "size_class": SizeClass,
    "employee_band": EmployeeBand,
    "region": Region,
    "centrality_class": CentralityClass,
    "case_status": CaseStatus,
    "adoption_status": AdoptionStatus,
    "spread_kind": SpreadKind,
}
