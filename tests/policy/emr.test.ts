import { strict as assert } from "assert";
import { expectViolations, resource } from "../helpers/policy";

const emrConfig = (encryption: Record<string, unknown>) => JSON.stringify({ EncryptionConfiguration: encryption });

describe("EMR policies", () => {
    describe("emr-security-configuration-encrypted", () => {
        it("passes at-rest (S3 and local disk) and in-transit encryption and flags gaps", async () => {
            const full = {
                EnableAtRestEncryption: true,
                EnableInTransitEncryption: true,
                AtRestEncryptionConfiguration: {
                    S3EncryptionConfiguration: { EncryptionMode: "SSE-KMS", AwsKmsKey: "k" },
                    LocalDiskEncryptionConfiguration: { EncryptionKeyProviderType: "AwsKms", AwsKmsKey: "k" },
                },
                InTransitEncryptionConfiguration: { TLSCertificateConfiguration: { CertificateProviderType: "PEM", S3Object: "s3://b/certs.zip" } },
            };
            const ok = resource("aws:emr/securityConfiguration:SecurityConfiguration", "ok", { configuration: emrConfig(full) });
            const noTransit = resource("aws:emr/securityConfiguration:SecurityConfiguration", "no-transit", {
                configuration: emrConfig({ ...full, EnableInTransitEncryption: false }),
            });
            const noDisk = resource("aws:emr/securityConfiguration:SecurityConfiguration", "no-disk", {
                configuration: emrConfig({ ...full, AtRestEncryptionConfiguration: { S3EncryptionConfiguration: { EncryptionMode: "SSE-S3" } } }),
            });
            await expectViolations("emr-security-configuration-encrypted", [ok, noTransit, noDisk], [noTransit, noDisk]);
        });
    });

    describe("emr-cluster-security-configuration", () => {
        it("passes a cluster with a security configuration and flags one without", async () => {
            const ok = resource("aws:emr/cluster:Cluster", "ok", { releaseLabel: "emr-7.5.0", serviceRole: "r", securityConfiguration: "sc" });
            const bad = resource("aws:emr/cluster:Cluster", "bad", { releaseLabel: "emr-7.5.0", serviceRole: "r" });
            await expectViolations("emr-cluster-security-configuration", [ok, bad], [bad]);
        });
    });

    describe("emr-instance-profile-named-as-role", () => {
        it("passes an instance profile named as its role and flags a cluster whose profile is named otherwise", async () => {
            const role = resource(
                "aws:iam/role:Role",
                "nodes",
                { name: "spark-nodes-1a2b3c4" },
                { outputs: { arn: "arn:aws:iam::123456789012:role/spark-nodes-1a2b3c4" } },
            );
            const profile = (name: string) =>
                resource(
                    "aws:iam/instanceProfile:InstanceProfile",
                    name,
                    { name, role: "spark-nodes-1a2b3c4" },
                    { outputs: { arn: `arn:aws:iam::123456789012:instance-profile/${name}` } },
                );
            const same = profile("spark-nodes-1a2b3c4");
            const other = profile("spark-profile-9f8e7d6");
            const cluster = (name: string, p: ReturnType<typeof profile>) =>
                resource("aws:emr/cluster:Cluster", name, {
                    releaseLabel: "emr-7.5.0",
                    serviceRole: "r",
                    securityConfiguration: "sc",
                    ec2Attributes: { instanceProfile: p.outputs.arn, subnetIds: ["subnet-1"] },
                });
            const ok = cluster("ok", same);
            const bad = cluster("bad", other);
            const v = await expectViolations("emr-instance-profile-named-as-role", [role, same, other, ok, bad], [bad]);
            assert.match(v[0].message, /instance profile spark-profile-9f8e7d6 for role spark-nodes-1a2b3c4/);
        });
    });

    describe("emr-cluster-logging-termination", () => {
        it("passes logs and idle termination and notes a cluster with neither", async () => {
            const ok = resource("aws:emr/cluster:Cluster", "ok", {
                releaseLabel: "emr-7.5.0",
                serviceRole: "r",
                logUri: "s3://logs/emr/",
                autoTerminationPolicy: { idleTimeout: 3600 },
            });
            const bad = resource("aws:emr/cluster:Cluster", "bad", { releaseLabel: "emr-7.5.0", serviceRole: "r" });
            await expectViolations("emr-cluster-logging-termination", [ok, bad], [bad]);
        });
    });

    describe("emr-managed-scaling-limits-valid", () => {
        it("passes consistent limits and flags an on-demand maximum above the overall maximum", async () => {
            const limits = (extra: Record<string, unknown>) => ({
                unitType: "InstanceFleetUnits",
                minimumCapacityUnits: 2,
                maximumCapacityUnits: 20,
                maximumCoreCapacityUnits: 2,
                maximumOndemandCapacityUnits: 2,
                ...extra,
            });
            const ok = resource("aws:emr/managedScalingPolicy:ManagedScalingPolicy", "ok", { clusterId: "j-1", computeLimits: [limits({})] });
            const bad = resource("aws:emr/managedScalingPolicy:ManagedScalingPolicy", "bad", {
                clusterId: "j-1",
                computeLimits: [limits({ maximumOndemandCapacityUnits: 40 })],
            });
            await expectViolations("emr-managed-scaling-limits-valid", [ok, bad], [bad]);
        });
    });

    describe("emr-spot-fleet-keeps-cluster", () => {
        it("passes a switch to on-demand and notes a fleet that would terminate the cluster", async () => {
            const spot = (timeoutAction: string) => ({
                spotSpecifications: [{ allocationStrategy: "price-capacity-optimized", timeoutAction, timeoutDurationMinutes: 10 }],
            });
            const ok = resource("aws:emr/instanceFleet:InstanceFleet", "ok", { clusterId: "j-1", launchSpecifications: spot("SWITCH_TO_ON_DEMAND") });
            const bad = resource("aws:emr/instanceFleet:InstanceFleet", "bad", { clusterId: "j-1", launchSpecifications: spot("TERMINATE_CLUSTER") });
            await expectViolations("emr-spot-fleet-keeps-cluster", [ok, bad], [bad]);
        });
    });

    describe("emr-serverless-bounded", () => {
        it("passes a capped application and notes an uncapped one", async () => {
            const ok = resource("aws:emrserverless/application:Application", "ok", {
                type: "spark",
                releaseLabel: "emr-7.5.0",
                maximumCapacity: { cpu: "16 vCPU", memory: "64 GB" },
                autoStopConfiguration: { enabled: true, idleTimeoutMinutes: 15 },
            });
            const bad = resource("aws:emrserverless/application:Application", "bad", { type: "spark", releaseLabel: "emr-7.5.0" });
            await expectViolations("emr-serverless-bounded", [ok, bad], [bad]);
        });
    });
});
