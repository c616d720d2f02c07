//! RFC 8292 VAPID: an ES256 JWT naming the push service's origin (`aud`), an expiry (`exp`,
//! at most 24 h ahead) and a contact (`sub`), sent as
//! `Authorization: vapid t=<jwt>, k=<base64url uncompressed public key>`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};

/// The application server's VAPID key pair.
#[derive(Clone)]
pub struct VapidKey {
    signing: SigningKey,
    public_b64: String,
}

impl std::fmt::Debug for VapidKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VapidKey")
            .field("public", &self.public_b64)
            .finish_non_exhaustive()
    }
}

impl VapidKey {
    /// From the raw 32-byte private scalar, base64url (what `web-push generate-vapid-keys`
    /// prints as the private key).
    pub fn from_base64url(private: &str) -> Option<Self> {
        let bytes = crate::message::decode_b64url(private)?;
        let signing = SigningKey::from_slice(&bytes).ok()?;
        Some(Self::from_signing(signing))
    }

    /// A fresh key pair; store [`VapidKey::private_base64url`] as a secret.
    pub fn generate() -> Self {
        Self::from_signing(SigningKey::random(&mut rand::rngs::OsRng))
    }

    fn from_signing(signing: SigningKey) -> Self {
        let public = signing.verifying_key().to_encoded_point(false);
        Self {
            public_b64: URL_SAFE_NO_PAD.encode(public.as_bytes()),
            signing,
        }
    }

    /// The public key browsers need as `applicationServerKey` (base64url, 65 bytes).
    pub fn public_base64url(&self) -> &str {
        &self.public_b64
    }

    /// The private scalar, base64url. Handle as a secret.
    pub fn private_base64url(&self) -> secrecy::SecretString {
        URL_SAFE_NO_PAD.encode(self.signing.to_bytes()).into()
    }

    /// The `Authorization` header value for a push to `endpoint`.
    pub fn authorization(
        &self,
        endpoint: &reqwest::Url,
        subject: &str,
        lifetime: Duration,
    ) -> String {
        let exp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .saturating_add(lifetime.min(Duration::from_secs(24 * 3600)))
            .as_secs();
        let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({
            "aud": endpoint.origin().ascii_serialization(),
            "exp": exp,
            "sub": subject,
        });
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{claims}");
        // ES256: ECDSA P-256 over SHA-256, signature as fixed-size r || s (RFC 7518 3.4).
        let signature: Signature = self.signing.sign(signing_input.as_bytes());
        let jwt = format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        );
        format!("vapid t={jwt}, k={}", self.public_b64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Verifier;
    use p256::ecdsa::VerifyingKey;

    #[test]
    fn jwt_verifies_with_the_k_parameter() {
        let key = VapidKey::generate();
        let again = VapidKey::from_base64url(secrecy::ExposeSecret::expose_secret(
            &key.private_base64url(),
        ))
        .unwrap();
        assert_eq!(again.public_base64url(), key.public_base64url());
        let url = reqwest::Url::parse("https://push.example.net:8443/wpush/v2/abc").unwrap();
        let header = key.authorization(
            &url,
            "mailto:ops@gurumisha.co.ke",
            Duration::from_secs(3600),
        );
        let (t, k) = header
            .strip_prefix("vapid t=")
            .unwrap()
            .split_once(", k=")
            .unwrap();
        let parts: Vec<&str> = t.split('.').collect();
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["aud"], "https://push.example.net:8443");
        let vk = VerifyingKey::from_sec1_bytes(&URL_SAFE_NO_PAD.decode(k).unwrap()).unwrap();
        let sig = Signature::from_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap()).unwrap();
        vk.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig)
            .unwrap();
        assert!(
            !format!("{key:?}").contains(secrecy::ExposeSecret::expose_secret(
                &key.private_base64url()
            ))
        );
    }
}
