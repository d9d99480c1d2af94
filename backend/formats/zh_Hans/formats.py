# Amounts in Chinese business documents and systems are grouped by thousands with a comma (12,600,000.00),
# as in English; Django's zh_Hans formats group nothing. Dates and times stay Django's (2026年11月30日).
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
