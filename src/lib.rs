//! grassroots
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

pub mod calendar;
pub mod id;
pub mod tier;
