/**
 * How the service authenticates to its data stores: the cache's AUTH token (from Secrets
 * Manager by ARN, re-read periodically so a rotated token is picked up) and the database
 * password (a fresh RDS IAM auth token per connection, as RDS Proxy requires IAM auth).
 */
import type { SecretSource, TokenSigner } from "./aws";
import type { CacheSettings, DatabaseSettings } from "./config";

export type PasswordSource = () => Promise<string>;

export interface CacheTokenOptions {
    /** How long a token read from Secrets Manager is reused. */
    ttlMs?: number;
    now?: () => number;
}

/** The cache AUTH token: given directly (local runs) or the secret's string, cached for ttlMs. */
export function cacheToken(settings: CacheSettings, secrets: SecretSource, opts: CacheTokenOptions = {}): PasswordSource {
    const { authToken, authSecretArn } = settings;
    if (authToken) return async () => authToken;
    if (!authSecretArn) throw new Error("the cache needs CACHE_AUTH_SECRET_ARN or CACHE_AUTH_TOKEN");
    const ttlMs = opts.ttlMs ?? 5 * 60_000;
    const now = opts.now ?? Date.now;
    let cached: { token: string; at: number } | undefined;
    return async () => {
        if (cached && now() - cached.at < ttlMs) return cached.token;
        // The secret's whole string is the token (see components/cache.ts).
        const token = await secrets.secretString(authSecretArn);
        if (token.length === 0) throw new Error(`secret ${authSecretArn} is empty`);
        cached = { token, at: now() };
        return token;
    };
}

/**
 * The database password for each new connection. IAM tokens live 15 minutes and are signed
 * locally (no network call), so one is made per connection rather than cached.
 */
export function databasePassword(settings: DatabaseSettings, signer: TokenSigner): PasswordSource {
    const { auth } = settings;
    if (auth.kind === "password") return async () => auth.password;
    return () => signer.authToken({ host: settings.host, port: settings.port, user: settings.user });
}
