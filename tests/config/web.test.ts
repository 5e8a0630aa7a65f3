import { strict as assert } from "assert";
import { ConfigError, validateConfig } from "../../config";
import { defaults, schema } from "../../config/sections/web";

const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f3c8a52-7d1e-4b6a-9c2e-5a8d4e1b7f60";
const base = { "aws:region": "us-east-1", "platform:tags": JSON.stringify({ owner: "team-a" }) };

function problems(profile: "dev" | "prod", web?: unknown, region = "us-east-1"): string[] {
    const raw: Record<string, string> = { ...base, "aws:region": region, "platform:profile": profile };
    if (web !== undefined) raw["platform:web"] = JSON.stringify(web);
    try {
        validateConfig(raw, profile);
    } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        return err.problems.filter((p) => p.startsWith("platform:web."));
    }
    return [];
}

describe("config: web", () => {
    it("dev may serve plain HTTP without a certificate", () => {
        assert.deepEqual(problems("dev"), []);
    });

    it("prod requires a certificate, naming platform:web.certificateArn", () => {
        assert.deepEqual(problems("prod"), [
            "platform:web.certificateArn: is required in prod: the load balancer serves HTTPS only (plain HTTP is allowed in dev, and only without a certificate)",
        ]);
        assert.deepEqual(problems("prod", { certificateArn: CERT }), []);
    });

    it("the certificate must be in the load balancer's region", () => {
        const p = problems("dev", { certificateArn: CERT }, "eu-west-1");
        assert.equal(p.length, 1);
        assert.match(
            p[0],
            /^platform:web\.certificateArn: "arn:aws:acm:us-east-1:\S+ is in us-east-1, but the load balancer is in eu-west-1 \(aws:region\); ACM certificates for an ALB must be in its region$/,
        );
    });

    it("rejects a certificateArn that is not an ACM certificate", () => {
        const p = problems("dev", { certificateArn: "arn:aws:iam::123456789012:server-certificate/x" });
        assert.equal(p.length, 1);
        assert.match(p[0], /^platform:web\.certificateArn: "arn:aws:iam::123456789012:server-certificate\/x" must be an ACM certificate ARN/);
    });

    it("every Spot instance type shares the AMI's architecture and appears once", () => {
        const spot = (instanceTypes: string[]) => ({ spot: { enabled: true, onDemandBaseCapacity: 0, onDemandPercentageAboveBase: 0, instanceTypes } });
        assert.deepEqual(problems("dev", spot(["t4g.medium", "c7g.large"])), []);
        assert.deepEqual(problems("dev", spot(["m7i.large", "t4g.small"])), [
            `platform:web.spot.instanceTypes[0]: "m7i.large" is x86_64, but the fleet's AMI is arm64; every type must share the launch template's architecture`,
            `platform:web.spot.instanceTypes[1]: "t4g.small" is listed twice (instanceType counts too); each instance type may appear once`,
        ]);
    });

    it("the architecture matches the instance type", () => {
        assert.deepEqual(problems("dev", { instanceType: "m7i.large" }), [
            'platform:web.architecture: "arm64" does not match instance type m7i.large (x86_64)',
        ]);
        assert.deepEqual(problems("dev", { instanceType: "m7i.large", architecture: "x86_64" }), []);
        // a1, the first Graviton family, has no "g" suffix.
        assert.deepEqual(problems("dev", { instanceType: "a1.large" }), []);
        assert.deepEqual(problems("dev", { instanceType: "a1.large", architecture: "x86_64" }), [
            'platform:web.architecture: "x86_64" does not match instance type a1.large (arm64)',
        ]);
    });

    it("slow start is 0 or 30-900 seconds, and the grace period and warm-up are bounded", () => {
        assert.match(problems("dev", { slowStartSeconds: 10 })[0], /^platform:web\.slowStartSeconds: 10 must be 0 or between 30 and 900/);
        assert.match(problems("dev", { healthCheckGracePeriodSeconds: -1 })[0], /^platform:web\.healthCheckGracePeriodSeconds: -1 /);
        assert.match(problems("dev", { instanceWarmupSeconds: 3601 })[0], /^platform:web\.instanceWarmupSeconds: 3601 /);
    });

    it("profiles: dev is one small on-demand instance, prod at least three with Spot above an on-demand base", () => {
        // The section's own profiles, each valid against its schema (other sections' rules aside).
        const dev = schema.parse(defaults.dev);
        assert.deepEqual(
            [dev.instanceType, dev.minSize, dev.desiredCapacity, dev.maxSize, dev.spot.enabled, dev.detailedMonitoring],
            ["t4g.small", 1, 1, 2, false, false],
        );
        const prod = schema.parse(defaults.prod);
        assert.ok(prod.minSize >= 3);
        assert.equal(prod.spot.enabled, true);
        assert.ok(prod.spot.onDemandBaseCapacity >= prod.minSize, "the minimum fleet stays on demand");
        assert.ok(prod.minHealthyPercent >= 90);
        assert.equal(prod.detailedMonitoring, true);
    });
});

