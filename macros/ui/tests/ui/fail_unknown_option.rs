#[evloop::main(debg = true)]
async fn main() {}
