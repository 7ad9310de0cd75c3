//! grassroots
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

pub mod actor;
pub mod id;
pub mod journal;
pub mod testing;
pub mod tier;
pub mod workflow;
