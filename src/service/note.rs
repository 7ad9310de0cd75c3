//! [`Note`]: a written reason, legal basis or comment.

use std::fmt;
use std::str::FromStr;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

/// The longest note accepted, in bytes.
pub const MAX_NOTE_LEN: usize = 4096;

/// A written note: the reason for a refusal, the legal basis it cites, a
/// comment with a review. Never empty or blank.
///
/// A note is one pointer wide and its text is shared: cloning it, as
/// recording the reason a command carries does, counts a reference and does
/// not allocate. Keeping it narrow keeps the states and events that hold an
/// optional note small, which is most of what replaying them costs.
///
/// ```
/// use grassroots::service::{Note, NoteError};
///
/// let reason: Note = "the applicant is not registered in the district".parse()?;
/// assert_eq!(reason.as_str(), "the applicant is not registered in the district");
/// assert_eq!(Note::new("   "), Err(NoteError::Blank));
///
/// // A `String` read from a form is kept, not copied.
/// let typed = String::from("waiting for the tax bureau's reply");
/// let reason = Note::try_from(typed)?;
/// assert_eq!(reason.to_string(), "waiting for the tax bureau's reply");
/// # Ok::<(), NoteError>(())
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct Note(Arc<String>);

/// Why a text was refused as a [`Note`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteError {
    /// The text was empty or only whitespace.
    #[error("a note must not be blank")]
    Blank,
    /// The text was longer than [`MAX_NOTE_LEN`] bytes.
    #[error("a note is {len} bytes long, the limit is {max}")]
    TooLong {
        /// The length offered.
        len: usize,
        /// The limit, [`MAX_NOTE_LEN`].
        max: usize,
    },
}

fn check(s: &str) -> Result<(), NoteError> {
    if s.trim().is_empty() {
        return Err(NoteError::Blank);
    }
    if s.len() > MAX_NOTE_LEN {
        return Err(NoteError::TooLong {
            len: s.len(),
            max: MAX_NOTE_LEN,
        });
    }
    Ok(())
}

impl Note {
    /// A note with this text.
    ///
    /// # Errors
    ///
    /// [`NoteError::Blank`] for an empty or blank text,
    /// [`NoteError::TooLong`] for one longer than [`MAX_NOTE_LEN`] bytes.
    pub fn new(text: impl AsRef<str>) -> Result<Self, NoteError> {
        let text = text.as_ref();
        check(text)?;
        Ok(Self(Arc::new(text.to_owned())))
    }

    /// The note's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0.as_str(), f)
    }
}

impl FromStr for Note {
    type Err = NoteError;
    fn from_str(s: &str) -> Result<Self, NoteError> {
        Self::new(s)
    }
}

impl TryFrom<SmolStr> for Note {
    type Error = NoteError;
    fn try_from(s: SmolStr) -> Result<Self, NoteError> {
        check(&s)?;
        Ok(Self(Arc::new(s.to_string())))
    }
}

impl TryFrom<String> for Note {
    type Error = NoteError;
    fn try_from(s: String) -> Result<Self, NoteError> {
        check(&s)?;
        Ok(Self(Arc::new(s)))
    }
}

impl TryFrom<&str> for Note {
    type Error = NoteError;
    fn try_from(s: &str) -> Result<Self, NoteError> {
        Self::new(s)
    }
}

impl AsRef<str> for Note {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for Note {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_and_an_absent_note_are_one_pointer_wide() {
        assert_eq!(std::mem::size_of::<Note>(), std::mem::size_of::<usize>());
        assert_eq!(
            std::mem::size_of::<Option<Note>>(),
            std::mem::size_of::<usize>()
        );
    }

    #[test]
    fn clones_share_the_text() {
        let note = Note::new("the stamp on page two is missing").unwrap();
        let copy = note.clone();
        assert!(std::ptr::eq(note.as_str(), copy.as_str()));
        let from_string = Note::try_from(String::from("checked")).unwrap();
        assert_eq!(from_string.as_str(), "checked");
        assert_eq!(Note::try_from(String::from(" ")), Err(NoteError::Blank));
    }

    #[test]
    fn blank_and_overlong_notes_are_refused_also_when_deserialised() {
        assert_eq!(Note::new(""), Err(NoteError::Blank));
        assert_eq!(Note::new(" \n\t"), Err(NoteError::Blank));
        let long = "x".repeat(MAX_NOTE_LEN + 1);
        assert_eq!(
            Note::new(&long),
            Err(NoteError::TooLong {
                len: MAX_NOTE_LEN + 1,
                max: MAX_NOTE_LEN
            })
        );
        assert!(serde_json::from_str::<Note>("\"  \"").is_err());
        let note: Note = serde_json::from_str("\"line one\\nline two\"").unwrap();
        assert_eq!(note.as_str(), "line one\nline two");
        assert_eq!(
            serde_json::to_string(&note).unwrap(),
            "\"line one\\nline two\""
        );
    }
}
