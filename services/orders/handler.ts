/**
 * The order service's Lambda handlers: `placeOrder` (the CQRS write path) and `relay` (the
 * scheduled outbox relay). placeOrder takes a command directly (`aws lambda invoke`) or an API
 * Gateway HTTP API request (payload format 2.0) whose body is the command.
 */
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { Signer } from "@aws-sdk/rds-signer";
import * as fs from "fs";
import { Pool } from "pg";
import { sdkHttpHandler } from "../aws-http";
import { guardPool, retryOnLostConnection, withClient } from "./db";
import { OUTBOX_METRICS, placeOrderCommand } from "./model";
import { eventBridgeBus, outboxStats, publishOutbox, type OrderBus, type OutboxStats, type RetryPolicy } from "./outbox";
import { migrate } from "./schema";
import { OrderConflictError, placeOrder, type PlaceOrderResult } from "./store";

export interface OrderServiceDeps {
    pool: Pool;
    bus: OrderBus;
    /** Outbox rows one relay run publishes. */
    relayBatchSize: number;
    /** When a refused outbox row is retried, and when it is parked. */
    retry?: RetryPolicy;
    /** Where the relay's metrics go: one CloudWatch embedded-metric-format line per run. */
    metrics?: (line: string) => void;
    now?: () => Date;
}

/** What the handlers need of the Lambda context: the time left before the function's timeout. */
export interface InvocationContext {
    getRemainingTimeInMillis(): number;
}

/**
 * The EventBridge client's limits, and so the longest one PutEvents call can take: two attempts
 * of at most 1 s to connect plus 2 s to answer, and the retry's short backoff. Both functions
 * start a call only with at least PUBLISH_BUDGET_MS left, so none outlives the function's timeout.
 */
export const EVENTBRIDGE_HTTP = { connectMs: 1000, requestMs: 2000 };
export const EVENTBRIDGE_MAX_ATTEMPTS = 2;
export const PUBLISH_BUDGET_MS = 8000;

interface HttpRequest {
    body?: string;
    isBase64Encoded?: boolean;
    requestContext: unknown;
}
interface HttpResponse {
    statusCode: number;
    headers: Record<string, string>;
    body: string;
}

export class InvalidOrderError extends Error {
    constructor(readonly problems: string[]) {
        super(`invalid order: ${problems.join("; ")}`);
        this.name = "InvalidOrderError";
    }
}

export interface PlaceOrderResponse extends PlaceOrderResult {
    /** Whether this call put the event on the bus; if not (or already done before), the relay has or will. */
    publishedNow: boolean;
}

export function createOrderHandlers(deps: OrderServiceDeps) {
    guardPool(deps.pool);
    const metrics = deps.metrics ?? ((line: string) => process.stdout.write(`${line}\n`));
    let migrated: Promise<void> | undefined;
    const ready = () => {
        migrated ??= withClient(deps.pool, migrate);
        // A failed migration is retried by the next invocation rather than cached.
        return migrated.catch((err) => {
            migrated = undefined;
            throw err;
        });
    };
    const timeFor = (context?: InvocationContext) => () => !context || context.getRemainingTimeInMillis() > PUBLISH_BUDGET_MS;

    async function place(input: unknown, context?: InvocationContext): Promise<PlaceOrderResponse> {
        const parsed = placeOrderCommand.safeParse(input);
        if (!parsed.success) throw new InvalidOrderError(parsed.error.issues.map((i) => `${i.path.join(".") || "order"}: ${i.message}`));
        // Placing is idempotent on the order id, so a write whose connection died (even after its
        // commit) is safely repeated on a new one.
        const result = await retryOnLostConnection(async () => {
            await ready();
            return placeOrder(deps.pool, parsed.data, deps.now?.());
        });
        // Publishing after the commit is best effort: the outbox row survives any failure here.
        let publishedNow = false;
        try {
            const out = await publishOutbox(deps.pool, deps.bus, { limit: 1, eventIds: [result.eventId], retry: deps.retry, hasTimeFor: timeFor(context) });
            publishedNow = out.published.includes(result.eventId);
        } catch (err) {
            console.warn(JSON.stringify({ message: "publishing after commit failed; the relay will publish", eventId: result.eventId, error: String(err) }));
        }
        return { ...result, publishedNow };
    }

    return {
        async placeOrder(event: unknown, context?: InvocationContext): Promise<PlaceOrderResponse | HttpResponse> {
            if (!isHttpRequest(event)) return place(event, context);
            let body: unknown;
            try {
                const text = event.isBase64Encoded ? Buffer.from(event.body ?? "", "base64").toString("utf8") : (event.body ?? "");
                body = JSON.parse(text);
            } catch {
                return respond(400, { error: "the body must be a JSON order" });
            }
            try {
                const r = await place(body, context);
                return respond(r.created ? 201 : 200, {
                    orderId: r.order.orderId,
                    totalCents: r.order.totalCents,
                    placedAt: r.order.placedAt,
                    eventId: r.eventId,
                });
            } catch (err) {
                if (err instanceof InvalidOrderError) return respond(400, { error: err.message, problems: err.problems });
                if (err instanceof OrderConflictError) return respond(409, { error: err.message });
                throw err;
            }
        },

        async relay(context?: InvocationContext): Promise<{ published: number; failed: number; parked: number }> {
            const r = await retryOnLostConnection(async () => {
                await ready();
                return publishOutbox(deps.pool, deps.bus, { limit: deps.relayBatchSize, retry: deps.retry, hasTimeFor: timeFor(context) });
            });
            if (r.failed.length > 0) console.warn(JSON.stringify({ message: "outbox events not accepted; retried later", failed: r.failed }));
            if (r.parked.length > 0)
                console.error(
                    JSON.stringify({ message: "outbox events parked after their last attempt; fix the cause, then clear parked_at", parked: r.parked }),
                );
            metrics(metricLine(await outboxStats(deps.pool), deps.now?.() ?? new Date()));
            return { published: r.published.length, failed: r.failed.length, parked: r.parked.length };
        },
    };
}

