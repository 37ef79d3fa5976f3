"""The demo's cases (``manage.py seed_demo_cases``): practice cases with their outputs, CMO
notes, value-creation stories, the case study and the experience-expert pool. Fictional; data,
not code."""

from __future__ import annotations

from werkplaats.models import Role

STU, PRO, BB, SUP, CLI = (
    Role.STUDENT,
    Role.PROFESSIONAL,
    Role.BRIDGE_BUILDER,
    Role.SUPPORTER,
    Role.CLIENT,
)
# Dates are (anchor, days): "two_ago" and "last" are 1 September of the school year two years
# and one year back (the years of the demo's closed cycles), "today" is today.
# People are (role, index) among the PW's current members of that role, in the order the core
# seeder made them: (STU, 0) in the demo PW is the demo student, (BB, 0) the demo bridge-builder,
# (SUP, 0) the demo supporter.
DEMO_CASES = {
    "revalidatie-de-linde": [
        {
            "title": "Valpreventie thuis na ontslag",
            "question": "Hoe bereiden we cliënten met valrisico in de kliniek voor op bewegen "
            "in hun eigen woning?",
            "kind": "research",
            "status": "implemented",
            "lead": (PRO, 1),
            "participants": [(CLI, 0), (CLI, 1), (PRO, 2)],
            "supervisors": [(SUP, 1)],
            "starts": ("two_ago", 40),
            "ends": ("last", 200),
            "practice_change": "Ergotherapeuten bezoeken cliënten met valrisico vóór ontslag "
            "thuis en passen het oefenprogramma aan de eigen woning aan.",
            "securing": "Het huisbezoek staat in het beleidsplan van de afdeling; de checklist "
            "is opgenomen in het kwaliteitssysteem en komt elk jaar terug in een klinische les.",
            "tags": ["LOS-2", "GOC-2"],
            "outputs": [
                ("graduation_work", "Afstudeeronderzoek: valrisico in de eerste weken thuis",
                 ("two_ago", 285), ""),
                ("publication", "Artikel in een vaktijdschrift: onderzoek doen samen met "
                 "cliënten", ("last", 120), "publicaties/valpreventie-thuis"),
                ("policy_plan", "Huisbezoek vóór ontslag opgenomen in het beleidsplan van de "
                 "afdeling", ("last", 190), ""),
            ],
        },
        {
            "title": "Cliënten als medeontwerpers van de klinische les",
            "question": "Wat verandert er aan een klinische les als een ervaringsdeskundige "
            "hem mee voorbereidt en geeft?",
            "kind": "improvement",
            "status": "running",
            "lead": (BB, 0),
            "participants": [(CLI, 2), (STU, 1), (STU, 2)],
            "supervisors": [(SUP, 0)],
            "starts": ("last", 30),
            "tags": ["LOS-1", "GOC-2", "VOR-5"],
            "outputs": [
                ("teaching_material", "Film: de klinische les door de ogen van een cliënt",
                 ("last", 160), "films/klinische-les"),
                ("presentation", "Presentatie op de onderwijsdag van de hogeschool",
                 ("last", 250), ""),
                ("graduation_work", "Afstudeerproduct: draaiboek voor een klinische les met "
                 "een ervaringsdeskundige", ("last", 290), ""),
            ],
        },
        {
            "title": "Hardop klinisch redeneren in de ergotherapie",
            "question": "Hoe leren studenten ergotherapie hun klinisch redeneren hardop te "
            "delen met de cliënt en de werkbegeleider?",
            "kind": "graduation",
            "status": "running",
            "lead": (STU, 0),
            "participants": [(CLI, 3)],
            "supervisors": [(SUP, 0)],
            "starts": ("today", -60),
            "tags": ["LOS-2", "LOS-4"],
            "outputs": [
                ("presentation", "Tussenpresentatie voor het team van de afdeling",
                 ("today", -10), ""),
            ],
        },
        {
            "title": "Ervaringsverhalen in de opleiding ergotherapie",
            "question": "Welke ervaringsverhalen van cliënten helpen studenten om de "
            "revalidatie vanuit de cliënt te zien?",
            "kind": "teaching_case",
            "status": "idea",
            "lead": (PRO, 3),
            "participants": [(CLI, 4)],
            "supervisors": [],
            "starts": ("today", 0),
            "tags": ["LOS-1", "VOR-5"],
            "outputs": [],
        },
    ],
    "jeugdhulp-de-vlinderboom": [
        {
            "title": "Jongeren aan het woord in hun hulpverleningsplan",
            "question": "Hoe krijgen jongeren op de leefgroep meer regie over de doelen in hun "
            "hulpverleningsplan?",
            "kind": "research",
            "status": "finished",
            "lead": (PRO, 1),
            "participants": [(PRO, 2)],
            "supervisors": [(SUP, 0)],
            "starts": ("two_ago", 60),
            "ends": ("last", 240),
            "practice_change": "Jongeren bereiden hun evaluatiegesprek voor met een eigen "
            "werkblad en zitten het gesprek zelf voor.",
            "tags": ["LOS-1", "GOC-5"],
            "outputs": [
                ("graduation_work", "Afstudeeronderzoek: regie van jongeren over hun "
                 "hulpverleningsplan", ("last", 270), ""),
                ("policy_plan", "Jongeren zitten hun eigen evaluatiegesprek voor: opgenomen in "
                 "het beleidsplan", ("last", 300), ""),
            ],
        },
        {
            "title": "Een gespreksleidraad voor de leefgroep",
            "question": "Welke vragen helpen pedagogisch medewerkers om jongeren zelf hun "
            "wensen te laten verwoorden?",
            "kind": "improvement",
            "status": "running",
            "lead": (STU, 0),
            "participants": [(STU, 1), (PRO, 2)],
            "supervisors": [(SUP, 1)],
            "starts": ("today", -75),
            "tags": ["LOS-3", "VOR-2"],
            "outputs": [("product", "Gespreksleidraad 'Wat vind jij?'", ("today", -20), "")],
        },
    ],
    "gezond-in-de-wijk": [
        {
            "title": "Gezondheidsvoorlichting die gezinnen bereikt",
            "question": "Welke vormen van voorlichting over gezond opgroeien bereiken de "
            "gezinnen in de wijk echt?",
            "kind": "research",
            "status": "finished",
            "lead": (PRO, 1),
            "participants": [(PRO, 2), (PRO, 3)],
            "supervisors": [(SUP, 0)],
            "starts": ("two_ago", 30),
            "ends": ("last", 180),
            "practice_change": "Jeugdartsen geven de voorlichting nu samen met sleutelfiguren "
            "uit de wijk, op plekken waar ouders al komen.",
            "tags": ["LOS-2", "VOR-4"],
            "outputs": [
                ("graduation_work", "Afstudeeronderzoek: ouders over de voorlichting op het "
                 "consultatiebureau", ("two_ago", 280), ""),
                ("publication", "Rapport: wat gezinnen in de wijk nodig hebben", ("last", 150),
                 "publicaties/gezinnen-in-de-wijk"),
                ("presentation", "Presentatie voor het wijkplatform", ("last", 180), ""),
            ],
        },
        {
            "title": "Beweegspreekuur op de basisschool",
            "question": "Bereikt een wekelijks beweegspreekuur op school, door studenten en "
            "een jeugdverpleegkundige, ouders eerder?",
            "kind": "innovation",
            "status": "idea",
            "lead": (STU, 0),
            "participants": [],
            "supervisors": [(SUP, 1)],
            "starts": ("today", 0),
            "tags": ["LeA-5"],
            "outputs": [],
        },
    ],
    "revalidatie-oostpoort": [
        {
            "title": "Wat levert hardop redeneren de cliënt op?",
            "question": "Begrijpen cliënten hun behandeling beter als student en therapeut "
            "hun klinisch redeneren hardop met hen delen?",
            "kind": "research",
            "status": "running",
            "lead": (PRO, 1),
            "participants": [(STU, 0), (PRO, 2)],
            "supervisors": [(SUP, 0)],
            "starts": ("last", 45),
            "tags": ["LOS-2", "LOS-5", "GOC-3"],
            "outputs": [
                ("teaching_material", "Oefenkaarten hardop redeneren", ("last", 100), ""),
                ("graduation_work", "Afstudeeronderzoek: cliënten over hardop redeneren",
                 ("last", 280), ""),
            ],
        },
        {
            "title": "Een vast reflectiemoment per week",
            "question": "Helpt een vast half uur reflectie per week studenten en therapeuten "
            "om van elkaar te leren?",
            "kind": "improvement",
            "status": "implemented",
            "lead": (PRO, 3),
            "participants": [(PRO, 4)],
            "supervisors": [(SUP, 1)],
            "starts": ("two_ago", 20),
            "ends": ("last", 60),
            "practice_change": "Elke donderdag om half vier reflecteren studenten en "
            "therapeuten samen op een casus van die week.",
            "securing": "Het reflectiemoment staat in het teamrooster; de werkbegeleiders "
            "zitten het om beurten voor.",
            "tags": ["SRI-3", "LOS-5"],
            "outputs": [
                ("policy_plan", "Wekelijks reflectiemoment opgenomen in het beleidsplan van de "
                 "kliniek", ("last", 40), ""),
            ],
        },
    ],
}  # fmt: skip

