import { SignJWT } from 'jose';
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { ConfigError } from '../../errors.js';

/**
 * Key-pair authentication as Snowflake documents it: a JWT signed RS256 with the user's private
 * key, iss = <ACCOUNT>.<USER>.SHA256:<base64 SHA-256 of the public key's DER (SubjectPublicKeyInfo)>,
 * sub = <ACCOUNT>.<USER>, iat now, exp at most one hour later; sent as "Authorization: Bearer <JWT>"
 * with "X-Snowflake-Authorization-Token-Type: KEYPAIR_JWT".
 */

/** Tokens live 59 minutes (Snowflake refuses more than 60) and are renewed 5 minutes before. */
const LIFETIME_S = 59 * 60;
const RENEW_BEFORE_S = 5 * 60;

/** The account part of the JWT's names: upper case, without region or cloud (xy12345.us-east-2.aws → XY12345). */
export function jwtAccount(account: string): string {
  const a = account.trim().toUpperCase();
  const dot = a.indexOf('.');
  return dot > 0 ? a.slice(0, dot) : a;
}

/** The user's private key from snowflake.private.key: a PEM, or its base64 body on one line as Snowflake's connector takes it. */
export function loadPrivateKey(text: string, passphrase: string | undefined): KeyObject {
  const refuse = (why: string) => new ConfigError(`snowflake.private.key cannot be read: ${why}`, [{ key: why.includes('passphrase') ? 'snowflake.private.key.passphrase' : 'snowflake.private.key', message: why }]);
  let pem = text.trim().replace(/\\n/g, '\n');
  if (!pem.includes('-----BEGIN')) {
    const body = pem.replace(/\s+/g, '').match(/.{1,64}/g)?.join('\n') ?? '';
    const label = passphrase ? 'ENCRYPTED PRIVATE KEY' : 'PRIVATE KEY';
    pem = `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem', ...(passphrase ? { passphrase } : {}) });
  } catch (e) {
    const m = (e as Error).message;
    // Never echo the key or the passphrase.
    if (/passphrase|decrypt|bad decrypt/i.test(m)) throw refuse('the key is encrypted and snowflake.private.key.passphrase is missing or wrong');
    throw refuse('not a PKCS#8 private key in PEM (or its base64 body)');
  }
  if (key.asymmetricKeyType !== 'rsa') throw refuse(`the key is ${key.asymmetricKeyType ?? 'not RSA'}; Snowflake key-pair authentication needs an RSA key`);
  return key;
}

/** SHA256:<base64 SHA-256 of the DER public key>, as DESC USER shows RSA_PUBLIC_KEY_FP. */
export function publicKeyFingerprint(privateKey: KeyObject): string {
  const der = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('base64')}`;
}

export class KeyPairAuth {
  private readonly qualifiedUser: string;
  private readonly fingerprint: string;
  private token: { jwt: string; renewAt: number } | null = null;

  constructor(account: string, user: string, private readonly key: KeyObject) {
    this.qualifiedUser = `${jwtAccount(account)}.${user.trim().toUpperCase()}`;
    this.fingerprint = publicKeyFingerprint(key);
  }

  /** A valid token, renewed ahead of its expiry. */
  async jwt(nowMs = Date.now()): Promise<string> {
    const now = Math.floor(nowMs / 1000);
    if (this.token && now < this.token.renewAt) return this.token.jwt;
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(`${this.qualifiedUser}.${this.fingerprint}`)
      .setSubject(this.qualifiedUser)
      .setIssuedAt(now)
      .setExpirationTime(now + LIFETIME_S)
      .sign(this.key);
    this.token = { jwt, renewAt: now + LIFETIME_S - RENEW_BEFORE_S };
    return jwt;
  }

  /** Forget the token (after a 401): the next request signs a new one. */
  reset(): void {
    this.token = null;
  }
}
