// The cipher for secrets that wait in the cache (parked site selections, the rotation journal): the credential
// cipher when `encryption.keys` are configured; otherwise AES-256-GCM keys derived with HKDF-SHA256 from the state
// secrets, so such secrets are never plaintext in the cache even when credentials at rest are.
import { hkdfSync } from "node:crypto";
import { SdkError } from "@sdk/core";
import { CredentialCipher, type ProviderContext } from "@sdk/core/provider-kit";

const derived = new WeakMap<ProviderContext["state"], CredentialCipher>();

export function cacheCipher(context: ProviderContext): CredentialCipher {
  if (context.cipher.enabled) return context.cipher;
  if (context.state.secrets.length === 0) {
    throw new SdkError("misconfigured", "Secrets kept in the cache need createSDK({ state: { secrets } }) or createSDK({ encryption: { keys } }).", {
      details: { field: "state.secrets" },
    });
  }
  let cipher = derived.get(context.state);
  if (!cipher) {
    cipher = new CredentialCipher(
      context.state.secrets.map((secret) => ({
        id: `state-${secret.id}`,
        key: Buffer.from(hkdfSync("sha256", secret.secret, "@sdk/oauth", "cache secrets v1", 32)).toString("base64"),
      })),
    );
    derived.set(context.state, cipher);
  }
  return cipher;
}