# CMO notes: (about: a case title, an activity title or None for the PW, author, source,
# date or None for the activity's date, context, mechanism, outcome, tags).
DEMO_NOTES = {
    "revalidatie-de-linde": [
        (
            "Cliënten als medeontwerpers van de klinische les", (BB, 0), "observation",
            ("last", 165),
            "Klinische les over spasticiteit, voorbereid door een student en een "
            "ervaringsdeskundige.",
            "De ervaringsdeskundige vertelde eerst het eigen verhaal; daarna durfden studenten "
            "vragen te stellen die ze een therapeut niet zouden stellen.",
            "In de nabespreking noemden studenten vaker wat de cliënt zelf wil bereiken.",
            ["LOS-3", "GOC-3"],
        ),
        (
            "Workshop valpreventie met ervaringsdeskundigen", (STU, 0), "observation", None,
            "Workshop valpreventie met studenten en drie ervaringsdeskundigen.",
            "Met een ervaringsdeskundige aan elke tafel gingen studenten minder snel in de "
            "rol van expert zitten.",
            "De groepen kwamen met oefeningen die cliënten thuis echt kunnen doen.",
            ["GOC-2", "LOS-1"],
        ),
        (
            None, (SUP, 0), "interview", ("last", 220),
            "Gesprekken met werkbegeleiders na een drukke periode op de afdeling.",
            "Als de productiedruk stijgt, verdwijnt het vaste reflectiemoment als eerste uit "
            "de agenda.",
            "Studenten krijgen minder feedback en vragen er zelf ook minder om.",
            ["VMM-5", "LOS-4"],
        ),
        (
            "Valpreventie thuis na ontslag", (PRO, 1), "document", ("last", 195),
            "Het beleidsplan van de afdeling, na afronding van het onderzoek naar valpreventie "
            "thuis.",
            "Een manager in de stuurgroep volgde het onderzoek, zodat er een besluit klaarlag "
            "toen de resultaten er waren.",
            "Het huisbezoek vóór ontslag werd binnen twee maanden de gewone werkwijze.",
            ["LeA-3", "SRI-1"],
        ),
    ],
    "jeugdhulp-de-vlinderboom": [
        (
            "Jongeren aan het woord in hun hulpverleningsplan", (BB, 0), "focus_group",
            ("last", 230),
            "Focusgroep met jongeren van twee leefgroepen.",
            "Jongeren die hun evaluatiegesprek zelf voorzaten, voelden zich serieus genomen.",
            "Na afloop konden zij hun eigen doelen navertellen.",
            ["GOC-5", "LOS-1"],
        ),
    ],
    "gezond-in-de-wijk": [
        (
            None, (BB, 0), "meeting", ("last", 90),
            "Overleg van jeugdartsen en studenten over de voorlichtingsavonden.",
            "Studenten vroegen door waarom ouders wegbleven, zonder het antwoord al te weten.",
            "Het team besloot de voorlichting naar de buurthuizen te brengen.",
            ["LOS-3", "GOC-4"],
        ),
    ],
    "revalidatie-oostpoort": [
        (
            "Wat levert hardop redeneren de cliënt op?", (BB, 0), "questionnaire", ("last", 200),
            "Korte vragenlijst voor cliënten na een behandeling met hardop redeneren.",
            "Cliënten hoorden waarom de therapeut voor een oefening koos en konden daarop "
            "reageren.",
            "Meer cliënten gaven aan dat zij hun oefenprogramma begrepen.",
            ["LOS-2"],
        ),
    ],
}  # fmt: skip

