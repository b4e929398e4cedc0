#[evloop::main]
struct Server;

fn main() {}
