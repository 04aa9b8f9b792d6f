//! A word list's map from a word to the (at most two) numbers of the lines it belongs to,
//! packed into the fst map's one `u64` value: the dictionary (forms → entries) and the
//! thesaurus (words → groups) both keep their lists this way.

/// Numbers one word keeps; more are rare in both lists and dropped.
pub(crate) const SLOTS: usize = 2;

/// Builds the map from `(word, number)` pairs in any order, repeats allowed.
pub(crate) fn build(mut pairs: Vec<(&str, u32)>) -> fst::Map<Vec<u8>> {
    pairs.sort_unstable();
    pairs.dedup();
    let mut builder = fst::MapBuilder::memory();
    let mut i = 0;
    while i < pairs.len() {
        let word = pairs[i].0;
        // Each number + 1 in 32 bits of its own: 0 is an empty slot.
        let mut packed = 0u64;
        let mut slot = 0;
        while i < pairs.len() && pairs[i].0 == word {
            if slot < SLOTS {
                packed |= u64::from(pairs[i].1 + 1) << (32 * slot);
                slot += 1;
            }
            i += 1;
        }
        builder.insert(word, packed).expect("sorted, unique words");
    }
    fst::Map::new(builder.into_inner().expect("an fst in memory")).expect("a map just built")
}

/// The numbers a word was built with (none for a word not in the map).
pub(crate) fn numbers(map: &fst::Map<Vec<u8>>, word: &str) -> impl Iterator<Item = usize> {
    let packed = map.get(word).unwrap_or(0);
    (0..SLOTS).filter_map(move |i| {
        let n = (packed >> (32 * i)) & u64::from(u32::MAX);
        (n > 0).then(|| n as usize - 1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_keeps_its_first_two_numbers_once_each() {
        let map = build(vec![("b", 7), ("a", 3), ("a", 0), ("a", 3), ("a", 9)]);
        assert_eq!(numbers(&map, "a").collect::<Vec<_>>(), [0, 3]);
        assert_eq!(numbers(&map, "b").collect::<Vec<_>>(), [7]);
        assert_eq!(numbers(&map, "c").count(), 0);
    }
}
