//! grassroots
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

pub mod id;
pub mod matter;
pub mod org;
pub mod tier;
