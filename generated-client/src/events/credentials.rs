//! The verification token and the encrypt key, read once per delivery so that they can be rotated.

use crate::auth::Secret;
use std::fmt;
use std::sync::{Arc, RwLock};

/// The secrets of an app's event subscription, as its developer console shows them: the verification token,
/// and the encrypt key if one is set.
#[derive(Clone)]
pub struct Credentials {
    verification_token: Secret,
    encrypt_key: Option<Secret>,
}

impl Credentials {
    /// Credentials without an encrypt key: deliveries come in plain JSON, and only their token shows that they
    /// come from Feishu.
    pub fn new(verification_token: impl Into<String>) -> Self {
        Credentials {
            verification_token: Secret::new(verification_token),
            encrypt_key: None,
        }
    }

    /// Sets the encrypt key: deliveries must then be encrypted and signed. An empty key means none.
    pub fn with_encrypt_key(mut self, encrypt_key: impl Into<String>) -> Self {
        let key = encrypt_key.into();
        self.encrypt_key = (!key.is_empty()).then(|| Secret::new(key));
        self
    }

    /// The verification token.
    pub fn verification_token(&self) -> &Secret {
        &self.verification_token
    }

    /// The encrypt key, if one is set.
    pub fn encrypt_key(&self) -> Option<&Secret> {
        self.encrypt_key.as_ref()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("verification_token", &self.verification_token)
            .field("encrypt_key", &self.encrypt_key)
            .finish()
    }
}

/// Where a [`Receiver`](super::Receiver) reads its credentials: once per delivery, so that a rotated token or key
/// takes effect with the next delivery.
///
/// [`Credentials`] is the fixed case; [`SharedCredentials`] can be replaced while the receiver runs. A provider of
/// one's own (reading a secret manager, say) keeps the current credentials in memory and refreshes them on its
/// own: `current` is called on every delivery, and must not block.
pub trait EventCredentials: Send + Sync + fmt::Debug {
    /// The credentials to check the delivery at hand with.
    fn current(&self) -> Credentials;
}

impl EventCredentials for Credentials {
    fn current(&self) -> Credentials {
        self.clone()
    }
}

/// A provider shared by several receivers.
impl<T: EventCredentials + ?Sized> EventCredentials for Arc<T> {
    fn current(&self) -> Credentials {
        (**self).current()
    }
}

/// Credentials that can be replaced while the receiver runs: clones share them, and
/// [`replace`](Self::replace) takes effect with the next delivery.
#[derive(Clone)]
pub struct SharedCredentials {
    current: Arc<RwLock<Credentials>>,
}

impl SharedCredentials {
    /// Shares `credentials`.
    pub fn new(credentials: Credentials) -> Self {
        SharedCredentials {
            current: Arc::new(RwLock::new(credentials)),
        }
    }

    /// Replaces the credentials, as after a reset in the developer console.
    pub fn replace(&self, credentials: Credentials) {
        // The value is whole after every write; a panic elsewhere cannot break it.
        *self
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = credentials;
    }
}

impl EventCredentials for SharedCredentials {
    fn current(&self) -> Credentials {
        self.current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

impl fmt::Debug for SharedCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SharedCredentials")
            .field(&self.current())
            .finish()
    }
}
