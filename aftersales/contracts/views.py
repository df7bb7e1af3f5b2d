"""The project record of a contract: the handover checklist with its uploads, the initial acceptance and the
start of the service phase. Staff who hand over change it; the customer reads their own."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from aftersales.contracts import handover
from aftersales.contracts.models import Contract, HandoverDocument, HandoverDocumentKind
from aftersales.core.errors import InvalidTransition, PermissionDenied
from aftersales.core.forms import StyledForm
from aftersales.core.views import flash_domain_error, submit_and_return


class DocumentForm(StyledForm):
    kind = forms.ChoiceField(label=gettext_lazy("Document"), choices=HandoverDocumentKind.choices)
    file = forms.FileField(label=gettext_lazy("File"))


class AcceptanceForm(StyledForm):
    day = forms.DateField(label=gettext_lazy("Initial acceptance date"), widget=forms.DateInput(attrs={"type": "date"}))


class ServiceStartForm(StyledForm):
    exception_reason = forms.CharField(
        label=gettext_lazy("Why the service starts without the missing documents"),
        required=False,
        max_length=handover.MAX_EXCEPTION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _contract(request, pk: int) -> Contract:
    return get_object_or_404(Contract.objects.visible_to(request.user).select_related("customer"), pk=pk)


@login_required
@require_safe
def project_record(request, pk: int):
    contract = _contract(request, pk)
    project = handover.project_record_or_new(contract)
    documents = list(project.documents.select_related("uploaded_by")) if project.pk else []
    checklist = [
        {"kind": kind, "label": label, "documents": [d for d in documents if d.kind == kind]}
        for kind, label in HandoverDocumentKind.choices
    ]
    context = {
        "contract": contract,
        "project": project,
        "checklist": checklist,
        "missing": handover.missing_documents(project),
        "can_hand_over": handover.may_hand_over(request.user),
        "document_form": DocumentForm(),
        "acceptance_form": AcceptanceForm(initial={"day": project.initial_acceptance_date}),
        "start_form": ServiceStartForm(),
    }
    return render(request, "contracts/project_record.html", context)


def _act(request, pk: int, form_class, service, success: str):
    """Parse the form and call the service on the contract's record, made on first use (by someone allowed to)."""
    contract = _contract(request, pk)
    target = reverse("project_record", args=[contract.pk])
    if not handover.may_hand_over(request.user):
        flash_domain_error(request, PermissionDenied())
        return redirect(target)
    form = form_class(request.POST, request.FILES)
    project = handover.project_record_for(contract)
    return submit_and_return(request, target, form, lambda data: service(project, data), success)


@login_required
@require_POST
def project_document_add(request, pk: int):
    return _act(
        request,
        pk,
        DocumentForm,
        lambda project, data: handover.handover_document_add(
            actor=request.user, project=project, kind=data["kind"], file=data["file"]
        ),
        _("The document is added to the handover."),
    )


@login_required
@require_POST
def project_acceptance(request, pk: int):
    return _act(
        request,
        pk,
        AcceptanceForm,
        lambda project, data: handover.initial_acceptance_record(actor=request.user, project=project, day=data["day"]),
        _("The initial acceptance is recorded; the assets' warranty runs from it."),
    )


def _start(project, data, user):
    try:
        handover.service_phase_start(actor=user, project=project, exception_reason=data["exception_reason"])
    except InvalidTransition as error:
        raise InvalidTransition(error.message) from None  # the missing kinds are in the message, in words


@login_required
@require_POST
def project_service_start(request, pk: int):
    return _act(
        request,
        pk,
        ServiceStartForm,
        lambda project, data: _start(project, data, request.user),
        _("The service phase has started."),
    )


@login_required
@require_safe
def handover_document_download(request, pk: int):
    """Handover documents are served only here, after the same visibility check as the project page."""
    document = get_object_or_404(HandoverDocument.objects.visible_to(request.user), pk=pk)
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.name)


urlpatterns = [
    path("contracts/<int:pk>/project/", project_record, name="project_record"),
    path("contracts/<int:pk>/project/documents/", project_document_add, name="project_document_add"),
    path("contracts/<int:pk>/project/acceptance/", project_acceptance, name="project_acceptance"),
    path("contracts/<int:pk>/project/start/", project_service_start, name="project_service_start"),
    path("handover-documents/<int:pk>/", handover_document_download, name="handover_document_download"),
]
