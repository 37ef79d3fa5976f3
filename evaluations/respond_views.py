"""Answering an evaluation: through a secret link (no account needed) or from the home page.

Access: the token page checks the link and remembers the invitation in the session, then
redirects to token-free URLs (so the token does not linger in the address bar, history or
Referer). A logged-in person may always open their own invitations. Anything else: 404.
Unknown, revoked and expired links get one and the same answer, and guessing is throttled per
client address, apart from the login throttle; a valid link opens also while its address is
throttled.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from elements.models import Element
from evaluations import answering, invitations, tokens
from evaluations.common import EvaluationError
from evaluations.forms import ElementPageForm, OpenQuestionsForm
from evaluations.models import (
    PLAIN_LANGUAGE_ROLES,
    Answer,
    ElementComment,
    Invitation,
    Item,
    Response,
)
from werkplaats import policy
from werkplaats.delivery import hash_token
from werkplaats.security import wrong_link

SESSION_KEY = "evaluation_invitations"
THROTTLE_SCOPE = "evaluation-token"


def _allow(request: HttpRequest, invitation: Invitation, token: str) -> None:
    """Remember in this browser's session that it holds a link to the invitation: the
    invitation's id with the hash of the link's token, re-checked on every page, so a link
    that is replaced stops working in browsers that opened it before."""
    grants = dict(request.session.get(SESSION_KEY, {}))
    grants[str(invitation.pk)] = hash_token(token)
    request.session[SESSION_KEY] = grants


def forget_grants(sender, request, user, **kwargs) -> None:
    """At login (e.g. on a shared computer) the links opened before no longer count."""
    request.session.pop(SESSION_KEY, None)


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "evaluations/link_invalid.html", status=404)


def _checked_invitation(request: HttpRequest, token: str) -> Invitation | HttpResponse:
    """The invitation of a valid link, else the page to answer with. A valid link always
    opens: the throttle limits guessing, not answering, so twenty wrong links from a shared
    address (an office network, a hogeschool's NAT) lock nobody with a real link out. A
    wrong link counts as a failure of the address, and once the address has failed
    ``EVALUATION_TOKEN_FAILURES`` times in the window every wrong link gets 429. (A link is
    256 random bits: the throttle keeps guessing noisy and slow, it is not what makes a link
    hard to guess.)"""
    invitation = tokens.invitation_for_token(token)
    if invitation is not None:
        return invitation
    return wrong_link(request, THROTTLE_SCOPE, "evaluations/link_invalid.html")


@login_not_required
@require_GET
def token_landing(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the mail: remember the invitation, continue without the token in the URL."""
    invitation = _checked_invitation(request, token)
    if isinstance(invitation, HttpResponse):
        return invitation
    _allow(request, invitation, token)
    response = redirect("evaluations:respond", invitation.pk)
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            invitation.person.preferred_language,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


@login_not_required
@require_http_methods(["GET", "POST"])
def stop_reminders(request: HttpRequest, token: str) -> HttpResponse:
    """The "no more reminders" link of every mail; asks before it acts (mail scanners GET)."""
    invitation = _checked_invitation(request, token)
    if isinstance(invitation, HttpResponse):
        return invitation
    stopped = request.method == "POST"
    if stopped:
        invitations.stop_reminders(invitation=invitation)
    return render(
        request,
        "evaluations/stop_reminders.html",
        {"invitation": invitation, "cycle": invitation.cycle, "stopped": stopped},
    )


def _invitation(request: HttpRequest, pk: int) -> Invitation:
    """The invitation, if this browser holds its link or it belongs to the logged-in user."""
    queryset = Invitation.objects.select_related(
        "cycle__workplace", "cycle__instrument_version", "person"
    )
    grants = request.session.get(SESSION_KEY, {})
    token_hash = grants.get(str(pk)) if isinstance(grants, dict) else None
    if token_hash:
        queryset = queryset.filter(tokens__token_hash=token_hash, tokens__revoked_at=None)
    elif request.user.is_authenticated:
        queryset = queryset.filter(person__user=request.user)
    else:
        raise Http404("No such invitation")
    try:
        return queryset.get(pk=pk)
    except Invitation.DoesNotExist:
        raise Http404("No such invitation") from None


def _pages(invitation: Invitation) -> list[tuple[Element, list[Item]]]:
    """The instrument's items grouped by element, in model order (one page per element)."""
    items = list(
        Item.objects.filter(version=invitation.cycle.instrument_version_id)
        .select_related("element")
        .order_by("element__order", "order")
    )
    pages: list[tuple[Element, list[Item]]] = []
    for item in items:
        if not pages or pages[-1][0].code != item.element_id:
            pages.append((item.element, []))
        pages[-1][1].append(item)
    return pages


SECONDS_PER_STATEMENT = 15  # reading a short statement and choosing on a 1-5 scale
OPEN_QUESTIONS_MINUTES = 2


def answering_minutes(statements: int) -> int:
    """The time the intro promises, from the number of statements (issue 19): 15 seconds a
    statement and two minutes for the open questions, rounded up, never under three."""
    return max(3, math.ceil(statements * SECONDS_PER_STATEMENT / 60) + OPEN_QUESTIONS_MINUTES)


def _plain_language(invitation: Invitation) -> bool:
    """Clients read the questionnaire in B1: plain element titles, no codes or model terms."""
    return invitation.role in PLAIN_LANGUAGE_ROLES


def _closed(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    return render(
        request,
        "evaluations/respond_closed.html",
        {"invitation": invitation, "cycle": invitation.cycle},
        status=410 if request.method == "POST" else 200,
    )


@login_not_required
@require_GET
def respond(request: HttpRequest, pk: int) -> HttpResponse:
    """Before starting: what the evaluation is and who will see what."""
    invitation = _invitation(request, pk)
    if not invitation.cycle.is_open():
        return _closed(request, invitation)
    pages = _pages(invitation)
    response = Response.objects.filter(invitation=invitation).first()
    return render(
        request,
        "evaluations/respond_intro.html",
        {
            "invitation": invitation,
            "cycle": invitation.cycle,
            "workplace": invitation.cycle.workplace,
            "steps": len(pages) + 1,
            "minutes": answering_minutes(sum(len(items) for _, items in pages)),
            "response": response,
            "threshold": settings.EVALUATION_MIN_GROUP,
            "small_group": small_group(invitation),
            "plain_language": _plain_language(invitation),
        },
    )


def small_group(invitation: Invitation) -> bool:
    """True when fewer people of the respondent's group are invited in this cycle than the
    minimum for showing a group: told before they start that their group's scores will not be
    shown separately (issue 18)."""
    invited = Invitation.objects.filter(cycle_id=invitation.cycle_id, role=invitation.role)
    return invited.count() < settings.EVALUATION_MIN_GROUP


@login_not_required
@require_http_methods(["GET", "POST"])
def respond_step(request: HttpRequest, pk: int, step: int) -> HttpResponse:
    """One element's statements (steps 1..n) or the open questions and submit (step n+1).

    Without JavaScript the page form posts and moves on; with htmx every change is posted and
    saved at once (the reply is a short status for the live region), so closing the browser
    loses nothing.
    """
    invitation = _invitation(request, pk)
    cycle = invitation.cycle
    if not cycle.is_open():
        return _closed(request, invitation)
    pages = _pages(invitation)
    if not 1 <= step <= len(pages) + 1:
        raise Http404("No such step")
    response = answering.start_response(invitation=invitation)
    context = {
        "invitation": invitation,
        "cycle": cycle,
        "workplace": cycle.workplace,
        "step": step,
        "steps": len(pages) + 1,
        "previous": step - 1 if step > 1 else None,
        "response": response,
        "plain_language": _plain_language(invitation),
    }
    if step == len(pages) + 1:
        return _final_step(request, response, context, pages)
    element, items = pages[step - 1]
    context["element"] = element
    # The element came with the items (select_related): its title costs no query.
    context["element_title"] = element.title_for(invitation.role)
    if request.method == "POST":
        form = ElementPageForm(
            request.POST, items=items, role=invitation.role, element_code=element.code
        )
        if form.is_valid():
            try:
                answering.save_answers(
                    response=response,
                    answers=form.answers(),
                    comments={element.code: form.cleaned_data["comment"]},
                )
            except EvaluationError as error:
                form.add_error(None, str(error))
            else:
                if request.htmx:
                    return _saved(request, len(form.answers()))
                target = step - 1 if "previous" in request.POST and step > 1 else step + 1
                if "previous" in request.POST and step == 1:
                    return redirect("evaluations:respond", pk)
                return redirect("evaluations:respond-step", pk, target)
        if request.htmx:
            return _saved(request, None, form=form)
    else:
        form = _resumed_form(response, element, items, invitation.role)
    if context["plain_language"]:
        form.fields["comment"].label = _("Do you want to add something about this? (optional)")
    context["form"] = form
    context["item_fields"] = [form[f"item-{item.pk}"] for item in items]
    return render(request, "evaluations/respond_step.html", context)


def _resumed_form(response, element, items, role: str) -> ElementPageForm:
    """An element's page as the respondent left it: their saved answers and comment."""
    initial = {
        f"item-{item_id}": str(value)
        for item_id, value in Answer.objects.filter(response=response, item__in=items).values_list(
            "item_id", "value"
        )
    }
    comment = ElementComment.objects.filter(response=response, element=element).first()
    initial["comment"] = comment.text if comment else ""
    return ElementPageForm(initial=initial, items=items, role=role, element_code=element.code)


def _saved(request: HttpRequest, count: int | None, form=None) -> HttpResponse:
    return render(
        request,
        "evaluations/respond_step.html#save-status",
        {"saved_at": timezone.localtime(), "count": count, "form": form},
    )


def _final_step(request, response, context, pages) -> HttpResponse:
    answered = Answer.objects.filter(response=response).count()
    context["unanswered"] = sum(len(items) for _element, items in pages) - answered
    if request.method == "POST":
        form = OpenQuestionsForm(request.POST)
        if form.is_valid():
            try:
                answering.save_open_answers(response=response, **form.cleaned_data)
                if request.htmx and "submit" not in request.POST:
                    return _saved(request, None)
                if "previous" in request.POST:
                    return redirect("evaluations:respond-step", response.invitation_id, len(pages))
                if "submit" in request.POST:
                    answering.submit_response(response=response)
                    return redirect("evaluations:respond-done", response.invitation_id)
            except EvaluationError as error:
                form.add_error(None, str(error))
        elif request.htmx:
            return _saved(request, None, form=form)
    else:
        form = OpenQuestionsForm(
            initial={
                "went_well": response.went_well,
                "could_be_better": response.could_be_better,
                "assisted": response.assisted,
            }
        )
    context["form"] = form
    return render(request, "evaluations/respond_final.html", context)


@login_not_required
@require_GET
def respond_done(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _invitation(request, pk)
    response = Response.objects.filter(invitation=invitation).first()
    if response is None or response.submitted_at is None:
        return redirect("evaluations:respond", pk)
    return render(
        request,
        "evaluations/respond_done.html",
        {"invitation": invitation, "cycle": invitation.cycle, "response": response},
    )


@require_GET
def member_answer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """From the home page: a member opens their own invitation of this PW's cycle."""
    workplace = policy.workplace_for(request.user, slug, policy.Action.VIEW_WORKPLACE)
    invitation = Invitation.objects.filter(
        cycle__workplace=workplace, cycle=pk, person__user=request.user
    ).first()
    if invitation is None:
        raise Http404(_("You are not invited to this evaluation."))
    return redirect("evaluations:respond", invitation.pk)
