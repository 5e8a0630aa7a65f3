import { strict as assert } from "assert";
import { validateConfig } from "../../config";
import { READ_WRITE_ACTIONS } from "../../components/global-table";
import type { Plan, PlannedResource } from "../../tools/engine";
import { readStackSettings } from "../../lib/stack-settings";
import { cli, doc, ofType, one, planOf, PROJECT_DIR, stackFile, type PlanWithPolicy } from "../helpers/plan";

/** The resources created under the (single) component of this type, at any depth. */
function within(plan: Plan, componentType: string): Plan {
    const roots = plan.resources.filter((r) => r.type === componentType);
    assert.equal(roots.length, 1, `expected one ${componentType}`);
    const inside = new Set([roots[0].urn]);
    let grew = true;
    while (grew) {
        grew = false;
        for (const r of plan.resources) {
            if (r.parent && inside.has(r.parent) && !inside.has(r.urn)) {
                inside.add(r.urn);
                grew = true;
            }
        }
    }
    return { ...plan, resources: plan.resources.filter((r) => inside.has(r.urn) && r.urn !== roots[0].urn) };
}

/** The sources admitted into a security group, as [source group or CIDR, from port, to port]. */
function admitted(plan: Plan, sg: PlannedResource): unknown[][] {
    return ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        .filter((r) => r.inputs.securityGroupId === sg.id)
        .map((r) => [r.inputs.referencedSecurityGroupId ?? r.inputs.cidrIpv4 ?? r.inputs.prefixListId, r.inputs.fromPort, r.inputs.toPort]);
}

