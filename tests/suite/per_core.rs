//! `run_per_core`: one loop per CPU, outputs in order, a panic in one loop stops them all,
//! and `SO_REUSEPORT` listeners that every loop binds on one port.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use common::panic_text;
use evloop::net::{TcpSocket, TcpStream};

#[test]
fn outputs_come_back_in_index_order_each_from_its_own_thread() {
    let outputs = evloop::run_per_core(4, |index| async move {
        // Later indices finish first: the order is the index's, not the finishing one.
        evloop::time::sleep(Duration::from_millis(5 * (4 - index as u64))).await;
        (index, std::thread::current().name().map(str::to_owned))
    });
    let indices: Vec<usize> = outputs.iter().map(|(i, _)| *i).collect();
    assert_eq!(indices, [0, 1, 2, 3]);
    for (index, name) in outputs {
        assert_eq!(
            name.as_deref(),
            Some(format!("evloop-loop-{index}").as_str())
        );
    }
}

#[test]
fn zero_means_one_loop_per_available_cpu() {
    let loops = evloop::run_per_core(0, |index| async move { index });
    // SAFETY: a zeroed `cpu_set_t` is the empty set, and the size passed is its own.
    let cpus = unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        assert_eq!(
            libc::sched_getaffinity(0, std::mem::size_of_val(&set), &mut set),
            0
        );
        libc::CPU_COUNT(&set) as usize
    };
    assert_eq!(loops, (0..cpus).collect::<Vec<_>>());
}

#[test]
fn a_panic_in_loop_one_stops_every_loop_and_names_the_index() {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let stopped = Arc::new(AtomicUsize::new(0));
    let counter = stopped.clone();
    let result = std::panic::catch_unwind(move || {
        evloop::run_per_core(3, move |index| {
            let counter = counter.clone();
            async move {
                if index == 1 {
                    evloop::time::sleep(Duration::from_millis(10)).await;
                    panic!("loop one gave up");
                }
                /// Counts the loops whose future was dropped unfinished.
                struct CountDrop(Arc<AtomicUsize>);
                impl Drop for CountDrop {
                    fn drop(&mut self) {
                        self.0.fetch_add(1, Ordering::SeqCst);
                    }
                }
                let _count = CountDrop(counter);
                // Would run for a minute if nothing stopped it.
                evloop::time::sleep(Duration::from_secs(60)).await;
                index
            }
        })
    });
    std::panic::set_hook(prev);
    let message = panic_text(result.unwrap_err().as_ref());
    assert!(message.contains("loop 1 panicked"), "{message}");
    assert!(message.contains("loop one gave up"), "{message}");
    assert_eq!(
        stopped.load(Ordering::SeqCst),
        2,
        "loops 0 and 2 were stopped"
    );
}

#[test]
fn reuseport_listeners_on_two_loops_both_accept() {
    // Both loops bind before any client connects, so the kernel spreads the clients over
    // both listeners; each loop then accepts until the clients are all served.
    let port = Arc::new(AtomicUsize::new(0));
    let bound = Arc::new(Barrier::new(3));
    let served = Arc::new(AtomicUsize::new(0));
    const CLIENTS: usize = 64;
    let clients = {
        let (port, bound) = (port.clone(), bound.clone());
        std::thread::spawn(move || {
            bound.wait();
            let addr = format!("127.0.0.1:{}", port.load(Ordering::SeqCst));
            evloop::run(async move {
                for _ in 0..CLIENTS {
                    let mut stream = TcpStream::connect(addr.as_str()).await.unwrap();
                    stream.write_all(b"x").await.unwrap();
                    let mut reply = [0; 1];
                    stream.read_exact(&mut reply).await.unwrap();
                }
            });
        })
    };
    let per_loop = evloop::run_per_core(2, {
        let (port, bound, served) = (port.clone(), bound.clone(), served.clone());
        move |index| {
            let (port, bound, served) = (port.clone(), bound.clone(), served.clone());
            async move {
                let socket = TcpSocket::new_v4().unwrap();
                socket.set_reuseport(true).unwrap();
                if index == 0 {
                    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
                    port.store(socket.local_addr().unwrap().port().into(), Ordering::SeqCst);
                } else {
                    while port.load(Ordering::SeqCst) == 0 {
                        evloop::time::sleep(Duration::from_millis(1)).await;
                    }
                    let addr = format!("127.0.0.1:{}", port.load(Ordering::SeqCst));
                    socket.bind(addr.parse().unwrap()).unwrap();
                }
                let listener = socket.listen(1024).unwrap();
                // A blocking wait, but once, before any client exists, for both loops.
                bound.wait();
                let mut accepted = 0;
                while served.load(Ordering::SeqCst) < CLIENTS {
                    let accept =
                        evloop::time::timeout(Duration::from_millis(20), listener.accept());
                    if let Ok(conn) = accept.await {
                        let (mut stream, _) = conn.unwrap();
                        let mut byte = [0; 1];
                        stream.read_exact(&mut byte).await.unwrap();
                        stream.write_all(&byte).await.unwrap();
                        accepted += 1;
                        served.fetch_add(1, Ordering::SeqCst);
                    }
                }
                accepted
            }
        }
    });
    clients.join().unwrap();
    assert_eq!(per_loop.iter().sum::<usize>(), CLIENTS);
    assert!(
        per_loop.iter().all(|&n| n > 0),
        "the kernel gave each listener some of {CLIENTS} connections: {per_loop:?}"
    );
}
