/**
 * The HTTP surface: liveness (what the load balancer probes), the dependency report, event
 * ingestion into the analytics stream, and a minimal root.
 */
import * as http from "http";
import type { AnalyticsEvent } from "../analytics/event";
import type { PublishEvents } from "../analytics/publisher";
import { PutRecordsFailedError } from "../analytics/producer";
import type { HealthReport } from "./health";

/** Largest accepted POST /events body, and events per request (one PutRecords call's worth). */
export const EVENTS_LIMITS = { bodyBytes: 1024 * 1024, events: 500 };

export interface ServerOptions {
    livenessPath: string;
    healthPath: string;
    health: () => Promise<HealthReport>;
    /** Publishes analytics events (POST /events). */
    publish: PublishEvents;
    /** One structured line per request (stdout in production, captured by the CloudWatch agent). */
    log?: (entry: Record<string, unknown>) => void;
}

export function createServer(opts: ServerOptions): http.Server {
    const server = http.createServer((req, res) => {
        const start = performance.now();
        const path = new URL(req.url ?? "/", "http://localhost").pathname;
        const send = (status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}) => {
            res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
            res.end(JSON.stringify(body));
            opts.log?.({ method: req.method, path, status, ms: Math.round(performance.now() - start) });
        };
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
                    opts.publish(parsed.events).then(
                        ({ eventIds }) => send(202, { accepted: eventIds.length, eventIds }),
                        // Never a silent drop: the caller learns which events to send again.
                        (err) =>
                            err instanceof PutRecordsFailedError
                                ? send(503, { error: "some events were not stored; retry them", failed: err.failed.length })
                                : send(503, { error: "events could not be stored; retry them" }),
                    );
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

type ReadResult = { events: AnalyticsEvent[] } | { status: number; error: string };

/** Reads and validates a POST /events body: one event or an array of events, each with a `type`. */
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
            const bad = items.findIndex((e) => typeof e !== "object" || e === null || typeof (e as { type?: unknown }).type !== "string" || !(e as { type: string }).type);
            if (bad >= 0) return resolve({ status: 400, error: `event ${bad} needs a non-empty string "type"` });
            resolve({
                events: items.map((e) => {
                    const { type, subjectId, attributes, payload, id, occurredAt } = e as Record<string, unknown>;
                    return { type: type as string, subjectId: subjectId as string | undefined, attributes: attributes as Record<string, string> | undefined, payload, id: id as string | undefined, occurredAt: typeof occurredAt === "string" ? new Date(occurredAt) : undefined };
                }),
            });
        });
    });
}
