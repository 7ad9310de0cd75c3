//! [`NodeTable`]: an index from a key a node carries to the node, four bytes
//! a slot.
//!
//! A `HashMap<OrgId, NodeIndex>` holds a copy of every key: 32 bytes a slot
//! (a 24-byte id and the index, padded), 64 MB of slots at a million
//! organisations, written in random order while a city is built. The table
//! holds the node index alone and finds a key by hashing it and confirming
//! each candidate against the key its node carries (DESIGN.md, "Round 16").

use std::hash::{BuildHasher, Hash};

use hashbrown::HashTable;
use petgraph::stable_graph::NodeIndex;

/// Node indexes, each stored under the hash of a key its node carries.
///
/// The table does not know the keys: every method that may move entries
/// takes `key_of`, the key of a node already in the table, and every lookup
/// takes the confirmation of a candidate.
#[derive(Clone)]
pub(crate) struct NodeTable {
    slots: HashTable<NodeIndex>,
    /// The graph's hasher (foldhash, randomly seeded per table).
    hasher: foldhash::fast::RandomState,
}

impl Default for NodeTable {
    fn default() -> Self {
        Self::with_capacity(0)
    }
}

impl NodeTable {
    /// An empty table with room for `capacity` nodes.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        NodeTable {
            slots: HashTable::with_capacity(capacity),
            hasher: foldhash::fast::RandomState::default(),
        }
    }

    /// The number of entries.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    /// The hash a key is stored under. A key and what it borrows as (an id
    /// and its text) hash alike.
    pub(crate) fn hash<Q: Hash + ?Sized>(&self, key: &Q) -> u64 {
        self.hasher.hash_one(key)
    }

    /// The first entry stored under `hash` that `is` confirms.
    pub(crate) fn find(
        &self,
        hash: u64,
        mut is: impl FnMut(NodeIndex) -> bool,
    ) -> Option<NodeIndex> {
        self.slots.find(hash, |&n| is(n)).copied()
    }

    /// Stores `n` under `hash`, without looking for an entry there first
    /// (the caller has: [`find`](Self::find) with the key's confirmation).
    pub(crate) fn insert<'k, K: Hash + ?Sized + 'k>(
        &mut self,
        hash: u64,
        n: NodeIndex,
        key_of: impl Fn(NodeIndex) -> &'k K,
    ) {
        let hasher = &self.hasher;
        self.slots
            .insert_unique(hash, n, |&m| hasher.hash_one(key_of(m)));
    }

    /// Every entry, in the table's own order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = NodeIndex> + '_ {
        self.slots.iter().copied()
    }

    /// Every entry that a lookup of its own node's key finds, in the
    /// table's own order: for each entry `n` with a hash (`hash_of`; an
    /// entry without one is passed over), the lookup under that hash stops
    /// at the first candidate that is `n` itself or another node carrying
    /// `n`'s key (`same_key(m, n)`), and `n` is found when that candidate
    /// is `n`. A second node under a key, indexed behind the first, is not
    /// found; an entry stored under another key's hash is found only if the
    /// lookup of its own key reaches it anyway, as a lookup by key would.
    ///
    /// Walking the table in order keeps each lookup on the group just read;
    /// `same_key` runs only on a candidate that is another node with the
    /// same 7-bit tag, so the keys themselves are rarely read.
    pub(crate) fn found_by_own_key<'a>(
        &'a self,
        hash_of: impl Fn(NodeIndex) -> Option<u64> + 'a,
        same_key: impl Fn(NodeIndex, NodeIndex) -> bool + 'a,
    ) -> impl Iterator<Item = NodeIndex> + 'a {
        self.iter().filter(move |&n| {
            hash_of(n).is_some_and(|hash| self.find(hash, |m| m == n || same_key(m, n)) == Some(n))
        })
    }

    /// Makes room for `additional` more entries.
    #[cfg(feature = "sim")]
    pub(crate) fn reserve<'k, K: Hash + ?Sized + 'k>(
        &mut self,
        additional: usize,
        key_of: impl Fn(NodeIndex) -> &'k K,
    ) {
        let hasher = &self.hasher;
        self.slots
            .reserve(additional, |&m| hasher.hash_one(key_of(m)));
    }

    /// Removes every entry (tests break the index on purpose).
    #[cfg(test)]
    pub(crate) fn clear(&mut self) {
        self.slots.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_found_by_its_confirmation_and_collisions_are_told_apart() {
        let keys = ["a", "b", "c"];
        let key_of = |n: NodeIndex| keys[n.index()];
        let mut table = NodeTable::with_capacity(0);
        for (i, key) in keys.iter().enumerate() {
            let h = table.hash(*key);
            table.insert(h, NodeIndex::new(i), key_of);
        }
        assert_eq!(table.len(), 3);
        for (i, key) in keys.iter().enumerate() {
            let h = table.hash(*key);
            assert_eq!(
                table.find(h, |n| key_of(n) == *key),
                Some(NodeIndex::new(i))
            );
        }
        // Two entries forced under one hash: the confirmation decides.
        let h = table.hash("a");
        table.insert(h, NodeIndex::new(1), key_of);
        assert_eq!(table.find(h, |n| key_of(n) == "b"), Some(NodeIndex::new(1)));
        assert_eq!(table.find(table.hash("z"), |n| key_of(n) == "z"), None);
    }

    #[test]
    fn an_entry_is_found_by_its_own_key_only_if_a_lookup_by_key_finds_it() {
        let keys = ["a", "b", "a", "c"];
        let key_of = |n: NodeIndex| keys[n.index()];
        let mut table = NodeTable::with_capacity(0);
        // "a" twice (nodes 0 and 2, node 2 behind node 0), "b" under the
        // hash of "c", "c" with no hash given below.
        for (i, key) in [(0, "a"), (2, "a"), (1, "c"), (3, "c")] {
            let h = table.hash(key);
            table.insert(h, NodeIndex::new(i), key_of);
        }
        let mut found: Vec<usize> = table
            .found_by_own_key(
                |n| (n.index() != 3).then(|| table.hash(key_of(n))),
                |m, n| key_of(m) == key_of(n),
            )
            .map(NodeIndex::index)
            .collect();
        found.sort_unstable();
        // What a lookup by key finds: one of the two "a" nodes (whichever a
        // grown table put first), never both; node 1 for "b" only if the
        // probe for "b" reaches the slot it was stored in under "c"'s hash
        // (a tag shared by chance); node 3 is passed over.
        let by_key = |key: &str| table.find(table.hash(key), |m| key_of(m) == key);
        let expected: Vec<usize> = (0..3)
            .filter(|&i| by_key(keys[i]) == Some(NodeIndex::new(i)))
            .collect();
        assert_eq!(
            [0, 2].iter().filter(|i| expected.contains(i)).count(),
            1,
            "exactly one of two nodes under one key is found"
        );
        assert_eq!(found, expected);
    }
}
