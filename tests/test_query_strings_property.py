"""No server error on any query string (issue 21): every GET page of the project (the routes of
the access matrix, found from the URL resolver), every admin list and the admin's autocomplete,
with NUL bytes, the UTF-8 bytes of a lone surrogate, 10 kB values, repeated keys, ids beyond
the integer range and whatever hypothesis makes of them. CI runs this on PostgreSQL, which
refuses NUL in text: there a NUL that reached a query was a 500.

A string the database cannot store is answered 400 by ``SafeInputMiddleware`` before any view
runs; everything else gets the page, its filters' field errors, a redirect or a 404.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.werkplaats.test_access_matrix import (  # noqa: F401 - fixtures
    PERSONAS,
    ROUTES,
    personas,
    sessions,
)

pytestmark = pytest.mark.django_db

# The keys the views, filters, searches and exports read, plus the admin's.
KEYS = [
    "workplace", "element", "aspect", "school_year", "year", "page", "q", "status", "role",
    "cycle", "kind", "format", "from", "case", "activity", "owner", "lead", "cancel", "next",
    "term", "app_label", "model_name", "field_name", "o", "p", "e", "all", "id__exact",
    "workplace__id__exact", "role__exact", "starts_on__gte",
]  # fmt: skip
NUL = "%00"
SURROGATE = "%ED%A0%80"  # the UTF-8 form of U+D800, which no UTF-8 text may hold
BAD_VALUES = {
    "nul": f"a{NUL}b",
    "surrogate": SURROGATE,
    "huge": "x" * 10_000,
    "beyond bigint": "99999999999999999999999",
    "below bigint": "-9223372036854775809",
    "negative": "-1",
    "right to left": quote("\u202eمرحبا\u202c"),
    "empty": "",
}
PREFERRED = ["staff", "researcher", "bridge_builder", "manager", "student", "client", "anonymous"]


def _persona(expected: dict) -> str:
    """Someone who gets the page itself (200), so the query string reaches the view."""
    return next((p for p in PREFERRED if expected.get(p) == 200), "staff")


GET_ROUTES = sorted(
    name
    for name, (_kwargs, method, expected) in ROUTES.items()
    if method == "get" and any(expected.get(p) == 200 for p in PERSONAS)
)


def _path(name: str, world: dict) -> str:
    """The route's URL, its placeholders (as in the access matrix) replaced by the world's pks."""
    kwargs = ROUTES[name][0]
    return reverse(name, kwargs={k: world.get(v, v) for k, v in kwargs.items()})


def _admin_paths() -> list[str]:
    paths = [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]
    autocomplete = reverse("admin:autocomplete")
    fields = "app_label=werkplaats&model_name=membership&field_name=person"
    return [*paths, f"{autocomplete}?{fields}"]


def _log_in(client, cookies: dict, persona: str) -> None:
    """The persona's session from the access matrix's ``sessions`` (no login of its own)."""
    name = django_settings.SESSION_COOKIE_NAME
    client.cookies.pop(name, None)
    if persona != "anonymous":
        client.cookies[name] = cookies[persona]


def _get(client, path: str, query: str):
    separator = "&" if "?" in path else "?"
    return client.get(path + (separator + query if query else ""))


def _queries() -> list[str]:
    """Every bad value in every key at once; repeated keys and bad keys for the worst ones."""
    queries = ["&".join(f"{key}={value}" for key in KEYS) for value in BAD_VALUES.values()]
    for value in (BAD_VALUES["nul"], BAD_VALUES["huge"], BAD_VALUES["beyond bigint"]):
        queries.append("&".join(f"{key}={value}&{key}=1&{key}={value}" for key in KEYS[:10]))
    queries += [f"{BAD_VALUES['nul']}=1", f"{SURROGATE}=1"]
    return queries


def _check(response, path: str, query: str) -> None:
    where = f"{path}?{query[:120]}"
    assert response.status_code < 500, where
    if NUL in query:
        assert response.status_code == 400, where
        text = response.content.decode()
        assert "Dit adres kan niet worden gebruikt" in text, where


@pytest.mark.parametrize("name", GET_ROUTES)
def test_no_query_string_gives_a_server_error_on_any_page(client, personas, sessions, name):  # noqa: F811
    path = _path(name, personas)
    persona = _persona(ROUTES[name][2])
    _log_in(client, sessions, persona)  # once: no GET logs out (asserted below)
    for query in _queries():
        _check(_get(client, path, query), path, query)
    assert ("_auth_user_id" in client.session) is (persona != "anonymous")


def test_no_query_string_gives_a_server_error_in_the_admin(client, personas):  # noqa: F811
    client.force_login(personas["staff"])
    searches = [f"{key}={value}" for key in ("q", "term") for value in BAD_VALUES.values()]
    for path in _admin_paths():
        for query in [*searches, *_queries()]:
            _check(client.get(f"{path}{'&' if '?' in path else '?'}{query}"), path, query)


def test_a_nul_in_a_path_value_is_a_400_not_a_server_error(client, personas):  # noqa: F811
    client.force_login(personas["staff"])
    for path in ["/model/%00/", "/pw/pw-a/model/LOS%00/", "/pw/pw-a/activities/export.x%00"]:
        response = client.get(path)
        assert response.status_code == 400, path


def test_a_cookie_the_database_cannot_store_is_ignored(client, personas):  # noqa: F811
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    assert client.get("/accounts/login/").status_code == 200
    del client.cookies["sessionid"]  # the test client itself would look it up to log in
    client.force_login(personas["staff"])
    client.cookies["werkplaats_language"] = "nl\x00"
    assert client.get("/").status_code == 200


ANY_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30
).map(quote)
VALUE = st.one_of(
    ANY_TEXT,
    st.sampled_from(list(BAD_VALUES.values())),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
QUERY = st.lists(st.tuples(st.sampled_from(KEYS) | ANY_TEXT, VALUE), max_size=6).map(
    lambda pairs: "&".join(f"{key}={value}" for key, value in pairs)
)
ALL_PATHS = st.sampled_from([("route", name) for name in GET_ROUTES]) | st.just(("admin", ""))


@settings(
    max_examples=2 * settings.default.max_examples,  # twice the profile's: 60 in CI
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(target=("route", "cases:cmo-all"), query="workplace=%00", admin_index=0)
@example(target=("route", "cases:cmo-export"), query="workplace=%00", admin_index=0)
@given(target=ALL_PATHS, query=QUERY, admin_index=st.integers(min_value=0, max_value=10_000))
def test_random_query_strings_never_give_a_server_error(
    client,
    personas,  # noqa: F811
    sessions,  # noqa: F811
    target,
    query,
    admin_index,
):
    kind, name = target
    if kind == "admin":
        paths = _admin_paths()
        path, persona = paths[admin_index % len(paths)], "staff"
    else:
        path, persona = _path(name, personas), _persona(ROUTES[name][2])
    _log_in(client, sessions, persona)
    _check(_get(client, path, query), path, query)
