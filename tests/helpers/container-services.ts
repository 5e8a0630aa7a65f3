/**
 * The container services (catalog, inventory) as real processes for their tests: each runs its
 * esbuild bundle, the file the image's ENTRYPOINT runs, from a directory without node_modules.
 * Beside them: dynalite seeded with catalog and stock items, and a fault proxy that sits in
 * front of a real server and can pass traffic, hang, answer garbage or 503s, or rewrite answers.
 */
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { bundleService } from "../../components/service-bundle";
const PROJECT_DIR = path.resolve(__dirname, "..", "..");
import { track } from "./running-servers";
import { freePort, LOCAL_CREDENTIALS, type Running } from "../services/web/servers";

export type ServiceName = "catalog" | "inventory";

const bundleDir = path.join(os.tmpdir(), `container-bundles-${process.pid}`);
const bundles = new Map<ServiceName, string>();

/** The service's bundle on disk (built once a test process), as the image holds it: one file. */
export function bundleOf(name: ServiceName): string {
    let file = bundles.get(name);
    if (!file) {
        file = path.join(bundleDir, name, "main.js");
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, bundleService(path.join(PROJECT_DIR, "services", name, "main.ts")).code);
        bundles.set(name, file);
    }
    return file;
}
process.once("exit", () => fs.rmSync(bundleDir, { recursive: true, force: true }));

export interface ServiceProcess extends Running {
    child: ChildProcess;
    url: string;
    logs: Record<string, unknown>[];
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Starts a service's bundle on a free loopback port; resolves once it logs "listening". */
export async function startService(name: ServiceName, env: Record<string, string>): Promise<ServiceProcess> {
    const file = bundleOf(name);
    const child = spawn(process.execPath, [file], {
        cwd: path.dirname(file),
        env: {
            PATH: process.env.PATH ?? "",
            PORT: "0",
            AWS_REGION: "us-east-1",
            AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
            ...env,
        },
        stdio: ["ignore", "pipe", "pipe"],
    });
    const logs: Record<string, unknown>[] = [];
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
        child.once("exit", (code, signal) => resolve({ code, signal, at: Date.now() })),
    );
    const port = await new Promise<number>((resolve, reject) => {
        let buffered = "";
        child.stdout!.on("data", (d) => {
            buffered += d;
            let nl: number;
            while ((nl = buffered.indexOf("\n")) >= 0) {
                const line = JSON.parse(buffered.slice(0, nl));
                buffered = buffered.slice(nl + 1);
                logs.push(line);
                if (line.msg === "listening") resolve(line.port);
            }
        });
        void exited.then(({ code }) => reject(new Error(`${name} exited (${code}) before listening: ${JSON.stringify(logs.at(-1))} ${stderr.slice(-2000)}`)));
    });
    const stop = async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill("SIGKILL");
        await exited;
    };
    return track({ port, url: `http://127.0.0.1:${port}`, child, logs, exited, stop, kill: () => child.kill("SIGKILL") });
}

export interface Product {
    sku: string;
    name: string;
    priceCents: number;
}

/** Writes catalog items and stock items (`available` per SKU) into the table. */
export async function seed(endpoint: string, tableName: string, products: Product[], stock: Record<string, number>): Promise<void> {
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1", endpoint, credentials: LOCAL_CREDENTIALS }));
    const items = [
        ...products.map((p) => ({ pk: "catalog", sk: `product#${p.sku}`, ...p })),
        ...Object.entries(stock).map(([sku, available]) => ({ pk: `stock#${sku}`, sk: "stock", available })),
    ];
    try {
        for (let i = 0; i < items.length; i += 25) {
            const out = await client.send(
                new BatchWriteCommand({ RequestItems: { [tableName]: items.slice(i, i + 25).map((item) => ({ PutRequest: { Item: item } })) } }),
            );
            if (Object.keys(out.UnprocessedItems ?? {}).length > 0) throw new Error("dynalite left items unprocessed");
        }
    } finally {
        client.destroy();
    }
}

export type ProxyMode = "pass" | "hang" | "garbage" | "unavailable";

export interface FaultProxy extends Running {
    url: string;
    mode: ProxyMode;
    /** Answers passed through are held this long first. */
    delayMs: number;
    /** Rewrites a passed-through answer's body (given the request's headers and body). */
    rewrite?: (req: { headers: http.IncomingHttpHeaders; body: string }, body: string) => string;
    /** Requests received so far. */
    requests: number;
    /** The next this many requests are answered 503, whatever the mode. */
    failNext: number;
}

/** An HTTP proxy to a loopback port that injects the faults of `mode`. */
export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
    const held = new Set<http.ServerResponse>();
    const server = http.createServer((req, res) => {
        proxy.requests += 1;
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const body = Buffer.concat(chunks).toString("utf8");
            if (proxy.failNext > 0) {
                proxy.failNext -= 1;
                return void res.writeHead(503, { "content-type": "application/json" }).end('{"error":"unavailable"}');
            }
            if (proxy.mode === "hang") return void held.add(res);
            if (proxy.mode === "garbage") return void res.writeHead(200, { "content-type": "application/json" }).end('{"stock": {"a": 3,');
            if (proxy.mode === "unavailable") return void res.writeHead(503, { "content-type": "application/json" }).end('{"error":"unavailable"}');
            setTimeout(() => {
                const upstream = http.request({ host: "127.0.0.1", port: targetPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
                    const parts: Buffer[] = [];
                    up.on("data", (c: Buffer) => parts.push(c));
                    up.on("end", () => {
                        let text = Buffer.concat(parts).toString("utf8");
                        if (proxy.rewrite) text = proxy.rewrite({ headers: req.headers, body }, text);
                        // The body may have changed: drop its length and DynamoDB's checksum of it.
                        const { "content-length": _l, "x-amz-crc32": _c, ...headers } = up.headers;
                        res.writeHead(up.statusCode ?? 502, headers).end(text);
                    });
                });
                upstream.on("error", () => res.writeHead(502).end());
                upstream.end(body);
            }, proxy.delayMs);
        });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
    const proxy: FaultProxy = track({
        port,
        url: `http://127.0.0.1:${port}`,
        mode: "pass" as ProxyMode,
        delayMs: 0,
        requests: 0,
        failNext: 0,
        stop: () =>
            new Promise<void>((resolve) => {
                for (const r of held) r.destroy();
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    });
    return proxy;
}

export const getJson = async (url: string) => {
    const started = Date.now();
    const res = await fetch(url);
    return { status: res.status, body: (await res.json()) as any, ms: Date.now() - started };
};