/** Egress of a group to another group, as [from port, to port]. */
function egressTo(plan: Plan, from: string | undefined, to: string | undefined): unknown[][] {
    return ofType(plan, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
        .filter((r) => r.inputs.securityGroupId === from && r.inputs.referencedSecurityGroupId === to)
        .map((r) => [r.inputs.fromPort, r.inputs.toPort]);
}

function statementsOfRole(plan: Plan, role: PlannedResource): any[] {
    return ofType(plan, "aws:iam/rolePolicy:RolePolicy")
        .filter((p) => p.inputs.role === role.outputs.name)
        .flatMap((p) => doc(p.inputs.policy).Statement);
}

const expectations = {
    dev: { protected: false, multiAz: false, cacheNodes: 1, backups: 1 },
    prod: { protected: true, multiAz: true, cacheNodes: 3, backups: 14 },
};

for (const [stack, want] of Object.entries(expectations)) {
    describe(`${stack} data stores`, () => {
        const plan = () => planOf(stack);
        const config = () => {
            const { config: raw } = readStackSettings(PROJECT_DIR, stack);
            return validateConfig(raw, stack);
        };
        const cache = () => within(plan(), "platform:cache:Cache");
        const database = () => within(plan(), "platform:database:Database");
        const table = () => within(plan(), "platform:data:GlobalTable");
        const outputs = () => plan().outputs as Record<string, any>;
        const fleetSg = () => {
            const ids = one(plan(), "aws:ec2/launchTemplate:LaunchTemplate").inputs.vpcSecurityGroupIds as string[];
            assert.equal(ids.length, 1);
            return ids[0];
        };
        const webRole = () =>
            ofType(plan(), "aws:iam/role:Role").find((r) =>
                doc(r.inputs.assumeRolePolicy).Statement.some((s) => s.Principal?.Service === "ec2.amazonaws.com"),
            )!;

        it(`RDS is ${want.multiAz ? "Multi-AZ, deletion-protected, protected, and keeps a final snapshot" : "single-AZ and unprotected (dev)"}`, () => {
            const db = one(database(), "aws:rds/instance:Instance");
            assert.equal(db.inputs.multiAz, want.multiAz);
            assert.equal(db.inputs.deletionProtection, want.protected);
            assert.equal(db.options.protect, want.protected);
            assert.equal(db.inputs.skipFinalSnapshot, !want.protected);
            assert.equal(db.inputs.finalSnapshotIdentifier !== undefined, want.protected);
            assert.equal(db.inputs.backupRetentionPeriod, want.backups);
            assert.equal(db.inputs.performanceInsightsEnabled, want.protected);
            assert.equal(db.inputs.storageEncrypted, true);
            assert.equal(db.inputs.kmsKeyId, outputs().kmsKeyArn);
            assert.equal(db.inputs.masterUserSecretKmsKeyId, outputs().kmsKeyArn);
            assert.equal(db.inputs.manageMasterUserPassword, true);
            assert.equal(db.inputs.publiclyAccessible, false);
        });

        it("every data store lives in the isolated subnets", () => {
            const isolated = outputs().isolatedSubnetIds;
            assert.deepEqual(one(database(), "aws:rds/subnetGroup:SubnetGroup").inputs.subnetIds, isolated);
            assert.deepEqual(one(database(), "aws:rds/proxy:Proxy").inputs.vpcSubnetIds, isolated);
            assert.deepEqual(one(cache(), "aws:elasticache/subnetGroup:SubnetGroup").inputs.subnetIds, isolated);
            assert.ok(isolated.length >= 2, "the DB subnet group spans at least 2 AZs");
        });

        it("the proxy role's policy grants read on the DB's secret alone, decrypting only through Secrets Manager", () => {
            const secretArn = (one(database(), "aws:rds/instance:Instance").outputs.masterUserSecrets as any[])[0].secretArn;
            assert.equal(outputs().databaseSecretArn, secretArn);
            const proxy = one(database(), "aws:rds/proxy:Proxy");
            assert.deepEqual(
                (proxy.inputs.auths as any[]).map((a) => [a.authScheme, a.secretArn, a.iamAuth]),
                [["SECRETS", secretArn, "REQUIRED"]],
            );
            assert.equal(proxy.inputs.requireTls, true);
            const role = ofType(database(), "aws:iam/role:Role").find((r) => r.outputs.arn === proxy.inputs.roleArn)!;
            assert.deepEqual(
                doc(role.inputs.assumeRolePolicy).Statement.map((s) => s.Principal),
                [{ Service: "rds.amazonaws.com" }],
            );
            const statements = statementsOfRole(plan(), role);
            assert.deepEqual(
                statements.map((s) => [s.Action, s.Resource]),
                [
                    ["secretsmanager:GetSecretValue", secretArn],
                    ["kms:Decrypt", outputs().kmsKeyArn],
                ],
            );
            assert.deepEqual(statements[1].Condition, { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } });
        });

        it("security group chain: fleet (and the order functions) -> proxy -> DB, and fleet -> cache, nothing else", () => {
            const fleet = fleetSg();
            const proxySg = one(database(), "aws:ec2/securityGroup:SecurityGroup", "proxy-sg");
            const dbSg = one(database(), "aws:ec2/securityGroup:SecurityGroup", "db-sg");
            const cacheSg = one(cache(), "aws:ec2/securityGroup:SecurityGroup");
            assert.deepEqual(one(database(), "aws:rds/instance:Instance").inputs.vpcSecurityGroupIds, [dbSg.id]);
            assert.deepEqual(one(database(), "aws:rds/proxy:Proxy").inputs.vpcSecurityGroupIds, [proxySg.id]);
            assert.deepEqual(one(cache(), "aws:elasticache/replicationGroup:ReplicationGroup").inputs.securityGroupIds, [cacheSg.id]);
            // Ingress: each hop admits only the one before it, on the service port.
            assert.deepEqual(admitted(plan(), dbSg), [[proxySg.id, 5432, 5432]]);
            // The proxy's other client is the order write path's functions (components/events/orders.ts).
            const orders = ofType(plan(), "aws:lambda/function:Function").find((f) => f.name.startsWith("events-orders-place"))!;
            const ordersSg = (orders.inputs.vpcConfig as { securityGroupIds: string[] }).securityGroupIds[0];
            assert.deepEqual(admitted(plan(), proxySg), [
                [fleet, 5432, 5432],
                [ordersSg, 5432, 5432],
            ]);
            assert.deepEqual(admitted(plan(), cacheSg), [[fleet, 6379, 6379]]);
            // Egress: each hop may open the connection the next one admits, or it times out.
            assert.deepEqual(egressTo(plan(), fleet, proxySg.id), [[5432, 5432]]);
            assert.deepEqual(egressTo(plan(), proxySg.id, dbSg.id), [[5432, 5432]]);
            assert.deepEqual(egressTo(plan(), fleet, cacheSg.id), [[6379, 6379]]);
            for (const sg of [dbSg, cacheSg]) {
                const out = ofType(plan(), "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").filter((r) => r.inputs.securityGroupId === sg.id);
                assert.deepEqual(out, [], `${sg.name} opens no connections`);
            }
        });

        it(`the cache is encrypted in transit and at rest, with ${want.cacheNodes} node(s)${want.multiAz ? ", Multi-AZ with failover, protected" : ""}`, () => {
            const g = one(cache(), "aws:elasticache/replicationGroup:ReplicationGroup");
            assert.equal(g.inputs.transitEncryptionEnabled, true);
            assert.equal(g.inputs.atRestEncryptionEnabled, true);
            assert.equal(g.inputs.kmsKeyId, outputs().kmsKeyArn);
            assert.equal(g.inputs.authToken, "[secret]");
            assert.equal(g.inputs.numCacheClusters, want.cacheNodes);
            assert.equal(g.inputs.automaticFailoverEnabled, want.multiAz);
            assert.equal(g.inputs.multiAzEnabled, want.multiAz);
            assert.equal(g.options.protect, want.protected);
            assert.equal(outputs().cacheEndpoint, g.outputs.primaryEndpointAddress);
            assert.equal(outputs().cacheAuthSecretArn, one(cache(), "aws:secretsmanager/secret:Secret").outputs.arn);
        });

        it("the global table's replicas match config, and the table and every replica keep PITR", () => {
            const t = one(table(), "aws:dynamodb/table:Table");
            const replicas = t.inputs.replicas as any[];
            assert.deepEqual(
                replicas.map((r) => r.regionName),
                config().globalTable.replicaRegions,
            );
            assert.equal(replicas.length > 0, want.protected, "prod replicates, dev does not");
            for (const r of replicas) assert.equal(r.pointInTimeRecovery, true, `replica in ${r.regionName}`);
            assert.deepEqual(t.inputs.pointInTimeRecovery, { enabled: true });
            assert.equal(t.inputs.streamViewType, "NEW_AND_OLD_IMAGES");
            assert.equal(t.inputs.deletionProtectionEnabled, want.protected);
            assert.equal(t.options.protect, want.protected);
            assert.equal(outputs().tableName, t.outputs.name);
        });

        it("the web role gets exactly its data-store grants", () => {
            const role = webRole();
            const statements = statementsOfRole(plan(), role);
            const bySid = (sid: string) => statements.filter((s) => s.Sid === sid);
            const t = one(table(), "aws:dynamodb/table:Table");
            assert.deepEqual(
                bySid("ItemReadWrite").map((s) => [s.Action, s.Resource]),
                [[READ_WRITE_ACTIONS, [t.outputs.arn, `${t.outputs.arn}/index/*`]]],
            );
            const proxyArn = one(database(), "aws:rds/proxy:Proxy").outputs.arn as string;
            assert.deepEqual(
                bySid("ConnectThroughProxy").map((s) => [s.Action, s.Resource]),
                [["rds-db:connect", `arn:aws:rds-db:us-east-1:123456789012:dbuser:${proxyArn.split(":").pop()}/app_admin`]],
            );
            assert.deepEqual(
                bySid("ReadSecret").map((s) => s.Resource),
                [outputs().cacheAuthSecretArn],
            );
            const dynamo = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith("dynamodb:")));
            assert.deepEqual(
                dynamo.map((s) => s.Sid),
                ["ItemReadWrite"],
                "no other DynamoDB access",
            );
        });

        it("grants to other components' roles are named <grantor>-<permission>-<grantee>, never by a counter", () => {
            const grants = ofType(plan(), "aws:iam/rolePolicy:RolePolicy")
                .filter((p) => !/-(policy|access)$/.test(p.name))
                .map((p) => p.name)
                .sort();
            assert.deepEqual(grants, [
                "analytics-events-write-events-analytics-bridge",
                "analytics-events-write-web",
                "cache-read-auth-web",
                "database-connect-events-orders-place",
                "database-connect-events-orders-relay",
                "database-connect-web",
                "table-read-write-web",
                "web-settings-read-web",
            ]);
        });

        it("every data-store log group has a retention period and the platform key", () => {
            const groups = [...ofType(cache(), "aws:cloudwatch/logGroup:LogGroup"), ...ofType(database(), "aws:cloudwatch/logGroup:LogGroup")];
            assert.equal(groups.length, 3);
            for (const g of groups) {
                assert.equal(g.inputs.retentionInDays, stack === "prod" ? 365 : 14, g.name);
                assert.equal(g.inputs.kmsKeyId, outputs().kmsKeyArn, g.name);
            }
        });

        it("reports no policy violation on a data store", () => {
            const ours = new Set([...cache().resources, ...database().resources, ...table().resources].map((r) => r.urn));
            assert.deepEqual(
                plan().policy.violations.filter((v) => ours.has(v.urn)),
                [],
            );
        });
    });
}

