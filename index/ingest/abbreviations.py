"""The words the sentence splitter looks up: abbreviations, sentence openers and verbs of speech."""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    """A set of words written as one space-separated string, to keep long word lists readable."""
    return frozenset(text.split())


# Abbreviations that stand before a name or example, so they never end a sentence.
NON_FINAL = _words(
    "mr mrs ms mx dr prof gen lt col sgt cpl maj capt adm cmdr gov sen rep rev hon pres "
    "supt insp det fr messrs mme mlle e.g i.e vs v cf viz approx ca mt mts"
)
# Abbreviations that can also end a sentence ("He moved to the U.S.").
FINAL = _words("st jr sr inc ltd corp co plc llc bros ave rd blvd dept govt est")
# Abbreviations that introduce a number ("No. 10", "Dec. 30") but end the sentence before a capital.
NUMBERED = _words("no nos n° nº vol fig p pp art ch sec pt op etc jan feb mar apr jun jul aug sep sept oct nov dec")
# Abbreviations a line can end with only when a wrapper broke it mid-sentence ("Feb." / "19.").
NOT_LAST = NON_FINAL | NUMBERED
# Capitalised words that start sentences but rarely follow "U.S." or "Inc." inside one.
STARTERS = _words(
    "He She It They We I You The A An This That These Those There Here His Her Its Their "
    "Our My Your But And Yet So Still However Meanwhile Instead Also Now Then Later Earlier "
    "Today Yesterday Last Next After Before When While If As Since Although Though Despite "
    "In On At By For From With Without Under Over During According Some Many Most Few All "
    "No None Both Each Every Such What Who Why How Where Which Officials Police Analysts "
    "Investors Critics Experts Authorities Residents Witnesses Shares"
)
# Verbs that attribute a quotation ("Harris asked reporters."), as a regular-expression alternation.
SPEECH_VERBS = (
    "said|says|asked|asks|added|adds|told|tells|wrote|writes|explained|insisted|warned|"
    "replied|noted|argued|shouted|declared|tweeted|posted|recalled|responded|answered|"
    "admitted|cautioned|urged|joked|continued"
)
