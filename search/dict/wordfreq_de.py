"""Writes words_de.txt: German words and their Zipf frequency from wordfreq 3.1.1.

    python3 -m venv venv && venv/bin/pip install wordfreq==3.1.1
    venv/bin/python wordfreq_de.py > words_de.txt

Only what compound splitting needs: words of letters only, at least two long, seen at least
once per million words (Zipf 3.0); parts must be longer (see search/src/compound.rs), the short
words are there so that every German stop word is known. See WORDS_DE_LICENSE.md for the
data's licence.
"""

from wordfreq import iter_wordlist, zipf_frequency

MIN_ZIPF = 3.0

print("# German words and their Zipf frequency (log10 of occurrences per billion words),")
print("# from wordfreq 3.1.1 by Robyn Speer; CC BY-SA 4.0, see WORDS_DE_LICENSE.md.")
for word in iter_wordlist("de", "large"):
    zipf = zipf_frequency(word, "de", "large")
    if zipf < MIN_ZIPF:
        break
    if word.isalpha() and len(word) >= 2:
        print(f"{word}\t{zipf:.2f}")
