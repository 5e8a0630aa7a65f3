import { strict as assert } from "assert";
import { ConfigError, validateConfig } from "../../config";

// The required keys: the owner tag, the certificate prod's HTTPS load balancer needs (dev may do
// without), CloudFront's certificate and aliases (which prod needs, and which the load balancer's
// certificate implies), and the TLS certificates zip of prod's EMR cluster (dev runs EMR Serverless).
const base = {
    "aws:region": "us-east-1",
    "platform:tags": JSON.stringify({ owner: "team-a" }),
    "platform:web": JSON.stringify({ certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0f3c8a52-7d1e-4b6a-9c2e-5a8d4e1b7f60" }),
    "platform:edge": JSON.stringify({
        certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/6b1d2e7a-93c4-4f0e-8a55-2c7e9d3f1a08",
        aliases: ["www.example.com"],
    }),
    "platform:analytics": JSON.stringify({ emr: { cluster: { tlsCertificatesS3Uri: "s3://pki-bucket/emr/certs.zip" } } }),
};

function problems(raw: Record<string, string>, stack = "dev"): string[] {
    try {
        validateConfig(raw, stack);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
        return err.problems;
    }
    return [];
}

function withSection(stack: string, section: string, value: unknown, profile = stack): Record<string, string> {
    return { ...base, "platform:profile": profile, [`platform:${section}`]: JSON.stringify(value) };
}

describe("config schema", () => {
    it("accepts the dev and prod profiles with only the required keys", () => {
        const dev = validateConfig({ ...base, "platform:profile": "dev" }, "dev");
        assert.equal(dev.network.natGateways, "single");
        assert.deepEqual(dev.tags, { owner: "team-a", environment: "dev", project: "platform" });
        const prod = validateConfig({ ...base, "platform:profile": "prod" }, "prod");
        assert.equal(prod.network.natGateways, "onePerAz");
        assert.equal(prod.database.multiAz, true);
    });

    it("lets a stack override one nested key and keeps the profile's others", () => {
        const cfg = validateConfig(withSection("dev", "network", { flowLogs: { retentionDays: 30 } }), "dev");
        assert.equal(cfg.network.flowLogs.retentionDays, 30);
        assert.equal(cfg.network.flowLogs.trafficType, "REJECT");
        assert.equal(cfg.network.azCount, 2);
    });

    it("a new stack must name its profile", () => {
        const p = problems({ ...base }, "staging");
        assert.deepEqual(p, ['platform:profile: is required for stack "staging" (the profile it starts from); must be one of dev, prod']);
        assert.deepEqual(problems({ ...base, "platform:profile": "qa" }, "staging"), ['platform:profile: "qa" must be one of dev, prod']);
        assert.equal(validateConfig({ ...base, "platform:profile": "prod" }, "staging").profile, "prod");
    });

    it("rejects maxSize below minSize, naming key, value and bound", () => {
        const p = problems(withSection("dev", "web", { minSize: 2, desiredCapacity: 2, maxSize: 1 }));
        assert.ok(p.includes("platform:web.maxSize: 1 is below minSize 2"), p.join("\n"));
    });

    it("rejects desiredCapacity outside min..max", () => {
        const p = problems(withSection("dev", "web", { minSize: 1, desiredCapacity: 5, maxSize: 2 }));
        assert.ok(p.includes("platform:web.desiredCapacity: 5 must be between minSize 1 and maxSize 2"), p.join("\n"));
    });

    it("names a misspelt key and suggests the right one", () => {
        const p = problems(withSection("dev", "web", { maxSzie: 4 }));
        assert.equal(p.length, 1);
        assert.match(p[0], /^platform:web\.maxSzie: unknown key \(did you mean "maxSize"\?\); allowed keys: .*maxSize/);
    });

    it("names an unknown top-level key", () => {
        const p = problems({ ...base, "platform:profile": "dev", "platform:netwrok": "{}" });
        assert.equal(p.length, 1);
        assert.match(p[0], /^platform:netwrok: unknown key \(did you mean "network"\?\)/);
    });

    it("reports every problem at once, across sections", () => {
        const raw = {
            ...withSection("dev", "web", { maxSize: 0 }),
            "platform:cache": JSON.stringify({ nodeType: "t4g.micro" }),
            "platform:network": JSON.stringify({ natGateways: "some" }),
        };
        const p = problems(raw);
        assert.ok(
            p.some((x) => x.startsWith("platform:web.maxSize: 0 is below the minimum 1")),
            p.join("\n"),
        );
        assert.ok(
            p.some((x) => x.startsWith('platform:cache.nodeType: "t4g.micro" must be a cache node type')),
            p.join("\n"),
        );
        assert.ok(
            p.some((x) => x === 'platform:network.natGateways: "some" must be one of "single", "onePerAz"'),
            p.join("\n"),
        );
    });

    it("rejects a wrong type with what is expected", () => {
        const p = problems(withSection("dev", "network", { azCount: "three" }));
        assert.deepEqual(p, ['platform:network.azCount: "three" must be a number']);
    });

    it("requires aws:region and the owner tag", () => {
        const p = problems({ "platform:profile": "dev", "platform:tags": "{}" });
        assert.ok(p.includes("aws:region: is required (the home region, e.g. us-east-1)"), p.join("\n"));
        assert.ok(
            p.some((x) => x.startsWith("platform:tags.owner: is required")),
            p.join("\n"),
        );
    });

    it("keeps tags within what every tagged service accepts: 10 in all (S3 objects), IAM's value characters, no aws: prefix in any case", () => {
        const tags = (t: Record<string, string>) => problems({ ...base, "platform:profile": "dev", "platform:tags": JSON.stringify({ owner: "a", ...t }) });
        const seven = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`t${i}`, "x"]));
        assert.deepEqual(tags(seven), [], "owner + 7 + environment + project = 10");
        assert.deepEqual(tags({ ...seven, t7: "x" }), [
            "platform:tags: 9 has 9 tags; with the platform's own environment and project that is 11, above S3's 10 per object (every resource gets every tag)",
        ]);
        assert.deepEqual(tags({ team: "a<b>" }), [
            'platform:tags.team: "a<b>" has characters IAM refuses in a tag value (letters, digits, spaces and _.:/=+-@ only)',
        ]);
        assert.deepEqual(tags({ "AWS:cost": "x" }), [
            'platform:tags.AWS:cost: "AWS:cost" is not a valid tag key (1-128 letters, digits, spaces or _.:/=+-@, not starting with aws: in any case)',
        ]);
        assert.deepEqual(tags({ "cost-centre": "Ünïcode 42 / a+b=c @x" }), []);
    });

    it("takes an alarm topic only in the stack's region, where CloudWatch alarms can notify it", () => {
        const alarms = (topicArn: string) => problems({ ...base, "platform:profile": "dev", "platform:alarms": JSON.stringify({ emails: [], topicArn }) });
        assert.deepEqual(alarms("arn:aws:sns:us-east-1:123456789012:ops"), []);
        assert.deepEqual(alarms("arn:aws:sns:eu-west-1:123456789012:ops"), [
            'platform:alarms.topicArn: "arn:aws:sns:eu-west-1:123456789012:ops" is in eu-west-1, but the alarms are in us-east-1 (aws:region); CloudWatch alarm actions must name a topic in the alarm\'s region',
        ]);
    });

    it("reserves the environment and project tags", () => {
        const p = problems({ ...base, "platform:profile": "dev", "platform:tags": JSON.stringify({ owner: "a", environment: "x" }) });
        assert.deepEqual(p, ['platform:tags.environment: "x" is set by the platform itself; remove it']);
    });

    describe("network CIDR", () => {
        it("rejects an invalid CIDR", () => {
            for (const cidr of ["10.0.0.0/33", "300.0.0.0/16", "10.0.0.1/16", "ten"]) {
                const p = problems(withSection("dev", "network", { cidr }));
                assert.ok(
                    p.some((x) => x.startsWith(`platform:network.cidr: ${JSON.stringify(cidr)} must be an IPv4 CIDR block`)),
                    `${cidr}: ${p.join("\n")}`,
                );
            }
        });

        it("rejects a VPC too small for its subnets per AZ", () => {
            const p = problems(withSection("dev", "network", { cidr: "10.0.0.0/20" }));
            assert.ok(
                p.some((x) =>
                    /^platform:network\.cidr: "10\.0\.0\.0\/20" is too small: awsx gives each of the 2 AZs a \/21 block \(2048 addresses\), .* need 8448; a \/17 VPC or larger fits them$/.test(
                        x,
                    ),
                ),
                p.join("\n"),
            );
        });

        it("accepts a VPC exactly large enough", () => {
            // Each AZ's /20 block (4096): public /21 at 0, private /22 at 2048, isolated /22 at 3072, ending at 4096
            const cfg = validateConfig(withSection("dev", "network", { cidr: "10.0.0.0/19", subnetMasks: { public: 21, private: 22, isolated: 22 } }), "dev");
            assert.equal(cfg.network.cidr, "10.0.0.0/19");
        });

        it("requires at least 2 AZs (a DB subnet group spans two)", () => {
            const p = problems(withSection("dev", "network", { azCount: 1 }));
            assert.ok(
                p.some((x) => x.startsWith("platform:network.azCount: 1 is below 2")),
                p.join("\n"),
            );
        });
    });

    describe("prod rules", () => {
        it("demands Multi-AZ data stores", () => {
            const p = problems(
                { ...withSection("prod", "database", { multiAz: false }), "platform:cache": JSON.stringify({ multiAz: false, numCacheClusters: 1 }) },
                "prod",
            );
            assert.ok(p.includes("platform:database.multiAz: false must be true in prod (Multi-AZ data stores)"), p.join("\n"));
            assert.ok(p.includes("platform:cache.multiAz: false must be true in prod (Multi-AZ data stores)"), p.join("\n"));
        });

        it("demands at least 3 AZs", () => {
            const p = problems(withSection("prod", "network", { azCount: 2 }), "prod");
            assert.ok(p.includes("platform:network.azCount: 2 is below 3: prod spans at least 3 availability zones"), p.join("\n"));
        });

        it("demands deletion protection", () => {
            const p = problems(withSection("prod", "protection", { deletionProtection: false }), "prod");
            assert.deepEqual(p, ["platform:protection.deletionProtection: false must be true in prod: stateful resources are protected"]);
        });

        it("applies to any stack on the prod profile", () => {
            const p = problems(withSection("live", "protection", { protectResources: false }, "prod"), "live");
            assert.deepEqual(p, ["platform:protection.protectResources: false must be true in prod: stateful resources are protected"]);
        });
    });

    describe("global table replicas", () => {
        it("must differ from the home region", () => {
            const p = problems(withSection("dev", "globalTable", { replicaRegions: ["us-east-1"] }));
            assert.deepEqual(p, ['platform:globalTable.replicaRegions[0]: "us-east-1" is the home region (aws:region); replicas must be in other regions']);
        });

        it("must be distinct", () => {
            const p = problems(withSection("dev", "globalTable", { replicaRegions: ["us-west-2", "us-west-2"] }));
            assert.deepEqual(p, ['platform:globalTable.replicaRegions[1]: "us-west-2" is listed twice; replica regions must be distinct']);
        });

        it("must be region codes", () => {
            const p = problems(withSection("dev", "globalTable", { replicaRegions: ["mars-1"] }));
            assert.deepEqual(p, ['platform:globalTable.replicaRegions[0]: "mars-1" must be an AWS region code such as us-east-1']);
        });
    });

    it("checks log retention against the periods CloudWatch accepts", () => {
        const p = problems(withSection("dev", "network", { flowLogs: { retentionDays: 10 } }));
        assert.equal(p.length, 1);
        assert.match(p[0], /^platform:network\.flowLogs\.retentionDays: 10 must be one of the CloudWatch Logs retention periods: 1, 3, 5, 7, 14/);
    });
});
