import { strict as assert } from "assert";
import * as http from "http";
import type { AddressInfo } from "net";
import { GetParametersByPathCommand, SSMClient } from "@aws-sdk/client-ssm";
import { rdsSigner, ssmParameters, type SecretSource } from "../../../services/web/aws";
import { cacheToken, databasePassword } from "../../../services/web/credentials";

const cache = { host: "master.example", port: 6379 };
const secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:platform-cache-auth-AbCdEf";

function secrets(values: string[]): SecretSource & { reads: string[] } {
    const reads: string[] = [];
    return {
        reads,
        async secretString(arn) {
            reads.push(arn);
            return values[Math.min(reads.length - 1, values.length - 1)];
        },
    };
}

describe("web service credentials", () => {
    it("uses a local AUTH token as given, without Secrets Manager", async () => {
        const s = secrets([]);
        assert.equal(await cacheToken({ ...cache, authToken: "local" }, s)(), "local");
        assert.deepEqual(s.reads, []);
    });

    it("reads the cache AUTH token from its secret by ARN, and re-reads it after the TTL (rotation)", async () => {
        let now = 0;
        const s = secrets(["token-1", "token-2"]);
        const token = cacheToken({ ...cache, authSecretArn: secretArn }, s, { ttlMs: 1000, now: () => now });
        assert.equal(await token(), "token-1");
        now = 999;
        assert.equal(await token(), "token-1");
        now = 1000;
        assert.equal(await token(), "token-2");
        assert.deepEqual(s.reads, [secretArn, secretArn]);
    });

    it("signs an RDS IAM auth token for the proxy endpoint, port and user", async () => {
        const db = { host: "platform-proxy.proxy-cabc.us-east-1.rds.amazonaws.com", port: 5432, name: "app", user: "web", auth: { kind: "iam" as const } };
        const signer = rdsSigner("us-east-1", { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" });
        const token = await databasePassword(db, signer)();
        // A presigned rds-db:connect URL, without the scheme, is what RDS Proxy takes as the password.
        assert.ok(token.startsWith(`${db.host}:5432/?`), token);
        const query = new URLSearchParams(token.slice(token.indexOf("?") + 1));
        assert.equal(query.get("Action"), "connect");
        assert.equal(query.get("DBUser"), "web");
        assert.equal(query.get("X-Amz-Expires"), "900");
        assert.match(query.get("X-Amz-Credential") ?? "", /^AKIDEXAMPLE\/\d{8}\/us-east-1\/rds-db\/aws4_request$/);
    });

    it("looks credentials up once for many tokens (one signer per target), not once per token", async () => {
        let lookups = 0;
        // The container credentials endpoint, as ECS or EKS Pod Identity serve it; the instance role's IMDS works alike.
        const server = http.createServer((_req, res) => {
            lookups += 1;
            res.writeHead(200, { "content-type": "application/json" });
            res.end(
                JSON.stringify({
                    AccessKeyId: "ASIAEXAMPLE",
                    SecretAccessKey: "secret",
                    Token: "session",
                    Expiration: new Date(Date.now() + 3_600_000).toISOString(),
                }),
            );
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
        const vars = [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_PROFILE",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "AWS_SHARED_CREDENTIALS_FILE",
            "AWS_CONFIG_FILE",
        ];
        const saved = Object.fromEntries(vars.map((v) => [v, process.env[v]]));
        for (const v of vars) delete process.env[v];
        Object.assign(process.env, {
            AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${(server.address() as AddressInfo).port}/credentials`,
            AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
            AWS_CONFIG_FILE: "/nonexistent/config",
        });
        try {
            const db = { host: "platform-proxy.proxy-cabc.us-east-1.rds.amazonaws.com", port: 5432, name: "app", user: "web", auth: { kind: "iam" as const } };
            const password = databasePassword(db, rdsSigner("us-east-1"));
            for (let i = 0; i < 5; i++) {
                const token = await password();
                assert.match(new URLSearchParams(token.slice(token.indexOf("?") + 1)).get("X-Amz-Credential") ?? "", /^ASIAEXAMPLE\//);
            }
            assert.equal(lookups, 1);
        } finally {
            for (const v of vars) {
                if (saved[v] === undefined) delete process.env[v];
                else process.env[v] = saved[v];
            }
            await new Promise((resolve) => server.close(resolve));
        }
    });

    it("uses a static password only when configured for it", async () => {
        const db = { host: "127.0.0.1", port: 5432, name: "app", user: "web", auth: { kind: "password" as const, password: "pw" } };
        const signer = { authToken: async () => assert.fail("no IAM token for password auth") };
        assert.equal(await databasePassword(db, signer)(), "pw");
    });

    it("pages through GetParametersByPath on the path without its trailing slash", async () => {
        const client = new SSMClient({ region: "us-east-1" });
        const requests: any[] = [];
        client.send = (async (command: GetParametersByPathCommand) => {
            requests.push(command.input);
            return command.input.NextToken
                ? { Parameters: [{ Name: "/platform/dev/web/db-host", Value: "h" }] }
                : { Parameters: [{ Name: "/platform/dev/web/db-name", Value: "app" }], NextToken: "page-2" };
        }) as any;
        const params = await ssmParameters(client).byPath("/platform/dev/web/");
        assert.deepEqual(params, { "/platform/dev/web/db-name": "app", "/platform/dev/web/db-host": "h" });
        assert.deepEqual(
            requests.map((r) => [r.Path, r.Recursive, r.NextToken]),
            [
                ["/platform/dev/web", true, undefined],
                ["/platform/dev/web", true, "page-2"],
            ],
        );
    });
});
