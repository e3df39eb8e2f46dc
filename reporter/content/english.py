"""The English words reporter reads in prose and writes in dates and computed values: number
words, ordinals, superlatives, fractions, multiples and month names."""

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip
ONES = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]  # fmt: skip
TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
FRACTIONS = {
    "half": 1 / 2, "one half": 1 / 2, "a half": 1 / 2,
    "one third": 1 / 3, "a third": 1 / 3, "two thirds": 2 / 3, "two-thirds": 2 / 3,
    "one quarter": 1 / 4, "a quarter": 1 / 4, "three quarters": 3 / 4,
    "one fifth": 1 / 5, "a fifth": 1 / 5, "one tenth": 1 / 10,
}  # fmt: skip
MULTIPLES = {"doubled": 2.0, "tripled": 3.0, "trebled": 3.0, "quadrupled": 4.0, "halved": 0.5}
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
            "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
            "seventeenth", "eighteenth", "nineteenth", "twentieth"]  # fmt: skip
SUPERLATIVES = ("largest", "biggest", "highest", "greatest", "most", "fastest", "smallest",
                "lowest", "least", "fewest", "slowest")  # fmt: skip


def ordinal_suffix(place: int) -> str:
    """'st', 'nd', 'rd' or 'th', as in 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 112th."""
    if place % 100 in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(place % 10, "th")


def ordinal_word(place: int) -> str:
    """UN style: 'first' to 'ninth' in words, then '10th', '11th', '21st', '22nd', …"""
    return ORDINALS[place - 1] if 0 < place < 10 else f"{place}{ordinal_suffix(place)}"
