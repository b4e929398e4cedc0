#[evloop::main(debug = 1)]
async fn main() {}
