//! Feishu's platform-wide error codes: the codes any operation can answer with (tokens, scopes, rate limits, the
//! app's and the tenant's state), beside the codes each operation's page documents ([`crate::ErrorCode`]).
//!
//! The meanings are those of Feishu's general error-code page ("通用错误码", under the server API call guide),
//! in our own words. [`crate::ApiError::platform_code`] and [`crate::Error::platform_code`] give the code of an
//! answer, and [`crate::Error::missing_scopes`] the scopes a "missing scope" answer names.

/// What a platform-wide code is about, to tell them apart in broad strokes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PlatformCategory {
    /// The access token: missing, malformed, invalid or expired.
    Token,
    /// The app lacks a permission (scope) the operation needs, or the user has not granted it.
    Scope,
    /// Too many requests, or the month's quota of calls is spent.
    RateLimit,
    /// The app itself: disabled, not installed by the tenant, its credentials wrong, or its IP not allowed.
    App,
    /// The tenant: an unknown tenant key, or an id that belongs to another tenant.
    Tenant,
    /// The request does not fit the endpoint: wrong path or method, or an invalid parameter.
    Request,
    /// Something failed on Feishu's side; trying again later may help.
    Internal,
}

macro_rules! platform_codes {
    ($($(#[doc = $doc:literal])+ $name:ident = $code:literal, $category:ident;)+) => {
        /// One of Feishu's platform-wide error codes. Codes this list does not know are `None` from
        /// [`PlatformCode::from_code`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum PlatformCode {
            $($(#[doc = $doc])+ $name,)+
        }

        impl PlatformCode {
            /// Every known code, in the order of Feishu's page.
            pub const ALL: &'static [PlatformCode] = &[$(PlatformCode::$name),+];

            /// The platform code `code` is, if it is one this list knows.
            pub fn from_code(code: i64) -> Option<PlatformCode> {
                match code {
                    $($code => Some(PlatformCode::$name),)+
                    _ => None,
                }
            }

            /// The numeric code Feishu answers with.
            pub fn code(self) -> i64 {
                match self {
                    $(PlatformCode::$name => $code,)+
                }
            }

            /// What the code means, in one sentence.
            pub fn meaning(self) -> &'static str {
                match self {
                    $(PlatformCode::$name => concat!($($doc),+).trim_ascii(),)+
                }
            }

            /// What the code is about.
            pub fn category(self) -> PlatformCategory {
                match self {
                    $(PlatformCode::$name => PlatformCategory::$category,)+
                }
            }
        }
    };
}

platform_codes! {
    /// Feishu could not serve the request right now (an internal error); it may pass when tried later.
    InternalError = 1500, Internal;
    /// An internal error that Feishu says usually comes from calling too often: slow down, then try again.
    InternalErrorUnderLoad = 2200, Internal;
    /// The request parameters are invalid; the message says which.
    InvalidParameter = 10003, Request;
    /// The app or tenant the request was authenticated as is not valid for it.
    AppOrTenantRejected = 10005, App;
    /// Feishu could not issue an app access token (for a store app: the app ticket was rejected).
    AppAccessTokenRefused = 10012, Token;
    /// Feishu could not issue a tenant access token.
    TenantAccessTokenRefused = 10013, Token;
    /// The app cannot be used: it has been disabled.
    AppUnavailable = 10014, App;
    /// The app secret is wrong; the developer console shows the current one.
    WrongAppSecret = 10015, App;
    /// Asking Feishu to push the app ticket again failed; only store apps can ask.
    AppTicketResendFailed = 10016, App;
    /// The request path matches no endpoint.
    NotFound = 99991201, Request;
    /// The HTTP method is not the one the endpoint takes.
    MethodMismatch = 99991301, Request;
    /// Feishu limits the rate of requests: slow down and try again later.
    RateLimited = 99991400, RateLimit;
    /// The caller's IP address is not on the app's allow list.
    IpDenied = 99991401, App;
    /// The tenant has used up this month's quota of API calls.
    MonthlyQuotaExceeded = 99991403, RateLimit;
    /// The app id or app secret does not exist.
    UnknownAppCredentials = 99991543, App;
    /// The request carries no access token.
    TokenMissing = 99991661, Token;
    /// The app is not in use: it has been disabled.
    AppNotInUse = 99991662, App;
    /// The access token is invalid or expired, or the endpoint does not take this kind of token.
    InvalidAccessToken = 99991663, Token;
    /// The app access token is invalid.
    InvalidAppAccessToken = 99991664, Token;
    /// The tenant access token is invalid.
    InvalidTenantAccessToken = 99991665, Token;
    /// The user access token is invalid or expired.
    InvalidUserAccessToken = 99991668, Token;
    /// The token is malformed: a tenant token starts with `t-`, a user token with `u-`.
    MalformedToken = 99991671, Token;
    /// The app has not been granted a scope the operation needs; the message names the scopes, any one of
    /// which would do.
    MissingScope = 99991672, Scope;
    /// The app is not available to this tenant: not installed, or not enabled there.
    AppNotInstalled = 99991673, App;
    /// The token has no permission for this request.
    TokenLacksPermission = 99991676, Scope;
    /// The user access token has expired; refresh it.
    UserAccessTokenExpired = 99991677, Token;
    /// The user has not authorised the app for what the request needs; the message names the scopes.
    UserAuthorizationRequired = 99991679, Scope;
    /// An open id of another app was given.
    CrossAppOpenId = 99992361, Tenant;
    /// A user id of another tenant was given.
    CrossTenantUserId = 99992364, Tenant;
    /// A union id of another tenant was given.
    CrossTenantUnionId = 99992381, Tenant;
    /// The tenant key names no tenant of the app.
    UnknownTenantKey = 99992500, Tenant;
    /// The tenant key names no tenant of the app (a second code for the same case).
    UnknownTenantKeyAlt = 99992501, Tenant;
}

impl crate::ApiError {
    /// The platform-wide code Feishu answered with, if it is one ([`PlatformCode`]); an operation's own
    /// documented codes are [`error_code`](crate::ApiError::error_code)'s.
    pub fn platform_code(&self) -> Option<PlatformCode> {
        PlatformCode::from_code(self.code)
    }

    /// The scopes Feishu says the app lacks, any one of which would do: read from the message of a
    /// [`PlatformCode::MissingScope`] or [`PlatformCode::UserAuthorizationRequired`] answer; empty for any other.
    pub fn missing_scopes(&self) -> Vec<String> {
        match self.platform_code() {
            Some(PlatformCode::MissingScope | PlatformCode::UserAuthorizationRequired) => {
                scopes_in_message(&self.msg)
            }
            _ => Vec::new(),
        }
    }
}

impl crate::Error {
    /// The platform-wide code of a Feishu answer ([`crate::Error::Api`]), if it is one this client knows.
    pub fn platform_code(&self) -> Option<PlatformCode> {
        match self {
            crate::Error::Api(api) => api.platform_code(),
            _ => None,
        }
    }

    /// The scopes a "missing scope" answer names (see [`crate::ApiError::missing_scopes`]); empty for any other
    /// error.
    pub fn missing_scopes(&self) -> Vec<String> {
        match self {
            crate::Error::Api(api) => api.missing_scopes(),
            _ => Vec::new(),
        }
    }
}

/// The scopes a "missing scope" message names (code 99991672 or 99991679), in the order given.
///
/// Feishu writes them in square brackets after the words that say a scope is required, for example
/// `Access denied. One of the following scopes is required: [hire:job, hire:job:readonly].`; the same
/// list may be repeated in Chinese further on. Each scope is kept once. A message without such a list gives an
/// empty list.
pub fn scopes_in_message(msg: &str) -> Vec<String> {
    let mut scopes: Vec<String> = Vec::new();
    let mut rest = msg;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else { break };
        for scope in after[..close].split([',', '，', ' ']) {
            let scope = scope.trim().trim_matches(|c| c == '"' || c == '\'');
            if is_scope(scope) && !scopes.iter().any(|s| s == scope) {
                scopes.push(scope.to_owned());
            }
        }
        rest = &after[close + 1..];
    }
    scopes
}

/// A scope name as Feishu spells them: `hire:job`, `hire:job:readonly`, `contact:user.employee_id:readonly`.
fn is_scope(word: &str) -> bool {
    word.contains(':')
        && word.len() <= 128
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '_' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for code in PlatformCode::ALL {
            assert!(seen.insert(code.code()), "{code:?} repeats a number");
            assert_eq!(PlatformCode::from_code(code.code()), Some(*code));
            assert!(
                code.meaning().ends_with('.'),
                "{code:?}: {}",
                code.meaning()
            );
        }
        assert_eq!(PlatformCode::from_code(1), None);
    }

    #[test]
    fn scopes_are_read_from_the_message() {
        let msg = "Access denied. One of the following scopes is required: [hire:job, hire:job:readonly].应用尚未开通所需的应用身份权限：[hire:job, hire:job:readonly]，点击链接申请";
        assert_eq!(scopes_in_message(msg), ["hire:job", "hire:job:readonly"]);
        assert!(scopes_in_message("Access denied.").is_empty());
        assert!(scopes_in_message("[unclosed hire:job").is_empty());
        assert!(scopes_in_message("see [the docs] [x]").is_empty());
    }
}
