"""The activity log of a PW: list with filters and strip, quick log, full form, edit, delete,
duplicate and exports. Every view starts from the policy (404 outside the user's PWs)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from elements import reference
from werkplaats import audit, policy, tabular
from werkplaats.exports import activity_table
from werkplaats.forms import ActivityFilterForm, ActivityForm, QuickActivityForm
from werkplaats.models import Activity, Person, Workplace, school_year_start
from werkplaats.services import (
    ActivityValues,
    EditConflict,
    activity_summary,
    create_activity,
    delete_activity,
    update_activity,
)
from werkplaats.versioning import invalid_status

PAGE_SIZE = 25


class CountedPaginator(Paginator):
    """A paginator told its total (from the cached summary) instead of counting again."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


def _activity(workplace: Workplace, pk: int) -> Activity:
    """An activity of this PW only: another PW's id gives 404."""
    try:
        return Activity.objects.select_related("kind").get(pk=pk, workplace=workplace)
    except Activity.DoesNotExist:
        raise Http404("No such activity") from None


def _with_details(activities):
    """Everything a row, the strip and the exports show, in a constant number of queries."""
    return activities.select_related("kind").prefetch_related(
        "elements",
        "aspects",
        Prefetch("participants", queryset=Person.objects.order_by("name")),
        "headcounts",
    )


def _strip(counts: dict[str, int]) -> list[dict]:
    """The six elements in model order with their activity counts (one query)."""
    return [{"element": e, "count": counts.get(e.code, 0)} for e in reference.elements()]


def _list_context(request: HttpRequest, workplace: Workplace) -> dict:
    filters = ActivityFilterForm(request.GET or None, workplace=workplace)
    activities = filters.apply(Activity.objects.filter(workplace=workplace))
    summary = activity_summary(workplace, activities, filters.cache_key(), filters.counted())
    page = CountedPaginator(
        _with_details(activities).order_by("-date", "-start_time", "-pk"),
        PAGE_SIZE,
        count=summary["total"],
    )
    page_obj = page.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    today = timezone.localdate()
    school_year = school_year_start(today)
    presets = [
        (_("Last 3 months"), {"date_from": (today - dt.timedelta(days=91)).isoformat()}),
        (_("This school year"), {"date_from": school_year.isoformat()}),
        (_("All time"), {}),
    ]
    # The preset whose dates are the list's own is marked (the other filters do not matter).
    dates = {k: request.GET[k] for k in ("date_from", "date_to") if request.GET.get(k)}
    return {
        "presets": [(label, urlencode(params), params == dates) for label, params in presets],
        "workplace": workplace,
        "filters": filters,
        "page_obj": page_obj,
        "strip": _strip(summary["per_element"]),
        "query": query.urlencode(),
        "can_log": policy.can(request.user, policy.Action.LOG_ACTIVITY, workplace),
    }


