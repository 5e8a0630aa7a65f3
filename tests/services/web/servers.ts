/**
 * Real servers on loopback for the web service's tests: redis-server with TLS and a password,
 * PostgreSQL with TLS and SCRAM auth (both from Debian's packages), dynalite for DynamoDB, and
 * a "hung" server that accepts connections and never answers. Each starts on a free port in a
 * temp dir and is stopped, dir and all, by `stop()`. A missing binary fails loudly.
 */
import { execFileSync, spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { Client as PgClient, Pool as PgPool } from "pg";
import { track } from "../../helpers/running-servers";

export interface Running {
    port: number;
    stop(): Promise<void>;
    /** Kills it at once, synchronously, when the test process exits early. */
    kill?(): void;
}

const INSTALL_HINT =
    "install Debian's packages with `sudo sh -c 'apt-get update && apt-get install -y --no-install-recommends redis-server postgresql openssl'` (npm test does it itself when run as root or with passwordless sudo)";

export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => {
            const { port } = s.address() as net.AddressInfo;
            s.close(() => resolve(port));
        });
    });
}

function which(binary: string): string {
    try {
        return execFileSync("sh", ["-c", `command -v ${binary}`], { encoding: "utf8" }).trim();
    } catch {
        throw new Error(`${binary} not found on PATH: ${INSTALL_HINT}`);
    }
}

/** The newest PostgreSQL's bin directory (Debian installs each major under /usr/lib/postgresql/<n>/bin). */
function postgresBin(): string {
    const root = "/usr/lib/postgresql";
    const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, "bin", "initdb"))) : [];
    if (versions.length === 0) throw new Error(`PostgreSQL not found under ${root}/*/bin: ${INSTALL_HINT}`);
    return path.join(root, versions.sort((a, b) => Number(b) - Number(a))[0], "bin");
}

/** A self-signed certificate for 127.0.0.1 (its own CA), made with openssl. */
export function selfSignedCert(dir: string): { cert: string; key: string } {
    const cert = path.join(dir, "server.crt");
    const key = path.join(dir, "server.key");
    execFileSync(
        which("openssl"),
        [
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            key,
            "-out",
            cert,
        ],
        { stdio: "pipe" },
    );
    return { cert, key };
}

async function waitFor(what: string, probe: () => Promise<boolean>, child: ChildProcess | undefined, logFile?: string, ms = 20_000): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
        if (child && child.exitCode !== null) break;
        if (await probe().catch(() => false)) return;
        await new Promise((r) => setTimeout(r, 50));
    }
    const log = logFile && fs.existsSync(logFile) ? `\n${fs.readFileSync(logFile, "utf8").slice(-2000)}` : "";
    throw new Error(`${what} did not start${log}`);
}

export const accepts = (port: number) =>
    new Promise<boolean>((resolve) => {
        const s = net.connect(port, "127.0.0.1", () => {
            s.destroy();
            resolve(true);
        });
        s.once("error", () => resolve(false));
    });

function stopChild(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
    });
}

export interface RedisServer extends Running {
    password: string;
    caFile: string;
}

/** redis-server with only a TLS port and `requirepass`, as ElastiCache runs with in-transit encryption and an AUTH token. */
export async function startRedis(): Promise<RedisServer> {
    const binary = which("redis-server");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "web-redis-"));
    const { cert, key } = selfSignedCert(dir);
    const port = await freePort();
    const password = "local-auth-token-0123456789abcdef";
    const logFile = path.join(dir, "redis.log");
    const child = spawn(
        binary,
        [
            "--port",
            "0",
            "--tls-port",
            String(port),
            "--bind",
            "127.0.0.1",
            "--tls-cert-file",
            cert,
            "--tls-key-file",
            key,
            "--tls-ca-cert-file",
            cert,
            "--tls-auth-clients",
            "no",
            "--requirepass",
            password,
            "--dir",
            dir,
            "--save",
            "",
            "--appendonly",
            "no",
            "--logfile",
            logFile,
        ],
        { stdio: "ignore" },
    );
    const stop = async () => {
        await stopChild(child);
        fs.rmSync(dir, { recursive: true, force: true });
    };
    try {
        await waitFor("redis-server", () => accepts(port), child, logFile);
    } catch (err) {
        await stop();
        throw err;
    }
    return track({ port, password, caFile: cert, stop, kill: () => child.kill("SIGKILL") });
}

export interface PostgresServer extends Running {
    database: string;
    user: string;
    password: string;
    caFile: string;
}

/**
 * PostgreSQL that takes only TLS connections with SCRAM passwords (pg_hba: hostssl only), as
 * RDS with rds.force_ssl does. PostgreSQL refuses to run as root, so as root its commands run
 * as the `postgres` user through runuser, in a data dir that user owns.
 */
