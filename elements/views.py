"""The model page and the general element pages (outside any PW)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from elements.models import Element


def model_context(element_url) -> dict:
    """The six elements (one query) with the URL each one links to."""
    elements = list(Element.objects.all())
    for element in elements:
        element.url = element_url(element)
    return {"elements": elements, "by_code": {e.code: e for e in elements}}


@require_GET
def model(request: HttpRequest) -> HttpResponse:
    """The LOS model drawn as the article shows it, each element linking to its page."""
    context = model_context(lambda e: reverse("elements:element-detail", args=[e.code]))
    return render(request, "elements/model.html", context)


@require_GET
def element_detail(request: HttpRequest, code: str) -> HttpResponse:
    """An element's explanation and aspects (the PW version adds what is linked to it)."""
    try:
        element = Element.objects.prefetch_related("aspects").get(code=code)
    except Element.DoesNotExist:
        raise Http404("No such element") from None
    return render(request, "elements/element_detail.html", {"element": element})
