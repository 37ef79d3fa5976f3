"""Views of the core: my workplaces, the PW home, login tweaks, language, health."""

from __future__ import annotations

import time
from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from elements.models import Characteristic, Element
from elements.slots import element_slots
from elements.views import model_context
from werkplaats import audit, policy, workplace_cards
from werkplaats.forms import LoginForm
from werkplaats.home_panels import home_panels
from werkplaats.middleware import SessionLifetimeMiddleware
from werkplaats.models import (
    Activity,
    GoalStatus,
    GoalVisibility,
    Language,
    LearningGoal,
    Membership,
    OrganisationKind,
    Person,
    Role,
    Workplace,
    school_year_start,
)
from werkplaats.services import (
    Evidence,
    characteristic_evidence,
    people_counts,
    role_counts,
    role_table,
)


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    from django.templatetags.static import static

    return redirect(static("favicon.svg"), permanent=True)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """My workplaces: every PW the user may see, with its current people counted per role."""
    workplaces = list(Workplace.objects.visible_to(request.user))
    request.home_workplaces = workplaces  # the panels' PWs, without reading them again
    counts = role_counts(workplaces)
    totals = people_counts(workplaces)
    # The partner kinds as plain rows: prefetching the partners made a queryset per PW.
    kinds: dict[int, set[str]] = defaultdict(set)
    partners = Workplace.partners.through.objects.filter(workplace__in=workplaces)
    for workplace_id, kind in partners.values_list("workplace_id", "organisation__kind"):
        kinds[workplace_id].add(kind)
    rows = [
        {
            "workplace": wp,
            "roles": role_table(counts.get(wp.pk, {})),
            "people": totals.get(wp.pk, 0),
            "missing_partner_kinds": Workplace.lacking(kinds[wp.pk]),
        }
        for wp in workplaces
    ]
    workplace_cards.add_cards(rows)
    return render(request, "werkplaats/home.html", {"rows": rows, "panels": home_panels(request)})


@require_GET
def workplace_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The PW home: partners, members by role, and flags on what the PW lacks."""
    workplace = policy.workplace_for(request.user, slug, policy.Action.VIEW_WORKPLACE)
    partners = list(workplace.partners.order_by("kind", "name"))
    show_members = policy.can(request.user, policy.Action.VIEW_MEMBERS, workplace)
    show_contact = policy.can(request.user, policy.Action.VIEW_CONTACT, workplace)
    if show_members:  # the names (and for some roles the addresses) of clients are shown
        audit.record(request, "members.viewed", workplace=workplace)

    members_by_role: dict[str, list[Membership]] = {role.value: [] for role in Role}
    if show_members:
        current = list(
            Membership.objects.current()
            .filter(workplace=workplace)
            .select_related("person")
            .order_by("person__name")
        )
        for membership in current:
            members_by_role[membership.role].append(membership)
        # The counts from the same rows, as role_counts and people_counts count them
        # (distinct people; someone with two roles counts in both).
        counts = {
            role: len({m.person_id for m in held}) for role, held in members_by_role.items() if held
        }
        people = len({m.person_id for m in current})
    else:
        counts = role_counts([workplace]).get(workplace.pk, {})
        people = people_counts([workplace]).get(workplace.pk, 0)
    roles = [
        {"code": code, "label": label, "count": count, "members": members_by_role[code]}
        for code, label, count in role_table(counts)
    ]
    kinds = {partner.kind for partner in partners}
    flags = {
        "missing_partner_kinds": [
            kind.label
            for kind in (OrganisationKind.HIGHER_EDUCATION, OrganisationKind.PUBLIC)
            if kind not in kinds
        ],
        "no_bridge_builder": not counts.get(Role.BRIDGE_BUILDER),
        "no_students": not counts.get(Role.STUDENT),
        "no_clients": not counts.get(Role.CLIENT),
    }
    context = {
        "workplace": workplace,
        "partners": partners,
        "roles": roles,
        "people": people,
        "show_members": show_members,
        "show_contact": show_contact,
        "can_edit": policy.can(request.user, policy.Action.EDIT_WORKPLACE, workplace),
        "flags": flags,
        "hub": _hub(request, workplace),
    }
    return render(request, "werkplaats/workplace_detail.html", context)


def _hub(request: HttpRequest, workplace: Workplace) -> dict:
    """Counts beside the PW's sections and what happened lately (three queries at most)."""
    hub: dict = {"activities": 0, "goals": 0, "recent": []}
    if policy.can(request.user, policy.Action.VIEW_ACTIVITIES, workplace):
        activities = Activity.objects.filter(workplace=workplace)
        hub["activities"] = activities.filter(
            date__gte=school_year_start(timezone.localdate())
        ).count()
        hub["recent"] = list(
            activities.select_related("kind").order_by("-date", "-start_time", "-pk")[:5]
        )
    if policy.can(request.user, policy.Action.KEEP_GOALS, workplace):
        hub["goals"] = LearningGoal.objects.filter(
            workplace=workplace, status=GoalStatus.ACTIVE, visibility=GoalVisibility.WORKPLACE
        ).count()
    return hub


