//! OpenTelemetry export of the CLI's spans over the three OTLP protocols: HTTP with
//! protobuf (the default), HTTP with JSON (in keyless.rs, with every span of a keyless
//! signature) and gRPC, each received by a local collector.
#![cfg(feature = "otel")]

mod common;

use std::sync::{Arc, Mutex};

use common::keyless::{Seen, Stub};
use common::*;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use prost::Message as _;

/// The span names and the service name of an export.
fn summary(request: &ExportTraceServiceRequest) -> (Vec<String>, Option<String>) {
    let mut names = Vec::new();
    let mut service = None;
    for rs in &request.resource_spans {
        for a in rs.resource.iter().flat_map(|r| &r.attributes) {
            if a.key == "service.name" {
                service = a.value.as_ref().and_then(|v| match &v.value {
                    Some(
                        opentelemetry_proto::tonic::common::v1::any_value::Value::StringValue(s),
                    ) => Some(s.clone()),
                    _ => None,
                });
            }
        }
        for ss in &rs.scope_spans {
            names.extend(ss.spans.iter().map(|s| s.name.clone()));
        }
    }
    (names, service)
}

fn sign_traced(envs: &[(&str, &str)]) -> Run {
    let t = tmp();
    let m = small_model(&t.path().join("m"));
    let mut cmd = ms();
    cmd.args(["sign", "key", "--private-key", P256, "--signature"])
        .arg(t.path().join("m.sig"))
        .arg(&m);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    run(&mut cmd)
}

#[test]
fn http_protobuf_is_the_default_protocol() {
    let collector = Stub::start(Arc::new(|_req: &Seen| {
        Some((200, "application/x-protobuf", Vec::new()))
    }));
    let out = sign_traced(&[("OTEL_EXPORTER_OTLP_ENDPOINT", &collector.url)]);
    out.signed();
    let seen = collector.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].url, "/v1/traces");
    let request = ExportTraceServiceRequest::decode(seen[0].body.as_slice()).expect("protobuf");
    let (names, service) = summary(&request);
    assert!(names.contains(&"Sign".to_string()), "{names:?}");
    assert!(names.contains(&"hash".to_string()), "{names:?}");
    assert_eq!(service.as_deref(), Some("model_signing"));
}

#[derive(Default)]
struct Collector {
    received: Arc<Mutex<Vec<ExportTraceServiceRequest>>>,
}

#[tonic::async_trait]
impl TraceService for Collector {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        self.received.lock().unwrap().push(request.into_inner());
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

#[test]
fn grpc_export_reaches_a_grpc_collector() {
    let received = Arc::new(Mutex::new(Vec::new()));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let service = TraceServiceServer::new(Collector {
        received: received.clone(),
    });
    runtime.spawn(async move {
        tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener))
            .await
    });
    let endpoint = format!("http://{addr}");
    let out = sign_traced(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_SERVICE_NAME", "grpc-test"),
    ]);
    out.signed();
    let received = received.lock().unwrap();
    assert!(!received.is_empty(), "the collector received nothing");
    let (names, service) = summary(&received[0]);
    assert!(names.contains(&"Sign".to_string()), "{names:?}");
    assert_eq!(service.as_deref(), Some("grpc-test"));
}

#[test]
fn no_endpoint_or_a_disabled_sdk_exports_nothing() {
    let collector = Stub::start(Arc::new(|_req: &Seen| {
        Some((200, "text/plain", Vec::new()))
    }));
    sign_traced(&[]).signed();
    sign_traced(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &collector.url),
        ("OTEL_SDK_DISABLED", "true"),
    ])
    .signed();
    sign_traced(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &collector.url),
        ("OTEL_TRACES_EXPORTER", "none"),
    ])
    .signed();
    assert!(collector.seen.lock().unwrap().is_empty());
}