# Value-creation stories (Wenger-Trayner's cycles): (case title, kind, title, story, date,
# titles of the case's outputs it is about, tags, author).
DEMO_STORIES = {
    "revalidatie-de-linde": [
        (
            "Valpreventie thuis na ontslag", "applied",
            "Het oefenprogramma past nu bij de eigen woning",
            "Na het huisbezoek passen ergotherapeuten de oefeningen aan de trap, de drempels en "
            "de badkamer van de cliënt aan. Cliënten oefenen in de kliniek wat zij thuis echt "
            "tegenkomen.",
            ("last", 200), ["Huisbezoek vóór ontslag opgenomen in het beleidsplan van de afdeling"],
            ["GOC-2", "LOS-2"], (PRO, 1),
        ),
        (
            "Valpreventie thuis na ontslag", "realised",
            "Minder vallen in de eerste weken thuis",
            "De thuiszorg meldt sinds het huisbezoek vóór ontslag minder valincidenten in de "
            "eerste weken thuis. Cliënten vertellen dat zij met meer vertrouwen door hun eigen "
            "huis bewegen.",
            ("last", 300), ["Huisbezoek vóór ontslag opgenomen in het beleidsplan van de afdeling",
                            "Artikel in een vaktijdschrift: onderzoek doen samen met cliënten"],
            ["SRI-1"], (PRO, 1),
        ),
        (
            "Cliënten als medeontwerpers van de klinische les", "reframing",
            "Een klinische les is pas af met het verhaal van de cliënt",
            "Het opleidingsteam spreekt af dat een klinische les voortaan samen met een "
            "ervaringsdeskundige wordt voorbereid. Wat een goede les is, meet het team nu ook "
            "af aan wat de cliënt erin herkent.",
            ("last", 260), ["Film: de klinische les door de ogen van een cliënt"],
            ["VOR-5", "LOS-1"], (BB, 0),
        ),
    ],
}  # fmt: skip