/**
 * What replaces an aws_elasticache_replication_group: its ForceNew attributes (terraform-provider-aws,
 * internal/service/elasticache/replication_group.go), as Pulumi names them, and its CustomizeDiff,
 * which forces a new group on an engine downgrade (valkey -> redis) or a lower engine version.
 * Redis OSS -> Valkey and a higher version are in-place ModifyReplicationGroup calls.
 */
const CACHE_FORCE_NEW = [
    "atRestEncryptionEnabled",
    "dataTieringEnabled",
    "globalReplicationGroupId",
    "kmsKeyId",
    "networkType",
    "port",
    "replicationGroupId",
    "securityGroupNames",
    "snapshotArns",
    "snapshotName",
    "subnetGroupName",
];

function cacheReplacedBy(before: PlannedResource, after: PlannedResource): string[] {
    const a = before.inputs as Record<string, any>;
    const b = after.inputs as Record<string, any>;
    const changed = CACHE_FORCE_NEW.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
    if (a.engine === "valkey" && b.engine === "redis") changed.push("engine");
    const version = (v: string) => v.split(".").map(Number);
    const [am, an] = version(a.engineVersion);
    const [bm, bn] = version(b.engineVersion);
    if (bm < am || (bm === am && bn < an)) changed.push("engineVersion");
    return changed;
}

