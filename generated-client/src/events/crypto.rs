//! The signature and the encryption of Feishu's event deliveries.
//!
//! - Signature: the lowercase hex SHA-256 of `timestamp + nonce + encrypt_key + body`, the timestamp and nonce
//!   being the `X-Lark-Request-Timestamp` and `X-Lark-Request-Nonce` headers and the body the raw bytes.
//! - Encryption: AES-256-CBC with the SHA-256 of the encrypt key as the key, PKCS#7 padding, and the IV as the
//!   first block of the base64 text.

use super::RefusalReason;
use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut, KeyIvInit};
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The AES block size, and the size of the IV.
const BLOCK: usize = 16;

/// Standard base64, with or without the trailing `=`.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The signature of a delivery, as bytes.
pub(crate) fn signature(
    timestamp: &[u8],
    nonce: &[u8],
    encrypt_key: &str,
    body: &[u8],
) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(timestamp);
    hash.update(nonce);
    hash.update(encrypt_key.as_bytes());
    hash.update(body);
    hash.finalize().into()
}

/// Whether `claimed`, the hex text of the `X-Lark-Signature` header (either case), is `expected`. The digests
/// are compared in constant time; a header that is not 64 hex digits is simply wrong.
pub(crate) fn signature_matches(claimed: &[u8], expected: &[u8; 32]) -> bool {
    match decode_hex(claimed) {
        Some(claimed) => claimed.ct_eq(expected).into(),
        None => false,
    }
}

fn decode_hex(text: &[u8]) -> Option<[u8; 32]> {
    if text.len() != 64 {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        *byte = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

/// The plaintext of `encrypted`, the base64 text of an `{"encrypt": ...}` body.
///
/// Refuses, in this order: text that is not base64 ([`RefusalReason::NotBase64`]); fewer than two blocks (the IV
/// and one block of ciphertext) or a ciphertext that is not whole blocks
/// ([`RefusalReason::BadCiphertextLength`]); a last block whose PKCS#7 padding is wrong
/// ([`RefusalReason::BadPadding`]), which is also what a wrong encrypt key almost always gives.
pub(crate) fn decrypt(encrypt_key: &str, encrypted: &str) -> Result<Vec<u8>, RefusalReason> {
    let mut data = BASE64
        .decode(encrypted.as_bytes())
        .map_err(|_| RefusalReason::NotBase64)?;
    if data.len() < 2 * BLOCK || data.len() % BLOCK != 0 {
        return Err(RefusalReason::BadCiphertextLength);
    }
    let key: [u8; 32] = Sha256::digest(encrypt_key.as_bytes()).into();
    let (iv, ciphertext) = data.split_at_mut(BLOCK);
    let mut iv_block = [0u8; BLOCK];
    iv_block.copy_from_slice(iv);
    let plaintext_len = cbc::Decryptor::<aes::Aes256>::new(&key.into(), &iv_block.into())
        .decrypt_padded_mut::<Pkcs7>(ciphertext)
        .map_err(|_| RefusalReason::BadPadding)?
        .len();
    data.drain(..BLOCK);
    data.truncate(plaintext_len);
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample of Feishu's platform page on receiving events: "hello world" under the key "test key".
    #[test]
    fn decrypts_the_platform_sample() {
        let plaintext = decrypt("test key", "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=")
            .expect("the sample decrypts");
        assert_eq!(plaintext, b"hello world");
    }

    #[test]
    fn refuses_what_is_not_a_ciphertext() {
        assert_eq!(decrypt("k", "not base64!"), Err(RefusalReason::NotBase64));
        assert_eq!(
            decrypt("k", &BASE64.encode([0u8; 16])),
            Err(RefusalReason::BadCiphertextLength)
        );
        assert_eq!(
            decrypt("k", &BASE64.encode([0u8; 40])),
            Err(RefusalReason::BadCiphertextLength)
        );
        // The sample under another key: the padding comes out wrong.
        assert_eq!(
            decrypt(
                "another key",
                "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="
            ),
            Err(RefusalReason::BadPadding)
        );
    }

    #[test]
    fn signatures_compare_as_hex_of_either_case() {
        let expected = signature(b"1700000000", b"nonce", "key", b"{}");
        let hex: String = expected.iter().map(|b| format!("{b:02x}")).collect();
        assert!(signature_matches(hex.as_bytes(), &expected));
        assert!(signature_matches(hex.to_uppercase().as_bytes(), &expected));
        assert!(!signature_matches(&hex.as_bytes()[1..], &expected));
        let mut wrong = hex.into_bytes();
        wrong[10] = if wrong[10] == b'0' { b'1' } else { b'0' };
        assert!(!signature_matches(&wrong, &expected));
        assert!(!signature_matches(&[b'g'; 64], &expected));
    }
}
