import { strict as assert } from "assert";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { sdkHttpHandler } from "../../../services/aws-http";
import { startApp, type App } from "../../../services/web/app";
import { secretsManager } from "../../../services/web/aws";
import { cacheToken } from "../../../services/web/credentials";
import { checkHealth, coalesce } from "../../../services/web/health";
import { startAll } from "../../helpers/running-servers";
import {
    freePort,
    LOCAL_CREDENTIALS,
    startDynalite,
    startHungServer,
    startPostgres,
    startRedis,
    type DynamoServer,
    type HungServer,
    type PostgresServer,
    type RedisServer,
} from "./servers";

type Env = Record<string, string>;

describe("web service /health against real servers on loopback", function () {
    this.timeout(120_000);
    let redis: RedisServer;
    let postgres: PostgresServer;
    let dynamo: DynamoServer;
    let hung: HungServer;
    let closedPort: number; // nothing listens here: connections are refused

    before(async () => {
        [redis, postgres, dynamo, hung] = await startAll(startRedis, startPostgres, startDynalite, startHungServer);
        closedPort = await freePort();
    });
    after(async () => {
        await Promise.all([redis, postgres, dynamo, hung].filter(Boolean).map((s) => s.stop()));
    });

    const env = (overrides: Env = {}): Env => ({
        PORT: "0",
        LIVENESS_PATH: "/live",
        HEALTH_PATH: "/health",
        AWS_REGION: "us-east-1",
        CHECK_TIMEOUT_MS: "3000",
        CACHE_HOST: "127.0.0.1",
        CACHE_PORT: String(redis.port),
        CACHE_AUTH_TOKEN: redis.password,
        CACHE_CA_FILE: redis.caFile,
        DB_HOST: "127.0.0.1",
        DB_PORT: String(postgres.port),
        DB_NAME: postgres.database,
        DB_USER: postgres.user,
        DB_AUTH: "password",
        DB_PASSWORD: postgres.password,
        DB_CA_FILE: postgres.caFile,
        TABLE_NAME: dynamo.tableName,
        DYNAMODB_ENDPOINT: dynamo.endpoint,
        ANALYTICS_STREAM_NAME: "events",
        ...overrides,
    });

    async function health(overrides: Env = {}, path = "/health", method = "GET") {
        const app: App = await startApp(env(overrides), { credentials: LOCAL_CREDENTIALS });
        try {
            const start = Date.now();
            const res = await fetch(`http://127.0.0.1:${app.port}${path}`, { method });
            return { status: res.status, body: (await res.json()) as any, ms: Date.now() - start };
        } finally {
            await app.close();
        }
    }

    it("answers 200 when the cache (TLS + AUTH), the database (TLS) and the table are all up", async () => {
        const r = await health();
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.status, "ok");
        assert.deepEqual(Object.keys(r.body.dependencies).sort(), ["cache", "database", "table"]);
        for (const [name, dep] of Object.entries<any>(r.body.dependencies)) assert.equal(dep.status, "up", `${name}: ${dep.error}`);
    });

    const down = {
        cache: () => ({ CACHE_PORT: String(closedPort) }),
        database: () => ({ DB_PORT: String(closedPort) }),
        table: () => ({ DYNAMODB_ENDPOINT: `http://127.0.0.1:${closedPort}` }),
    };
    for (const [name, overrides] of Object.entries(down)) {
        it(`answers 503 naming the ${name} when it is down, and reports the others up`, async () => {
            const r = await health(overrides());
            assert.equal(r.status, 503);
            assert.equal(r.body.status, "unavailable");
            assert.equal(r.body.dependencies[name].status, "down");
            assert.match(r.body.dependencies[name].error, /ECONNREFUSED|connect/i);
            for (const other of Object.keys(down).filter((n) => n !== name)) assert.equal(r.body.dependencies[other].status, "up", other);
        });
    }

    it("reports a wrong cache AUTH token and a wrong database password as down", async () => {
        const r = await health({ CACHE_AUTH_TOKEN: "not-the-token-0123456789", DB_PASSWORD: "not-the-password" });
        assert.equal(r.status, 503);
        assert.match(r.body.dependencies.cache.error, /WRONGPASS|invalid username-password/i);
        assert.match(r.body.dependencies.database.error, /password authentication failed/);
    });

    it("verifies TLS certificates: a server the trusted CAs did not sign is down", async () => {
        const r = await health({ CACHE_CA_FILE: "", DB_CA_FILE: "" });
        assert.equal(r.status, 503);
        assert.match(r.body.dependencies.cache.error, /self[- ]signed certificate/i);
        assert.match(r.body.dependencies.database.error, /self[- ]signed certificate/i);
        assert.equal(r.body.dependencies.table.status, "up");
    });

    it("times out hung dependencies instead of hanging the endpoint", async () => {
        const r = await health({
            CHECK_TIMEOUT_MS: "400",
            CACHE_PORT: String(hung.port),
            DB_PORT: String(hung.port),
            DYNAMODB_ENDPOINT: `http://127.0.0.1:${hung.port}`,
        });
        assert.equal(r.status, 503);
        for (const name of ["cache", "database", "table"]) {
            assert.equal(r.body.dependencies[name].status, "down", name);
            assert.equal(r.body.dependencies[name].error, "timed out after 400 ms", name);
        }
        assert.ok(r.ms < 2000, `answered after ${r.ms} ms`);
    });

    describe("while Secrets Manager stalls (a hung endpoint)", () => {
        const secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:platform-cache-auth-AbCdEf";
        const settle = () => new Promise((r) => setTimeout(r, 150));
        let secrets: HungServer; // its own, so the other tests' connections do not count
        before(async () => {
            secrets = await startHungServer();
        });
        after(async () => secrets?.stop());
        beforeEach(() => {
            // The SDK's service-specific endpoint setting: the clients the app builds talk to the hung server.
            process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = `http://127.0.0.1:${secrets.port}`;
        });
        afterEach(() => {
            delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
        });

        it("each /health's token fetch ends at the check's deadline instead of hanging on", async () => {
            const app = await startApp(env({ CHECK_TIMEOUT_MS: "300", CACHE_AUTH_TOKEN: "", CACHE_AUTH_SECRET_ARN: secretArn }), {
                credentials: LOCAL_CREDENTIALS,
            });
            const [accepted, open] = [secrets.accepted(), secrets.open()];
            try {
                for (let i = 0; i < 3; i++) {
                    const res = await fetch(`http://127.0.0.1:${app.port}/health`);
                    const body = (await res.json()) as any;
                    assert.equal(res.status, 503);
                    assert.equal(body.dependencies.cache.error, "timed out after 300 ms");
                    assert.equal(body.dependencies.database.status, "up");
                }
                await settle();
                assert.equal(secrets.accepted() - accepted, 3, "one fetch per check");
                assert.equal(secrets.open() - open, 0, "no fetch outlived its check");
            } finally {
                await app.close();
            }
        });

        it("concurrent checks share one fetch, which is aborted once none of them waits", async () => {
            const client = new SecretsManagerClient({
                region: "us-east-1",
                credentials: LOCAL_CREDENTIALS,
                maxAttempts: 1,
                requestHandler: sdkHttpHandler({ connectMs: 1000, requestMs: 30_000 }),
            });
            const token = cacheToken({ host: "h", port: 6379, authSecretArn: secretArn }, secretsManager(client));
            const [accepted, open] = [secrets.accepted(), secrets.open()];
            try {
                const results = await Promise.allSettled([100, 200, 300, 300, 300].map((ms) => token(AbortSignal.timeout(ms))));
                assert.deepEqual(
                    results.map((r) => r.status === "rejected" && (r.reason as Error).name),
                    Array(5).fill("TimeoutError"),
                );
                await settle();
                assert.equal(secrets.accepted() - accepted, 1, "one request for five callers");
                assert.equal(secrets.open() - open, 0, "aborted with its last caller");
            } finally {
                client.destroy();
            }
        });
    });

    it("answers liveness 200 while every dependency is down, so the load balancer never replaces a serving instance", async () => {
        const r = await health({ ...down.cache(), ...down.database(), ...down.table() }, "/live");
        assert.equal(r.status, 200);
        assert.deepEqual(r.body, { status: "live" });
        assert.ok(r.ms < 300, `liveness took ${r.ms} ms: it must not wait on dependencies`);
    });

    it("serves GET / and refuses other methods on the health path", async () => {
        assert.equal((await health({}, "/")).status, 200);
        assert.equal((await health({}, "/health", "POST")).status, 405);
        assert.equal((await health({}, "/nope")).status, 404);
    });
});

