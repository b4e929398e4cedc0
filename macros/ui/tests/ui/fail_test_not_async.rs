#[evloop::test]
fn sleeps() {}

fn main() {}
