"""The demo's data (``manage.py seed_demo``): the four case-study PWs of the article with their
role mix, Dutch names, the activities, goals and logins. Fictional people; data, not code."""

from __future__ import annotations

from dataclasses import dataclass

from werkplaats.models import (
    OrganisationKind,
    Role,
    Sector,
)

DEMO_PASSWORD = "werkplaats-demo"  # noqa: S105 - printed demo logins, refused with DEBUG off
DEMO_DOMAIN = "demo.werkplaats.example"

FIRST_NAMES = [
    "Sanne",
    "Daan",
    "Fleur",
    "Bram",
    "Lotte",
    "Jesse",
    "Noor",
    "Thijs",
    "Eva",
    "Ruben",
    "Iris",
    "Milan",
    "Femke",
    "Sem",
    "Anouk",
    "Lars",
    "Roos",
    "Joris",
    "Maud",
    "Stijn",
    "Yara",
    "Niels",
    "Esmee",
    "Koen",
    "Lieke",
    "Tim",
    "Zoë",
    "Wouter",
    "Amira",
    "Hugo",
    "Nadia",
    "Pieter",
    "Ilse",
    "Mohamed",
    "Marloes",
    "Joost",
    "Fatima",
    "Gijs",
    "Hanna",
    "Rick",
]
LAST_NAMES = [
    "de Vries",
    "Jansen",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "Kok",
    "Jacobs",
    "van Dijk",
    "Willems",
    "Verhoeven",
    "Schouten",
    "El Amrani",
    "Yilmaz",
    "Kuipers",
    "Maas",
    "Verbeek",
    "Postma",
    "Huisman",
    "Koster",
    "van Wijk",
    "Hermans",
    "Claassen",
    "Lambregts",
]


# Role mix per case (table 1 of the article: students, supporters, professionals, management,
# clients), plus one professional who is also the PW's bridge-builder.
@dataclass(frozen=True)
class Case:
    slug: str
    name: str
    sector: str
    started: int
    partners: tuple[tuple[str, str], ...]
    mix: dict[str, int]
    description: str


HEI = OrganisationKind.HIGHER_EDUCATION
PUBLIC = OrganisationKind.PUBLIC

CASES = [
    Case(
        "jeugdhulp-de-vlinderboom",
        "PW Jeugdhulp De Vlinderboom",
        Sector.YOUTH_CARE,
        2014,
        (("Hogeschool Zuiderkempen, Pedagogiek", HEI), ("Jeugdhulp De Vlinderboom", PUBLIC)),
        {Role.STUDENT: 2, Role.SUPPORTER: 3, Role.PROFESSIONAL: 3, Role.MANAGER: 1},
        "Studenten pedagogiek en jeugdprofessionals werken samen op de leefgroepen en "
        "onderzoeken hoe jongeren meer regie krijgen over hun hulpverleningsplan.",
    ),
    Case(
        "revalidatie-de-linde",
        "PW Revalidatie De Linde",
        Sector.REHABILITATION,
        2012,
        (
            ("Hogeschool Zuiderkempen, Mens en Gezondheid", HEI),
            ("Revalidatiecentrum De Linde", PUBLIC),
        ),
        {Role.STUDENT: 7, Role.SUPPORTER: 9, Role.PROFESSIONAL: 4, Role.MANAGER: 1, Role.CLIENT: 7},
        "Studenten fysiotherapie en ergotherapie, therapeuten en cliënten leren samen op de "
        "afdeling. Ervaringsdeskundigen denken mee over klinische lessen en workshops.",
    ),
    Case(
        "gezond-in-de-wijk",
        "PW Gezond in de Wijk",
        Sector.PUBLIC_HEALTH,
        2015,
        (
            ("Hogeschool Zuiderkempen, HRM en Toegepaste Psychologie", HEI),
            ("GGD Brabant-Oost", PUBLIC),
        ),
        {Role.STUDENT: 9, Role.SUPPORTER: 5, Role.PROFESSIONAL: 5, Role.MANAGER: 1},
        "Studenten toegepaste psychologie en jeugdartsen onderzoeken samen hoe gezondheids"
        "voorlichting in de wijk beter aansluit bij gezinnen.",
    ),
    Case(
        "revalidatie-oostpoort",
        "PW Revalidatie Oostpoort",
        Sector.REHABILITATION,
        2018,
        (("Paramedische Hogeschool Zuiderkempen", HEI), ("Revalidatiekliniek Oostpoort", PUBLIC)),
        {Role.STUDENT: 6, Role.SUPPORTER: 4, Role.PROFESSIONAL: 7, Role.MANAGER: 1},
        "Een jonge werkplaats waar studenten en therapeuten klinisch redeneren hardop oefenen, "
        "samen met cliënt en werkbegeleider.",
    ),
]

