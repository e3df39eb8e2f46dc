"""reporter/diff/words.py: lines joined into running text, the hyphenation at line ends undone
where it only breaks a word and kept in compounds, spaces, ligatures and hyphens made one."""

from __future__ import annotations

from collections import Counter

import pytest

from reporter.diff.words import bag, clean, join, keeps_hyphen, vocabulary

KEEP = "\ufffe"  # what pdfium writes for a hyphen-minus that ends a line


@pytest.mark.parametrize(
    "lines, elsewhere, text",
    [
        # before a capital or next to a digit: always a compound
        ([f"the role of South{KEEP}South movements"], "", "the role of South-South movements"),
        ([f"by the Secretary{KEEP}General,"], "", "by the Secretary-General,"),
        ([f"the Chair-in{KEEP}Office"], "", "the Chair-in-Office"),
        ([f"the post{KEEP}2015 agenda"], "", "the post-2015 agenda"),
        # otherwise the document's own words decide
        ([f"actions for follow{KEEP}up"], "a follow-up meeting", "actions for follow-up"),
        ([f"the develop{KEEP}ment of"], "development aid", "the development of"),
        (["the co-", "operation of"], "in cooperation with", "the cooperation of"),
        (["a follow-", "up and another follow-up"], "", "a follow-up and another follow-up"),
        # and when they are silent, the kind of hyphen: the author's hyphen-minus stays …
        (["most environment-", "related moves"], "", "most environment-related moves"),
        ([f"most environment{KEEP}related moves"], "", "most environment-related moves"),
        # … a typesetter's U+2010 (WeasyPrint's and browsers' hyphens: auto) or soft hyphen goes
        (["inter\u2010", "national law"], "", "international law"),
        (["extra\u00ad", "ordinary"], "", "extraordinary"),
        (["a soft\u00adhyphen inside"], "", "a softhyphen inside"),
        # lines break after a slash or a dash without a space
        (["(see A/", "60/623)"], "", "(see A/60/623)"),
        (["in 1990\u2013", "2000"], "", "in 1990\u20132000"),
        # Chinese and Japanese lines join without a space
        (["在2017年修", "订本中"], "", "在2017年修订本中"),
        # spaces, ligatures and hyphens
        (["a\u00a0b\u2009c\u202fd  e ", "  f"], "", "a b c d e f"),
        (["\ufb01nancial \ufb02ows, e\ufb03cient"], "", "financial flows, efficient"),
        (["non\u2011binding and self\u2010employed"], "", "non-binding and self-employed"),
    ],
)
def test_join_undoes_hyphenation_only_where_it_breaks_a_word(lines, elsewhere, text):
    assert join(lines, vocabulary([*lines, elsewhere])) == text


def test_keeps_hyphen():
    words = Counter({"development": 3, "follow-up": 2, "cooperation": 1, "co-operation": 2})
    assert keeps_hyphen("South", "South", words)
    assert keeps_hyphen("post", "2015", words) and keeps_hyphen("G", "77", words)
    assert not keeps_hyphen("develop", "ment", words)
    assert keeps_hyphen("follow", "up", words)
    assert keeps_hyphen("co", "operation", words)  # written with its hyphen more often
    assert keeps_hyphen("environment", "related", words)  # no evidence: the default
    assert not keeps_hyphen("environment", "related", words, default=False)


def test_vocabulary_counts_words_written_whole():
    words = vocabulary(
        [f"the develop{KEEP}ment of South{KEEP}South", "a follow-up and a follow-", "up", "x"]
    )
    assert words["south-south"] == 1  # a break before a capital is a compound: evidence
    assert words["follow-up"] == 1  # the one broken at the line end is not counted
    assert "development" not in words and "develop" not in words and "ment" not in words


def test_clean():
    assert clean(" a\tb\n\u00a0c\u200bd\ufeff ") == "a b cd"


def test_bag_mends_a_word_broken_in_a_table_cell():
    rows = ["III Policy and institutional coher-", "15 4 8 3 34 2.3", "ence and partnerships"]
    whole = ["III Policy and institutional", "15 4 8 3 34 2.3", "coherence and partnerships"]
    words = Counter({"coherence": 1})
    assert bag(rows, words) == bag(whole, words) == sorted(" ".join(whole).split())
    assert bag(["a evidence-", "based policy"], Counter({"evidence-based": 1})) == [
        "a",
        "evidence-based",
        "policy",
    ]