describe("config: web.runtime", () => {
    const parsed = (profile: "dev" | "prod", web: object) => schema.parse({ ...defaults[profile], ...web });

    it("defaults to asg in both profiles", () => {
        assert.equal(defaults.dev.runtime, "asg");
        assert.equal(defaults.prod.runtime, "asg");
    });

    it("beanstalk takes Immutable deployments in prod, RollingWithAdditionalBatch in dev, minor managed updates and the Node.js 22 AL2023 pattern", () => {
        const prod = parsed("prod", { runtime: "beanstalk" }).beanstalk;
        assert.equal(prod.deploymentPolicy, "Immutable");
        assert.equal(parsed("dev", { runtime: "beanstalk" }).beanstalk.deploymentPolicy, "RollingWithAdditionalBatch");
        assert.equal(prod.updateLevel, "minor");
        assert.ok(new RegExp(prod.solutionStackPattern).test("64bit Amazon Linux 2023 v6.6.2 running Node.js 22"));
        assert.ok(!new RegExp(prod.solutionStackPattern).test("64bit Amazon Linux 2023 v6.6.2 running Node.js 20"));
    });

    it("refuses a Beanstalk setting under asg, naming the key and the runtime it belongs to", () => {
        assert.deepEqual(problems("dev", { beanstalk: { updateLevel: "patch" } }), [
            'platform:web.beanstalk: {"updateLevel":"patch"} applies only to runtime beanstalk, but web.runtime is asg; remove it (or set web.runtime: beanstalk)',
        ]);
    });

    it("refuses Auto Scaling-only settings (instance refresh, spot, target tracking) under beanstalk, but not profile defaults", () => {
        assert.deepEqual(problems("dev", { runtime: "beanstalk" }), []);
        assert.deepEqual(problems("dev", { runtime: "beanstalk", minHealthyPercent: 50, spot: { enabled: false } }), [
            "platform:web.minHealthyPercent: 50 applies only to runtime asg, but web.runtime is beanstalk; remove it (or set web.runtime: asg)",
            'platform:web.spot: {"enabled":false} applies only to runtime asg, but web.runtime is beanstalk; remove it (or set web.runtime: asg)',
        ]);
    });

    it("refuses AllAtOnce deployments, a malformed update window and a retention Elastic Beanstalk cannot stream with", () => {
        assert.match(
            problems("dev", { runtime: "beanstalk", beanstalk: { deploymentPolicy: "AllAtOnce" } })[0],
            /^platform:web\.beanstalk\.deploymentPolicy: "AllAtOnce" /,
        );
        assert.match(
            problems("dev", { runtime: "beanstalk", beanstalk: { updateWindow: "Sunday 3am" } })[0],
            /^platform:web\.beanstalk\.updateWindow: "Sunday 3am" must be a weekly UTC start time/,
        );
        assert.match(
            problems("dev", { runtime: "beanstalk", logRetentionDays: 1096 })[0],
            /^platform:web\.logRetentionDays: 1096 must be one Elastic Beanstalk streams logs with/,
        );
    });
});
