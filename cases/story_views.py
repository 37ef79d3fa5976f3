"""Pages of value-creation stories (Wenger-Trayner's five cycles of value) about a practice case.

Access as on the case pages: ``policy.workplace_for`` first (404 outside the user's PWs, 403
when the role may not do the action), then the case and the story inside that PW only. Who may
manage cases writes and edits stories; who may see the case reads them on the case page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cases import services
from cases.forms import ValueStoryForm
from cases.models import ValueStory
from cases.views import _case
from werkplaats import policy
from werkplaats.models import Person
from werkplaats.versioning import invalid_status

A = policy.Action


def _story(case, story_pk: int) -> ValueStory:
    """A story of this case only: another case's (or PW's) id gives 404."""
    try:
        return ValueStory.objects.select_related("case", "author").get(pk=story_pk, case=case)
    except ValueStory.DoesNotExist:
        raise Http404("No such story") from None


def _apply(form, error: ValidationError) -> None:
    """The service's refusal as field errors on the form it came from."""
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


def _render(request, workplace, case, form, story=None, status=200) -> HttpResponse:
    return render(
        request, "cases/story_form.html",
        {"workplace": workplace, "case": case, "form": form, "story": story}, status=status,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def story_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Write a value-creation story about a case; the writer is its author."""
    workplace = policy.workplace_for(request.user, slug, A.MANAGE_CASES)
    case = _case(workplace, pk)
    form = ValueStoryForm(request.POST or None, case=case)
    if request.method == "POST":
        if form.is_valid():
            author = Person.objects.filter(user=request.user).first()
            try:
                story = services.create_value_story(case=case, author=author, **form.values())
            except ValidationError as error:
                _apply(form, error)
            else:
                messages.success(request, _("Story “%(title)s” saved.") % {"title": story.title})
                return redirect(f"{case.get_absolute_url()}#value-stories")
        return _render(request, workplace, case, form, status=400)
    return _render(request, workplace, case, form)


@require_http_methods(["GET", "POST"])
def story_edit(request: HttpRequest, slug: str, pk: int, story_pk: int) -> HttpResponse:
    """Edit a story with optimistic locking: a save over a newer version is refused (409)."""
    workplace = policy.workplace_for(request.user, slug, A.MANAGE_CASES)
    case = _case(workplace, pk)
    story = _story(case, story_pk)
    form = ValueStoryForm(request.POST or None, instance=story, case=case)
    if request.method == "POST":
        status = invalid_status(form)
        if form.is_valid():
            try:
                services.update_value_story(
                    story=story, version=form.cleaned_data["version"], **form.values()
                )
            except services.EditConflict:
                form.add_error(
                    None,
                    _(
                        "Somebody else changed this story after you opened it. Your changes "
                        "are not saved. Copy what you need, then reload the page to see their "
                        "version."
                    ),
                )
                status = 409
            except ValidationError as error:
                _apply(form, error)
            else:
                messages.success(request, _("Story “%(title)s” saved.") % {"title": story.title})
                return redirect(f"{case.get_absolute_url()}#value-stories")
        return _render(request, workplace, case, form, story, status=status)
    return _render(request, workplace, case, form, story)
