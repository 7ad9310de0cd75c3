//! Kernel benchmarks (placeholder until the kernel bench lands).
fn main() {}
