/**
 * How the service authenticates to its data stores: the cache's AUTH token (from Secrets
 * Manager by ARN, re-read periodically so a rotated token is picked up) and the database
 * password (a fresh RDS IAM auth token per connection, as RDS Proxy requires IAM auth).
 */
import type { SecretSource, TokenSigner } from "./aws";
import type { CacheSettings, DatabaseSettings } from "./config";

/** A password; `signal` is the caller's deadline, and a fetch nobody waits for any more is aborted. */
export type PasswordSource = (signal?: AbortSignal) => Promise<string>;

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
    // Concurrent checks share one read: a stalled Secrets Manager then costs one request, not one per check.
    const read = shareInFlight(async (signal) => {
        // The secret's whole string is the token (see components/cache.ts).
        const token = await secrets.secretString(authSecretArn, signal);
        if (token.length === 0) throw new Error(`secret ${authSecretArn} is empty`);
        cached = { token, at: now() };
        return token;
    });
    return async (signal) => {
        if (cached && now() - cached.at < ttlMs) return cached.token;
        return read(signal);
    };
}

/**
 * One run of `work` at a time, shared by every caller that arrives while it runs. Each caller
 * stops waiting when its own signal aborts; the run itself is aborted once no caller waits.
 */
export function shareInFlight<T>(work: (signal: AbortSignal) => Promise<T>): (signal?: AbortSignal) => Promise<T> {
    interface Run {
        promise: Promise<T>;
        controller: AbortController;
        waiting: number;
    }
    let run: Run | undefined;
    const start = (): Run => {
        const controller = new AbortController();
        const started: Run = { controller, waiting: 0, promise: work(controller.signal) };
        started.promise
            .finally(() => {
                if (run === started) run = undefined;
            })
            .catch(() => undefined); // each caller sees the failure through its own wait
        return started;
    };
    return (signal) => {
        if (signal?.aborted) return Promise.reject(signal.reason);
        const current = (run ??= start());
        current.waiting += 1;
        if (!signal) return current.promise; // waits to the end: the run is never abandoned
        return new Promise<T>((resolve, reject) => {
            const leave = () => {
                current.waiting -= 1;
                if (current.waiting === 0) {
                    current.controller.abort(signal.reason);
                    if (run === current) run = undefined;
                }
                reject(signal.reason);
            };
            signal.addEventListener("abort", leave, { once: true });
            current.promise.then(
                (v) => {
                    signal.removeEventListener("abort", leave);
                    resolve(v);
                },
                (err) => {
                    signal.removeEventListener("abort", leave);
                    reject(err);
                },
            );
        });
    };
}

/**
 * The database password for each new connection. IAM tokens live 15 minutes and are signed
 * locally (no network call, once the signer has credentials), so one is made per connection.
 */
export function databasePassword(settings: DatabaseSettings, signer: TokenSigner): PasswordSource {
    const { auth } = settings;
    if (auth.kind === "password") return async () => auth.password;
    return () => signer.authToken({ host: settings.host, port: settings.port, user: settings.user });
}
