//! [`Note`]: a written reason, legal basis or comment.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

/// The longest note accepted, in bytes.
pub const MAX_NOTE_LEN: usize = 4096;

/// A written note: the reason for a refusal, the legal basis it cites, a
/// comment with a review. Never empty or blank.
///
/// Notes are cheap to clone (short ones are stored inline, longer ones are
/// shared), so recording the reason a command carries does not allocate.
///
/// ```
/// use grassroots::service::{Note, NoteError};
///
/// let reason: Note = "the applicant is not registered in the district".parse()?;
/// assert_eq!(reason.as_str(), "the applicant is not registered in the district");
/// assert_eq!(Note::new("   "), Err(NoteError::Blank));
/// # Ok::<(), NoteError>(())
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(try_from = "SmolStr")]
pub struct Note(SmolStr);

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
        Ok(Self(SmolStr::new(text)))
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
        Ok(Self(s))
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
