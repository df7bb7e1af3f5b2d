"""QC pages: the review worklist and form for quality controllers, and "my quality reviews" for engineers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from aftersales.core.errors import DomainError
from aftersales.core.views import add_domain_error
from aftersales.quality.forms import QcReviewForm
from aftersales.quality.models import QcReview
from aftersales.quality.selectors import qc_worklist, reviews_of
from aftersales.quality.services.common import may_review
from aftersales.quality.services.reviews import qc_review_record
from aftersales.tickets.views.queue import page_without_count


@login_required
def qc_list_view(request):
    if not may_review(request.user):
        raise Http404
    reviewed = request.GET.get("view") == "reviewed"
    page = page_without_count(qc_worklist(user=request.user, reviewed=reviewed), request.GET.get("page"))
    return render(request, "quality/qc_list.html", {"page": page, "reviewed": reviewed})


@login_required
def qc_review_view(request, pk: int):
    if not may_review(request.user):
        raise Http404
    review = get_object_or_404(
        QcReview.objects.visible_to(request.user).select_related("ticket__customer", "engineer", "reviewer"), pk=pk
    )
    initial = {name: getattr(review, name) for name in ("response_quality", "service_quality", "score", "comment")}
    form = QcReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            qc_review_record(actor=request.user, review=review, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The review is recorded."))
            return redirect("quality_qc_list")
    return render(request, "quality/qc_review.html", {"review": review, "ticket": review.ticket, "form": form})


@login_required
def my_reviews_view(request):
    """An engineer's own reviews; nobody sees another engineer's here (managers use the QC list)."""
    if not request.user.is_staff_member:
        raise Http404
    page = page_without_count(reviews_of(user=request.user), request.GET.get("page"))
    return render(request, "quality/my_reviews.html", {"page": page})


urlpatterns = [
    path("quality/reviews/", qc_list_view, name="quality_qc_list"),
    path("quality/reviews/<int:pk>/", qc_review_view, name="quality_qc_review"),
    path("quality/my-reviews/", my_reviews_view, name="quality_my_reviews"),
]