describe("health report", () => {
    it("is ok only when every check passes, with each failure's message", async () => {
        const ok = { name: "a", run: async () => undefined };
        const bad = { name: "b", run: async () => Promise.reject(new Error("boom")) };
        assert.equal((await checkHealth([ok], 100)).status, "ok");
        const r = await checkHealth([ok, bad], 100);
        assert.equal(r.status, "unavailable");
        assert.deepEqual({ a: r.dependencies.a.status, b: [r.dependencies.b.status, r.dependencies.b.error] }, { a: "up", b: ["down", "boom"] });
    });

    it("aborts a check at its deadline", async () => {
        let aborted = false;
        const slow = {
            name: "slow",
            run: (signal: AbortSignal) => new Promise<void>((resolve) => signal.addEventListener("abort", () => ((aborted = true), resolve()))),
        };
        const r = await checkHealth([slow], 50);
        assert.equal(r.dependencies.slow.error, "timed out after 50 ms");
        assert.ok(aborted);
    });

    it("shares one run among concurrent callers, and runs again afterwards", async () => {
        let runs = 0;
        const shared = coalesce(async () => {
            runs += 1;
            await new Promise((r) => setTimeout(r, 20));
            return runs;
        });
        assert.deepEqual(await Promise.all([shared(), shared(), shared()]), [1, 1, 1]);
        assert.equal(await shared(), 2);
    });
});
