"""The inbox, its settings and the one-click unsubscribe (namespace ``notifications``).

Access: a person sees only their own notifications (``policy.own_notifications``); another
person's notification is a 404. Unsubscribing works without a login, from a signed link.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from werkplaats import notifications, policy
from werkplaats.models import (
    Channel,
    DigestFrequency,
    Membership,
    NotificationKind,
    NotificationSettings,
    Person,
)
from werkplaats.versioning import EditConflict, check_version, parse_version

PER_PAGE = 30


def _person(request: HttpRequest) -> Person | None:
    return Person.objects.filter(user=request.user).first()


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """My notifications, newest first, 30 a page (constant queries)."""
    rows = policy.own_notifications(request.user).select_related("workplace", "goal")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    visible = notifications.visible_goal_ids(request.user, items)
    return render(
        request,
        "notifications/inbox.html",
        {"page_obj": page, "items": items, "visible_goals": visible},
    )


def _own(request: HttpRequest, pk: int):
    note = policy.own_notifications(request.user).filter(pk=pk).select_related("recipient")
    note = note.first()
    if note is None:
        raise Http404
    return note


@require_GET
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link (from the inbox or a mail): it counts as read."""
    note = _own(request, pk)
    notifications.mark_read(person=note.recipient, pk=note.pk)
    target = note.link
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        target = "notifications:inbox"
    return redirect(target)


@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    note = _own(request, pk)
    notifications.mark_read(person=note.recipient, pk=note.pk)
    if request.htmx:
        note.refresh_from_db()
        visible = notifications.visible_goal_ids(request.user, [note])
        return render(request, "notifications/_item.html", {"note": note, "visible_goals": visible})
    return redirect("notifications:inbox")


@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    if person is not None:
        count = notifications.mark_read(person=person)
        messages.success(request, _("%(count)s notifications marked as read.") % {"count": count})
    return redirect("notifications:inbox")


class SettingsForm(forms.Form):
    """Per kind how the person hears of it, and how often the digest comes."""

    digest = forms.ChoiceField(
        label=gettext_lazy("Digest"), choices=DigestFrequency.choices, widget=forms.RadioSelect
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locked = []
        for kind in NotificationKind:
            allowed = notifications.CHOICES[kind]
            if len(allowed) == 1:
                self.locked.append((kind.label, Channel(allowed[0]).label))
                continue
            self.fields[f"kind_{kind.value}"] = forms.ChoiceField(
                label=kind.label,
                choices=[(c, Channel(c).label) for c in allowed],
                widget=forms.RadioSelect,
            )

    def kind_fields(self):
        return [self[name] for name in self.fields if name.startswith("kind_")]


def _initial(row: NotificationSettings | None, person: Person) -> dict:
    choices = row.channels if row else {}
    digest = row.digest if row and row.digest else None
    if digest is None:
        roles = Membership.objects.current().filter(person=person).values_list("role", flat=True)
        digest = notifications.default_digest(roles)
    initial = {"digest": digest, "version": row.version if row else 0}
    for kind in NotificationKind:
        initial[f"kind_{kind.value}"] = notifications.channel_of(choices, kind)
    return initial


@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    if person is None:
        return render(request, "notifications/settings.html", {"form": None})
    row = NotificationSettings.objects.filter(person=person).first()
    form = SettingsForm(request.POST or None, initial=_initial(row, person))
    if request.method == "POST" and form.is_valid():
        seen = parse_version(form.cleaned_data["version"])
        with transaction.atomic():
            row, _created = NotificationSettings.objects.select_for_update().get_or_create(
                person=person, defaults={"version": 0}
            )
            try:
                check_version(row.version, seen)
            except EditConflict as conflict:
                form.add_error(None, str(conflict))
            else:
                row.channels = {
                    kind.value: form.cleaned_data[f"kind_{kind.value}"]
                    for kind in NotificationKind
                    if f"kind_{kind.value}" in form.cleaned_data
                }
                row.digest = form.cleaned_data["digest"]
                row.version += 1
                row.save()
        if not form.errors:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:settings")
        return render(request, "notifications/settings.html", {"form": form}, status=409)
    status = 400 if request.method == "POST" else 200
    return render(request, "notifications/settings.html", {"form": form}, status=status)


@login_not_required
@csrf_exempt  # RFC 8058: the mail client posts "List-Unsubscribe=One-Click" without a page
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (a link scanner must not unsubscribe anybody); POST does it."""
    found = notifications.read_unsubscribe_token(token)
    if found is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    person, kind = found
    label = _("the digest") if kind == "digest" else NotificationKind(kind).label
    if request.method == "POST":
        notifications.unsubscribe(person, kind)
        return render(request, "notifications/unsubscribe.html", {"done": True, "label": label})
    return render(request, "notifications/unsubscribe.html", {"label": label})


def waiting_panel(request) -> dict | None:
    """The home page's "waiting for you": support requests to answer and the newest unread
    notifications (two or three queries; nothing for a user without any)."""
    from werkplaats.models import GoalStatus, GoalSupport, SupportStatus

    if not request.user.is_authenticated:
        return None
    requests = list(
        GoalSupport.objects.filter(person__user=request.user, status=SupportStatus.REQUESTED)
        .exclude(goal__status=GoalStatus.DRAFT)
        .select_related("goal__workplace", "goal__owner")
        .order_by("-asked_at")[:10]
    )
    unread = list(
        policy.own_notifications(request.user)
        .filter(read_at=None)
        .exclude(kind=NotificationKind.SUPPORT_ASKED)  # listed above, with its answer
        .select_related("workplace", "goal")[:5]
    )
    if not requests and not unread:
        return None
    return {
        "requests": requests,
        "unread": unread,
        "visible_goals": notifications.visible_goal_ids(request.user, unread),
    }
