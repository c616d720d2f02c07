//! RFC 8291 message encryption for Web Push, in the RFC 8188 `aes128gcm` content coding.
//!
//! One record only: Web Push payloads are at most 4096 bytes on the wire, so the plaintext
//! plus its delimiter always fits the 4096-byte record size we announce.
//!
//! ```text
//! ecdh_secret = ECDH(as_private, ua_public)
//! PRK_key     = HMAC-SHA-256(auth_secret, ecdh_secret)
//! IKM         = HMAC-SHA-256(PRK_key, "WebPush: info" 0x00 ua_public as_public 0x01)
//! PRK         = HMAC-SHA-256(salt, IKM)
//! CEK         = HMAC-SHA-256(PRK, "Content-Encoding: aes128gcm" 0x00 0x01)[..16]
//! NONCE       = HMAC-SHA-256(PRK, "Content-Encoding: nonce" 0x00 0x01)[..12]
//! header      = salt(16) rs(4, BE) idlen(1)=65 as_public(65)
//! body        = header AES-128-GCM(CEK, NONCE, plaintext 0x02)
//! ```

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes128Gcm, Nonce};
use hkdf::Hkdf;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use rand::RngCore;
use sha2::Sha256;

/// The record size we announce (and the usual Web Push maximum message size).
pub const RECORD_SIZE: u32 = 4096;
/// Header bytes: salt, record size, key id length, 65-byte key id.
const HEADER_LEN: usize = 16 + 4 + 1 + 65;
/// The largest plaintext that fits one record and a 4096-byte message: 4096 minus the header,
/// the padding delimiter and the 16-byte tag.
pub const MAX_PLAINTEXT: usize = RECORD_SIZE as usize - HEADER_LEN - 1 - 16;

/// Why a payload could not be encrypted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EceError {
    #[error("payload of {0} bytes exceeds the Web Push limit of {MAX_PLAINTEXT}")]
    TooLarge(usize),
    #[error("subscription key is not a P-256 point")]
    BadKey,
}

/// Encrypts `plaintext` for the user agent holding `ua_public` (65-byte SEC1) and
/// `auth_secret`, with a fresh ephemeral key and salt.
pub fn encrypt(
    plaintext: &[u8],
    ua_public: &[u8],
    auth_secret: &[u8],
) -> Result<Vec<u8>, EceError> {
    let as_secret = SecretKey::random(&mut rand::rngs::OsRng);
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    encrypt_with(plaintext, ua_public, auth_secret, &as_secret, salt)
}

/// [`encrypt`] with the sender's key pair and salt given: deterministic, for test vectors.
pub fn encrypt_with(
    plaintext: &[u8],
    ua_public: &[u8],
    auth_secret: &[u8],
    as_secret: &SecretKey,
    salt: [u8; 16],
) -> Result<Vec<u8>, EceError> {
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(EceError::TooLarge(plaintext.len()));
    }
    let ua_key = PublicKey::from_sec1_bytes(ua_public).map_err(|_| EceError::BadKey)?;
    let ua_public = ua_key.to_encoded_point(false);
    let as_public = as_secret.public_key().to_encoded_point(false);
    let shared = p256::ecdh::diffie_hellman(as_secret.to_nonzero_scalar(), ua_key.as_affine());

    // RFC 8291 section 3.4: mix the auth secret and both public keys into the IKM.
    let mut key_info = Vec::with_capacity(14 + 65 + 65);
    key_info.extend_from_slice(b"WebPush: info\0");
    key_info.extend_from_slice(ua_public.as_bytes());
    key_info.extend_from_slice(as_public.as_bytes());
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(auth_secret), shared.raw_secret_bytes())
        .expand(&key_info, &mut ikm)
        .expect("32 bytes is a valid HKDF-SHA256 length");

    // RFC 8188 section 2.2 and 2.3: content-encryption key and nonce from the salt.
    let prk = Hkdf::<Sha256>::new(Some(&salt), &ikm);
    let mut cek = [0u8; 16];
    let mut nonce = [0u8; 12];
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
        .expect("16 bytes is a valid HKDF-SHA256 length");
    prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
        .expect("12 bytes is a valid HKDF-SHA256 length");

    // The single (hence last) record ends with the 0x02 delimiter and no padding.
    let mut record = Vec::with_capacity(plaintext.len() + 1);
    record.extend_from_slice(plaintext);
    record.push(0x02);
    let cipher = Aes128Gcm::new_from_slice(&cek).expect("16-byte key");
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: &record,
                aad: b"",
            },
        )
        .expect("AES-GCM encryption of a bounded record cannot fail");

    let mut body = Vec::with_capacity(HEADER_LEN + sealed.len());
    body.extend_from_slice(&salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(65);
    body.extend_from_slice(as_public.as_bytes());
    body.extend_from_slice(&sealed);
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;

    fn b64(s: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(s).unwrap()
    }

    /// RFC 8291 Appendix A: fixed sender key and salt must give the RFC's body byte for byte.
    #[test]
    fn rfc8291_appendix_a_vector() {
        let plaintext = b"When I grow up, I want to be a watermelon";
        let as_secret =
            SecretKey::from_slice(&b64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw")).unwrap();
        assert_eq!(
            as_secret.public_key().to_encoded_point(false).as_bytes(),
            b64("BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8")
        );
        let ua_public = b64(
            "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
        );
        let auth = b64("BTBZMqHH6r4Tts7J_aSIgg");
        let salt: [u8; 16] = b64("DGv6ra1nlYgDCS1FRnbzlw").try_into().unwrap();
        let body = encrypt_with(plaintext, &ua_public, &auth, &as_secret, salt).unwrap();
        assert_eq!(
            URL_SAFE_NO_PAD.encode(body),
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
        );
    }

    #[test]
    fn fresh_keys_and_size_limit() {
        let ua = SecretKey::random(&mut rand::rngs::OsRng);
        let ua_public = ua.public_key().to_encoded_point(false);
        let a = encrypt(b"hi", ua_public.as_bytes(), &[7; 16]).unwrap();
        let b = encrypt(b"hi", ua_public.as_bytes(), &[7; 16]).unwrap();
        assert_ne!(a, b, "salt and ephemeral key differ per message");
        assert_eq!(a.len(), HEADER_LEN + 2 + 1 + 16);
        let big = vec![b'x'; MAX_PLAINTEXT + 1];
        assert_eq!(
            encrypt(&big, ua_public.as_bytes(), &[7; 16]),
            Err(EceError::TooLarge(MAX_PLAINTEXT + 1))
        );
        assert!(encrypt(&big[..MAX_PLAINTEXT], ua_public.as_bytes(), &[7; 16]).is_ok());
    }
}
