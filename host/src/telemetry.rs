//! OpenTelemetry traces over OTLP/HTTP with JSON encoding, from `tracing` spans (cargo
//! feature `otel`, on by default). Enabled only when the standard environment asks for
//! it: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (the full URL) or
//! `OTEL_EXPORTER_OTLP_ENDPOINT` (`/v1/traces` is appended), unless `OTEL_SDK_DISABLED`
//! is `true` or `OTEL_TRACES_EXPORTER` is `none`. `OTEL_SERVICE_NAME` (default
//! `model_signing`), `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_EXPORTER_OTLP_HEADERS` /
//! `OTEL_EXPORTER_OTLP_TRACES_HEADERS` are honoured; `OTEL_EXPORTER_OTLP_PROTOCOL` other
//! than `http/json` is reported and JSON is sent anyway (an OTLP/HTTP collector accepts
//! both encodings on the same endpoint).
//!
//! Spans are kept in memory (a command makes a handful) and exported once, by
//! [`OtlpExporter::flush`], at the end of the command; an export failure is a warning,
//! never a failed command.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::Subscriber;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// At most this many spans are kept (a bound on memory for long runs).
const MAX_SPANS: usize = 10_000;

/// A span being recorded, kept in the registry's extensions.
struct OpenSpan {
    span_id: [u8; 8],
    parent: Option<[u8; 8]>,
    start: u64,
    attributes: Vec<(String, Value)>,
}

/// A finished span.
#[derive(Clone, Debug)]
struct FinishedSpan {
    name: &'static str,
    span_id: [u8; 8],
    parent: Option<[u8; 8]>,
    start: u64,
    end: u64,
    attributes: Vec<(String, Value)>,
}

fn unix_nanos() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut b);
    b
}

struct Attrs<'a>(&'a mut Vec<(String, Value)>);

impl Visit for Attrs<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push((
            field.name().into(),
            json!({"stringValue": format!("{value:?}")}),
        ));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0
            .push((field.name().into(), json!({"stringValue": value})));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0
            .push((field.name().into(), json!({"boolValue": value})));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0
            .push((field.name().into(), json!({"intValue": value.to_string()})));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0
            .push((field.name().into(), json!({"intValue": value.to_string()})));
    }
}

/// Collects spans and exports them as one OTLP/JSON request.
#[derive(Clone)]
pub struct OtlpExporter {
    endpoint: String,
    headers: Vec<(String, String)>,
    resource: Vec<(String, String)>,
    trace_id: [u8; 16],
    finished: Arc<Mutex<Vec<FinishedSpan>>>,
}

fn key_values(list: &str) -> Vec<(String, String)> {
    list.split(',')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

impl OtlpExporter {
    /// The exporter the `OTEL_*` environment asks for, if any.
    pub fn from_env() -> Option<Self> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        if var("OTEL_SDK_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true"))
            || var("OTEL_TRACES_EXPORTER").is_some_and(|v| v.eq_ignore_ascii_case("none"))
        {
            return None;
        }
        let endpoint = match var("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
            Some(e) => e,
            None => format!(
                "{}/v1/traces",
                var("OTEL_EXPORTER_OTLP_ENDPOINT")?.trim_end_matches('/')
            ),
        };
        if let Some(p) = var("OTEL_EXPORTER_OTLP_PROTOCOL") {
            if p != "http/json" {
                tracing::debug!(
                    "OTEL_EXPORTER_OTLP_PROTOCOL={p} is not supported; sending http/json"
                );
            }
        }
        let mut headers = key_values(&var("OTEL_EXPORTER_OTLP_HEADERS").unwrap_or_default());
        headers.extend(key_values(
            &var("OTEL_EXPORTER_OTLP_TRACES_HEADERS").unwrap_or_default(),
        ));
        let mut resource = key_values(&var("OTEL_RESOURCE_ATTRIBUTES").unwrap_or_default());
        let service = var("OTEL_SERVICE_NAME").unwrap_or_else(|| "model_signing".into());
        resource.retain(|(k, _)| k != "service.name");
        resource.insert(0, ("service.name".into(), service));
        Some(Self {
            endpoint,
            headers,
            resource,
            trace_id: random(),
            finished: Arc::new(Mutex::new(Vec::new())),
        })
    }

    /// The OTLP/JSON export request for the finished spans.
    fn request(&self) -> Value {
        let hex = model_signing_core::encoding::hex;
        let spans: Vec<Value> = self
            .finished
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
            .iter()
            .map(|s| {
                let mut span = json!({
                    "traceId": hex(&self.trace_id),
                    "spanId": hex(&s.span_id),
                    "name": s.name,
                    "kind": 1,
                    "startTimeUnixNano": s.start.to_string(),
                    "endTimeUnixNano": s.end.to_string(),
                    "attributes": s.attributes.iter().map(|(k, v)| json!({"key": k, "value": v})).collect::<Vec<_>>(),
                });
                if let Some(p) = s.parent {
                    span["parentSpanId"] = json!(hex(&p));
                }
                span
            })
            .collect();
        json!({"resourceSpans": [{
            "resource": {"attributes": self.resource.iter()
                .map(|(k, v)| json!({"key": k, "value": {"stringValue": v}})).collect::<Vec<_>>()},
            "scopeSpans": [{
                "scope": {"name": "model_signing", "version": env!("CARGO_PKG_VERSION")},
                "spans": spans,
            }],
        }]})
    }

    /// Sends the finished spans (one attempt, 5 s); failures are logged, not returned.
    pub fn flush(&self) {
        if self.finished.lock().map(|s| s.is_empty()).unwrap_or(true) {
            return;
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(5)))
            .http_status_as_error(false)
            .build()
            .into();
        let mut request = agent
            .post(&self.endpoint)
            .header("Content-Type", "application/json");
        for (k, v) in &self.headers {
            request = request.header(k.as_str(), v.as_str());
        }
        match request.send(self.request().to_string().as_bytes()) {
            Ok(r) if r.status().is_success() => {}
            Ok(r) => eprintln!(
                "WARNING: exporting traces to {} failed: HTTP {}",
                self.endpoint,
                r.status().as_u16()
            ),
            Err(e) => eprintln!("WARNING: exporting traces to {} failed: {e}", self.endpoint),
        }
        if let Ok(mut s) = self.finished.lock() {
            s.clear();
        }
    }
}

impl<S> Layer<S> for OtlpExporter
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let parent = span
            .parent()
            .and_then(|p| p.extensions().get::<OpenSpan>().map(|o| o.span_id));
        let mut attributes = Vec::new();
        attrs.record(&mut Attrs(&mut attributes));
        span.extensions_mut().insert(OpenSpan {
            span_id: random(),
            parent,
            start: unix_nanos(),
            attributes,
        });
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            if let Some(open) = span.extensions_mut().get_mut::<OpenSpan>() {
                values.record(&mut Attrs(&mut open.attributes));
            }
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let Some(open) = span.extensions_mut().remove::<OpenSpan>() else {
            return;
        };
        if let Ok(mut finished) = self.finished.lock() {
            if finished.len() < MAX_SPANS {
                finished.push(FinishedSpan {
                    name: span.metadata().name(),
                    span_id: open.span_id,
                    parent: open.parent,
                    start: open.start,
                    end: unix_nanos(),
                    attributes: open.attributes,
                });
            }
        }
    }
}
