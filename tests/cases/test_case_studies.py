"""Case studies: table 1, fragments for researchers only, summaries, the cross-case matrix."""

from __future__ import annotations

import pytest

from cases.models import DataCollection, ElementSummary, Fragment
from cases.study_services import respondent_table
from tests.factories import (
    CaseStudyFactory,
    DataCollectionFactory,
    FragmentFactory,
    ResearchGrantFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def study(workplace):
    return CaseStudyFactory(workplace=workplace, title="PW Revalidatie 2026")


def _url(study, suffix=""):
    return f"/pw/{study.workplace.slug}/studies/{study.pk}/{suffix}"


def test_table_1_sums_respondents_per_group_and_method(study):
    # The article's case study: 24 students, 21 supporters, 19 professionals, 4 managers,
    # 7 clients (focus groups, management interviewed).
    for group, n in [("students", 12), ("students", 12), ("supporters", 21),
                     ("professionals", 19), ("clients", 7)]:  # fmt: skip
        DataCollectionFactory(case_study=study, method="focus_group", group=group, respondents=n)
    DataCollectionFactory(case_study=study, method="interview", group="management", respondents=4)
    DataCollectionFactory(case_study=CaseStudyFactory(), group="students", respondents=99)
    table = respondent_table(study)
    rows = {str(row["group"]): row for row in table["rows"]}
    methods = [code for code, _label in table["methods"]]
    assert rows["students"]["cells"][methods.index("focus_group")] == 24
    assert rows["management"]["cells"][methods.index("interview")] == 4
    assert rows["clients"]["total"] == 7
    assert table["total"] == 75 and table["moments"] == 6
    assert "mixed or not applicable" not in rows


def test_members_see_table_1_and_summaries_but_no_fragments(client, study, member):
    DataCollectionFactory(case_study=study, respondents=24)
    ElementSummary.objects.create(
        case_study=study, element_id="LOS", recognition="strong", summary="Duidelijk zichtbaar"
    )
    fragment = FragmentFactory(case_study=study, text="Geheim citaat uit de focusgroep")
    fragment.elements.set(["LOS"])
    client.force_login(member)
    response = client.get(_url(study))
    html = response.content.decode()
    assert response.status_code == 200
    assert "24" in html and "Duidelijk zichtbaar" in html and "Strongly recognised" in html
    assert "Geheim citaat" not in html
    assert "fragment" not in html.lower().replace("fragments", "")  # no form, no counts


def test_researchers_see_fragments_as_evidence_under_their_element(client, study, researcher):
    fragment = FragmentFactory(case_study=study, text="Je leert hier echt van elkaar")
    fragment.elements.set(["LOS"])
    fragment.aspects.set(["LOS-2"])
    client.force_login(researcher)
    html = client.get(_url(study)).content.decode()
    assert "Je leert hier echt van elkaar" in html and "LOS-2" in html


def test_a_researcher_adds_a_moment_a_fragment_and_a_summary(client, study, researcher):
    client.force_login(researcher)
    response = client.post(
        _url(study, "moments/"),
        {"method": "focus_group", "group": "clients", "date": "2026-10-02", "respondents": 7},
    )
    assert response.status_code == 302
    moment = DataCollection.objects.get()
    response = client.post(
        _url(study, "fragments/"),
        {"text": "Ik hoor er echt bij", "group": "clients", "collection": moment.pk,
         "tags": ["VOR-5"]},
    )  # fmt: skip
    assert response.status_code == 302
    fragment = Fragment.objects.get()
    assert fragment.coded_by == researcher and sorted(fragment.tag_codes()) == ["VOR", "VOR-5"]
    for text in ("Eerste versie", "Tweede versie"):
        client.post(
            _url(study, "summaries/"), {"element": "VOR", "recognition": "partly", "summary": text}
        )
    summary = ElementSummary.objects.get()
    assert (summary.summary, summary.recognition) == ("Tweede versie", "partly")


def test_a_fragment_without_codes_is_refused(client, study, researcher):
    client.force_login(researcher)
    response = client.post(_url(study, "fragments/"), {"text": "Zonder code", "group": "students"})
    assert response.status_code == 400
    assert "at least one element" in str(response.context["fragment_form"].errors["tags"])
    assert not Fragment.objects.exists()


def test_members_may_not_add_fragments_or_summaries(client, study, owner):
    client.force_login(owner)
    assert client.post(_url(study, "fragments/"), {"text": "x", "group": "students",
                                                   "tags": ["LOS"]}).status_code == 403  # fmt: skip
    assert (
        client.post(
            _url(study, "summaries/"), {"element": "LOS", "recognition": "not", "summary": "x"}
        ).status_code
        == 403
    )
    assert not Fragment.objects.exists() and not ElementSummary.objects.exists()


def test_outsiders_get_404(client, study, outsider):
    client.force_login(outsider)
    assert client.get(_url(study)).status_code == 404
    assert client.post(_url(study, "moments/"), {}).status_code == 404


def test_a_researcher_of_another_workplace_gets_404(client, study, other_workplace):
    user = ResearchGrantFactory(workplace=other_workplace).user
    client.force_login(user)
    assert client.get(_url(study)).status_code == 404


def test_the_cross_case_matrix_shows_recognition_and_fragment_counts(
    client, workplace, other_workplace, staff, django_assert_num_queries
):
    first = CaseStudyFactory(workplace=workplace, title="Studie A")
    second = CaseStudyFactory(workplace=other_workplace, title="Studie B")
    ElementSummary.objects.create(
        case_study=first, element_id="GOC", recognition="strong", summary="Veilig klimaat"
    )
    for _ in range(3):
        FragmentFactory(case_study=first).elements.set(["GOC"])
    FragmentFactory(case_study=second).elements.set(["GOC", "SRI"])
    client.force_login(staff)
    response = client.get("/case-studies/")
    html = response.content.decode()
    assert "Studie A" in html and "Studie B" in html and "Veilig klimaat" in html
    order = [study.pk for study in response.context["studies"]]
    assert sorted(order) == sorted([first.pk, second.pk])
    matrix = {
        row["element"].code: dict(zip(order, row["cells"], strict=True))
        for row in response.context["matrix"]
    }
    assert (matrix["GOC"][first.pk]["fragments"], matrix["GOC"][second.pk]["fragments"]) == (3, 1)
    assert (matrix["SRI"][first.pk]["fragments"], matrix["SRI"][second.pk]["fragments"]) == (0, 1)
    assert matrix["GOC"][first.pk]["summary"].recognition == "strong"
    assert "Citaat" not in html  # counts, never the fragments themselves
    for _ in range(5):
        CaseStudyFactory(workplace=workplace)
    # session, user and person, studies (with their PW), elements, summaries, fragment
    # counts; staff need no grant lookup
    with django_assert_num_queries(6):
        client.get("/case-studies/")


def test_the_matrix_is_for_researchers_and_staff_only(client, member, researcher, study):
    client.force_login(member)
    assert client.get("/case-studies/").status_code == 403
    client.force_login(researcher)
    assert "PW Revalidatie 2026" in client.get("/case-studies/").content.decode()
