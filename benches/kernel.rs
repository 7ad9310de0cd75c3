//! Kernel benchmarks (placeholder until the kernel lands).

fn main() {}
