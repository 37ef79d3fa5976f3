"""Reference data of the LOS model: 6 elements, 30 aspects, 9 PW characteristics.

Own phrasing of the model in Swennenhuis, Moresi, Duinkerke, Snoeren et al., "Lerend en
Onderzoekend Samenwerken in professionele werkplaatsen", Pedagogische Studiën. The codes are
stable: never change them here or later; add a new migration to correct wording.
"""

from django.db import migrations

ELEMENTS = [
    # code, group, order, colour, name_nl, name_en, explanation_nl, explanation_en
    (
        "LOS", "core", 1, "#00594F",
        "Lerend en onderzoekend samenwerken",
        "Collaborative learning and researching",
        "Het primaire proces van de werkplaats: iedereen is lerende. Studenten, professionals, "
        "cliënten en docenten delen doelen en kennis, stellen elkaar kritische vragen, geven "
        "feedback en reflecteren samen op wat ze doen.",
        "The primary process of the workplace: everyone is a learner. Students, professionals, "
        "clients and lecturers share goals and knowledge, ask each other critical questions, "
        "give feedback and reflect together on what they do.",
    ),
    (
        "GOC", "core", 2, "#1D4E89",
        "Grensoverstijgende en ontwikkelingsgerichte cultuur",
        "Boundary-crossing, development-oriented culture",
        "Een cultuur waarin mensen en organisaties zich willen ontwikkelen, elkaar over de "
        "grenzen van disciplines en organisaties heen ontmoeten, zich veilig voelen om te "
        "experimenteren en samen waarden als gelijkwaardigheid en waardering waarmaken.",
        "A culture in which people and organisations want to develop, meet each other across "
        "the boundaries of disciplines and organisations, feel safe to experiment, and live up "
        "to shared values such as equality and appreciation.",
    ),
    (
        "SRI", "instrumental", 3, "#7A3E00",
        "Samen richten en (her)inrichten",
        "Jointly directing and (re)organising",
        "Samen een ambitie en doelen bepalen en die geregeld bijstellen, en de samenwerking "
        "inrichten met vaste overleg-, reflectie- en evaluatiemomenten en duidelijke rollen.",
        "Setting an ambition and goals together and adjusting them regularly, and organising "
        "the collaboration with fixed moments to meet, reflect and evaluate, and with clear "
        "roles.",
    ),
    (
        "VMM", "instrumental", 4, "#5B2C83",
        "Vrijmaken van mensen en middelen",
        "Freeing up people and resources",
        "Zorgen dat de juiste mensen, tijd, ruimtes en middelen er zijn, met heldere afspraken "
        "over wie wat bijdraagt en een bijdrage die in beleid is verankerd.",
        "Making sure the right people, time, spaces and resources are available, with clear "
        "agreements on who contributes what and a contribution anchored in policy.",
    ),
    (
        "LeA", "interpersonal", 5, "#8A1538",
        "Leiderschap en autonomie",
        "Leadership and autonomy",
        "Gedeeld leiderschap en eigenaarschap: taken verdeeld naar expertise en voorkeur, "
        "rolmodellen die uitnodigen en faciliteren, en professionele ruimte om te experimenteren "
        "en kansen te benutten.",
        "Shared leadership and ownership: tasks divided by expertise and preference, role "
        "models who invite and facilitate, and professional room to experiment and seize "
        "opportunities.",
    ),
    (
        "VOR", "interpersonal", 6, "#2E5E1B",
        "Vormgeven en onderhouden van relaties",
        "Shaping and maintaining relationships",
        "Elkaar leren kennen en vinden, open en transparant zijn, ruimte geven aan belangen en "
        "onvrede, een netwerk binnen en tussen organisaties onderhouden, en een groep vormen "
        "waar ook studenten en cliënten bij horen.",
        "Getting to know and find each other, being open and transparent, making room for "
        "interests and discontent, maintaining a network within and between organisations, and "
        "forming a group to which students and clients belong too.",
    ),
]

