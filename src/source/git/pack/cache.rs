//! The objects a reader resolved recently, kept for the deltas that build on them: a
//! least-recently-used map bounded in bytes. Owns only the bookkeeping; what goes in is the
//! reader's choice.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// (pack number, entry offset).
pub type Key = (u32, u64);

/// An object's bytes, shared with whoever read it, and its git type number.
pub type Object = (Arc<Vec<u8>>, u8);

pub struct Cache {
    /// Each object (bytes and git type number) with the tick it was last used at.
    objects: HashMap<Key, (Object, u64), foldhash::fast::RandomState>,
    /// Uses, oldest first; an entry whose tick is not the object's latest is stale.
    uses: VecDeque<(Key, u64)>,
    bytes: usize,
    budget: usize,
    tick: u64,
}

impl Cache {
    /// A cache holding at most `budget` bytes of objects.
    pub fn new(budget: usize) -> Cache {
        Cache {
            objects: HashMap::default(),
            uses: VecDeque::new(),
            bytes: 0,
            budget,
            tick: 0,
        }
    }

    /// The largest object worth keeping: one that fills the cache would evict everything.
    pub fn fits(&self, len: usize) -> bool {
        len <= self.budget / 8
    }

    /// The object under `key`, shared: the reader's caller may keep it after it is evicted.
    pub fn get(&mut self, key: Key) -> Option<&Object> {
        self.tick += 1;
        let (bytes, used) = self.objects.get_mut(&key)?;
        *used = self.tick;
        self.uses.push_back((key, self.tick));
        Some(bytes)
    }

    #[cfg(test)]
    pub fn contains(&self, key: Key) -> bool {
        self.objects.contains_key(&key)
    }

    /// Keeps `bytes` under `key`, evicting the least recently used objects over the budget.
    pub fn insert(&mut self, key: Key, object: Object) {
        self.tick += 1;
        self.bytes += object.0.len();
        if let Some((old, _)) = self.objects.insert(key, (object, self.tick)) {
            self.bytes -= old.0.len();
        }
        self.uses.push_back((key, self.tick));
        while self.bytes > self.budget {
            let Some((key, tick)) = self.uses.pop_front() else {
                break;
            };
            if self
                .objects
                .get(&key)
                .is_some_and(|(_, used)| *used == tick)
            {
                let (old, _) = self.objects.remove(&key).expect("just seen");
                self.bytes -= old.0.len();
            }
        }
        // Stale uses pile up while nothing is evicted: drop them now and then.
        if self.uses.len() > 4 * self.objects.len() + 1024 {
            let objects = &self.objects;
            self.uses
                .retain(|(key, tick)| objects.get(key).is_some_and(|(_, used)| used == tick));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_the_least_recently_used_first() {
        let mut cache = Cache::new(30);
        cache.insert((0, 1), (Arc::new(vec![1; 10]), 3));
        cache.insert((0, 2), (Arc::new(vec![2; 10]), 3));
        cache.insert((0, 3), (Arc::new(vec![3; 10]), 3));
        assert_eq!(cache.get((0, 1)), Some(&(Arc::new(vec![1u8; 10]), 3)));
        cache.insert((0, 4), (Arc::new(vec![4; 10]), 3));
        assert!(cache.contains((0, 1)));
        assert!(
            !cache.contains((0, 2)),
            "the least recently used goes first"
        );
        assert!(cache.contains((0, 3)) && cache.contains((0, 4)));
        cache.insert((1, 1), (Arc::new(vec![5; 25]), 3));
        assert_eq!(cache.bytes, 25);
        assert_eq!(cache.get((1, 1)), Some(&(Arc::new(vec![5u8; 25]), 3)));
        assert_eq!(cache.get((0, 4)), None);
    }

    #[test]
    fn stale_uses_do_not_pile_up() {
        let mut cache = Cache::new(1 << 20);
        cache.insert((0, 0), (Arc::new(vec![0; 8]), 3));
        for n in 0..10_000 {
            cache.get((0, 0));
            cache.insert((0, n % 4), (Arc::new(vec![0; 8]), 3));
        }
        assert!(cache.uses.len() <= 4 * cache.objects.len() + 1024 + 1);
        assert_eq!(cache.bytes, 32);
    }
}
