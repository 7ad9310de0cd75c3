//! The GeoReport v2 fields a work order may carry: a point, an address and
//! a media URL, each checked on the way in.

use std::fmt;

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use super::error::GeoError;
use crate::service::Note;

/// The longest media URL accepted, in bytes.
pub const MAX_URL_LEN: usize = 2048;

/// A point on the earth in WGS 84 degrees (GeoReport's `lat` and `long`):
/// finite, latitude within ±90, longitude within ±180.
///
/// ```
/// use grassroots::work_order::GeoPoint;
///
/// let gate = GeoPoint::new(22.6631, 114.1282)?;
/// assert_eq!(gate.lat(), 22.6631);
/// assert!(GeoPoint::new(91.0, 0.0).is_err());
/// # Ok::<(), grassroots::work_order::GeoError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "PointData")]
pub struct GeoPoint {
    lat: f64,
    long: f64,
}

#[derive(Deserialize)]
struct PointData {
    lat: f64,
    long: f64,
}

impl TryFrom<PointData> for GeoPoint {
    type Error = GeoError;
    fn try_from(d: PointData) -> Result<Self, GeoError> {
        GeoPoint::new(d.lat, d.long)
    }
}

impl GeoPoint {
    /// The point at `lat`, `long` degrees.
    ///
    /// # Errors
    ///
    /// [`GeoError::Latitude`] or [`GeoError::Longitude`] for a value out of
    /// range or not finite.
    pub fn new(lat: f64, long: f64) -> Result<Self, GeoError> {
        if !(lat.is_finite() && (-90.0..=90.0).contains(&lat)) {
            return Err(GeoError::Latitude { lat });
        }
        if !(long.is_finite() && (-180.0..=180.0).contains(&long)) {
            return Err(GeoError::Longitude { long });
        }
        Ok(Self { lat, long })
    }

    /// The latitude in degrees.
    pub fn lat(&self) -> f64 {
        self.lat
    }

    /// The longitude in degrees.
    pub fn long(&self) -> f64 {
        self.long
    }
}

/// A link to a photo or video of the matter (GeoReport's `media_url`): an
/// `http` or `https` URL without whitespace, at most [`MAX_URL_LEN`] bytes.
///
/// ```
/// use grassroots::work_order::MediaUrl;
///
/// let photo: MediaUrl = "https://img.example.cn/12345/0001.jpg".parse()?;
/// assert_eq!(photo.as_str(), "https://img.example.cn/12345/0001.jpg");
/// assert!("javascript:alert(1)".parse::<MediaUrl>().is_err());
/// # Ok::<(), grassroots::work_order::GeoError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "SmolStr", into = "SmolStr")]
pub struct MediaUrl(SmolStr);

impl MediaUrl {
    /// The URL's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<SmolStr> for MediaUrl {
    type Error = GeoError;
    fn try_from(s: SmolStr) -> Result<Self, GeoError> {
        if s.len() > MAX_URL_LEN {
            return Err(GeoError::MediaUrlTooLong {
                len: s.len(),
                max: MAX_URL_LEN,
            });
        }
        let rest = s
            .strip_prefix("https://")
            .or_else(|| s.strip_prefix("http://"));
        match rest {
            Some(rest) if !rest.is_empty() && !s.chars().any(char::is_whitespace) => Ok(Self(s)),
            _ => Err(GeoError::MediaUrl {
                url: s.chars().take(64).collect(),
            }),
        }
    }
}

impl From<MediaUrl> for SmolStr {
    fn from(url: MediaUrl) -> Self {
        url.0
    }
}

impl std::str::FromStr for MediaUrl {
    type Err = GeoError;
    fn from_str(s: &str) -> Result<Self, GeoError> {
        Self::try_from(SmolStr::new(s))
    }
}

impl fmt::Display for MediaUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The optional GeoReport fields of a request: where exactly, in words, and
/// a picture. Each is checked when built; none is needed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GeoFields {
    /// The point, if the reporter gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point: Option<GeoPoint>,
    /// The street address, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Note>,
    /// A photo or video of the matter, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_url: Option<MediaUrl>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_out_of_range_or_not_finite_are_refused() {
        assert!(GeoPoint::new(-90.0, 180.0).is_ok());
        assert!(matches!(
            GeoPoint::new(f64::NAN, 0.0),
            Err(GeoError::Latitude { .. })
        ));
        assert!(matches!(
            GeoPoint::new(0.0, 180.5),
            Err(GeoError::Longitude { .. })
        ));
        assert!(matches!(
            GeoPoint::new(0.0, f64::INFINITY),
            Err(GeoError::Longitude { .. })
        ));
        let bad: Result<GeoPoint, _> = serde_json::from_str(r#"{"lat":95.0,"long":1.0}"#);
        assert!(bad.is_err());
    }

    #[test]
    fn media_urls_are_http_without_spaces_and_bounded() {
        assert!("http://a.cn/x.png".parse::<MediaUrl>().is_ok());
        assert!("https://".parse::<MediaUrl>().is_err());
        assert!("https://a.cn/x y.png".parse::<MediaUrl>().is_err());
        assert!("ftp://a.cn/x.png".parse::<MediaUrl>().is_err());
        let long = format!("https://a.cn/{}", "x".repeat(MAX_URL_LEN));
        assert!(matches!(
            long.parse::<MediaUrl>(),
            Err(GeoError::MediaUrlTooLong { .. })
        ));
        let bad: Result<MediaUrl, _> = serde_json::from_str(r#""file:///etc/passwd""#);
        assert!(bad.is_err());
    }
}
