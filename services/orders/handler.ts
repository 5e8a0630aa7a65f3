/**
 * The order service's Lambda handlers: `placeOrder` (the CQRS write path) and `relay` (the
 * scheduled outbox relay). placeOrder takes a command directly (`aws lambda invoke`) or an API
 * Gateway HTTP API request (payload format 2.0) whose body is the command.
 */
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { Signer } from "@aws-sdk/rds-signer";
import * as fs from "fs";
import { Pool } from "pg";
import { placeOrderCommand } from "./model";
import { eventBridgeBus, publishOutbox, type OrderBus } from "./outbox";
import { migrate } from "./schema";
import { OrderConflictError, placeOrder, type PlaceOrderResult } from "./store";

export interface OrderServiceDeps {
    pool: Pool;
    bus: OrderBus;
    /** Outbox rows one relay run publishes. */
    relayBatchSize: number;
    now?: () => Date;
}

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
    let migrated: Promise<void> | undefined;
    const ready = () => {
        migrated ??= deps.pool.connect().then(async (c) => {
            try {
                await migrate(c);
            } finally {
                c.release();
            }
        });
        // A failed migration is retried by the next invocation rather than cached.
        return migrated.catch((err) => {
            migrated = undefined;
            throw err;
        });
    };

    async function place(input: unknown): Promise<PlaceOrderResponse> {
        const parsed = placeOrderCommand.safeParse(input);
        if (!parsed.success) throw new InvalidOrderError(parsed.error.issues.map((i) => `${i.path.join(".") || "order"}: ${i.message}`));
        await ready();
        const result = await placeOrder(deps.pool, parsed.data, deps.now?.());
        // Publishing after the commit is best effort: the outbox row survives any failure here.
        let publishedNow = false;
        try {
            const out = await publishOutbox(deps.pool, deps.bus, { limit: 1, eventIds: [result.eventId] });
            publishedNow = out.published.includes(result.eventId);
        } catch (err) {
            console.warn(JSON.stringify({ message: "publishing after commit failed; the relay will publish", eventId: result.eventId, error: String(err) }));
        }
        return { ...result, publishedNow };
    }

    return {
        async placeOrder(event: unknown): Promise<PlaceOrderResponse | HttpResponse> {
            if (!isHttpRequest(event)) return place(event);
            let body: unknown;
            try {
                const text = event.isBase64Encoded ? Buffer.from(event.body ?? "", "base64").toString("utf8") : (event.body ?? "");
                body = JSON.parse(text);
            } catch {
                return respond(400, { error: "the body must be a JSON order" });
            }
            try {
                const r = await place(body);
                return respond(r.created ? 201 : 200, { orderId: r.order.orderId, totalCents: r.order.totalCents, placedAt: r.order.placedAt, eventId: r.eventId });
            } catch (err) {
                if (err instanceof InvalidOrderError) return respond(400, { error: err.message, problems: err.problems });
                if (err instanceof OrderConflictError) return respond(409, { error: err.message });
                throw err;
            }
        },

        async relay(): Promise<{ published: number; failed: number }> {
            await ready();
            const r = await publishOutbox(deps.pool, deps.bus, { limit: deps.relayBatchSize });
            if (r.failed.length > 0) console.warn(JSON.stringify({ message: "outbox events not accepted; retried next run", failed: r.failed }));
            return { published: r.published.length, failed: r.failed.length };
        },
    };
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
    // Signed locally with the function's credentials: no network call, valid 15 minutes.
    const password = env.DB_AUTH === "password" ? required(env, "DB_PASSWORD") : () => signer.getAuthToken();
    return new Pool({
        host,
        port,
        user,
        database: required(env, "DB_NAME"),
        password,
        ssl: { rejectUnauthorized: true, ca: env.DB_CA_FILE ? fs.readFileSync(env.DB_CA_FILE, "utf8") : undefined },
        max: 1,
        connectionTimeoutMillis: 5000,
        idleTimeoutMillis: 60_000,
    });
}

let handlers: ReturnType<typeof createOrderHandlers> | undefined;
function fromEnv() {
    handlers ??= createOrderHandlers({
        pool: poolFromEnv(),
        bus: eventBridgeBus(new EventBridgeClient({}), required(process.env, "EVENT_BUS_NAME")),
        relayBatchSize: Number(process.env.RELAY_BATCH_SIZE ?? "100"),
    });
    return handlers;
}

export const placeOrderHandler = (event: unknown) => fromEnv().placeOrder(event);
export const relayHandler = () => fromEnv().relay();
