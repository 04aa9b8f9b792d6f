#!/usr/bin/env python3
"""Writes lemmas_de.txt.gz: German word forms grouped by their dictionary entry, generated from
the Hunspell dictionary Debian ships (`apt-get install hunspell-de-de`: igerman98, see
LEMMAS_DE_LICENSE.md). Each line: the entry (lower case), a tab, its other forms (lower case,
space-separated). The entry's affix rules give inflection and the derivations the dictionary
encodes (`befristen` → `befristet`, `Befristung`, `Befristungen`).

Usage: search/dict/hunspell_lemmas.py [/usr/share/hunspell/de_DE]"""
import gzip
import re
import sys

base = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/hunspell/de_DE"
aff = open(base + ".aff", encoding="utf-8").read().splitlines()

# flag -> (kind, cross product allowed, [(strip, add, condition, continuation flags)])
rules = {}
i = 0
while i < len(aff):
    p = aff[i].split()
    if len(p) >= 4 and p[0] in ("PFX", "SFX") and p[2] in ("Y", "N") and p[3].isdigit():
        kind, flag, cross, n = p[0], p[1], p[2] == "Y", int(p[3])
        entries = rules.setdefault(flag, (kind, cross, []))[2]
        for line in aff[i + 1 : i + 1 + n]:
            q = line.split()
            strip = "" if q[2] == "0" else q[2]
            add, _, more = q[3].partition("/")
            add = "" if add == "0" else add
            cond = q[4] if len(q) > 4 else "."
            rx = None if cond == "." else re.compile(("^" + cond) if kind == "PFX" else (cond + "$"))
            entries.append((strip, add, rx, more))
        i += n + 1
    else:
        i += 1


def apply(word, flag):
    kind, cross, entries = rules[flag]
    for strip, add, rx, more in entries:
        if rx is not None and not rx.search(word):
            continue
        if kind == "SFX" and word.endswith(strip):
            yield word[: len(word) - len(strip)] + add, more, cross
        elif kind == "PFX" and word.startswith(strip):
            yield add + word[len(strip) :], more, cross


families = {}
for line in open(base + ".dic", encoding="utf-8").read().splitlines()[1:]:
    if not line or line.startswith("#"):
        continue
    word, _, flags = line.partition("/")
    flags = flags.split()[0] if flags else ""
    forms = set()
    suffixed = []
    for f in flags:
        if f in rules and rules[f][0] == "SFX":
            for w, more, cross in apply(word, f):
                forms.add(w)
                suffixed.append((w, cross))
                for g in more:
                    if g in rules and rules[g][0] == "SFX":
                        forms.update(w2 for w2, _, _ in apply(w, g))
    for f in flags:
        if f in rules and rules[f][0] == "PFX":
            for w, _, cross in apply(word, f):
                forms.add(w)
                if cross:
                    for s, s_cross in suffixed:
                        if s_cross:
                            forms.update(w2 for w2, _, _ in apply(s, f))
    lemma = word.lower()
    # `-befristung`: the form as the end of a hyphenated compound, the same word.
    forms = {w.lower() for w in forms if not w.startswith("-")} - {lemma}
    if forms:
        families.setdefault(lemma, set()).update(forms)

text = "".join(f"{l}\t{' '.join(sorted(fs))}\n" for l, fs in sorted(families.items()))
with gzip.GzipFile("lemmas_de.txt.gz", "wb", mtime=0) as out:
    out.write(text.encode("utf-8"))
print(f"{len(families)} entries, {sum(len(v) for v in families.values())} forms")
