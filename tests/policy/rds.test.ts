import { strict as assert } from "assert";
import { expectViolations, policyDoc, resource } from "../helpers/policy";

const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1234-abcdef";
const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1111-2222";
const db = (name: string, inputs: Record<string, unknown> = {}) =>
    resource(
        "aws:rds/instance:Instance",
        name,
        { instanceClass: "db.t4g.micro", engine: "postgres", engineVersion: "17", storageEncrypted: true, manageMasterUserPassword: true, ...inputs },
        { id: name },
    );
/** A prod-grade instance: every prod rule passes on it. */
const prodDb = (name: string, inputs: Record<string, unknown> = {}) =>
    db(name, {
        multiAz: true,
        deletionProtection: true,
        backupRetentionPeriod: 14,
        skipFinalSnapshot: false,
        finalSnapshotIdentifier: `${name}-final`,
        ...inputs,
    });

describe("RDS policies", () => {
    describe("rds-storage-encrypted", () => {
        it("passes encrypted storage and flags unencrypted instances and clusters", async () => {
            const ok = db("ok");
            const bad = db("bad", { storageEncrypted: false });
            const cluster = resource("aws:rds/cluster:Cluster", "cluster", { engine: "aurora-postgresql" });
            await expectViolations("rds-storage-encrypted", [ok, bad, cluster], [bad, cluster]);
        });
    });

    describe("rds-not-publicly-accessible", () => {
        it("passes a private instance and flags a public one", async () => {
            await expectViolations("rds-not-publicly-accessible", [db("ok"), db("bad", { publiclyAccessible: true })], [db("bad")]);
        });
    });

    describe("rds-managed-master-password", () => {
        it("passes a managed password and flags one passed in", async () => {
            const bad = db("bad", { manageMasterUserPassword: undefined, password: "[secret]" });
            await expectViolations("rds-managed-master-password", [db("ok"), bad], [bad]);
        });
    });

    describe("rds-force-tls", () => {
        it("passes PostgreSQL 15+ defaults and a group forcing SSL; flags a group turning it off and an old default", async () => {
            const forcing = resource(
                "aws:rds/parameterGroup:ParameterGroup",
                "forcing",
                { family: "postgres17", parameters: [{ name: "rds.force_ssl", value: "1" }] },
                { id: "forcing", outputs: { name: "forcing" } },
            );
            const lax = resource(
                "aws:rds/parameterGroup:ParameterGroup",
                "lax",
                { family: "postgres17", parameters: [{ name: "rds.force_ssl", value: "0" }] },
                { id: "lax", outputs: { name: "lax" } },
            );
            const ok = db("ok", { parameterGroupName: "forcing" });
            const dflt = db("default");
            const bad = db("bad", { parameterGroupName: "lax" });
            const old = db("old", { engineVersion: "14.9" });
            const v = await expectViolations("rds-force-tls", [forcing, lax, ok, dflt, bad, old], [bad, old]);
            assert.match(v.find((x) => x.urn === old.urn)!.message, /the default parameter group does not force TLS/);
        });
    });

    describe("prod data safety", () => {
        it("passes a prod-grade instance in prod, and a dev-grade one in dev", async () => {
            for (const name of ["rds-deletion-protection-prod", "rds-backup-retention-prod", "rds-multi-az-prod", "rds-final-snapshot-prod"]) {
                await expectViolations(name, [prodDb("ok")], [], { environment: "prod" });
                await expectViolations(name, [db("dev")], [], { environment: "dev" });
            }
        });
        it("rds-deletion-protection-prod flags an unprotected prod instance", async () => {
            const bad = prodDb("bad", { deletionProtection: false });
            await expectViolations("rds-deletion-protection-prod", [bad], [bad], { environment: "prod" });
        });
        it("rds-backup-retention-prod flags fewer than 7 days of backups", async () => {
            const bad = prodDb("bad", { backupRetentionPeriod: 3 });
            const v = await expectViolations("rds-backup-retention-prod", [bad], [bad], { environment: "prod" });
            assert.match(v[0].message, /keeps backups 3 day\(s\)/);
        });
        it("rds-multi-az-prod flags a single-AZ prod instance", async () => {
            const bad = prodDb("bad", { multiAz: false });
            await expectViolations("rds-multi-az-prod", [bad], [bad], { environment: "prod" });
        });
        it("rds-final-snapshot-prod flags a skipped or unnamed final snapshot", async () => {
            const skipped = prodDb("skipped", { skipFinalSnapshot: true });
            const unnamed = prodDb("unnamed", { finalSnapshotIdentifier: undefined });
            await expectViolations("rds-final-snapshot-prod", [skipped, unnamed], [skipped, unnamed], { environment: "prod" });
        });
    });

    describe("rds-log-exports", () => {
        it("passes log exports and notes none", async () => {
            const ok = db("ok", { enabledCloudwatchLogsExports: ["postgresql"] });
            const bad = db("bad");
            await expectViolations("rds-log-exports", [ok, bad], [bad]);
        });
    });

    describe("rds-proxy-require-tls", () => {
        it("passes a proxy requiring TLS and flags one that doesn't", async () => {
            const ok = resource("aws:rds/proxy:Proxy", "ok", { engineFamily: "POSTGRESQL", roleArn: "r", vpcSubnetIds: [], requireTls: true });
            const bad = resource("aws:rds/proxy:Proxy", "bad", { engineFamily: "POSTGRESQL", roleArn: "r", vpcSubnetIds: [] });
            await expectViolations("rds-proxy-require-tls", [ok, bad], [bad]);
        });
    });

    describe("rds-proxy-role-reads-its-secret", () => {
        const key = resource("aws:kms/key:Key", "key", { enableKeyRotation: true }, { id: "1111-2222", outputs: { arn: KEY_ARN, keyId: "1111-2222" } });
        const instance = db("db", { masterUserSecretKmsKeyId: KEY_ARN });
        instance.outputs = { masterUserSecrets: [{ secretArn: SECRET_ARN, kmsKeyId: KEY_ARN }] };
        const role = (name: string) =>
            resource(
                "aws:iam/role:Role",
                name,
                { assumeRolePolicy: policyDoc({ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "rds.amazonaws.com" } }) },
                { outputs: { arn: `arn:aws:iam::123456789012:role/${name}`, name } },
            );
        const proxyFor = (r: ReturnType<typeof role>) =>
            resource("aws:rds/proxy:Proxy", `proxy-${r.name}`, {
                engineFamily: "POSTGRESQL",
                requireTls: true,
                vpcSubnetIds: [],
                roleArn: r.outputs.arn,
                auths: [{ authScheme: "SECRETS", secretArn: SECRET_ARN, iamAuth: "REQUIRED" }],
            });

        it("passes a role that reads the secret and decrypts it through Secrets Manager", async () => {
            const r = role("good");
            const grant = resource("aws:iam/rolePolicy:RolePolicy", "good-policy", {
                role: "good",
                policy: policyDoc(
                    { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: SECRET_ARN },
                    {
                        Effect: "Allow",
                        Action: "kms:Decrypt",
                        Resource: KEY_ARN,
                        Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
                    },
                ),
            });
            await expectViolations("rds-proxy-role-reads-its-secret", [key, instance, r, grant, proxyFor(r)], []);
        });
        it("flags a role granted another secret, and one that can't decrypt the secret's key", async () => {
            const wrong = role("wrong");
            const wrongGrant = resource("aws:iam/rolePolicy:RolePolicy", "wrong-policy", {
                role: "wrong",
                policy: policyDoc(
                    { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:us-east-1:123456789012:secret:other-*" },
                    { Effect: "Allow", Action: "kms:Decrypt", Resource: KEY_ARN },
                ),
            });
            const noKms = role("no-kms");
            const noKmsGrant = resource("aws:iam/rolePolicy:RolePolicy", "no-kms-policy", {
                role: "no-kms",
                policy: policyDoc({
                    Effect: "Allow",
                    Action: "secretsmanager:GetSecretValue",
                    Resource: "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-*",
                }),
            });
            const badProxy = proxyFor(wrong);
            const noKmsProxy = proxyFor(noKms);
            const v = await expectViolations(
                "rds-proxy-role-reads-its-secret",
                [key, instance, wrong, wrongGrant, noKms, noKmsGrant, badProxy, noKmsProxy],
                [badProxy, noKmsProxy],
            );
            assert.match(v.find((x) => x.urn === badProxy.urn)!.message, /can't read secret/);
            assert.match(v.find((x) => x.urn === noKmsProxy.urn)!.message, /can't decrypt secret/);
        });
        it("doesn't call a grant missing when an AWS-managed policy it can't read is attached", async () => {
            const r = role("managed");
            const attachment = resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "managed-attach", {
                role: "managed",
                policyArn: "arn:aws:iam::aws:policy/SecretsManagerReadWrite",
            });
            await expectViolations("rds-proxy-role-reads-its-secret", [key, instance, r, attachment, proxyFor(r)], []);
        });
    });

    describe("rds-proxy-has-target", () => {
        it("passes a proxy with a target and notes one without", async () => {
            const ok = resource("aws:rds/proxy:Proxy", "ok", { name: "ok", engineFamily: "POSTGRESQL", roleArn: "r", vpcSubnetIds: [] }, { id: "ok" });
            const target = resource("aws:rds/proxyTarget:ProxyTarget", "target", { dbProxyName: "ok", targetGroupName: "default", dbInstanceIdentifier: "db" });
            const bad = resource("aws:rds/proxy:Proxy", "bad", { name: "bad", engineFamily: "POSTGRESQL", roleArn: "r", vpcSubnetIds: [] }, { id: "bad" });
            await expectViolations("rds-proxy-has-target", [ok, target, bad], [bad]);
        });
    });
});
