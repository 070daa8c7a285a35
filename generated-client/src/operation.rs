//! What the runtime needs to know about an operation; each generated request builder has one as `OPERATION`.

/// HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    /// GET.
    Get,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// PATCH.
    Patch,
    /// DELETE.
    Delete,
}

impl HttpMethod {
    pub(crate) fn to_reqwest(self) -> reqwest::Method {
        match self {
            HttpMethod::Get => reqwest::Method::GET,
            HttpMethod::Post => reqwest::Method::POST,
            HttpMethod::Put => reqwest::Method::PUT,
            HttpMethod::Patch => reqwest::Method::PATCH,
            HttpMethod::Delete => reqwest::Method::DELETE,
        }
    }
}

/// Facts of one operation, taken from the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationInfo {
    /// The spec's `operationId`, e.g. `get_job`; errors and tracing spans name the operation by it.
    pub id: &'static str,
    /// HTTP method.
    pub method: HttpMethod,
    /// Path template, e.g. `/open-apis/hire/v1/jobs/{job_id}`.
    pub path: &'static str,
    /// Documented rate limit in requests per second (`x-rate-limit`).
    pub rate_limit: Option<u32>,
    /// Whether the spec marks the call safe to repeat (`x-idempotent`); only such calls are retried.
    pub idempotent: bool,
}
