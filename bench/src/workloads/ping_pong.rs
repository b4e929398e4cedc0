//! `ping_pong`: two spawned tasks waking each other 1,000,000 times through a
//! [`Baton`]. ns per wake.

use crate::runtimes::Rt;
use crate::util::Baton;
use std::rc::Rc;
use std::time::Instant;

const WAKES: usize = 1_000_000;

pub fn run<R: Rt>() -> f64 {
    R::block_on(async {
        let baton = Rc::new(Baton::new(0));
        let start = Instant::now();
        let players: Vec<_> = (0..2)
            .map(|me| {
                let baton = baton.clone();
                R::spawn(async move {
                    for _ in 0..WAKES / 2 {
                        baton.wait(me).await;
                        baton.pass(1 - me);
                    }
                })
            })
            .collect();
        for p in players {
            p.await;
        }
        start.elapsed().as_nanos() as f64 / WAKES as f64
    })
}
