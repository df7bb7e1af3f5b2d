from aftersales.search.text import Word, document, grams, matches, normalise, phone_text, query_words


def test_normalise_folds_width_and_case_and_collapses_white_space():
    assert normalise("  ＳＲ２０２６\u3000Printer\t卡纸  ") == "sr2026 printer 卡纸"
    assert normalise("Straße") == "strasse"
    assert normalise(None) == ""
    assert normalise("a\x00b\x07c") == "a b c"


def test_document_puts_each_non_empty_field_on_its_own_line():
    assert document(["打印机 卡纸", "", None, "HP  LaserJet"]) == "打印机 卡纸\nhp laserjet"


def test_grams_are_every_distinct_unigram_and_bigram_within_words():
    assert grams("打印机 机房\nab") == "打 印 打印 机 印机 房 机房 a b ab"


def test_query_words_drop_words_inside_other_words_and_add_phone_digits():
    assert query_words("打印 打印机  HP") == [Word(("打印机",)), Word(("hp",))]
    assert query_words("0571-8888 6666") == [Word(("0571-8888", "05718888")), Word(("6666",))]
    assert query_words("138-0013-8000") == [Word(("138-0013-8000", "13800138000"))]
    assert query_words("2024") == [Word(("2024",))]
    assert query_words("   ") == []


def test_a_word_inside_only_one_form_of_another_is_kept():
    # "1-8" is in "0571-8888" but not in its digits form, so it must still be checked on its own.
    assert query_words("0571-8888 1-8") == [Word(("0571-8888", "05718888")), Word(("1-8",))]


def test_phone_text_has_the_international_and_the_national_forms():
    assert phone_text("+8613800138000") == "+8613800138000 13800138000"
    assert phone_text("+8657188886666") == "+8657188886666 057188886666"
    assert phone_text("") == ""


def test_matches_never_joins_two_fields():
    text = document(["服务器", "宕机"])
    assert matches(text, query_words("器"))
    assert not matches(text, query_words("器宕"))
    assert not matches(text, [])
