/**
 * The HTTP handler every AWS SDK client in the services uses, so that no call can hang.
 *
 * The SDK's `requestTimeout` only logs a warning unless `throwOnRequestTimeout` is set, and a
 * custom handler drops the SDK's default socket timeout: without both, a stalled endpoint holds
 * a request (and whatever awaits it) until the server's idle timeout, minutes later.
 */
import { NodeHttpHandler } from "@smithy/node-http-handler";

export interface HttpTimeouts {
    /** Longest TCP/TLS connect, in ms. */
    connectMs: number;
    /** Longest single attempt, request sent to response read, in ms; the SDK then throws a TimeoutError (retryable). */
    requestMs: number;
}

export function sdkHttpHandler(t: HttpTimeouts): NodeHttpHandler {
    return new NodeHttpHandler({
        connectionTimeout: t.connectMs,
        requestTimeout: t.requestMs,
        throwOnRequestTimeout: true,
        socketTimeout: t.requestMs,
    });
}
