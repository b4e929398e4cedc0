//! The `ten_calls` example: ten 1-second calls on one thread take about one second.

#[allow(dead_code)]
#[path = "../../examples/ten_calls.rs"]
mod ten_calls;

use std::time::{Duration, Instant};

#[test]
fn ten_one_second_calls_overlap() {
    let start = Instant::now();
    let report = evloop::run(ten_calls::ten_calls(10, Duration::from_secs(1))).unwrap();
    let elapsed = start.elapsed();
    println!(
        "ten calls took {:.2?} (report: {:.2?})",
        elapsed, report.total
    );
    assert_eq!(report.calls.len(), 10);
    for (i, call) in report.calls.iter().enumerate() {
        assert_eq!((call.index, call.status), (i, 200));
        assert!(
            call.elapsed >= Duration::from_secs(1),
            "call {i} was not delayed"
        );
    }
    assert!(report.total >= Duration::from_secs(1));
    // In a row they would take 10 s; together about 1 s. The bound leaves the scheduler
    // seconds of slack and still fails calls that ran even half in a row.
    assert!(
        elapsed < Duration::from_secs(5),
        "took {elapsed:?}: the calls did not overlap"
    );
}
