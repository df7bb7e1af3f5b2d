"""The words that keep coming back in ticket titles: Chinese n-grams and Latin words, counted once per title.

Chinese has no spaces, so each run of Chinese characters is cut at words that say nothing about the problem
(无法, 故障, 出现…) and every 2- to 4-character piece of what is left is counted. A piece that appears almost
only inside a longer frequent piece (服务 inside 服务器) is dropped in favour of the longer one.
"""

import re
from collections import Counter
from collections.abc import Iterable

from aftersales.search.text import normalise

CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
LATIN_WORD = re.compile(r"[a-z][a-z0-9]*(?:[-.][a-z0-9]+)*")
# Words every fault report uses: what went wrong is in the words around them.
STOP_WORDS = (
    "无法",
    "不能",
    "不了",
    "不到",
    "失败",
    "出现",
    "发生",
    "问题",
    "故障",
    "异常",
    "报修",
    "报障",
    "请求",
    "申请",
    "需要",
    "要求",
    "协助",
    "处理",
    "一个",
    "一台",
    "一直",
    "经常",
    "频繁",
    "突然",
    "的",
    "了",
    "和",
    "与",
    "及",
    "或",
    "请",
    "在",
    "后",
)
# Stop words that begin words of the trade, cut at only when these characters do not follow: 在线 (online),
# 后台 and 后端 (back office, back end), 后备 (standby), 及时 (on time), 处理器 (processor).
NOT_BEFORE = {"在": "线", "后": "台端备", "及": "时", "处理": "器"}
STOP_SPLIT = re.compile(
    "|".join(
        f"{re.escape(word)}(?![{NOT_BEFORE[word]}])" if word in NOT_BEFORE else re.escape(word)
        for word in sorted(STOP_WORDS, key=len, reverse=True)
    )
)
LATIN_STOP_WORDS = frozenset({"the", "and", "not", "can", "cannot", "error", "fault", "issue", "problem", "of", "to"})
SHORTEST, LONGEST = 2, 4
# A whole phrase between stop words counts as a term up to this length (核心交换机端口).
LONGEST_PHRASE = 8
# A shorter piece is dropped when a longer frequent piece holds at least this share of its occurrences.
ABSORBED = 0.7


def _terms_of(title: str) -> tuple[set[str], set[str]]:
    """(every piece, the whole phrases) of one title."""
    text = normalise(title)
    pieces, phrases = set(), set()
    for run in CJK_RUN.findall(text):
        for segment in STOP_SPLIT.split(run):
            if SHORTEST <= len(segment) <= LONGEST_PHRASE:
                phrases.add(segment)
            for length in range(SHORTEST, min(LONGEST, len(segment)) + 1):
                pieces.update(segment[index : index + length] for index in range(len(segment) - length + 1))
    for word in LATIN_WORD.findall(text):
        if len(word) >= 2 and word not in LATIN_STOP_WORDS:
            phrases.add(word)
    return pieces | phrases, phrases


def frequent_terms(titles: Iterable[tuple[str, int]], *, limit: int = 20, min_count: int = 2) -> list[tuple[str, int]]:
    """The most frequent terms of (title, how many tickets have it) pairs, as (term, tickets), most frequent first.

    A term is a whole phrase of a title, or a piece shared by two different titles: a piece of one title
    only (务器宕机 of 服务器宕机) is an accident of where the characters meet, not a word.
    """
    counts: Counter[str] = Counter()
    titles_with: Counter[str] = Counter()
    phrases: set[str] = set()
    for title, weight in titles:
        terms, whole = _terms_of(title)
        phrases |= whole
        titles_with.update(terms)  # counting an iterable runs in C; most titles are one ticket's
        if weight == 1:
            counts.update(terms)
        else:
            for term in terms:
                counts[term] += weight
    frequent = {
        term: count
        for term, count in counts.items()
        if count >= min_count and (titles_with[term] >= 2 or term in phrases)
    }
    kept = []
    # The largest count of a kept longer term holding each piece: a lookup, where comparing every term with every
    # kept one took minutes on a month of varied titles.
    held_by: dict[str, int] = {}
    # Longest first, so a piece is compared with the longer pieces already kept.
    for term in sorted(frequent, key=lambda term: (-len(term), -frequent[term], term)):
        count = frequent[term]
        if held_by.get(term, 0) >= ABSORBED * count:
            continue
        kept.append(term)
        for piece in _inner_pieces(term):
            held_by[piece] = max(held_by.get(piece, 0), count)
    ranked = sorted(kept, key=lambda term: (-frequent[term], len(term), term))
    return [(term, frequent[term]) for term in ranked[:limit]]


def _inner_pieces(term: str) -> set[str]:
    """Every shorter piece of `term`, from one character to one less than the whole."""
    return {term[index : index + length] for length in range(1, len(term)) for index in range(len(term) - length + 1)}
