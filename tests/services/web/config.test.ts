import { strict as assert } from "assert";
import type { ParameterSource } from "../../../services/web/aws";
import { parameterName, parseConfig, resolveConfig, ServiceConfigError, settingOf } from "../../../services/web/config";
import { omit } from "../../helpers/object";

const local = {
    AWS_REGION: "us-east-1",
    CACHE_HOST: "127.0.0.1",
    CACHE_AUTH_TOKEN: "t",
    DB_HOST: "127.0.0.1",
    DB_NAME: "app",
    DB_USER: "web",
    DB_AUTH: "password",
    DB_PASSWORD: "p",
    TABLE_NAME: "t",
    ANALYTICS_STREAM_NAME: "events",
};

function problems(fn: () => unknown): string[] {
    try {
        fn();
    } catch (err) {
        assert.ok(err instanceof ServiceConfigError, String(err));
        return err.problems;
    }
    return [];
}

async function asyncProblems(fn: () => Promise<unknown>): Promise<string[]> {
    try {
        await fn();
    } catch (err) {
        assert.ok(err instanceof ServiceConfigError, String(err));
        return err.problems;
    }
    return [];
}

/** A Parameter Store double: what GetParametersByPath would return for the path. */
const store = (params: Record<string, string>): ParameterSource & { paths: string[] } => {
    const paths: string[] = [];
    return {
        paths,
        async byPath(path) {
            paths.push(path);
            return Object.fromEntries(Object.entries(params).filter(([k]) => k.startsWith(path)));
        },
    };
};

describe("web service settings", () => {
    it("reads a local run's settings from the environment, with defaults", () => {
        const c = parseConfig(local);
        assert.equal(c.port, 8080);
        assert.equal(c.healthPath, "/health");
        assert.equal(c.livenessPath, "/live");
        assert.equal(c.checkTimeoutMs, 2000);
        assert.deepEqual([c.eventsTimeoutMs, c.shutdownGraceMs], [10_000, 15_000]);
        assert.deepEqual(c.database.auth, { kind: "password", password: "p" });
        assert.equal(c.cache.port, 6379);
        assert.equal(c.database.port, 5432);
    });

    it("uses IAM database auth unless told otherwise, and needs a token source for the cache", () => {
        const rest = omit(local, "DB_AUTH", "DB_PASSWORD", "CACHE_AUTH_TOKEN");
        assert.deepEqual(
            problems(() => parseConfig(rest)),
            ["CACHE_AUTH_SECRET_ARN: is required (or CACHE_AUTH_TOKEN for a local cache): the cache demands an AUTH token"],
        );
        const c = parseConfig({ ...rest, CACHE_AUTH_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:x" });
        assert.deepEqual(c.database.auth, { kind: "iam" });
    });

    it("refuses a shutdown grace period shorter than the events deadline: a stop would cut publishes it could finish", () => {
        assert.deepEqual(
            problems(() => parseConfig({ ...local, EVENTS_TIMEOUT_MS: "20000", SHUTDOWN_GRACE_MS: "5000" })),
            ["SHUTDOWN_GRACE_MS: 5000 must be at least EVENTS_TIMEOUT_MS (20000), so a publish in flight can finish when the service stops"],
        );
    });

    it("reports every problem at once, naming the setting", () => {
        const p = problems(() => parseConfig({ PORT: "http", DB_AUTH: "kerberos", CHECK_TIMEOUT_MS: "5" }));
        for (const expected of [
            'PORT: "http" must be an integer from 0 to 65535',
            'DB_AUTH: "kerberos" must be "iam" or "password"',
            'CHECK_TIMEOUT_MS: "5" must be an integer from 50 to 60000',
            "AWS_REGION: is required (Region of the AWS APIs (Secrets Manager, DynamoDB, the RDS auth token).)",
            "CACHE_HOST: is required (Cache primary endpoint.)",
            "DB_HOST: is required (Database (RDS Proxy) endpoint.)",
            "TABLE_NAME: is required (DynamoDB table name.)",
            "ANALYTICS_STREAM_NAME: is required (Kinesis stream that POST /events publishes analytics events to.)",
        ]) {
            assert.ok(p.includes(expected), `missing ${expected} in\n${p.join("\n")}`);
        }
    });

    it("maps settings to SSM parameter names and back", () => {
        assert.equal(parameterName("CACHE_AUTH_SECRET_ARN"), "cache-auth-secret-arn");
        assert.equal(settingOf("/platform/dev/web/db-host", "/platform/dev/web/"), "DB_HOST");
        assert.equal(settingOf("/platform/dev/web/unrelated", "/platform/dev/web/"), undefined);
        assert.equal(settingOf("/platform/prod/web/db-host", "/platform/dev/web/"), undefined);
    });

    it("reads SSM parameters under SSM_PATH, with the environment on top", async () => {
        const path = "/platform/dev/web/";
        const params = store({
            [`${path}cache-host`]: "master.cache.example",
            [`${path}cache-auth-secret-arn`]: "arn:aws:secretsmanager:us-east-1:123456789012:secret:auth",
            [`${path}db-host`]: "proxy.example",
            [`${path}db-name`]: "app",
            [`${path}db-user`]: "web",
            [`${path}db-port`]: "5432",
            [`${path}table-name`]: "platform-dev",
            [`${path}analytics-stream-name`]: "platform-dev-events",
            [`${path}port`]: "9999",
            "/platform/prod/web/db-host": "not-this-stack",
        });
        const c = await resolveConfig({ SSM_PATH: path, AWS_REGION: "us-east-1", PORT: "8080" }, params);
        assert.deepEqual(params.paths, [path]);
        assert.equal(c.port, 8080, "the environment wins");
        assert.equal(c.database.host, "proxy.example");
        assert.equal(c.analytics.streamName, "platform-dev-events");
        assert.deepEqual(c.database.auth, { kind: "iam" });
        assert.equal(c.cache.authSecretArn, "arn:aws:secretsmanager:us-east-1:123456789012:secret:auth");
        assert.equal(c.table.name, "platform-dev");
    });

    it("refuses secrets found among the SSM parameters", async () => {
        const path = "/platform/dev/web/";
        const p = await asyncProblems(() => resolveConfig({ SSM_PATH: path, ...local }, store({ [`${path}db-password`]: "leaked" })));
        assert.deepEqual(p, ["/platform/dev/web/db-password: DB_PASSWORD is a secret or bootstrap setting and is never read from SSM"]);
    });

    it("rejects an SSM_PATH that is not a /-delimited path", async () => {
        assert.deepEqual(await asyncProblems(() => resolveConfig({ SSM_PATH: "platform/dev/web" }, store({}))), [
            'SSM_PATH: "platform/dev/web" must start and end with /',
        ]);
    });
});
