"""The knowledge API: read-only articles, as the user may read them (customers: published and meant for them)."""

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions, serializers, viewsets

from aftersales.assets.models import Product
from aftersales.core.api import IdFilter
from aftersales.knowledge.choices import ArticleStatus
from aftersales.knowledge.models import Article
from aftersales.knowledge.selectors import SEARCH_MAX_LENGTH, article_search


class ArticleProductSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Product
        fields = ["id", "name"]
        read_only_fields = fields


class ArticleSerializer(serializers.ModelSerializer):
    products = ArticleProductSerializer(many=True, read_only=True)

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "symptom",
            "cause",
            "solution",
            "products",
            "status",
            "visible_to_customers",
            "source_ticket",
            "helped_count",
            "not_helped_count",
            "published_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not request.user.is_staff_member:
            # The ticket it was written from belongs to one customer; who may read what is the staff's business.
            data.pop("source_ticket")
            data.pop("visible_to_customers")
        return data


class ArticleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", max_length=SEARCH_MAX_LENGTH, label=_("Search"))
    product = IdFilter(field_name="products", label=_("Product"))
    status = django_filters.ChoiceFilter(choices=ArticleStatus.choices, label=_("Status"))

    class Meta:
        model = Article
        fields = ["q", "product", "status"]

    def search(self, queryset, name, value):
        return article_search(queryset, value)


class ArticleViewSet(viewsets.ReadOnlyModelViewSet):
    """Knowledge-base articles: staff read all, drafts included; customers read published articles meant for them."""

    serializer_class = ArticleSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = ArticleFilter
    ordering_fields = ["updated_at", "helped_count", "title"]
    ordering = ["-updated_at", "-id"]
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return (
            Article.objects.visible_to(self.request.user)
            .prefetch_related(Prefetch("products", queryset=Product.objects.select_related("vendor")))
            .order_by("-updated_at", "-id")
        )


routes = [("knowledge-articles", ArticleViewSet, "knowledge-article")]
urlpatterns = []
