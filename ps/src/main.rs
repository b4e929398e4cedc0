//! `evloop-ps PID [--tree | --json]`: what every task of a live evloop process waits for,
//! from outside it, like Python's `python -m asyncio ps PID` and `pstree PID`.
//!
//! An evloop program in debug mode (`EVLOOP_DEBUG=1`, or `Builder::debug(true)`) serves
//! each loop's task dump on a Unix socket, `evloop-PID-N.sock` in its `$XDG_RUNTIME_DIR`
//! (else `/tmp`), `N` the loop's index. This tool finds those sockets (`find.rs`), asks
//! each loop for its dump (`ask.rs`) and prints them: one line a task by default, the
//! await tree with `--tree` (a task awaited through its handle under its awaiter), JSON
//! with `--json`.
//!
//! ```text
//! $ EVLOOP_DEBUG=1 cargo run --example echo_server &
//! $ cargo run -p evloop-ps -- $!
//! loop 0 of process 4242: 3 tasks, debug mode
//! id  name      state  polls  busy    last poll  by  spawned at                   waiting for
//!  0            idle       1  < 4 ms  2.304 s    -   examples/echo_server.rs:50:5  join of task 1
//!  ...
//! ```
//!
//! A loop answers between two of its turns; one whose thread a task blocks cannot, and
//! the tool says so after a few seconds. Exit status: 0 when every loop answered, 1 when
//! something is wrong (each problem is one line on stderr), 2 for a bad command line.

#![warn(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

mod ask;
mod find;

use std::process::ExitCode;

use ask::Format;

/// The command line's help.
const USAGE: &str = "usage: evloop-ps PID [--tree | --json]
  Prints what every task of each evloop loop of process PID waits for. The process must
  run in debug mode (EVLOOP_DEBUG=1). One line a task by default; --tree draws the await
  tree (a task awaited through its handle under its awaiter); --json prints JSON.";

fn main() -> ExitCode {
    let (pid, format) = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let sockets = match find::sockets(pid) {
        Ok(sockets) => sockets,
        Err(problem) => {
            eprintln!("evloop-ps: {problem}");
            return ExitCode::FAILURE;
        }
    };
    let mut answers = Vec::new();
    let mut failed = false;
    for socket in &sockets {
        match ask::dump(socket, format) {
            Ok(answer) => answers.push(answer),
            Err(problem) => {
                eprintln!("evloop-ps: {problem}");
                failed = true;
            }
        }
    }
    match format {
        Format::Json => {
            let answers: Vec<&str> = answers.iter().map(|a| a.trim_end()).collect();
            println!("[{}]", answers.join(","));
        }
        _ => print!("{}", answers.join("\n")),
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The process id and the format the command line asks for.
fn parse(mut args: impl Iterator<Item = String>) -> Result<(u32, Format), String> {
    let mut pid = None;
    let mut format = Format::Table;
    for arg in args.by_ref() {
        match arg.as_str() {
            "--tree" => format = Format::Tree,
            "--json" => format = Format::Json,
            "-h" | "--help" => return Err(USAGE.to_string()),
            _ if pid.is_none() => match arg.parse::<u32>() {
                Ok(n) if n > 0 => pid = Some(n),
                _ => return Err(format!("evloop-ps: {arg:?} is not a process id\n{USAGE}")),
            },
            _ => return Err(format!("evloop-ps: unexpected argument {arg:?}\n{USAGE}")),
        }
    }
    let pid = pid.ok_or_else(|| USAGE.to_string())?;
    Ok((pid, format))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Result<(u32, Format), String> {
        parse(line.split_whitespace().map(String::from))
    }

    #[test]
    fn the_command_line_takes_a_pid_and_a_format() {
        assert_eq!(args("42"), Ok((42, Format::Table)));
        assert_eq!(args("42 --tree"), Ok((42, Format::Tree)));
        assert_eq!(args("--json 7"), Ok((7, Format::Json)));
        assert!(args("").unwrap_err().starts_with("usage: evloop-ps PID"));
        assert!(args("abc")
            .unwrap_err()
            .contains("\"abc\" is not a process id"));
        assert!(args("0").unwrap_err().contains("is not a process id"));
        assert!(args("1 2")
            .unwrap_err()
            .contains("unexpected argument \"2\""));
    }
}
