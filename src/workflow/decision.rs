//! [`Decision`]: the events one command decided, without a heap allocation
//! for the common case of exactly one.

use smallvec::SmallVec;

/// The events a [`Workflow::decide`](super::Workflow::decide) call decided.
///
/// Most commands decide exactly one event; a `Decision` holds one event
/// inline, so deciding it costs no heap allocation. It spills to the heap
/// only when a command decides two or more.
///
/// ```
/// use grassroots::workflow::Decision;
///
/// let one: Decision<&str> = "Opened".into();
/// assert_eq!(one.len(), 1);
/// assert!(!one.spilled());
///
/// let none: Decision<&str> = Decision::none();
/// assert!(none.is_empty());
///
/// let two: Decision<&str> = ["Flagged", "Escalated"].into_iter().collect();
/// assert_eq!(&*two, &["Flagged", "Escalated"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision<E>(SmallVec<[E; 1]>);

impl<E> Decision<E> {
    /// A decision to record nothing (for example a `Tick` before any
    /// deadline). The case's version does not move.
    pub fn none() -> Self {
        Self(SmallVec::new())
    }

    /// A decision to record one event. Does not allocate.
    pub fn one(event: E) -> Self {
        let mut events = SmallVec::new();
        events.push(event);
        Self(events)
    }

    /// Adds one more event to the decision.
    pub fn push(&mut self, event: E) {
        self.0.push(event);
    }

    /// Adds one more event, builder style.
    #[must_use]
    pub fn and(mut self, event: E) -> Self {
        self.0.push(event);
        self
    }

    /// The one event of a one-event decision, or the decision as it was.
    #[inline]
    pub(crate) fn into_one(self) -> Result<E, Self> {
        if self.0.len() == 1 && !self.0.spilled() {
            self.0.into_inner().map(|[event]| event).map_err(Self)
        } else {
            Err(self)
        }
    }

    /// Whether the decided events had to be moved to the heap (two or more).
    pub fn spilled(&self) -> bool {
        self.0.spilled()
    }
}

impl<E> Default for Decision<E> {
    fn default() -> Self {
        Self::none()
    }
}

impl<E> From<E> for Decision<E> {
    fn from(event: E) -> Self {
        Self::one(event)
    }
}

impl<E> Extend<E> for Decision<E> {
    fn extend<I: IntoIterator<Item = E>>(&mut self, iter: I) {
        self.0.extend(iter);
    }
}

impl<E> FromIterator<E> for Decision<E> {
    fn from_iter<I: IntoIterator<Item = E>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl<E> std::ops::Deref for Decision<E> {
    type Target = [E];
    fn deref(&self) -> &[E] {
        &self.0
    }
}

impl<E> IntoIterator for Decision<E> {
    type Item = E;
    type IntoIter = smallvec::IntoIter<[E; 1]>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}
