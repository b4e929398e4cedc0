#[evloop::main(event_interval = "fast")]
async fn main() {}
