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
-- once EventBridge has accepted it. Its rows are few while unpublished, so the relay's queries
-- filter and sort the unpublished ones through outbox_unpublished; no further index (whose build
-- would block writes on a live table) is needed.
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

-- Delivery bookkeeping (see outbox.ts), added to tables that live databases already hold. ALTER
-- TABLE takes an exclusive lock even when IF NOT EXISTS makes it a no-op, and a cold start runs
-- this on every new execution environment: so the columns are added only when missing (all at
-- once, in the migration's transaction). None rewrites the table: their defaults are constants or
-- now(), which PostgreSQL 11+ evaluates once and keeps in the catalog.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'outbox' AND column_name = 'parked_at') THEN
        ALTER TABLE outbox
            ADD COLUMN IF NOT EXISTS attempts        integer     NOT NULL DEFAULT 0,
            ADD COLUMN IF NOT EXISTS next_attempt_at timestamptz NOT NULL DEFAULT now(),
            ADD COLUMN IF NOT EXISTS claim_id        uuid,
            ADD COLUMN IF NOT EXISTS claimed_until   timestamptz,
            ADD COLUMN IF NOT EXISTS last_error      text,
            ADD COLUMN IF NOT EXISTS parked_at       timestamptz;
    END IF;
END
$$;
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
