//! Open311 (placeholder).
