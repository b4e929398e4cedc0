use std::time::Duration;

#[evloop::main(debug = true, slow_poll_threshold_ms = 500, event_interval = 16)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = evloop::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let accept = evloop::spawn(async move { listener.accept().await.map(|(_, peer)| peer) });
    let client = evloop::net::TcpStream::connect(addr).await?;
    let peer = evloop::time::timeout(Duration::from_secs(5), accept).await???;
    assert_eq!(peer, client.local_addr()?);
    Ok(())
}
