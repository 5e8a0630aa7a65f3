/**
 * The write model's schema: orders and their lines, and the transactional outbox the order's
 * event is written to in the same transaction. Applied by the function itself on its first
 * connection; every statement is idempotent, and an advisory lock keeps concurrent cold starts
 * from racing on the catalog.
 */
import type { ClientBase } from "pg";

/** Arbitrary, fixed: the advisory lock key the migration holds. */
const MIGRATION_LOCK = 7_001_001;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS orders (
    order_id     uuid        PRIMARY KEY,
    customer_id  text        NOT NULL,
    currency     char(3)     NOT NULL,
    total_cents  bigint      NOT NULL CHECK (total_cents >= 0),
    ship_to      jsonb       NOT NULL,
    placed_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_by_customer ON orders (customer_id, placed_at);

CREATE TABLE IF NOT EXISTS order_lines (
    order_id          uuid    NOT NULL REFERENCES orders (order_id) ON DELETE CASCADE,
    line_no           integer NOT NULL CHECK (line_no >= 1),
    sku               text    NOT NULL,
    quantity          integer NOT NULL CHECK (quantity > 0),
    unit_price_cents  bigint  NOT NULL CHECK (unit_price_cents >= 0),
    PRIMARY KEY (order_id, line_no)
);

-- One row per domain event, written in the transaction that makes it true; published_at is set
-- once EventBridge has accepted it.
CREATE TABLE IF NOT EXISTS outbox (
    event_id      uuid        PRIMARY KEY,
    aggregate_id  uuid        NOT NULL,
    event_type    text        NOT NULL,
    detail        jsonb       NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS outbox_one_event_per_type ON outbox (aggregate_id, event_type);
CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (created_at) WHERE published_at IS NULL;
`;

/** Creates the tables if they are missing; safe to run on every cold start and concurrently. */
export async function migrate(client: ClientBase): Promise<void> {
    await client.query("BEGIN");
    try {
        await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
        await client.query(SCHEMA_SQL);
        await client.query("COMMIT");
    } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
    }
}
