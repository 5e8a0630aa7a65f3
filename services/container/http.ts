/**
 * The HTTP surface shared by the container services: JSON answers, the shallow `GET /health`
 * the target group and the container health check probe, read-only routes each run under a
 * deadline (the handler's signal aborts, and the caller gets a 503 instead of waiting), one
 * structured log line per request, and a drain for shutdown.
 */
import * as http from "http";
import { describeError, type Log } from "./log";

export interface Request {
    path: string;
    query: URLSearchParams;
    /** Aborts when the request's deadline passes or the client goes away. */
    signal: AbortSignal;
}

export interface Reply {
    status: number;
    body: unknown;
}

export type Handler = (req: Request) => Promise<Reply>;

export interface HttpServiceOptions {
    /** GET (and HEAD) routes by exact path. */
    routes: Record<string, Handler>;
    /** Each request is answered within about this long. */
    requestTimeoutMs: number;
    log: Log;
}

export const HEALTH_PATH = "/health";

/** A 400 with a message the caller can act on. */
export const badRequest = (error: string): Reply => ({ status: 400, body: { error } });

function parseTarget(target: string | undefined): URL | undefined {
    try {
        return new URL(target ?? "/", "http://localhost");
    } catch {
        return undefined;
    }
}

export function createHttpService(opts: HttpServiceOptions): http.Server {
    const server = http.createServer((req, res) => {
        const start = performance.now();
        const url = parseTarget(req.url);
        let answered = false;
        const send = (reply: Reply, headers: http.OutgoingHttpHeaders = {}) => {
            if (answered) return;
            answered = true;
            // While shutting down, close each connection after its response: keep-alive would outlive the drain.
            const closing = server.listening ? {} : { connection: "close" };
            res.writeHead(reply.status, { "content-type": "application/json", "cache-control": "no-store", ...closing, ...headers });
            res.end(req.method === "HEAD" ? undefined : JSON.stringify(reply.body));
            opts.log({ msg: "request", method: req.method, path: url?.pathname ?? req.url, status: reply.status, ms: Math.round(performance.now() - start) });
        };
        if (!url) return send(badRequest("the request target is not a valid path"));
        const readOnly = req.method === "GET" || req.method === "HEAD";
        // Shallow: no dependency is consulted, so an outage of one cannot fail every task's check and cycle the service.
        if (url.pathname === HEALTH_PATH)
            return readOnly
                ? send({ status: 200, body: { status: "ok" } })
                : send({ status: 405, body: { error: "method not allowed" } }, { allow: "GET, HEAD" });
        const handler = Object.hasOwn(opts.routes, url.pathname) ? opts.routes[url.pathname] : undefined;
        if (!handler) return send({ status: 404, body: { error: "not found" } });
        if (!readOnly) return send({ status: 405, body: { error: "method not allowed" } }, { allow: "GET, HEAD" });

        const controller = new AbortController();
        const timer = setTimeout(() => {
            controller.abort(new Error(`request deadline of ${opts.requestTimeoutMs} ms passed`));
            send({ status: 503, body: { error: `the request did not complete within ${opts.requestTimeoutMs} ms; retry` } });
        }, opts.requestTimeoutMs);
        res.once("close", () => {
            clearTimeout(timer);
            if (!answered) controller.abort(new Error("the client went away"));
        });
        handler({ path: url.pathname, query: url.searchParams, signal: controller.signal }).then(
            (reply) => send(reply),
            (err) => {
                opts.log({ msg: "request failed", path: url.pathname, ...describeError(err) });
                send({ status: 500, body: { error: "internal error" } });
            },
        );
    });
    // A client must send its whole request promptly (slowloris); the load balancer closes idle keep-alive connections first (its idle timeout is 60 s).
    server.requestTimeout = opts.requestTimeoutMs + 5_000;
    server.headersTimeout = Math.min(server.requestTimeout, 10_000);
    server.keepAliveTimeout = 65_000;
    return server;
}

/**
 * Stops taking connections and lets requests in flight finish for up to `graceMs`, then closes
 * what is still open. Resolves with whether everything finished in time.
 */
export function drain(server: http.Server, graceMs: number): Promise<boolean> {
    return new Promise((resolve) => {
        let drained = true;
        const timer = setTimeout(() => {
            drained = false;
            server.closeAllConnections();
        }, graceMs);
        server.close(() => {
            clearTimeout(timer);
            resolve(drained);
        });
        server.closeIdleConnections();
    });
}

export function listen(server: http.Server, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        // All interfaces: in awsvpc mode the task's ENI address is where the load balancer and Service Connect reach it.
        server.listen(port, () => {
            server.off("error", reject);
            resolve((server.address() as import("net").AddressInfo).port);
        });
    });
}
