//! Logs to stderr, and OpenTelemetry traces over OTLP when the standard environment asks
//! for them (cargo feature `otel`, on by default): `OTEL_EXPORTER_OTLP_ENDPOINT` or
//! `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, unless `OTEL_SDK_DISABLED=true` or
//! `OTEL_TRACES_EXPORTER=none`. The protocol is `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` /
//! `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf`, the default, `http/json` or `grpc`);
//! `OTEL_SERVICE_NAME` (default `model_signing`), `OTEL_RESOURCE_ATTRIBUTES` and the
//! headers and timeout variables are the SDK's. Spans are exported in batches and flushed
//! when the command ends; an export failure never fails a command. Incoming W3C
//! `traceparent` headers (the daemon's requests) are continued.

use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::Layer as _;

/// The exporter's state; [`Telemetry::shutdown`] flushes what is left.
pub struct Telemetry {
    #[cfg(feature = "otel")]
    provider: Option<(
        opentelemetry_sdk::trace::SdkTracerProvider,
        Option<tokio::runtime::Runtime>,
    )>,
}

/// Log lines as the reference prints them: the message and its fields only (no time,
/// level, target or span context; spans are for telemetry).
struct PlainEvent;

impl<S, N> tracing_subscriber::fmt::FormatEvent<S, N> for PlainEvent
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    N: for<'a> tracing_subscriber::fmt::FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &tracing_subscriber::fmt::FmtContext<'_, S, N>,
        mut writer: tracing_subscriber::fmt::format::Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

/// Logs to stderr at `level`; with the `otel` feature and an `OTEL_*` endpoint, spans (at
/// INFO and above, whatever the log level) are also exported.
pub fn init(level: tracing::Level) -> Telemetry {
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .event_format(PlainEvent)
        .with_filter(tracing_subscriber::filter::LevelFilter::from_level(level));
    #[cfg(feature = "otel")]
    {
        let provider = otel::provider();
        let layer = provider.as_ref().map(|(p, _)| {
            use opentelemetry::trace::TracerProvider as _;
            tracing_opentelemetry::layer()
                .with_tracer(p.tracer("model_signing"))
                .with_filter(tracing_subscriber::filter::LevelFilter::INFO)
        });
        tracing_subscriber::registry().with(fmt).with(layer).init();
        Telemetry { provider }
    }
    #[cfg(not(feature = "otel"))]
    {
        tracing_subscriber::registry().with(fmt).init();
        Telemetry {}
    }
}

impl Telemetry {
    /// Exports the spans not exported yet.
    pub fn shutdown(self) {
        #[cfg(feature = "otel")]
        if let Some((provider, runtime)) = self.provider {
            if let Err(e) = provider.shutdown() {
                eprintln!("warning: the OpenTelemetry export failed: {e}");
            }
            drop(runtime);
        }
    }
}

#[cfg(feature = "otel")]
mod otel {
    use opentelemetry_otlp::{Protocol, WithExportConfig as _};
    use opentelemetry_sdk::trace::SdkTracerProvider;
    use opentelemetry_sdk::Resource;

    fn env(name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }

    /// The tracer provider the environment asks for, if any, and the runtime a gRPC
    /// exporter runs on.
    pub fn provider() -> Option<(SdkTracerProvider, Option<tokio::runtime::Runtime>)> {
        opentelemetry::global::set_text_map_propagator(
            opentelemetry_sdk::propagation::TraceContextPropagator::new(),
        );
        if env("OTEL_SDK_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true"))
            || env("OTEL_TRACES_EXPORTER").is_some_and(|v| v.eq_ignore_ascii_case("none"))
        {
            return None;
        }
        env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").or_else(|| env("OTEL_EXPORTER_OTLP_ENDPOINT"))?;
        let protocol = env("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
            .or_else(|| env("OTEL_EXPORTER_OTLP_PROTOCOL"))
            .unwrap_or_else(|| "http/protobuf".into());
        let mut runtime = None;
        let exporter = match protocol.as_str() {
            "grpc" => {
                // tonic needs a runtime of its own: the CLI is synchronous.
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .enable_all()
                    .build()
                    .ok()?;
                let exporter = {
                    let _guard = rt.enter();
                    opentelemetry_otlp::SpanExporter::builder()
                        .with_tonic()
                        .build()
                };
                runtime = Some(rt);
                exporter
            }
            "http/json" => opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .with_protocol(Protocol::HttpJson)
                .build(),
            "http/protobuf" => opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .with_protocol(Protocol::HttpBinary)
                .build(),
            other => {
                eprintln!(
                    "warning: OTEL_EXPORTER_OTLP_PROTOCOL '{other}' is not one of grpc, http/protobuf, http/json; no traces are exported"
                );
                return None;
            }
        };
        let exporter = match exporter {
            Ok(e) => e,
            Err(e) => {
                eprintln!("warning: cannot export OpenTelemetry traces: {e}");
                return None;
            }
        };
        let mut resource = Resource::builder();
        if env("OTEL_SERVICE_NAME").is_none() {
            resource = resource.with_service_name("model_signing");
        }
        let provider = SdkTracerProvider::builder()
            .with_resource(resource.build())
            .with_batch_exporter(exporter)
            .build();
        Some((provider, runtime))
    }
}
