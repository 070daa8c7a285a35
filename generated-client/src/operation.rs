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

/// A kind of Feishu app, as the doc pages name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppType {
    /// A custom app (自建应用): one tenant, its own; authenticated with
    /// [`app_credentials`](crate::ClientBuilder::app_credentials).
    Custom,
    /// A store app (商店应用): any tenant that installs it; authenticated with
    /// [`store_app`](crate::ClientBuilder::store_app).
    Store,
}

impl AppType {
    /// `custom apps` or `store apps`.
    pub fn plural(self) -> &'static str {
        match self {
            AppType::Custom => "custom apps",
            AppType::Store => "store apps",
        }
    }

    /// `custom apps and store apps`, `custom apps only`, ...
    pub(crate) fn list(types: &[AppType]) -> String {
        match types {
            [] => "no app".to_owned(),
            [one] => format!("{} only", one.plural()),
            many => many
                .iter()
                .map(|t| t.plural())
                .collect::<Vec<_>>()
                .join(" and "),
        }
    }
}

impl std::fmt::Display for AppType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AppType::Custom => "custom app",
            AppType::Store => "store app",
        })
    }
}

/// A kind of access token an operation takes, as its doc page names them (`x-token-types`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TokenType {
    /// A tenant access token (`t-...`): the app acts for the tenant. The client's own token is one, and so is
    /// a request builder's `.tenant_access_token(..)`.
    #[default]
    Tenant,
    /// A user access token (`u-...`): the app acts for a signed-in user; a request builder's
    /// `.user_access_token(..)`.
    User,
}

impl TokenType {
    /// `tenant access token` or `user access token`.
    pub fn name(self) -> &'static str {
        match self {
            TokenType::Tenant => "tenant access token",
            TokenType::User => "user access token",
        }
    }
}

impl std::fmt::Display for TokenType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
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
    /// Documented rate limits, per second and per minute (`x-rate-limit`).
    pub rate_limit: crate::rate_limit::Quota,
    /// Whether the spec marks the call safe to repeat (`x-idempotent`); only such calls are retried.
    pub idempotent: bool,
    /// The kinds of app the doc page allows to call it (`x-app-types`); empty when the spec does not say,
    /// and then any app may.
    pub app_types: &'static [AppType],
    /// The access tokens it takes (`x-token-types`); a call made with another kind is refused before sending.
    pub token_types: &'static [TokenType],
}