ASPECTS = {
    "LOS": [
        ("Leerdoelen wederzijds delen", "Sharing (learning) goals with each other"),
        ("Kennis wederzijds delen", "Sharing knowledge with each other"),
        ("Elkaar opbouwend-kritisch bevragen", "Questioning each other constructively and critically"),
        ("Feedback geven en ontvangen", "Giving and receiving feedback"),
        ("Reflecteren en reflexief zijn", "Reflection and reflexivity"),
    ],
    "GOC": [
        ("Aandacht voor de ontwikkeling van mensen en organisaties",
         "Attention to the development of people and organisations"),
        ("Andere mensen, disciplines en organisaties ontmoeten",
         "Meeting other people, disciplines and organisations"),
        ("Psychologische veiligheid: kwetsbaar durven zijn, fouten mogen maken, experimenteren",
         "Psychological safety: daring to be vulnerable, mistakes allowed, experimenting"),
        ("Gedeelde waarden (wederkerig leren, gelijkwaardigheid, waardering) expliciet maken en "
         "uitdragen",
         "Making shared values (reciprocal learning, equality, appreciation) explicit and "
         "carrying them out"),
        ("Dialoog en gezamenlijke besluitvorming; elkaar aanspreken",
         "Dialogue and joint decision-making; holding each other accountable"),
    ],
    "SRI": [
        ("Een gedeelde ambitie en visie", "A shared ambition and vision"),
        ("Doelen voor de samenwerking, regelmatig opnieuw afgestemd (verwachtingen, belangen)",
         "Goals for the collaboration, regularly re-aligned (expectations, interests)"),
        ("Structuur: vaste overleg-, reflectie- en evaluatiemomenten",
         "Structure: fixed moments to meet, reflect and evaluate"),
        ("Duidelijke rollen en verantwoordelijkheden (begeleider, beoordelaar, coach, "
         "bruggenbouwer)",
         "Explicit roles and responsibilities (supervisor, assessor, coach, bridge-builder)"),
        ("Structureel evalueren en bijstellen (een cyclus)",
         "Structural evaluation and adjustment (a cycle)"),
    ],
    "VMM": [
        ("Een passende mix van mensen en expertise", "A fitting mix of people and expertise"),
        ("Heldere afspraken over wie wat bijdraagt, zo gelijkwaardig mogelijk",
         "Clear agreements on who contributes what, as equal as possible"),
        ("Middelen: kwaliteit, ICT en communicatiesystemen",
         "Resources: quality, ICT and communication systems"),
        ("Fysieke ruimtes voor geplande en ongeplande ontmoeting",
         "Physical spaces for planned and unplanned meeting"),
        ("Genoeg tijd, mensen met mandaat om die toe te wijzen, bijdrage verankerd in beleid",
         "Enough time, people with authority to allocate it, contribution anchored in policy"),
    ],
    "LeA": [
        ("Gedeeld leiderschap: taken verdeeld naar expertise en voorkeur",
         "Shared leadership: tasks divided by expertise and preference"),
        ("Eigenaarschap en persoonlijk leiderschap", "Ownership and personal leadership"),
        ("Rolmodellen (bruggenbouwer, manager) die uitnodigen en faciliteren",
         "Role models (bridge-builder, manager) who invite and facilitate"),
        ("Professionele ruimte om te experimenteren", "Professional room to experiment"),
        ("Een ondernemende houding: kansen zien en benutten",
         "An entrepreneurial attitude: spotting and using opportunities"),
    ],
    "VOR": [
        ("Elkaar ontmoeten, leren kennen en vinden", "Meeting, getting to know and finding each other"),
        ("Openheid, transparantie en vertrouwen", "Openness, transparency and trust"),
        ("Ruimte om belangen af te stemmen en behoeften en onvrede te uiten",
         "Room to align interests and to voice needs and discontent"),
        ("Een netwerk van relaties binnen en tussen organisaties",
         "A network of relations within and between organisations"),
        ("Groepsidentiteit en erbij horen (ook studenten en cliënten)",
         "Group identity and belonging (students and clients too)"),
    ],
}

