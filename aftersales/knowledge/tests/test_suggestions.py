"""Suggested articles on a ticket: product match first, then title words, then how often they helped."""

import pytest

from aftersales.assets.tests.factories import AssetFactory, ProductFactory
from aftersales.knowledge.choices import ArticleStatus
from aftersales.knowledge.selectors import suggested_articles, title_terms
from aftersales.knowledge.tests.factories import ArticleFactory
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_title_terms_are_chinese_bigrams_and_whole_latin_words():
    assert title_terms("服务器无法开机 RAID-5 Error 盘") == [
        "服务",
        "务器",
        "器无",
        "无法",
        "法开",
        "开机",
        "raid-5",
        "error",
    ]
    assert title_terms("盘") == []
    assert title_terms("") == []


@pytest.fixture
def storage_ticket(db):
    storage = ProductFactory(name="OceanStor")
    ticket = TicketFactory(title="存储控制器离线")
    ticket.assets.add(AssetFactory(product=storage, site__customer=ticket.customer))
    return ticket, storage


def test_suggestions_rank_product_then_title_words_then_helped(storage_ticket, engineer):
    ticket, storage = storage_ticket
    other_product = ProductFactory(name="FusionServer")
    # same product, no word in common, helped a little
    product_only = ArticleFactory(title="存储扩容步骤", symptom="", products=[storage], helped_count=1)
    # same product and two bigrams (控制, 制器)
    product_and_words = ArticleFactory(title="更换控制器", symptom="", products=[storage], helped_count=0)
    # other product, four bigrams (存储, 储控, 控制, 制器) in the symptom
    many_words = ArticleFactory(title="告警处理", symptom="存储控制器告警", products=[other_product], helped_count=0)
    # one bigram (离线), helped by many: the helped count only breaks ties of word matches
    one_word_helped = ArticleFactory(title="设备离线", symptom="", helped_count=50)
    one_word = ArticleFactory(title="链路离线", symptom="", helped_count=3)
    ArticleFactory(title="打印机卡纸", symptom="卡纸", products=[other_product], helped_count=99)  # nothing matches
    ArticleFactory(title="存储控制器离线", status=ArticleStatus.DRAFT, products=[storage])  # drafts are not offered

    suggested = suggested_articles(user=engineer, ticket=ticket)

    assert suggested == [product_and_words, product_only, many_words, one_word_helped, one_word]


def test_at_most_five_and_ties_broken_by_helped_count(storage_ticket, engineer):
    ticket, storage = storage_ticket
    articles = [ArticleFactory(title=f"文章{n}", symptom="", products=[storage], helped_count=n) for n in range(7)]
    assert suggested_articles(user=engineer, ticket=ticket) == articles[:1:-1]  # helped 6, 5, 4, 3, 2


def test_customers_are_offered_only_articles_meant_for_them(storage_ticket, customer_user):
    ticket, storage = storage_ticket
    public = ArticleFactory(title="控制器离线的处理", visible_to_customers=True, products=[storage])
    ArticleFactory(title="控制器离线的内部处理", visible_to_customers=False, products=[storage], helped_count=9)
    assert suggested_articles(user=customer_user, ticket=ticket) == [public]


def test_a_ticket_without_assets_is_matched_by_its_title_alone(engineer):
    ticket = TicketFactory(title="UPS 告警")
    ups = ArticleFactory(title="ups 电池更换", symptom="")
    ArticleFactory(title="无关文章", symptom="无关")
    assert suggested_articles(user=engineer, ticket=ticket) == [ups]
