import { strict as assert } from "assert";
import { AUTH_TOKEN_SPECIALS, Cache } from "../../components/cache";
import { defaults } from "../../config/sections/cache";
import type { Plan } from "../../tools/engine";
import { one } from "../helpers/plan";
import { render } from "../helpers/component";
import { all, clientRole, KEY_ARN, ISOLATED_SUBNETS, network, profiles, statementsFor, WEB_SG } from "../helpers/data-stores";

const GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";

function renderCache(profile: "dev" | "prod", extra: Partial<ConstructorParameters<typeof Cache>[1]> = {}): Promise<Plan> {
    return render(() => {
        const cache = new Cache("cache", { ...defaults[profile], ...network, ...profiles[profile], ...extra });
        cache.grantReadAuth(clientRole());
    });
}

describe("Cache component", () => {
    let dev: Plan;
    let prod: Plan;
    before(async () => {
        dev = await renderCache("dev");
        prod = await renderCache("prod");
    });

    it("encrypts at rest with the platform key and requires TLS with an AUTH token", () => {
        for (const plan of [dev, prod]) {
            const g = one(plan, GROUP).inputs;
            assert.equal(g.atRestEncryptionEnabled, true);
            assert.equal(g.kmsKeyId, KEY_ARN);
            assert.equal(g.transitEncryptionEnabled, true);
            assert.equal(g.transitEncryptionMode, "required");
            assert.equal(g.authToken, "[secret]", "the token must reach the engine as a Pulumi secret");
            assert.equal(g.engine, "valkey");
            assert.equal(g.port, 6379);
        }
    });

    it("generates the AUTH token within ElastiCache's rules", () => {
        const p = one(dev, "random:index/randomPassword:RandomPassword").inputs as any;
        assert.ok(p.length >= 16 && p.length <= 128, `length ${p.length}`);
        assert.equal(p.special, true);
        for (const c of p.overrideSpecial) assert.ok("!&#$^<>-".includes(c), `special ${c} is not allowed in an AUTH token`);
        for (const banned of ["@", '"', "/"]) assert.ok(!AUTH_TOKEN_SPECIALS.includes(banned));
        assert.ok(p.minUpper >= 1 && p.minLower >= 1 && p.minNumeric >= 1, "at least three character classes");
    });

    it("keeps the token in a KMS-encrypted secret that the service reads by ARN", () => {
        const secret = one(dev, "aws:secretsmanager/secret:Secret");
        assert.equal(secret.inputs.kmsKeyId, KEY_ARN);
        const version = one(dev, "aws:secretsmanager/secretVersion:SecretVersion");
        assert.equal(version.inputs.secretString, "[secret]");
        assert.equal(version.inputs.secretId, secret.id);
        const token = one(dev, "random:index/randomPassword:RandomPassword");
        assert.ok(version.propertyDependencies.secretString.includes(token.urn));
        assert.ok(one(dev, GROUP).propertyDependencies.authToken.includes(token.urn));
    });

    it("dev: one node, no failover, no snapshots, not protected", () => {
        const g = one(dev, GROUP);
        assert.equal(g.inputs.numCacheClusters, 1);
        assert.equal(g.inputs.automaticFailoverEnabled, false);
        assert.equal(g.inputs.multiAzEnabled, false);
        assert.equal(g.inputs.snapshotRetentionLimit, 0);
        assert.equal(g.inputs.finalSnapshotIdentifier, undefined);
        assert.equal(g.options.protect, false);
    });

    it("prod: Multi-AZ with automatic failover over replicas, snapshots, a final snapshot, protected", () => {
        const g = one(prod, GROUP);
        assert.ok((g.inputs.numCacheClusters as number) >= 2, "failover needs a replica");
        assert.equal(g.inputs.automaticFailoverEnabled, true);
        assert.equal(g.inputs.multiAzEnabled, true);
        assert.equal(g.inputs.snapshotRetentionLimit, 7);
        assert.match(String(g.inputs.finalSnapshotIdentifier), /^cache-test-final$/);
        assert.equal(g.options.protect, true);
    });

    it("runs with the default parameter group of its version's family, applied at once, so a version edit moves both", async () => {
        for (const [engine, engineVersion, group] of [
            ["valkey", "8.0", "default.valkey8"],
            ["valkey", "7.2", "default.valkey7"],
            ["valkey", "9.0", "default.valkey9"],
            ["redis", "7.1", "default.redis7"],
        ] as const) {
            const g = one(await renderCache("dev", { engine, engineVersion }), GROUP).inputs;
            assert.deepEqual([g.engine, g.engineVersion, g.parameterGroupName, g.applyImmediately], [engine, engineVersion, group, true]);
        }
        await assert.rejects(
            renderCache("dev", { engineVersion: "8.5" }),
            /valkey 8\.5 is not an ElastiCache engine version with a known parameter group family/,
        );
    });

    it("lives in the isolated subnets through a subnet group", () => {
        const subnets = one(dev, "aws:elasticache/subnetGroup:SubnetGroup");
        assert.deepEqual(subnets.inputs.subnetIds, ISOLATED_SUBNETS);
        assert.equal(one(dev, GROUP).inputs.subnetGroupName, subnets.outputs.name);
    });

    it("delivers the slow log to an encrypted log group with retention", () => {
        for (const [plan, retention] of [
            [dev, 14],
            [prod, 365],
        ] as const) {
            const log = one(plan, "aws:cloudwatch/logGroup:LogGroup", "slow-log");
            assert.equal(log.inputs.retentionInDays, retention);
            assert.equal(log.inputs.kmsKeyId, KEY_ARN);
            assert.deepEqual(one(plan, GROUP).inputs.logDeliveryConfigurations, [
                { destination: log.inputs.name, destinationType: "cloudwatch-logs", logFormat: "json", logType: "slow-log" },
            ]);
        }
    });

    it("admits only the client security groups, on the cache port, and opens nothing outward", () => {
        const sg = one(dev, "aws:ec2/securityGroup:SecurityGroup");
        assert.deepEqual(one(dev, GROUP).inputs.securityGroupIds, [sg.id]);
        assert.equal(sg.inputs.ingress, undefined);
        assert.equal(sg.inputs.egress, undefined);
        const ingress = all(dev, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        assert.deepEqual(
            ingress.map((r) => [
                r.inputs.securityGroupId,
                r.inputs.referencedSecurityGroupId,
                r.inputs.ipProtocol,
                r.inputs.fromPort,
                r.inputs.toPort,
                r.inputs.cidrIpv4,
            ]),
            [[sg.id, WEB_SG, "tcp", 6379, 6379, undefined]],
        );
        assert.deepEqual(all(dev, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"), []);
    });

    it("admits each of several client groups with its own rule", async () => {
        const plan = await renderCache("dev", { clientSecurityGroupIds: ["sg-0aaa", "sg-0bbb"] });
        const sources = all(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map((r) => r.inputs.referencedSecurityGroupId);
        assert.deepEqual(sources, ["sg-0aaa", "sg-0bbb"]);
    });

    it("grantReadAuth reads exactly the token's secret, decrypting only through Secrets Manager", () => {
        const secretArn = one(dev, "aws:secretsmanager/secret:Secret").outputs.arn;
        assert.deepEqual(statementsFor(dev, "web-role"), [
            { Sid: "ReadSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArn },
            {
                Sid: "DecryptSecretViaSecretsManager",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: KEY_ARN,
                Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
            },
        ]);
    });

    it("derives child names from its own name, so two caches never collide", async () => {
        const plan = await render(() => {
            for (const name of ["sessions", "pages"]) new Cache(name, { ...defaults.dev, ...network, ...profiles.dev });
        });
        const names = plan.resources.filter((r) => r.custom).map((r) => r.name);
        assert.equal(new Set(names).size, names.length, names.join(", "));
        const ids = all(plan, GROUP).map((g) => g.inputs.replicationGroupId);
        assert.deepEqual(ids, ["sessions-test", "pages-test"]);
    });
});
