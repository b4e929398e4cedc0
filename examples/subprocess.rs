//! Child processes on the loop: asyncio's subprocess examples, in evloop.
//!
//! ```text
//! cargo run --example subprocess
//! ```
//!
//! First, one child whose output is read line by line while it runs, then its exit code;
//! the asyncio it mirrors:
//!
//! ```python
//! proc = await asyncio.create_subprocess_exec(
//!     "sh", "-c", "for i in 1 2 3; do echo tick $i; sleep 0.2; done; exit 3",
//!     stdout=asyncio.subprocess.PIPE)
//! async for line in proc.stdout:
//!     print("got", line.decode().rstrip())
//! print("exit code", await proc.wait())
//! ```
//!
//! Then 20 children at once, each sleeping a little and printing its number, gathered
//! like `asyncio.gather(*(run(i) for i in range(20)))` with `communicate()` in each: they
//! run side by side, so the total is about the longest sleep, not the sum.

use std::io;
use std::process::Stdio;
use std::time::Instant;

use evloop::process::Command;
use futures::io::{AsyncBufReadExt, BufReader};
use futures::StreamExt;

/// Runs a ticking child and prints each line as it arrives, then its exit code.
async fn lines_while_it_runs() -> io::Result<()> {
    let start = Instant::now();
    let mut child = Command::new("sh")
        .args([
            "-c",
            "for i in 1 2 3; do echo tick $i; sleep 0.2; done; exit 3",
        ])
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().expect("stdout was piped");
    let mut lines = BufReader::new(stdout).lines();
    while let Some(line) = lines.next().await {
        println!("[{:>4} ms] got {:?}", start.elapsed().as_millis(), line?);
    }
    let status = child.wait().await?;
    println!(
        "[{:>4} ms] exit code {:?}",
        start.elapsed().as_millis(),
        status.code()
    );
    Ok(())
}

/// Runs 20 children at once and collects their outputs.
async fn twenty_at_once() -> io::Result<()> {
    let start = Instant::now();
    let children = (0..20).map(|i| async move {
        let delay = format!("0.{}", i % 5); // 0 to 0.4 s
        let output = Command::new("sh")
            .args([
                "-c",
                &format!("sleep {delay}; echo child {i} slept {delay} s"),
            ])
            .output()
            .await?;
        Ok::<_, io::Error>(
            String::from_utf8_lossy(&output.stdout)
                .trim_end()
                .to_owned(),
        )
    });
    let outputs = evloop::try_gather_all(children).await?;
    for line in &outputs {
        println!("{line}");
    }
    let took = start.elapsed();
    println!(
        "20 children in {:.2} s (one after another: {:.1} s of sleeps)",
        took.as_secs_f64(),
        (0..20).map(|i| (i % 5) as f64 / 10.0).sum::<f64>()
    );
    Ok(())
}

#[evloop::main]
async fn main() -> io::Result<()> {
    lines_while_it_runs().await?;
    twenty_at_once().await
}
