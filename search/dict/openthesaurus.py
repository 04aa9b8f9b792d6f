#!/usr/bin/env python3
"""Writes thesaurus_de.txt.gz: German synonym groups from OpenThesaurus as Debian ships it
(`apt-get install mythes-de`, see THESAURUS_DE_LICENSE.md). Each line: one group, its words
(lower case) separated by tabs.

Kept, so that a synonym found is a synonym meant: groups of single words (no phrases), no
entry marked as colloquial, figurative, regional, dated, technical jargon or as a broader or
narrower term („Oberbegriff“, „Unterbegriff“); of each group only the words with at most two
meanings in the thesaurus (a word with many brings the synonyms of all of them), and only
groups that keep two to eight words.

Usage: search/dict/openthesaurus.py [/usr/share/mythes/th_de_DE_v2.dat]"""
import gzip
import sys
from collections import defaultdict

path = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/mythes/th_de_DE_v2.dat"
lines = open(path, encoding="utf-8").read().splitlines()[1:]
groups = set()
meanings = defaultdict(int)
i = 0
while i < len(lines):
    head, _, n = lines[i].rpartition("|")
    n = int(n)
    meanings[head.lower()] = max(meanings[head.lower()], n)
    for line in lines[i + 1 : i + 1 + n]:
        words = []
        for entry in line.split("|")[1:]:
            if "(" in entry or " " in entry or "-" == entry[:1] or not entry.isalpha():
                continue
            words.append(entry.lower())
        groups.add(tuple(sorted(set(words))))
    i += n + 1

kept = set()
for g in groups:
    clear = tuple(w for w in g if meanings.get(w, 1) <= 2)
    if 2 <= len(clear) <= 8:
        kept.add(clear)
kept = sorted(kept)
with gzip.open("thesaurus_de.txt.gz", "wt", encoding="utf-8", compresslevel=9) as out:
    for g in kept:
        out.write("\t".join(g) + "\n")
print(f"{len(kept)} groups of {len(groups)}", file=sys.stderr)
