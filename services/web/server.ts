/**
 * The HTTP surface: liveness (what the load balancer probes), the dependency report, event
 * ingestion into the analytics stream, and a minimal root.
 */
import * as http from "http";
import { InvalidEventsError, PublishFailedError, type PublishEvents } from "../analytics/publisher";
import type { HealthReport } from "./health";

/** Largest accepted POST /events body, and events per request (one PutRecords call's worth). */
export const EVENTS_LIMITS = { bodyBytes: 1024 * 1024, events: 500 };

export interface ServerOptions {
    livenessPath: string;
    healthPath: string;
    health: () => Promise<HealthReport>;
    /** Publishes analytics events (POST /events). */
    publish: PublishEvents;
    /** Each POST /events answers within about this long: events not confirmed stored by then are reported unstored. */
    eventsTimeoutMs: number;
    /** One structured line per request (stdout in production, captured by the CloudWatch agent). */
    log?: (entry: Record<string, unknown>) => void;
}

/** The path of a request target, or undefined for one that is not a URL path (e.g. `//[`, `//x:99999/`). */
function pathOf(target: string | undefined): string | undefined {
    try {
        return new URL(target ?? "/", "http://localhost").pathname;
    } catch {
        return undefined;
    }
}

export function createServer(opts: ServerOptions): http.Server {
    const server = http.createServer((req, res) => {
        const start = performance.now();
        const path = pathOf(req.url);
        const send = (status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}) => {
            // While shutting down, end each connection with its response: keep-alive would hold it open past the drain.
            const closing = server.listening ? {} : { connection: "close" };
            res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...closing, ...headers });
            res.end(JSON.stringify(body));
            opts.log?.({ method: req.method, path: path ?? req.url, status, ms: Math.round(performance.now() - start) });
        };
        if (path === undefined) return send(400, { error: "the request target is not a valid path" });
        const readOnly = req.method === "GET" || req.method === "HEAD";
        // Liveness never touches dependencies: if it did, a database outage would fail every
        // instance's check and Auto Scaling would replace the whole healthy fleet.
        if (path === opts.livenessPath && readOnly) return send(200, { status: "live" });
        if (path === opts.healthPath) {
            if (!readOnly) return send(405, { error: "method not allowed" }, { allow: "GET, HEAD" });
            opts.health().then(
                (report) => send(report.status === "ok" ? 200 : 503, report),
                (err) => send(503, { status: "unavailable", error: err instanceof Error ? err.message : String(err) }),
            );
            return;
        }
        if (path === "/events") {
            if (req.method !== "POST") return send(405, { error: "method not allowed" }, { allow: "POST" });
            readEvents(req).then(
                (parsed) => {
                    if ("error" in parsed) return send(parsed.status, { error: parsed.error });
                    publishEvents(opts, parsed.events).then(({ status, body }) => send(status, body));
                },
                () => send(400, { error: "could not read the request body" }),
            );
            return;
        }
        if (path === "/" && readOnly) return send(200, { service: "web", status: "serving" });
        send(404, { error: "not found" });
    });
    // Longer than the ALB's idle timeout (60 s), so the load balancer, not the instance, closes idle connections.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    return server;
}

/**
 * Publishes under the deadline and says what happened to every event. Client mistakes are 400s
 * naming each bad event's position and field (nothing is sent); otherwise every event's id comes
 * back, and on a 503 the unstored ones with the id and occurredAt to resend them with, so a
 * resend makes the same records and consumers drop any copy that did land.
 */
async function publishEvents(opts: ServerOptions, events: unknown[]): Promise<{ status: number; body: unknown }> {
    try {
        const { eventIds } = await opts.publish(events, { signal: AbortSignal.timeout(opts.eventsTimeoutMs) });
        return { status: 202, body: { accepted: eventIds.length, eventIds } };
    } catch (err) {
        if (err instanceof InvalidEventsError) return { status: 400, body: { error: err.message, problems: err.problems } };
        if (err instanceof PublishFailedError) {
            return {
                status: 503,
                body: {
                    error: "some events were not stored; send those again with the id and occurredAt given",
                    eventIds: err.eventIds,
                    unstored: err.unstored,
                },
            };
        }
        opts.log?.({ msg: "publish failed", error: err instanceof Error ? err.message : String(err) });
        return { status: 503, body: { error: "events could not be stored; retry them" } };
    }
}

type ReadResult = { events: unknown[] } | { status: number; error: string };

/** Reads a POST /events body: one event or an array of events (checked against the event schema when published). */
function readEvents(req: http.IncomingMessage): Promise<ReadResult> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > EVENTS_LIMITS.bodyBytes) {
                // Answer now and discard the rest, so the client reads the 413 instead of a reset.
                req.removeAllListeners("data").removeAllListeners("end");
                req.resume();
                resolve({ status: 413, error: `body exceeds ${EVENTS_LIMITS.bodyBytes} bytes` });
            } else chunks.push(chunk);
        });
        req.on("error", reject);
        req.on("end", () => {
            let body: unknown;
            try {
                body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
            } catch {
                return resolve({ status: 400, error: "body is not JSON" });
            }
            const items = Array.isArray(body) ? body : [body];
            if (items.length === 0 || items.length > EVENTS_LIMITS.events) return resolve({ status: 400, error: `send 1 to ${EVENTS_LIMITS.events} events` });
            resolve({ events: items });
        });
    });
}

/**
 * Stops taking connections and lets requests in flight finish for up to `graceMs`, then closes
 * whatever is still open. Resolves with whether everything finished within the grace period.
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