/**
 * The outbox's state as CloudWatch embedded metric format: Lambda's log pipeline turns the line
 * into metrics (no PutMetricData call, no extra permission). It must reach stdout as is: with the
 * function's JSON log format, console.log would wrap it and CloudWatch would not extract it.
 */
export function metricLine(stats: OutboxStats, at: Date, functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? "local"): string {
    return JSON.stringify({
        _aws: {
            Timestamp: at.getTime(),
            CloudWatchMetrics: [
                {
                    Namespace: OUTBOX_METRICS.namespace,
                    Dimensions: [["FunctionName"]],
                    Metrics: [
                        { Name: OUTBOX_METRICS.parked, Unit: "Count" },
                        { Name: OUTBOX_METRICS.pending, Unit: "Count" },
                        { Name: OUTBOX_METRICS.oldestPendingAge, Unit: "Seconds" },
                    ],
                },
            ],
        },
        FunctionName: functionName,
        [OUTBOX_METRICS.parked]: stats.parked,
        [OUTBOX_METRICS.pending]: stats.pending,
        [OUTBOX_METRICS.oldestPendingAge]: stats.oldestPendingSeconds,
    });
}

function isHttpRequest(event: unknown): event is HttpRequest {
    return typeof event === "object" && event !== null && "requestContext" in event;
}

function respond(statusCode: number, body: unknown): HttpResponse {
    return { statusCode, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
    const v = env[name];
    if (!v) throw new Error(`${name} is not set`);
    return v;
}

/**
 * The pool the function uses: one connection per instance (RDS Proxy pools across instances),
 * TLS verified against Node's bundled roots (which hold RDS Proxy's Amazon CA), and a fresh IAM
 * auth token per connection. DB_AUTH=password and DB_CA_FILE serve local runs.
 */
export function poolFromEnv(env: NodeJS.ProcessEnv = process.env): Pool {
    const host = required(env, "DB_HOST");
    const port = Number(env.DB_PORT ?? "5432");
    const user = required(env, "DB_USER");
    const signer = new Signer({ hostname: host, port, username: user, region: env.AWS_REGION ?? "" });
    // One signer for the pool's life: its provider chain caches the function's credentials, so each
    // token is signed locally (no network call, valid 15 minutes).
    const password = env.DB_AUTH === "password" ? required(env, "DB_PASSWORD") : () => signer.getAuthToken();
    // Its `error` listener keeps a connection that dies while idle from crashing the process.
    return guardPool(
        new Pool({
            host,
            port,
            user,
            database: required(env, "DB_NAME"),
            password,
            ssl: { rejectUnauthorized: true, ca: env.DB_CA_FILE ? fs.readFileSync(env.DB_CA_FILE, "utf8") : undefined },
            max: 1,
            connectionTimeoutMillis: 5000,
            idleTimeoutMillis: 60_000,
        }),
    );
}

let handlers: ReturnType<typeof createOrderHandlers> | undefined;
function fromEnv() {
    handlers ??= createOrderHandlers({
        pool: poolFromEnv(),
        bus: eventBridgeBus(
            new EventBridgeClient({ requestHandler: sdkHttpHandler(EVENTBRIDGE_HTTP), maxAttempts: EVENTBRIDGE_MAX_ATTEMPTS }),
            required(process.env, "EVENT_BUS_NAME"),
        ),
        relayBatchSize: Number(process.env.RELAY_BATCH_SIZE ?? "100"),
    });
    return handlers;
}

export const placeOrderHandler = (event: unknown, context?: InvocationContext) => fromEnv().placeOrder(event, context);
export const relayHandler = (_event: unknown, context?: InvocationContext) => fromEnv().relay(context);
