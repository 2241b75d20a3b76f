//! The library's one parallel loop: independent pieces of work answered on up to one thread
//! per core, the results in the order of the work.

use std::sync::Mutex;

/// `f` applied to every item, on up to [`std::thread::available_parallelism`] scoped threads
/// that take the next item as they finish one (pieces of work may differ a lot in cost). The
/// results come back in the order of `items`, so the caller's answer does not depend on the
/// scheduling. Where no thread can be started, the remaining items are answered on the
/// calling thread; a panic in `f` is propagated, as a sequential loop would.
pub(crate) fn map<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let len = items.len();
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(len);
    if workers <= 1 {
        return items.into_iter().map(f).collect();
    }
    let queue = Mutex::new(items.into_iter().enumerate());
    let take = || queue.lock().ok().and_then(|mut q| q.next());
    let work = || {
        let mut done = Vec::new();
        while let Some((i, item)) = take() {
            done.push((i, f(item)));
        }
        done
    };
    let mut answered: Vec<(usize, R)> = Vec::with_capacity(len);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (1..workers)
            .filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, work).ok())
            .collect();
        answered.extend(work());
        for h in handles {
            match h.join() {
                Ok(done) => answered.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    answered.sort_unstable_by_key(|(i, _)| *i);
    answered.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::map;

    /// The results are in the order of the items, whatever the threads did, including items
    /// of very different cost.
    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<u64> = (0..200).collect();
        let out = map(items, |n| {
            // Uneven work: some items take far longer than others.
            (0..(n % 7) * 10_000).fold(n, |a, b| a.wrapping_add(b % 3))
        });
        let expected: Vec<u64> = (0..200u64)
            .map(|n| (0..(n % 7) * 10_000).fold(n, |a, b| a.wrapping_add(b % 3)))
            .collect();
        assert_eq!(out, expected);
        assert!(map(Vec::<u8>::new(), |x| x).is_empty());
        assert_eq!(map(vec![5u8], |x| x * 2), vec![10]);
    }
}
