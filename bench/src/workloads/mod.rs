//! The workloads, one file each, written once and generic over [`Rt`](crate::runtimes::Rt).

use crate::runtimes::{Evloop, Smol, Tokio, TokioLocal};

pub mod backends;
pub mod chained_spawn;
pub mod echo;
pub mod echo_loops;
pub mod idle_tasks_memory;
pub mod ping_pong;
pub mod remote_spawn;
pub mod server_models;
pub mod spawn_many;
pub mod timer_precision;
pub mod timers;
pub mod timers_memory;
pub mod yield_many;

/// A workload measured as one figure per run, one run function per runtime.
pub struct Workload {
    pub name: &'static str,
    pub unit: &'static str,
    /// In the order of [`NAMES`](crate::runtimes::NAMES).
    pub runs: [fn() -> f64; 4],
    /// Run each measurement in a fresh child process (for memory figures).
    pub isolated: bool,
}

macro_rules! workload {
    ($m:ident, $unit:expr) => {
        workload!($m, $unit, false)
    };
    ($m:ident, $unit:expr, $isolated:expr) => {
        Workload {
            isolated: $isolated,
            name: stringify!($m),
            unit: $unit,
            runs: [
                $m::run::<Evloop>,
                $m::run::<Tokio>,
                $m::run::<TokioLocal>,
                $m::run::<Smol>,
            ],
        }
    };
}

/// Every single-figure workload, in table order.
pub fn all() -> Vec<Workload> {
    vec![
        workload!(spawn_many, "ns/task"),
        workload!(yield_many, "ns/yield"),
        workload!(ping_pong, "ns/wake"),
        workload!(chained_spawn, "ns/spawn"),
        workload!(timers, "ns/timer"),
        workload!(timers_memory, "B/timer", true),
        workload!(idle_tasks_memory, "B/task", true),
    ]
}

/// `timer_precision`'s run function per runtime, in the order of `NAMES`.
pub const PRECISION: [fn(std::time::Duration) -> Vec<f64>; 4] = [
    timer_precision::run::<Evloop>,
    timer_precision::run::<Tokio>,
    timer_precision::run::<TokioLocal>,
    timer_precision::run::<Smol>,
];
