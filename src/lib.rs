//! grassroots
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

pub mod id;
pub mod tier;
