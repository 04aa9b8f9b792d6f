//! Work over many Kitas spread over the machine's threads, only where that pays: a district of
//! a few hundred Kitas runs on one thread (the state's 41 districts run side by side instead).
//! Every parallel step gives the same result as the sequential one: maps keep their order, sorts
//! use total orders (ties broken by position), and sums stay sequential.

use std::cmp::Ordering;

use rayon::prelude::*;

use crate::error::Result;

/// Below this many items, spreading costs more than it saves.
pub const PARALLEL_FROM: usize = 16_384;
/// Smallest piece of work handed to a thread.
const MIN_PIECE: usize = 4_096;

/// `(0..n).map(f)`, in parallel for large `n`.
pub(crate) fn map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync + Send) -> Vec<T> {
    map_in(n >= PARALLEL_FROM, n, f)
}

fn map_in<T: Send>(parallel: bool, n: usize, f: impl Fn(usize) -> T + Sync + Send) -> Vec<T> {
    if parallel {
        (0..n)
            .into_par_iter()
            .with_min_len(MIN_PIECE)
            .map(f)
            .collect()
    } else {
        (0..n).map(f).collect()
    }
}

/// [`map`] for fallible work: the error of the first failing item, as sequentially.
pub(crate) fn try_map<T: Send>(
    n: usize,
    f: impl Fn(usize) -> Result<T> + Sync + Send,
) -> Result<Vec<T>> {
    if n < PARALLEL_FROM {
        (0..n).map(f).collect()
    } else {
        let all: Vec<Result<T>> = map(n, f);
        all.into_iter().collect()
    }
}

/// Consumes `items` into `f(i, item)` for each, in parallel for many items.
pub(crate) fn map_vec<T: Send, U: Send>(
    items: Vec<T>,
    f: impl Fn(usize, T) -> U + Sync + Send,
) -> Vec<U> {
    map_vec_in(items.len() >= PARALLEL_FROM, items, f)
}

fn map_vec_in<T: Send, U: Send>(
    parallel: bool,
    items: Vec<T>,
    f: impl Fn(usize, T) -> U + Sync + Send,
) -> Vec<U> {
    if parallel {
        items
            .into_par_iter()
            .with_min_len(MIN_PIECE)
            .enumerate()
            .map(|(i, t)| f(i, t))
            .collect()
    } else {
        items
            .into_iter()
            .enumerate()
            .map(|(i, t)| f(i, t))
            .collect()
    }
}

/// An unstable sort; `cmp` must be a total order (ties broken by position) so the result is
/// the same however the work is split.
pub(crate) fn sort<T: Send>(v: &mut [T], cmp: impl Fn(&T, &T) -> Ordering + Sync) {
    sort_in(v.len() >= PARALLEL_FROM, v, cmp)
}

fn sort_in<T: Send>(parallel: bool, v: &mut [T], cmp: impl Fn(&T, &T) -> Ordering + Sync) {
    if parallel {
        v.par_sort_unstable_by(cmp)
    } else {
        v.sort_unstable_by(cmp)
    }
}

/// Runs both, side by side when `n` is large.
pub(crate) fn join<A: Send, B: Send>(
    n: usize,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if n < PARALLEL_FROM {
        (a(), b())
    } else {
        rayon::join(a, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_and_sequential_give_the_same() {
        let n = 3 * MIN_PIECE + 17;
        let f = |i: usize| (i * 7919) % 1013;
        assert_eq!(map_in(true, n, f), map_in(false, n, f));
        let items: Vec<usize> = (0..n).map(f).collect();
        assert_eq!(
            map_vec_in(true, items.clone(), |i, x| x * 2 + i),
            map_vec_in(false, items.clone(), |i, x| x * 2 + i)
        );
        // Many ties: the position breaks them, so both orders are the same.
        let mut a: Vec<(usize, usize)> =
            items.iter().enumerate().map(|(i, x)| (x % 10, i)).collect();
        let mut b = a.clone();
        sort_in(true, &mut a, |x, y| x.0.cmp(&y.0).then(x.1.cmp(&y.1)));
        sort_in(false, &mut b, |x, y| x.0.cmp(&y.0).then(x.1.cmp(&y.1)));
        assert_eq!(a, b);
    }
}
