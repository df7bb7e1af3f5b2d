from django.urls import path

from aftersales.knowledge.views import articles, problems

urlpatterns = [
    path("knowledge/", articles.article_list, name="article_list"),
    path("knowledge/new/", articles.article_create_view, name="article_create"),
    path("knowledge/<int:pk>/", articles.article_detail, name="article_detail"),
    path("knowledge/<int:pk>/edit/", articles.article_edit, name="article_edit"),
    path("knowledge/<int:pk>/publish/", articles.article_publish_view, name="article_publish"),
    path("knowledge/<int:pk>/withdraw/", articles.article_withdraw_view, name="article_withdraw"),
    path("knowledge/<int:pk>/feedback/", articles.article_feedback_view, name="article_feedback"),
    path("tickets/<int:pk>/article/", articles.ticket_article_view, name="ticket_article"),
    path("tickets/<int:pk>/problems/", problems.ticket_problem_link_view, name="ticket_problem_link"),
    path("problems/", problems.problem_list, name="problem_list"),
    path("problems/new/", problems.problem_create_view, name="problem_create"),
    path("problems/<int:pk>/", problems.problem_detail, name="problem_detail"),
    path("problems/<int:pk>/edit/", problems.problem_edit, name="problem_edit"),
    path("problems/<int:pk>/status/", problems.problem_status_view, name="problem_status"),
    path("problems/<int:pk>/incidents/", problems.problem_link_view, name="problem_link"),
    path("problems/<int:pk>/incidents/<int:ticket_pk>/unlink/", problems.problem_unlink_view, name="problem_unlink"),
]
