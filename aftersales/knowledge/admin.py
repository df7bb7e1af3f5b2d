"""The knowledge base in the admin, read-only with history: articles and problems change through their pages'
services (versions, publication, the ticket event of a linked incident), never by a bare save."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from aftersales.knowledge.models import Article, ArticleFeedback, Problem, ProblemIncident


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["title", "status", "visible_to_customers", "helped_count", "not_helped_count", "updated_at"]
    list_filter = ["status", "visible_to_customers"]
    search_fields = ["title", "symptom", "cause", "solution"]
    list_select_related = ["created_by"]


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["article", "user", "helped", "updated_at"]
    list_filter = ["helped"]
    list_select_related = ["article", "user"]


class IncidentInline(ReadOnly, admin.TabularInline):
    model = ProblemIncident
    fields = ["ticket", "linked_by", "linked_at"]
    extra = 0


@admin.register(Problem)
class ProblemAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["reference", "title", "status", "owner", "updated_at"]
    list_filter = ["status"]
    search_fields = ["title", "description", "root_cause"]
    list_select_related = ["owner"]
    inlines = [IncidentInline]
