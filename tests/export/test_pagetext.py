"""The pages' text against the content: layout differences read alike, a changed word does
not, and the report says where the page parts from the content."""

from __future__ import annotations

from reporter.export.pagetext import Unit, compare, fold, words


def test_layout_choices_fold_away():
    content = fold("South-South migrants rose to 214.2 million, a 38 per cent rise")[0]
    printed = fold("South\x02South mi\u00adgrants rose to 214.2\nmillion, a 38 per\u00a0cent rise")[
        0
    ]
    assert content == printed
    assert fold("Secre\u2010 tary-General")[0] == fold("SecretaryGeneral")[0]


def test_a_minus_before_a_digit_is_kept():
    assert fold("fell by -5 per cent")[0] != fold("fell by 5 per cent")[0]
    assert fold("1990-2010")[0] == "1990-2010"


def test_identical_text_has_no_mismatch_even_with_a_note_inside_a_split_paragraph():
    pages = ["1. Migrants numbered 214 million in 2010,", "3 A note at the foot.", "a rise."]
    body = [Unit("para. 1", "Migrants numbered 214 million in 2010, a rise.")]
    notes = [Unit("footnote 3", "3 A note at the foot.")]
    assert compare(pages, body, notes) == []


def test_a_changed_number_is_placed_on_its_page_with_the_words_around_it():
    pages = ["Heading", "1. Migrants numbered 215 million in 2010, a rise of 38 per cent."]
    body = [Unit("para. 1", "Migrants numbered 214 million in 2010, a rise of 38 per cent.")]
    [mismatch] = compare(pages, body, [])
    assert (mismatch.place, mismatch.page) == ("para. 1", 2)
    assert "numbered 215 million" in mismatch.printed
    assert "numbered 214 million" in mismatch.expected


def test_a_missing_footnote_is_reported():
    [mismatch] = compare(["1. Text."], [Unit("para. 1", "Text.")], [Unit("footnote 1", "1 Gone.")])
    assert mismatch.place == "footnote 1"


def test_right_to_left_text_is_compared_by_words_and_numbers():
    # pdfium gives mixed-direction text in visual order: the words are there, not in order
    pages = ["الألمانية Germany في عام 2017، 12,165,084"]
    body = [Unit("para. 1", "في عام 2017، Germany الألمانية 12,165,084")]
    assert compare(pages, body, [], right_to_left=True) == []
    [mismatch] = compare(["في عام 2017، Germany 12,165,085"], body, [], right_to_left=True)
    assert mismatch.expected == "12,165,084 الألمانية"
    assert words("1,5 et 12,165,084") == ["1,5", "et", "12,165,084"]