export async function startPostgres(): Promise<PostgresServer> {
    const bin = postgresBin();
    const asRoot = process.getuid?.() === 0;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "web-pg-"));
    const run = (cmd: string, args: string[]) => {
        const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", path.join(bin, cmd), ...args]] : [path.join(bin, cmd), args];
        execFileSync(file, argv, { stdio: "pipe", cwd: dir });
    };
    const data = path.join(dir, "data");
    const { cert, key } = selfSignedCert(dir);
    const superPassword = "local-superuser-password";
    fs.writeFileSync(path.join(dir, "pwfile"), superPassword);
    fs.chmodSync(key, 0o600); // PostgreSQL refuses a key others can read
    if (asRoot) execFileSync("chown", ["-R", "postgres:postgres", dir]);
    const port = await freePort();
    const logFile = path.join(dir, "postgres.log");
    let started = false;
    const stop = async () => {
        if (started) {
            try {
                run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
            } catch {
                // already stopped
            }
        }
        fs.rmSync(dir, { recursive: true, force: true });
    };
    try {
        run("initdb", ["-D", data, "-U", "postgres", "--auth=scram-sha-256", `--pwfile=${path.join(dir, "pwfile")}`, "--no-sync"]);
        fs.writeFileSync(path.join(data, "pg_hba.conf"), "hostssl all all 127.0.0.1/32 scram-sha-256\n");
        fs.appendFileSync(
            path.join(data, "postgresql.conf"),
            [
                `listen_addresses = '127.0.0.1'`,
                `port = ${port}`,
                `unix_socket_directories = '${dir}'`,
                "ssl = on",
                `ssl_cert_file = '${cert}'`,
                `ssl_key_file = '${key}'`,
                "fsync = off",
                "",
            ].join("\n"),
        );
        run("pg_ctl", ["-D", data, "-l", logFile, "-w", "-t", "30", "start"]);
        started = true;
        await waitFor("postgres", () => accepts(port), undefined, logFile);

        const admin = new PgClient({
            host: "127.0.0.1",
            port,
            user: "postgres",
            password: superPassword,
            database: "postgres",
            ssl: { ca: fs.readFileSync(cert, "utf8") },
        });
        await admin.connect();
        try {
            await admin.query("CREATE ROLE web LOGIN PASSWORD 'local-web-password'");
            await admin.query("CREATE DATABASE app OWNER web");
        } finally {
            await admin.end();
        }
    } catch (err) {
        await stop();
        throw err;
    }
    // PostgreSQL runs as a daemon (pg_ctl), not as our child: an exiting test process must stop it itself.
    const kill = () => {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
        fs.rmSync(dir, { recursive: true, force: true });
    };
    return track({ port, database: "app", user: "web", password: "local-web-password", caFile: cert, stop, kill });
}

export interface DynamoServer extends Running {
    endpoint: string;
    tableName: string;
}

/** dynalite (an in-process DynamoDB) holding one ACTIVE table. */
export async function startDynalite(): Promise<DynamoServer> {
    const server = dynalite({ createTableMs: 0 });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
    const endpoint = `http://127.0.0.1:${port}`;
    const tableName = "platform-web-test";
    const client = new DynamoDBClient({ region: "us-east-1", endpoint, credentials: LOCAL_CREDENTIALS });
    await client.send(
        new CreateTableCommand({
            TableName: tableName,
            BillingMode: "PAY_PER_REQUEST",
            AttributeDefinitions: [
                { AttributeName: "pk", AttributeType: "S" },
                { AttributeName: "sk", AttributeType: "S" },
            ],
            KeySchema: [
                { AttributeName: "pk", KeyType: "HASH" },
                { AttributeName: "sk", KeyType: "RANGE" },
            ],
        }),
    );
    client.destroy();
    return track({ port, endpoint, tableName, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) });
}

export interface HungServer extends Running {
    /** Connections accepted so far. */
    accepted(): number;
    /** Connections still open: a client that gave up has closed its own. */
    open(): number;
}

/** Accepts TCP connections, reads what comes and never sends a byte: a dependency that hangs. */
export async function startHungServer(): Promise<HungServer> {
    const sockets = new Set<net.Socket>();
    let accepted = 0;
    const server = net.createServer((s) => {
        accepted += 1;
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
        s.on("error", () => undefined);
        s.resume(); // reads (and drops) what the client sends, so it sees the client hang up
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
    return track({
        port,
        accepted: () => accepted,
        open: () => sockets.size,
        stop: () =>
            new Promise<void>((resolve) => {
                for (const s of sockets) s.destroy();
                server.close(() => resolve());
            }),
    });
}

/**
 * The web service's settings for tests of POST /events: the stream is real (its endpoint given),
 * and the dependencies /events does not touch are placeholders (/health would report them down).
 */
export function eventsOnlyEnv(stream: string, kinesisEndpoint: string, overrides: Record<string, string> = {}): Record<string, string> {
    return {
        PORT: "0",
        AWS_REGION: "us-east-1",
        CACHE_HOST: "127.0.0.1",
        CACHE_AUTH_TOKEN: "unused",
        DB_HOST: "127.0.0.1",
        DB_NAME: "app",
        DB_USER: "web",
        DB_AUTH: "password",
        DB_PASSWORD: "unused",
        TABLE_NAME: "unused",
        ANALYTICS_STREAM_NAME: stream,
        KINESIS_ENDPOINT: kinesisEndpoint,
        ...overrides,
    };
}

/** A pg pool on the test PostgreSQL, over its verified TLS. */
export function poolOn(server: PostgresServer, max = 4): PgPool {
    return new PgPool({
        host: "127.0.0.1",
        port: server.port,
        user: server.user,
        password: server.password,
        database: server.database,
        ssl: { ca: fs.readFileSync(server.caFile, "utf8") },
        max,
    });
}
