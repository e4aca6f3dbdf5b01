//! The load generator: many keep-alive HTTP/1.1 connections (hyper, one task each), each
//! sending the next request of its scenario as soon as the previous answer is read.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

pub type Body = Full<Bytes>;

/// One kept-alive connection to a server.
pub struct Connection {
    sender: SendRequest<Body>,
    pub host: String,
}

impl Connection {
    pub async fn open(addr: SocketAddr) -> Result<Self, String> {
        let stream = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connect {addr}: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        tokio::spawn(connection);
        Ok(Self {
            sender,
            host: addr.to_string(),
        })
    }

    /// Sends `request` and reads the whole answer.
    pub async fn send(&mut self, request: Request<Body>) -> Result<(StatusCode, Bytes), String> {
        let response = self.send_full(request).await?;
        Ok((response.status(), response.into_body()))
    }

    /// Like `send`, keeping the headers.
    pub async fn send_full(&mut self, request: Request<Body>) -> Result<Response<Bytes>, String> {
        self.sender.ready().await.map_err(|e| e.to_string())?;
        let response = self
            .sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
        Ok(Response::from_parts(parts, body))
    }

    /// A form POST authenticated as the bench client (`basic`: its Authorization header).
    pub fn client_post(
        &self,
        path: &str,
        basic: &str,
        form: String,
    ) -> Result<Request<Body>, hyper::http::Error> {
        self.request("POST", path)
            .header("authorization", basic)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(form))
    }

    /// A GET with a bearer token.
    pub fn bearer_get(&self, path: &str, token: &str) -> Result<Request<Body>, hyper::http::Error> {
        self.request("GET", path)
            .header("authorization", format!("Bearer {token}"))
            .body(Body::default())
    }

    pub fn request(&self, method: &str, path: &str) -> hyper::http::request::Builder {
        Request::builder()
            .method(method)
            .uri(path)
            .header(hyper::header::HOST, &self.host)
    }
}

/// What one connection measured.
#[derive(Default)]
pub struct Tally {
    pub ok: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    /// Microseconds per successful request.
    pub latencies: Vec<u32>,
}

impl Tally {
    pub fn record(&mut self, started: Instant, outcome: Result<(), String>) {
        match outcome {
            Ok(()) => {
                self.ok += 1;
                self.latencies
                    .push(started.elapsed().as_micros().min(u32::MAX as u128) as u32);
            }
            Err(err) => {
                self.errors += 1;
                self.first_error.get_or_insert(err);
            }
        }
    }

    pub fn merge(tallies: Vec<Tally>) -> Tally {
        let mut all = Tally::default();
        for t in tallies {
            all.ok += t.ok;
            all.errors += t.errors;
            if all.first_error.is_none() {
                all.first_error = t.first_error;
            }
            all.latencies.extend(t.latencies);
        }
        all.latencies.sort_unstable();
        all
    }

    pub fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let index = ((self.latencies.len() - 1) as f64 * p).round() as usize;
        Duration::from_micros(u64::from(self.latencies[index]))
    }
}