CHARACTERISTICS = [
    (
        "Duurzaam, sectoroverstijgend partnerschap",
        "Durable, cross-sector partnership",
        "Minstens één hogeschool en één publieke organisatie werken duurzaam samen, op een "
        "plek in de beroepspraktijk.",
        "At least one higher-education institution and one public organisation work together "
        "durably, at a place in professional practice.",
    ),
    (
        "Gezamenlijk eigendom",
        "Jointly owned",
        "De werkplaats is een grenspraktijk die de partners samen bezitten en waarover zij "
        "verantwoording afleggen aan ieder van hen.",
        "The workplace is a boundary practice that the partners own together and that is "
        "accountable to each of them.",
    ),
    (
        "Authentieke leer- en werkomgeving",
        "Authentic learning and working environment",
        "Leren en werken draaien om de dienstverlening van de publieke organisatie, in direct "
        "contact met cliënten.",
        "Learning and working revolve around the public organisation's service, in direct "
        "contact with clients.",
    ),
    (
        "Open, met continuïteit",
        "Open, with continuity",
        "Minstens studenten, professionals en cliënten doen actief mee; een paar mensen in "
        "centrale rollen (bruggenbouwer, rolmodel, manager) zorgen voor continuïteit.",
        "At least students, professionals and clients take an active part; a few people in "
        "central roles (bridge-builder, role model, manager) provide continuity.",
    ),
    (
        "Relatief veel studenten",
        "Relatively many students",
        "Er zijn relatief veel studenten, en zij werken als aanjagers van verandering.",
        "There are relatively many students, and they act as catalysts of change.",
    ),
    (
        "Grensoverstijgende activiteiten en objecten",
        "Boundary-crossing activities and objects",
        "Activiteiten en objecten helpen de grenzen tussen onderwijs, onderzoek en praktijk te "
        "overbruggen.",
        "Activities and objects help to cross the boundaries between education, research and "
        "practice.",
    ),
    (
        "Continu verbeteren met afgestemde doelen",
        "Continuous improvement with aligned goals",
        "De praktijk wordt voortdurend verbeterd; individuele en gezamenlijke doelen zijn "
        "expliciet, op elkaar afgestemd en worden steeds bijgesteld en geëvalueerd.",
        "Practice improves continuously; individual and shared goals are explicit, aligned, "
        "and continuously tuned and evaluated.",
    ),
    (
        "Bewust ontworpen rollen",
        "Deliberately designed roles",
        "Rollen zijn bewust ontworpen, met minstens een inhoudelijk rolmodel en een "
        "bruggenbouwer.",
        "Roles are deliberately designed, with at least a subject-matter role model and a "
        "bridge-builder.",
    ),
    (
        "Ontwikkelingsgerichte cultuur",
        "Development-oriented culture",
        "Een cultuur gericht op ontwikkeling, met een sterk leerproces voor iedereen en "
        "gelijkwaardige, wederkerige samenwerking.",
        "A culture oriented to development, with a strong learning process for everyone and "
        "equal, reciprocal collaboration.",
    ),
]


def load(apps, schema_editor):
    Element = apps.get_model("elements", "Element")
    Aspect = apps.get_model("elements", "Aspect")
    Characteristic = apps.get_model("elements", "Characteristic")
    for code, group, order, colour, name_nl, name_en, expl_nl, expl_en in ELEMENTS:
        element = Element.objects.create(
            code=code, group=group, order=order, colour=colour, name_nl=name_nl,
            name_en=name_en, explanation_nl=expl_nl, explanation_en=expl_en,
        )  # fmt: skip
        for position, (text_nl, text_en) in enumerate(ASPECTS[code], start=1):
            Aspect.objects.create(
                code=f"{code}-{position}", element=element, order=position,
                text_nl=text_nl, text_en=text_en,
            )  # fmt: skip
    for number, (title_nl, title_en, desc_nl, desc_en) in enumerate(CHARACTERISTICS, start=1):
        Characteristic.objects.create(
            number=number, title_nl=title_nl, title_en=title_en,
            description_nl=desc_nl, description_en=desc_en,
        )  # fmt: skip


def unload(apps, schema_editor):
    for model in ("Aspect", "Element", "Characteristic"):
        apps.get_model("elements", model).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("elements", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
