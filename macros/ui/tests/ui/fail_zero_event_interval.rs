#[evloop::main(event_interval = 0)]
async fn main() {}