describe("a cache engine version edit, planned from the stack file", function () {
    this.timeout(180_000);
    const GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
    const planWith = (cache: string) => {
        const file = stackFile(
            ["config:", "  aws:region: us-east-1", "  platform:profile: dev", "  platform:tags: {owner: me}", `  platform:cache: ${cache}`].join("\n"),
        );
        const r = cli(["plan", "--stack", "dev", "--stack-file", file, "--json"]);
        assert.equal(r.status, 0, r.stderr);
        return JSON.parse(r.stdout) as PlanWithPolicy;
    };
    const plans = new Map<string, PlanWithPolicy>();
    const planOfVersion = (engine: string, version: string) => {
        const key = `${engine} ${version}`;
        if (!plans.has(key)) plans.set(key, planWith(`{engine: ${engine}, engineVersion: "${version}"}`));
        return plans.get(key)!;
    };

    for (const [from, to, family] of [
        [["valkey", "8.0"], ["valkey", "8.1"], "valkey8"],
        [["valkey", "8.0"], ["valkey", "9.0"], "valkey9"],
        [["valkey", "7.2"], ["valkey", "8.0"], "valkey8"],
        [["redis", "7.1"], ["valkey", "8.0"], "valkey8"],
    ] as const) {
        it(`${from.join(" ")} -> ${to.join(" ")}: the parameter group follows to ${family}, in place (no replacement), applied at once`, () => {
            const before = one(planOfVersion(from[0], from[1]), GROUP);
            const afterPlan = planOfVersion(to[0], to[1]);
            const after = one(afterPlan, GROUP);
            assert.equal(after.urn, before.urn);
            assert.deepEqual(
                [after.inputs.engine, after.inputs.engineVersion, after.inputs.parameterGroupName, after.inputs.applyImmediately],
                [to[0], to[1], `default.${family}`, true],
            );
            assert.deepEqual(cacheReplacedBy(before, after), []);
            assert.deepEqual(
                afterPlan.policy.violations.filter((v) => v.policy === "elasticache-parameter-group-family"),
                [],
            );
        });
    }

    it("a downgrade (valkey 8.0 -> redis 7.1) would replace the group, and the check says so", () => {
        const before = one(planOfVersion("valkey", "8.0"), GROUP);
        const after = one(planOfVersion("redis", "7.1"), GROUP);
        assert.deepEqual(cacheReplacedBy(before, after), ["engine", "engineVersion"]);
    });
});