# The case study: respondents per group (the PW's role mix, as in table 1 of the article),
# anonymised fragments (group, text, tags) and within-case summaries (element, recognition,
# text).
STUDY_GROUPS = [
    (Role.STUDENT, "students", "focus_group"),
    (Role.SUPPORTER, "supporters", "focus_group"),
    (Role.PROFESSIONAL, "professionals", "focus_group"),
    (Role.MANAGER, "management", "interview"),
    (Role.CLIENT, "clients", "interview"),
]
DEMO_FRAGMENTS = {
    "revalidatie-de-linde": [
        ("students", "Hier mag je zeggen dat je iets nog niet kunt. Dat kon op mijn vorige "
         "stage niet.", ["GOC-3"]),
        ("clients", "De studenten wilden echt weten hoe het voor mij was, niet alleen wat er "
         "in mijn dossier staat.", ["GOC-2", "VOR-5"]),
        ("professionals", "Als het druk is, schiet het samen leren er als eerste bij in. Dan "
         "ben je gewoon aan het werk.", ["VMM-5"]),
        ("supporters", "De bruggenbouwer weet precies bij wie je moet zijn; zonder die rol "
         "liep het hier niet.", ["LeA-3", "VOR-4"]),
    ],
    "jeugdhulp-de-vlinderboom": [
        ("students", "De jongeren zijn de beste leermeesters: zij zeggen meteen als iets "
         "niet klopt.", ["LOS-3"]),
        ("professionals", "We hebben samen afgesproken wat we van studenten verwachten, dat "
         "geeft rust.", ["SRI-2"]),
    ],
    "gezond-in-de-wijk": [
        ("students", "Je werkt echt mee aan iets wat de GGD daarna ook gebruikt.", ["LeA-2"]),
        ("management", "De werkplaats staat in onze begroting; daardoor is het meer dan een "
         "project.", ["VMM-5", "SRI-1"]),
    ],
    "revalidatie-oostpoort": [
        ("students", "Hardop redeneren voelde eerst als een toets, nu is het een gesprek.",
         ["LOS-5", "GOC-3"]),
        ("professionals", "We zoeken nog wie wat doet; de rollen zijn niet voor iedereen "
         "duidelijk.", ["SRI-4"]),
    ],
}  # fmt: skip
DEMO_SUMMARIES = {
    "revalidatie-de-linde": [
        ("LOS", "strong", "Studenten, therapeuten en cliënten delen leerdoelen en geven elkaar "
         "feedback; reflectie is een vast onderdeel van de week."),
        ("GOC", "strong", "Fouten maken mag; ervaringsdeskundigen gelden als een gelijkwaardige "
         "bron van kennis."),
        ("SRI", "partly", "Er is een gedeelde ambitie, maar de doelen worden niet elk jaar "
         "opnieuw met alle partners afgestemd."),
        ("VMM", "partly", "De tijd om samen te leren staat onder druk zodra de productie "
         "stijgt; de ruimtes zijn vaak bezet."),
        ("LeA", "strong", "De bruggenbouwer en de manager nodigen uit en faciliteren; "
         "studenten nemen eigenaarschap voor hun leerdoelen."),
        ("VOR", "partly", "De relaties op de afdeling zijn goed; nieuwe studenten en cliënten "
         "voelen zich pas na enkele weken onderdeel van de groep."),
    ],
    "jeugdhulp-de-vlinderboom": [
        ("LOS", "strong", "Jongeren, studenten en medewerkers leren zichtbaar van elkaar op de "
         "leefgroep."),
        ("SRI", "partly", "Wat men van studenten verwacht is afgesproken, maar een vast "
         "evaluatiemoment ontbreekt nog."),
    ],
    "gezond-in-de-wijk": [
        ("VMM", "strong", "De bijdrage van de GGD aan de werkplaats is vastgelegd in de "
         "begroting en het beleid."),
        ("VOR", "partly", "Het netwerk in de wijk groeit, maar hangt nog aan enkele personen."),
    ],
    "revalidatie-oostpoort": [
        ("LOS", "partly", "Hardop redeneren wordt geoefend, maar is buiten de vaste momenten "
         "nog geen gewoonte."),
        ("SRI", "not", "Rollen en verantwoordelijkheden zijn voor veel betrokkenen nog niet "
         "duidelijk."),
    ],
}  # fmt: skip

# The pool of the demo PW (the one with clients): (client index, topics, available for,
# contact preference, contact details, consent date).
DEMO_POOL = [
    (
        0,
        "Revalideren na een beroerte; weer zelfstandig thuis wonen.",
        ["interviews", "workshops"],
        "Telefonisch, liefst 's middags.",
        "Via de receptie van De Linde.",
        ("last", 120),
    ),
    (
        1,
        "Leven met een prothese; weer sporten na een amputatie.",
        ["workshops", "lessons"],
        "Via de bruggenbouwer.",
        "",
        ("last", 200),
    ),
    (
        2,
        "Hoe het is om patiënt te zijn; samen beslissen over je behandeling.",
        ["interviews", "lessons"],
        "Na de fysiotherapie op dinsdag, op de afdeling.",
        "",
        ("today", -20),
    ),
]
