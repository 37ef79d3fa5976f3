"""The link of an account invitation: set a password, then log in (issue 14).

Unknown, used, revoked and expired links get one and the same neutral page (404), and wrong
links are throttled per address like evaluation links; a valid link always opens. The page
takes the token out of the address bar at once (the token is kept in the session)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from werkplaats import account_invitations, audit
from werkplaats.models import User
from werkplaats.security import wrong_link

SESSION_KEY = "werkplaats_account_invitation"
THROTTLE_SCOPE = "account-invitation"


@login_not_required
@require_http_methods(["GET"])
def invitation_landing(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the mail: keep the token in the session, continue without it in the URL."""
    if account_invitations.invitation_for_token(token) is None:
        return wrong_link(request, THROTTLE_SCOPE, "registration/invitation_invalid.html")
    request.session[SESSION_KEY] = token
    return redirect("account-invitation-accept")


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest) -> HttpResponse:
    """Choose a password (Django's validators); the account is made and the person logged in."""
    token = request.session.get(SESSION_KEY, "")
    invitation = account_invitations.invitation_for_token(token if isinstance(token, str) else "")
    if invitation is None:
        return render(request, "registration/invitation_invalid.html", status=404)
    person = invitation.person
    candidate = person.user or User(email=person.email)
    form = SetPasswordForm(candidate, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = account_invitations.accept(
            invitation=invitation, password=form.cleaned_data["new_password1"]
        )
        request.session.pop(SESSION_KEY, None)
        if user is None:
            return render(request, "registration/invitation_invalid.html", status=404)
        login(request, user, backend="werkplaats.auth_backend.PersonModelBackend")
        audit.record(request, "account.invitation_accepted", obj=invitation)
        messages.success(request, _("Welcome to Werkplaats. Your password is set."))
        return redirect("werkplaats:home")
    return render(
        request,
        "registration/invitation_accept.html",
        {"form": form, "person": person, "invitation": invitation},
        status=400 if request.method == "POST" else 200,
    )
