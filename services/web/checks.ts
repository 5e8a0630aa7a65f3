/**
 * One reachability check per dependency. Each opens its own short-lived connection, so a check
 * proves that a new client can connect, negotiate TLS and authenticate right now, and tears it
 * down when the check's deadline aborts it.
 */
import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import * as fs from "fs";
import { Client as PgClient } from "pg";
import { createClient } from "redis";
import type { PasswordSource } from "./credentials";

export interface Check {
    /** The dependency's name in the health report. */
    name: string;
    /** Resolves when the dependency answered; rejects otherwise. Must stop work when `signal` aborts. */
    run(signal: AbortSignal): Promise<void>;
}

export class TimeoutError extends Error {
    constructor(ms: number) {
        super(`timed out after ${ms} ms`);
        this.name = "TimeoutError";
    }
}

/** Runs `work`, rejecting with a TimeoutError and aborting its signal once `ms` have passed. */
export async function withDeadline<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
            const err = new TimeoutError(ms);
            reject(err); // first, so the race settles as a timeout even if aborting makes the work settle
            controller.abort(err);
        }, ms);
    });
    try {
        return await Promise.race([work(controller.signal), deadline]);
    } finally {
        clearTimeout(timer);
    }
}

const readCa = (file?: string) => (file ? fs.readFileSync(file, "utf8") : undefined);

export interface CacheCheckOptions {
    host: string;
    port: number;
    password: PasswordSource;
    /** CA to trust instead of Node's bundled roots (which hold ElastiCache's Amazon CA). */
    caFile?: string;
    connectTimeoutMs: number;
}

/** PING over TLS with the AUTH token: the cache answers PONG only to an authenticated client. */
export function cacheCheck(opts: CacheCheckOptions): Check {
    const ca = readCa(opts.caFile);
    return {
        name: "cache",
        async run(signal) {
            const client = createClient({
                socket: { host: opts.host, port: opts.port, tls: true, ca, connectTimeout: opts.connectTimeoutMs, reconnectStrategy: false },
                password: await opts.password(signal),
                disableOfflineQueue: true,
            });
            client.on("error", () => undefined); // failures surface through connect()/ping()
            const abort = () => {
                if (client.isOpen) client.destroy();
            };
            signal.addEventListener("abort", abort, { once: true });
            try {
                await client.connect();
                const reply = await client.ping();
                if (reply !== "PONG") throw new Error(`PING answered ${JSON.stringify(reply)}`);
            } finally {
                signal.removeEventListener("abort", abort);
                if (client.isOpen) client.destroy();
            }
        },
    };
}

export interface DatabaseCheckOptions {
    host: string;
    port: number;
    database: string;
    user: string;
    password: PasswordSource;
    /** CA to trust instead of Node's bundled roots (which hold RDS Proxy's Amazon CA). */
    caFile?: string;
    connectTimeoutMs: number;
}

/** SELECT 1 over a verified TLS connection (the proxy requires TLS, and IAM auth needs it). */
export function databaseCheck(opts: DatabaseCheckOptions): Check {
    const ca = readCa(opts.caFile);
    return {
        name: "database",
        async run(signal) {
            const client = new PgClient({
                host: opts.host,
                port: opts.port,
                database: opts.database,
                user: opts.user,
                password: () => opts.password(signal),
                ssl: { rejectUnauthorized: true, ca },
                connectionTimeoutMillis: opts.connectTimeoutMs,
                query_timeout: opts.connectTimeoutMs,
            });
            client.on("error", () => undefined); // a dropped connection after the check is not a crash
            const abort = () => void client.end().catch(() => undefined);
            signal.addEventListener("abort", abort, { once: true });
            try {
                await client.connect();
                const r = await client.query<{ ok: number }>("SELECT 1 AS ok");
                if (r.rows[0]?.ok !== 1) throw new Error("SELECT 1 returned no row");
            } finally {
                signal.removeEventListener("abort", abort);
                await client.end().catch(() => undefined);
            }
        },
    };
}

/** DescribeTable: the table exists, this role may see it, and it is serving. */
export function tableCheck(client: DynamoDBClient, tableName: string): Check {
    return {
        name: "table",
        async run(signal) {
            const r = await client.send(new DescribeTableCommand({ TableName: tableName }), { abortSignal: signal });
            const status = r.Table?.TableStatus;
            // UPDATING tables (a new replica, a capacity change) keep serving reads and writes.
            if (status !== "ACTIVE" && status !== "UPDATING") throw new Error(`table ${tableName} is ${status ?? "missing"}`);
        },
    };
}
