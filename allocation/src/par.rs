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

/// `(0..n).map(f).unzip()`, in parallel for large `n`.
pub(crate) fn unzip<A: Send, B: Send>(
    n: usize,
    f: impl Fn(usize) -> (A, B) + Sync + Send,
) -> (Vec<A>, Vec<B>) {
    if n < PARALLEL_FROM {
        (0..n).map(f).unzip()
    } else {
        (0..n)
            .into_par_iter()
            .with_min_len(MIN_PIECE)
            .map(f)
            .unzip()
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

/// Consumes two lists of equal length into `f(i, a[i], b[i])`, in parallel for many items.
pub(crate) fn map_zip<A: Send, B: Send, U: Send>(
    a: Vec<A>,
    b: Vec<B>,
    f: impl Fn(usize, A, B) -> U + Sync + Send,
) -> Vec<U> {
    map_zip_in(a.len() >= PARALLEL_FROM, a, b, f)
}

fn map_zip_in<A: Send, B: Send, U: Send>(
    parallel: bool,
    a: Vec<A>,
    b: Vec<B>,
    f: impl Fn(usize, A, B) -> U + Sync + Send,
) -> Vec<U> {
    if !parallel {
        a.into_iter()
            .zip(b)
            .enumerate()
            .map(|(i, (a, b))| f(i, a, b))
            .collect()
    } else {
        a.into_par_iter()
            .zip(b.into_par_iter())
            .with_min_len(MIN_PIECE)
            .enumerate()
            .map(|(i, (a, b))| f(i, a, b))
            .collect()
    }
}

/// `items.iter().map(f)`, in parallel when the work behind them (`n`) is large.
pub(crate) fn map_over<T: Sync, U: Send>(
    n: usize,
    items: &[T],
    f: impl Fn(&T) -> U + Sync + Send,
) -> Vec<U> {
    if n < PARALLEL_FROM {
        items.iter().map(f).collect()
    } else {
        items.par_iter().map(f).collect()
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

/// Appends `items[i]` to `lists[i]` for each `i`.
pub(crate) fn push_each<T: Send>(lists: &mut [Vec<T>], items: Vec<T>) {
    if lists.len() < PARALLEL_FROM {
        for (list, item) in lists.iter_mut().zip(items) {
            list.push(item);
        }
    } else {
        lists
            .par_iter_mut()
            .zip(items.into_par_iter())
            .with_min_len(MIN_PIECE)
            .for_each(|(list, item)| list.push(item));
    }
}

/// Appends `f(i, items[i])` to `lists[i]` for each `i`.
pub(crate) fn push_zip<T: Send, U: Send>(
    lists: &mut [Vec<T>],
    items: Vec<U>,
    f: impl Fn(usize, U) -> T + Sync + Send,
) {
    if lists.len() < PARALLEL_FROM {
        for (i, (list, item)) in lists.iter_mut().zip(items).enumerate() {
            list.push(f(i, item));
        }
    } else {
        lists
            .par_iter_mut()
            .zip(items.into_par_iter())
            .with_min_len(MIN_PIECE)
            .enumerate()
            .for_each(|(i, (list, item))| list.push(f(i, item)));
    }
}

/// Calls `f(i, row)` for each row of `width` items of `rows`, in parallel for many rows.
pub(crate) fn fill_rows<T: Send>(
    rows: &mut [T],
    width: usize,
    f: impl Fn(usize, &mut [T]) + Sync + Send,
) {
    if width == 0 {
        return;
    }
    if rows.len() / width < PARALLEL_FROM {
        rows.chunks_mut(width)
            .enumerate()
            .for_each(|(i, r)| f(i, r));
    } else {
        rows.par_chunks_mut(width)
            .with_min_len(MIN_PIECE)
            .enumerate()
            .for_each(|(i, r)| f(i, r));
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
            map_zip_in(true, items.clone(), items.clone(), |i, x, y| x * 2 + y + i),
            map_zip_in(false, items.clone(), items.clone(), |i, x, y| x * 2 + y + i)
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
