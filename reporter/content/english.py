"""The English words reporter reads in prose and writes in dates: number words, ordinals,
superlatives, fractions, multiples and month names."""

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
