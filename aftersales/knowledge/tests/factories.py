"""Test factories."""

import factory

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.knowledge.choices import ArticleStatus, ProblemStatus
from aftersales.knowledge.models import Article, Problem


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published article staff wrote; pass status="draft" or visible_to_customers=True as needed."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"知识文章{n}")
    symptom = "设备告警"
    cause = "配置错误"
    solution = "按手册重新配置。"
    status = ArticleStatus.PUBLISHED
    created_by = factory.SubFactory(UserFactory, role=Role.ENGINEER)

    @factory.post_generation
    def products(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.products.set(extracted)


class ProblemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Problem
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"问题{n}")
    description = "同类故障反复出现。"
    status = ProblemStatus.OPEN
    created_by = factory.SubFactory(UserFactory, role=Role.ENGINEER)

    @factory.post_generation
    def products(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.products.set(extracted)
