"""The improvement agenda (verbeteragenda): actions made from a closed cycle's results.

Reading: whoever may read the PW's results (``READ_RESULTS``). Writing: bridge-builders,
managers and staff (``MANAGE_EVALUATIONS``). Another PW's actions are a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from evaluations import records
from evaluations.common import EvaluationError
from evaluations.forms import ActionForm
from evaluations.models import ImprovementAction
from werkplaats import policy
from werkplaats.versioning import invalid_status


@require_GET
def agenda(request: HttpRequest, slug: str) -> HttpResponse:
    workplace = policy.workplace_for(request.user, slug, policy.Action.READ_RESULTS)
    actions = (
        ImprovementAction.objects.filter(workplace=workplace)
        .select_related("cycle", "element", "owner", "organisation")
        .order_by("status", "due_on")
    )
    return render(
        request,
        "evaluations/agenda.html",
        {
            "workplace": workplace,
            "actions": actions,
            "can_edit": policy.can(request.user, policy.Action.MANAGE_EVALUATIONS, workplace),
        },
    )


@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    workplace = policy.workplace_for(request.user, slug, policy.Action.MANAGE_EVALUATIONS)
    action = None
    if pk is not None:
        action = ImprovementAction.objects.filter(workplace=workplace, pk=pk).first()
        if action is None:
            raise Http404("No such action")
    initial = {}
    if action is None and request.GET.get("cycle", "").isdigit():
        initial["cycle"] = int(request.GET["cycle"])
    form = ActionForm(request.POST or None, instance=action, initial=initial, workplace=workplace)
    status = invalid_status(form, default=200) if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            records.save_action(
                workplace=workplace,
                values=records.ActionValues.of(form.cleaned_data),
                action=action,
                expected_version=form.cleaned_data.get("version"),
                by=request.user,
            )
        except EvaluationError as error:
            form.add_error(None, str(error))
            status = 409
        else:
            messages.success(request, _("The improvement action is saved."))
            return redirect("evaluations:agenda", workplace.slug)
    return render(
        request,
        "evaluations/action_form.html",
        {"workplace": workplace, "form": form, "action": action},
        status=status,
    )