# (days ago, kind, title, level, element/aspect codes, unnamed participants per role).
# Nothing touches VOR in the last three months: the strip shows that gap at a glance.
DEMO_ACTIVITIES = [
    (
        2,
        "intervision",
        "Intervisie over een lastig gesprek",
        "operational",
        ["LOS-3", "LOS-5"],
        {Role.STUDENT: 4},
    ),
    (
        5,
        "clinical-reasoning",
        "Hardop redeneren bij mevrouw De Bruin",
        "operational",
        ["LOS-2", "LOS-4"],
        {},
    ),
    (
        9,
        "workshop-prepared",
        "Workshop valpreventie met ervaringsdeskundigen",
        "operational",
        ["LOS-1", "GOC-2"],
        {Role.STUDENT: 12, Role.CLIENT: 3},
    ),
    (16, "multidisciplinary", "MDO revalidatiedoelen", "operational", ["SRI-4", "LOS-2"], {}),
    (
        23,
        "steering-group",
        "Stuurgroep: jaarplan en begroting",
        "strategic",
        ["SRI-1", "VMM-5", "LeA-3"],
        {},
    ),
    (
        30,
        "clinical-lesson",
        "Klinische les spasticiteit",
        "operational",
        ["LOS-2"],
        {Role.STUDENT: 9},
    ),
    (
        41,
        "workshop-statements",
        "Stellingenworkshop: wie is de expert?",
        "tactical",
        ["GOC-3", "GOC-4", "LeA-2"],
        {Role.STUDENT: 10, Role.PROFESSIONAL: 4},
    ),
    (55, "training", "Training feedback geven", "operational", ["LOS-4"], {Role.STUDENT: 7}),
    (68, "visit", "Bezoek aan de PW in Oostpoort", "tactical", ["GOC-2", "VMM-1"], {}),
    (
        120,
        "informal-lunch",
        "Lunch met de nieuwe studenten",
        "operational",
        ["VOR-1", "VOR-5"],
        {Role.STUDENT: 7},
    ),
]
# The school year before this one, the year of the demo's latest closed evaluation cycle: (days
# after 1 September, kind, title, level, tags, unnamed participants per role). Every element is
# worked on, so the dashboard of that cycle sets its scores beside what the PW invested.
PAST_ACTIVITIES = [
    (
        18,
        "steering-group",
        "Stuurgroep: ambities voor het nieuwe schooljaar",
        "strategic",
        ["SRI-1", "SRI-2", "LeA-1"],
        {Role.MANAGER: 2},
    ),
    (
        30,
        "informal-lunch",
        "Kennismakingslunch met studenten en cliënten",
        "operational",
        ["VOR-1", "VOR-5"],
        {Role.STUDENT: 8, Role.CLIENT: 4},
    ),
    (
        58,
        "clinical-lesson",
        "Klinische les: pijn en bewegen",
        "operational",
        ["LOS-2", "LOS-3"],
        {Role.STUDENT: 10},
    ),
    (
        85,
        "intervision",
        "Intervisie: fouten mogen maken",
        "operational",
        ["GOC-3", "LOS-5"],
        {Role.STUDENT: 5},
    ),
    (
        140,
        "workshop-prepared",
        "Workshop 'Regie over je revalidatie' met ervaringsdeskundigen",
        "operational",
        ["GOC-2", "LOS-1"],
        {Role.STUDENT: 12, Role.CLIENT: 3},
    ),
    (
        170,
        "multidisciplinary",
        "Overleg: rooster en ruimte voor studenten",
        "tactical",
        ["VMM-4", "VMM-5"],
        {},
    ),
    (
        200,
        "training",
        "Training coachend begeleiden voor werkbegeleiders",
        "tactical",
        ["LeA-3", "LOS-4"],
        {Role.SUPPORTER: 6},
    ),
    (
        235,
        "visit",
        "Werkbezoek van de bestuurders van beide partners",
        "strategic",
        ["VOR-4", "SRI-1"],
        {Role.MANAGER: 3},
    ),
    (
        265,
        "workshop-statements",
        "Stellingenworkshop: van wie is de werkplaats?",
        "tactical",
        ["GOC-4", "VOR-3"],
        {Role.STUDENT: 9, Role.PROFESSIONAL: 5},
    ),
    (
        290,
        "steering-group",
        "Stuurgroep: evaluatie en verbeteragenda",
        "strategic",
        ["SRI-5", "LeA-4"],
        {},
    ),
]
PAST_LEARNED = [
    "Elke student kiest in de eerste week een werkbegeleider en een leerdoel.",
    "Cliënten schuiven voortaan vaker aan bij de klinische les.",
    "De stuurgroep bespreekt de evaluatie voortaan in juni, vóór de nieuwe planning.",
]

DEMO_GOALS = [
    (
        "Ik wil leren hardop klinisch te redeneren bij de cliënt",
        "Dan kan de cliënt meedenken over de behandeling.",
        ["LOS-2", "LOS-5"],
    ),
    (
        "Feedback vragen aan mijn werkbegeleider na elke behandeling",
        "Ik durf nog niet goed om feedback te vragen.",
        ["LOS-4"],
    ),
    (
        "Een workshop voorbereiden met een ervaringsdeskundige",
        "Zo leer ik van het perspectief van de cliënt.",
        ["GOC-2", "VOR-1"],
    ),
]
DEMO_LEARNED = [
    "Afgesproken dat studenten hun leerdoel bij de start van de dag delen.",
    "We vragen cliënten vaker wat zij van de les vinden.",
    "Het overleg werkt beter met een vaste agenda.",
]

# The demo logins, all in "PW Revalidatie De Linde": the login is <label>@DEMO_DOMAIN.
DEMO_LOGINS = [
    ("bruggenbouwer", Role.BRIDGE_BUILDER),
    ("manager", Role.MANAGER),
    ("student", Role.STUDENT),
    ("client", Role.CLIENT),
    ("ondersteuner", Role.SUPPORTER),
]
DEMO_WORKPLACE = "revalidatie-de-linde"


def demo_names() -> list[str]:
    """Distinct, stable Dutch names: the same order on every run, so reruns match."""
    n = len(FIRST_NAMES)
    return [f"{FIRST_NAMES[i % n]} {LAST_NAMES[(i * 7 + i // n) % n]}" for i in range(n * n)]


def email_for(name: str) -> str:
    local = name.lower().replace(" ", ".").replace("ë", "e").replace("'", "")
    return f"{local}@{DEMO_DOMAIN}"