class LogoutView(auth_views.LogoutView):
    """Logging out ends all of the user's sessions (other devices too), not only this one."""

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            request.user.end_all_sessions()
        return super().post(request, *args, **kwargs)


class LoginView(auth_views.LoginView):
    """Login by email; afterwards the interface speaks the person's preferred language."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # The absolute session limit counts from here (see SessionLifetimeMiddleware).
        self.request.session[SessionLifetimeMiddleware.KEY] = int(time.time())
        person = Person.objects.filter(user=form.get_user()).only("preferred_language").first()
        if person and person.preferred_language in dict(settings.LANGUAGES):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                person.preferred_language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered in a cookie and, when logged in, on the person."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in Language.values:
        Person.objects.filter(user=request.user).update(preferred_language=language)
    return response


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for the container health check."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not ready"
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@require_GET
def workplace_model(request: HttpRequest, slug: str) -> HttpResponse:
    """The LOS model within a PW: each element links to what this PW links to it."""
    workplace = policy.workplace_for(request.user, slug, policy.Action.VIEW_WORKPLACE)
    context = model_context(
        lambda e: reverse("werkplaats:element-detail", args=[workplace.slug, e.code])
    )
    return render(request, "elements/model.html", {**context, "workplace": workplace})


@require_GET
def element_detail(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """An element within a PW: explanation, aspects, and the slots later apps fill."""
    workplace = policy.workplace_for(request.user, slug, policy.Action.VIEW_WORKPLACE)
    elements = list(Element.objects.prefetch_related("aspects"))
    element = next((e for e in elements if e.code == code), None)
    if element is None:
        raise Http404("No such element")
    slots = [
        {"slot": slot, "context": slot.context(request, workplace, element)}
        for slot in element_slots()
    ]
    context = {"workplace": workplace, "element": element, "elements": elements, "slots": slots}
    return render(request, "werkplaats/element_detail.html", context)


STATUS_LABELS = {
    "met": _("Present according to the data"),
    "not_met": _("Not present according to the data"),
    "self_scan": _("To judge in the self-scan"),
}


@require_GET
def characteristics(request: HttpRequest, slug: str) -> HttpResponse:
    """The nine PW characteristics as a checklist, with automatic evidence where there is some."""
    workplace = policy.workplace_for(request.user, slug, policy.Action.VIEW_WORKPLACE)
    partners = list(workplace.partners.all())
    evidence = characteristic_evidence(workplace, partners)
    rows = []
    for characteristic in Characteristic.objects.all():
        found = evidence.get(characteristic.number, Evidence("self_scan", []))
        rows.append(
            {
                "characteristic": characteristic,
                "status": found.status,
                "status_label": STATUS_LABELS[found.status],
                "facts": found.facts,
            }
        )
    return render(
        request, "werkplaats/characteristics.html", {"workplace": workplace, "rows": rows}
    )


@login_not_required
@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    """What Werkplaats stores, why, for how long and who sees what (open to everyone, also
    to a client who follows an evaluation link)."""
    return render(
        request,
        "werkplaats/privacy.html",
        {
            "retention_days": settings.EVALUATION_RETENTION_DAYS,
            "login_days": settings.LOGIN_RECORD_RETENTION_DAYS,
            "minimum": settings.EVALUATION_MIN_GROUP,
        },
    )


def _staff_person(request: HttpRequest, pk: int):
    """Personal-data pages are for staff only; for anyone else they do not exist."""
    if not policy.may_handle_personal_data(request.user):
        raise Http404("No such page")
    try:
        return Person.objects.select_related("user").get(pk=pk)
    except Person.DoesNotExist:
        raise Http404("No such person") from None


@require_GET
def person_data(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything held about one person (GDPR access and portability): readable HTML, or JSON
    with ?format=json as a download."""
    import json

    from werkplaats.personal_data import export_person

    person = _staff_person(request, pk)
    data = export_person(person)
    exporting = request.GET.get("format") == "json"
    audit.record(request, "person.exported" if exporting else "person.viewed", obj=person)
    if exporting:
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
        )
        response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.json"'
        return response
    pretty = json.dumps(data, ensure_ascii=False, indent=2)
    return render(
        request, "werkplaats/person_data.html", {"person": person, "data": data, "pretty": pretty}
    )


@require_http_methods(["GET", "POST"])
def person_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """Erase a person everywhere (GDPR erasure); asks first."""
    from werkplaats.personal_data import erase_person

    person = _staff_person(request, pk)
    if request.method == "POST" and request.POST.get("confirm") == "erase":
        audit.record(request, "person.erased", object_type="werkplaats.person", object_id=person.pk)
        erase_person(person)
        messages.success(request, _("The person is erased everywhere."))
        return redirect("admin:werkplaats_person_changelist")
    return render(request, "werkplaats/person_erase.html", {"person": person})