@require_GET
def activity_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Newest first, paginated, filtered; the htmx filter form swaps only the results."""
    workplace = policy.workplace_for(request.user, slug, policy.Action.VIEW_ACTIVITIES)
    context = _list_context(request, workplace)
    if request.htmx and request.htmx.target == "activity-results":
        return render(request, "werkplaats/activities.html#results", context)
    if context["can_log"]:
        context["quick_form"] = QuickActivityForm(workplace=workplace)
    return render(request, "werkplaats/activities.html", context)


@require_POST
def activity_quick_log(request: HttpRequest, slug: str) -> HttpResponse:
    """The quick-log form: with htmx the new row appears and the form resets; without it, PRG."""
    workplace = policy.workplace_for(request.user, slug, policy.Action.LOG_ACTIVITY)
    form = QuickActivityForm(request.POST, workplace=workplace)
    if not form.is_valid():
        if request.htmx:
            return render(
                request, "werkplaats/activities.html#quick-form",
                {"workplace": workplace, "quick_form": form},
            )  # fmt: skip
        context = _list_context(request, workplace)
        context["quick_form"] = form
        return render(request, "werkplaats/activities.html", context, status=400)
    activity = create_activity(workplace=workplace, by=request.user, **_values(form))
    if request.htmx:
        if _current_filters(request):
            # The list on screen is filtered and the new row may not match: show the full,
            # unfiltered list (URL and filter form included) so the new activity is visible.
            return HttpResponseClientRedirect(
                reverse("werkplaats:activity-list", kwargs={"slug": workplace.slug})
            )
        fresh = QuickActivityForm(workplace=workplace)
        # Refresh the whole results region (the strip changes too), then the form.
        context = _list_context(_plain_get(request), workplace)
        context.update(quick_form=fresh, logged=activity, oob=True)
        return render(request, "werkplaats/activities_logged.html", context)
    messages.success(request, _("Activity “%(title)s” saved.") % {"title": activity.title})
    return redirect("werkplaats:activity-list", slug=workplace.slug)


def _values(form: ActivityForm) -> dict:
    """What the activity services take from a valid form: its values and its counts."""
    return {"values": ActivityValues.of(form.cleaned_data), "headcounts": form.headcounts()}


def _current_filters(request: HttpRequest) -> QueryDict:
    """The filter parameters of the page the htmx request came from (empty when none)."""
    current = getattr(request.htmx, "current_url", None) if request.htmx else None
    query = QueryDict(urlsplit(current).query if current else "", mutable=True)
    query.pop("page", None)
    return query


def _plain_get(request: HttpRequest) -> HttpRequest:
    """The list as it shows without filters (after a quick log the new row must be visible)."""
    request.GET = request.GET.copy()
    request.GET.clear()
    return request


@require_http_methods(["GET", "POST"])
def activity_new(request: HttpRequest, slug: str) -> HttpResponse:
    """The full form; ``?from=<id>`` duplicates an earlier activity (date becomes today)."""
    workplace = policy.workplace_for(request.user, slug, policy.Action.LOG_ACTIVITY)
    if request.method == "POST":
        form = ActivityForm(request.POST, workplace=workplace)
        if form.is_valid():
            activity = create_activity(workplace=workplace, by=request.user, **_values(form))
            messages.success(request, _("Activity “%(title)s” saved.") % {"title": activity.title})
            return redirect("werkplaats:activity-list", slug=workplace.slug)
        status = 400
    else:
        initial = {}
        source = request.GET.get("from")
        if source and source.isdigit():
            original = _activity(workplace, int(source))
            initial = _copy_of(original)
        form = ActivityForm(initial=initial, workplace=workplace)
        status = 200
    return render(
        request, "werkplaats/activity_form.html",
        {"workplace": workplace, "form": form, "activity": None},
        status=status,
    )  # fmt: skip


def _copy_of(original: Activity) -> dict:
    fields = ["start_time", "duration_minutes", "kind", "title", "level", "description",
              "boundary_objects"]  # fmt: skip
    initial = {name: getattr(original, name) for name in fields}
    initial["kind"] = original.kind_id
    initial["date"] = timezone.localdate()
    initial["participants"] = list(original.participants.values_list("pk", flat=True))
    initial["tags"] = original.tag_codes()
    for headcount in original.headcounts.all():
        initial[f"count_{headcount.role}"] = headcount.count
    return initial


def _row_context(request: HttpRequest, workplace: Workplace, pk: int) -> dict:
    """One row (as the list shows it) and the strip, for an inline swap after an edit."""
    activity = _with_details(Activity.objects.filter(workplace=workplace, pk=pk)).get()
    # The strip keeps the filters of the list on screen (its URL is in HX-Current-URL).
    filters = ActivityFilterForm(_current_filters(request) or None, workplace=workplace)
    activities = filters.apply(Activity.objects.filter(workplace=workplace))
    counts = activity_summary(workplace, activities, filters.cache_key(), filters.counted())[
        "per_element"
    ]
    strip = _strip(counts)
    return {"workplace": workplace, "activity": activity, "strip": strip, "oob": True,
            "can_log": True}  # fmt: skip


@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Edit with optimistic locking: a save over somebody else's newer save is refused.

    With htmx the form replaces the row in the list and a save swaps the row back in (plus
    the element strip); without JavaScript it is a page of its own.
    """
    workplace = policy.workplace_for(request.user, slug, policy.Action.LOG_ACTIVITY)
    activity = _activity(workplace, pk)
    inline = bool(request.htmx) and not request.htmx.boosted
    if inline and request.method == "GET" and request.GET.get("cancel"):
        context = _row_context(request, workplace, activity.pk)
        return render(request, "werkplaats/activities.html#row", context)
    status = 200
    # Inline, the quick-log form is on the same page: give this form's fields their own ids.
    ids = {"auto_id": f"edit{activity.pk}_%s"} if inline else {}
    if request.method == "POST":
        form = ActivityForm(request.POST, instance=activity, workplace=workplace, **ids)
        if form.is_valid():
            try:
                update_activity(
                    activity=activity,
                    expected_version=form.cleaned_data["version"],
                    **_values(form),
                )
            except EditConflict:
                form.add_error(
                    None,
                    _(
                        "Somebody else changed this activity after you opened it. Your changes "
                        "are not saved. Copy what you need, then reload the page to see their "
                        "version."
                    ),
                )
                status = 409
            else:
                if inline:
                    context = _row_context(request, workplace, activity.pk)
                    return render(request, "werkplaats/activity_row_saved.html", context)
                messages.success(
                    request, _("Activity “%(title)s” saved.") % {"title": activity.title}
                )
                return redirect("werkplaats:activity-list", slug=workplace.slug)
        else:
            status = invalid_status(form)
    else:
        form = ActivityForm(instance=activity, workplace=workplace, **ids)
    if inline:  # htmx swaps only 2xx responses: errors come back as 200 with the messages
        return render(
            request, "werkplaats/activity_inline_form.html",
            {"workplace": workplace, "form": form, "activity": activity},
        )  # fmt: skip
    return render(
        request, "werkplaats/activity_form.html",
        {"workplace": workplace, "form": form, "activity": activity},
        status=status,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def activity_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """GET asks for confirmation (the no-JavaScript path); POST deletes."""
    workplace = policy.workplace_for(request.user, slug, policy.Action.LOG_ACTIVITY)
    activity = _activity(workplace, pk)
    if request.method == "POST":
        title = activity.title
        delete_activity(activity=activity)
        messages.success(request, _("Activity “%(title)s” deleted.") % {"title": title})
        url = reverse("werkplaats:activity-list", kwargs={"slug": workplace.slug})
        if request.htmx:
            return HttpResponseClientRedirect(url)
        return redirect(url)
    return render(
        request, "werkplaats/activity_confirm_delete.html",
        {"workplace": workplace, "activity": activity},
    )  # fmt: skip


@require_GET
def activity_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """The filtered list as CSV or XLSX, element codes in columns."""
    if fmt not in ("csv", "xlsx"):
        raise Http404("Unknown export format")
    workplace = policy.workplace_for(request.user, slug, policy.Action.VIEW_ACTIVITIES)
    audit.record(request, f"export.activities.{fmt}", workplace=workplace)
    filters = ActivityFilterForm(request.GET or None, workplace=workplace)
    activities = _with_details(filters.apply(Activity.objects.filter(workplace=workplace)))
    # In chunks (prefetches per chunk): a log of any length is never in memory as a whole.
    activities = activities.order_by("-date", "-start_time", "-pk").iterator(chunk_size=500)
    filename = f"activiteiten-{workplace.slug}-{timezone.localdate().isoformat()}.{fmt}"
    if fmt == "csv":
        response = tabular.csv_response(filename, activity_table(activities))
    else:
        response = tabular.xlsx_response(filename, [activity_table(activities)])
    response["Cache-Control"] = "no-store"
    return response
