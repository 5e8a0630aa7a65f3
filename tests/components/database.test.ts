import { strict as assert } from "assert";
import { Database, proxyDbUserArn } from "../../components/database";
import { defaults } from "../../config/sections/database";
import type { Plan, PlannedResource } from "../../tools/engine";
import { render } from "../helpers/component";
import { doc, one } from "../helpers/plan";
import { ACCOUNT, all, clientRole, ISOLATED_SUBNETS, KEY_ARN, network, profiles, statementsFor, WEB_SG } from "../helpers/data-stores";

const INSTANCE = "aws:rds/instance:Instance";
const PROXY = "aws:rds/proxy:Proxy";

function renderDatabase(profile: "dev" | "prod"): Promise<Plan> {
    return render(() => {
        const db = new Database("db", { ...defaults[profile], ...network, ...profiles[profile] });
        db.grantConnect(clientRole());
    });
}

/** The ingress rules of a security group, as [source group, protocol, from, to, cidr]. */
function ingressOf(plan: Plan, sg: PlannedResource): unknown[][] {
    return all(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        .filter((r) => r.inputs.securityGroupId === sg.id)
        .map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4]);
}

describe("Database component", () => {
    let dev: Plan;
    let prod: Plan;
    before(async () => {
        dev = await renderDatabase("dev");
        prod = await renderDatabase("prod");
    });

    it("runs PostgreSQL on encrypted, autoscaling gp3 storage, never publicly accessible", () => {
        for (const plan of [dev, prod]) {
            const db = one(plan, INSTANCE).inputs;
            assert.equal(db.engine, "postgres");
            assert.equal(db.engineVersion, "17");
            assert.equal(db.storageType, "gp3");
            assert.equal(db.storageEncrypted, true);
            assert.equal(db.kmsKeyId, KEY_ARN);
            assert.ok((db.maxAllocatedStorage as number) >= (db.allocatedStorage as number) * 1.1, "storage autoscaling ceiling");
            assert.equal(db.publiclyAccessible, false);
            assert.equal(db.autoMinorVersionUpgrade, true);
            assert.equal(db.copyTagsToSnapshot, true);
            assert.equal(db.identifier, "db-test");
        }
    });

    it("lets RDS manage the master password in a secret encrypted with the platform key", () => {
        const db = one(dev, INSTANCE).inputs;
        assert.equal(db.manageMasterUserPassword, true);
        assert.equal(db.masterUserSecretKmsKeyId, KEY_ARN);
        assert.equal(db.password, undefined);
        assert.equal(db.username, "app_admin");
    });

    it("forces SSL through a parameter group of the engine's major version", () => {
        const params = one(dev, "aws:rds/parameterGroup:ParameterGroup");
        assert.equal(params.inputs.family, "postgres17");
        assert.deepEqual(
            (params.inputs.parameters as any[]).map((p) => [p.name, p.value]),
            [["rds.force_ssl", "1"]],
        );
        assert.equal(one(dev, INSTANCE).inputs.parameterGroupName, params.outputs.name);
    });

    it("sits in the isolated subnets through a subnet group", () => {
        const subnets = one(dev, "aws:rds/subnetGroup:SubnetGroup");
        assert.deepEqual(subnets.inputs.subnetIds, ISOLATED_SUBNETS);
        assert.equal(one(dev, INSTANCE).inputs.dbSubnetGroupName, subnets.outputs.name);
        assert.deepEqual(one(dev, PROXY).inputs.vpcSubnetIds, ISOLATED_SUBNETS);
    });

    it("exports its logs into pre-created, encrypted log groups with retention", () => {
        for (const [plan, retention] of [
            [dev, 14],
            [prod, 365],
        ] as const) {
            const db = one(plan, INSTANCE);
            assert.deepEqual(db.inputs.enabledCloudwatchLogsExports, ["postgresql", "upgrade"]);
            for (const log of ["postgresql", "upgrade"]) {
                const group = one(plan, "aws:cloudwatch/logGroup:LogGroup", `-log-${log}`);
                assert.equal(group.inputs.name, `/aws/rds/instance/db-test/${log}`);
                assert.equal(group.inputs.retentionInDays, retention);
                assert.equal(group.inputs.kmsKeyId, KEY_ARN);
                assert.ok(db.options.dependsOn.includes(group.urn), `the instance must wait for ${group.name}, or RDS creates it without retention`);
            }
        }
    });

    it("dev: single-AZ, short backups, no final snapshot, not protected", () => {
        const db = one(dev, INSTANCE);
        assert.equal(db.inputs.instanceClass, "db.t4g.micro");
        assert.equal(db.inputs.multiAz, false);
        assert.equal(db.inputs.deletionProtection, false);
        assert.equal(db.inputs.skipFinalSnapshot, true);
        assert.equal(db.inputs.finalSnapshotIdentifier, undefined);
        assert.equal(db.inputs.performanceInsightsEnabled, false);
        assert.equal(db.inputs.monitoringInterval, 0);
        assert.equal(db.options.protect, false);
        assert.equal(all(dev, "aws:iam/role:Role").filter((r) => r.name.includes("monitoring")).length, 0);
    });

    it("prod: Multi-AZ, deletion protection, a final snapshot, 14-day backups, protected", () => {
        const db = one(prod, INSTANCE);
        assert.equal(db.inputs.multiAz, true);
        assert.equal(db.inputs.deletionProtection, true);
        assert.equal(db.inputs.skipFinalSnapshot, false);
        assert.equal(db.inputs.finalSnapshotIdentifier, "db-test-final");
        assert.equal(db.inputs.deleteAutomatedBackups, false);
        assert.equal(db.inputs.backupRetentionPeriod, 14);
        assert.equal(db.options.protect, true);
    });

    it("prod: Performance Insights with the platform key, and enhanced monitoring through a role only RDS monitoring assumes", () => {
        const db = one(prod, INSTANCE);
        assert.equal(db.inputs.performanceInsightsEnabled, true);
        assert.equal(db.inputs.performanceInsightsKmsKeyId, KEY_ARN);
        assert.equal(db.inputs.performanceInsightsRetentionPeriod, 7);
        assert.equal(db.inputs.monitoringInterval, 30);
        const role = one(prod, "aws:iam/role:Role", "db-monitoring");
        assert.equal(db.inputs.monitoringRoleArn, role.outputs.arn);
        assert.deepEqual(doc(role.inputs.assumeRolePolicy).Statement, [
            {
                Effect: "Allow",
                Action: "sts:AssumeRole",
                Principal: { Service: "monitoring.rds.amazonaws.com" },
                Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
            },
        ]);
        const attached = all(prod, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.name.startsWith("db-monitoring"));
        assert.deepEqual(
            attached.map((a) => a.inputs.policyArn),
            ["arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"],
        );
    });

    it("fronts the instance with a proxy that requires TLS and IAM auth and logs in with the managed secret", () => {
        const proxy = one(dev, PROXY);
        const secretArn = (one(dev, INSTANCE).outputs.masterUserSecrets as any[])[0].secretArn;
        assert.match(secretArn, /^arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-/);
        assert.equal(proxy.inputs.engineFamily, "POSTGRESQL");
        assert.equal(proxy.inputs.requireTls, true);
        assert.deepEqual(
            (proxy.inputs.auths as any[]).map((a) => [a.authScheme, a.secretArn, a.iamAuth]),
            [["SECRETS", secretArn, "REQUIRED"]],
        );
        const pool = one(dev, "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup");
        assert.equal(pool.inputs.dbProxyName, proxy.outputs.name);
        assert.deepEqual(pool.inputs.connectionPoolConfig, { maxConnectionsPercent: 90, maxIdleConnectionsPercent: 50, connectionBorrowTimeout: 120 });
        const target = one(dev, "aws:rds/proxyTarget:ProxyTarget");
        assert.deepEqual(
            [target.inputs.dbProxyName, target.inputs.targetGroupName, target.inputs.dbInstanceIdentifier],
            [proxy.outputs.name, "default", "db-test"],
        );
    });

    it("the proxy role, trusted by RDS alone, reads the DB's secret and nothing else, decrypting only through Secrets Manager", () => {
        const secretArn = (one(dev, INSTANCE).outputs.masterUserSecrets as any[])[0].secretArn;
        const role = one(dev, "aws:iam/role:Role", "proxy-role");
        assert.equal(one(dev, PROXY).inputs.roleArn, role.outputs.arn);
        assert.deepEqual(
            doc(role.inputs.assumeRolePolicy).Statement.map((s) => [s.Principal, s.Action]),
            [[{ Service: "rds.amazonaws.com" }, "sts:AssumeRole"]],
        );
        const policy = one(dev, "aws:iam/rolePolicy:RolePolicy", "proxy-role");
        const statements = doc(policy.inputs.policy).Statement;
        assert.deepEqual(statements, [
            { Sid: "ReadSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArn },
            {
                Sid: "DecryptSecretViaSecretsManager",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: KEY_ARN,
                Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
            },
        ]);
        assert.ok(one(dev, PROXY).options.dependsOn.includes(policy.urn), "the proxy waits for its role's policy");
    });

    it("security group chain: clients -> proxy -> instance, on 5432 only", () => {
        const proxySg = one(dev, "aws:ec2/securityGroup:SecurityGroup", "proxy-sg");
        const dbSg = one(dev, "aws:ec2/securityGroup:SecurityGroup", "db-db-sg");
        assert.deepEqual(one(dev, PROXY).inputs.vpcSecurityGroupIds, [proxySg.id]);
        assert.deepEqual(one(dev, INSTANCE).inputs.vpcSecurityGroupIds, [dbSg.id]);
        assert.deepEqual(ingressOf(dev, proxySg), [[WEB_SG, "tcp", 5432, 5432, undefined]]);
        assert.deepEqual(ingressOf(dev, dbSg), [[proxySg.id, "tcp", 5432, 5432, undefined]]);
        const egress = all(dev, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule");
        assert.deepEqual(
            egress.map((r) => [r.inputs.securityGroupId, r.inputs.referencedSecurityGroupId, r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort]),
            [[proxySg.id, dbSg.id, "tcp", 5432, 5432]],
        );
        for (const sg of [proxySg, dbSg]) assert.equal(sg.inputs.ingress ?? sg.inputs.egress, undefined, "no inline rules");
    });

    it("grantConnect allows rds-db:connect as the database user through this proxy alone", () => {
        const proxyArn = one(dev, PROXY).outputs.arn as string;
        const resourceId = proxyArn.split(":").pop();
        assert.deepEqual(statementsFor(dev, "web-role"), [
            {
                Sid: "ConnectThroughProxy",
                Effect: "Allow",
                Action: "rds-db:connect",
                Resource: `arn:aws:rds-db:us-east-1:123456789012:dbuser:${resourceId}/app_admin`,
            },
        ]);
    });

    it("builds the proxy's IAM db-user ARN from its ARN and rejects anything else", () => {
        assert.equal(
            proxyDbUserArn("arn:aws:rds:eu-west-1:111122223333:db-proxy:prx-0123456789abcdef0", "app"),
            "arn:aws:rds-db:eu-west-1:111122223333:dbuser:prx-0123456789abcdef0/app",
        );
        assert.throws(() => proxyDbUserArn("arn:aws:rds:eu-west-1:111122223333:db:mydb", "app"), /not an RDS proxy ARN/);
    });
});
