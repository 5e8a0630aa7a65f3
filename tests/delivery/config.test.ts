import * as path from "path";
import * as fs from "fs";
import { strict as assert } from "assert";
import { ConfigError } from "../../config";
import packageJson from "../../package.json";
import { describePlatformStack, validateDeliveryConfig, type TargetStack } from "../../delivery/config";
import { PROJECT_DIR, scratchDir } from "../helpers/plan";
import { COMMITTED, deliveryCli } from "./helpers";

const TARGETS: Record<string, TargetStack> = {
    dev: { profile: "dev", region: "us-east-1", replicaRegions: [], containerServices: [] },
    prod: { profile: "prod", region: "us-east-1", replicaRegions: ["us-west-2"], containerServices: [] },
    staging: { profile: "prod", region: "eu-west-1", replicaRegions: [], containerServices: [] },
};
const describe_ = (stack: string): TargetStack => {
    const t = TARGETS[stack];
    if (!t) throw new Error(`is not a platform stack: Pulumi.${stack}.yaml does not exist`);
    return t;
};

const CONNECTION = "arn:aws:codeconnections:us-east-1:123456789012:connection/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const base: Record<string, unknown> = {
    "aws:region": "us-east-1",
    "platform-delivery:tags": { owner: "team-a" },
    "platform-delivery:source": { type: "codestar", repository: "acme/platform", connectionArn: CONNECTION },
    "platform-delivery:state": { backend: "cloud", accessTokenSecret: "platform/pulumi-token" },
    "platform-delivery:pipelines": { dev: {}, prod: { tags: ["v*"] } },
};

/** Raw config as the CLI hands it over: every value a string, objects JSON-encoded. */
function raw(overrides: Record<string, unknown>): Record<string, string> {
    const merged = { ...base, ...overrides };
    return Object.fromEntries(
        Object.entries(merged)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
}

function problems(overrides: Record<string, unknown>): string[] {
    try {
        validateDeliveryConfig(raw(overrides), "delivery", describe_);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
        return err.problems;
    }
    return [];
}

describe("delivery config", () => {
    it("fills defaults: branch main, approval only for prod-profile stacks, deploy regions with replicas", () => {
        const cfg = validateDeliveryConfig(raw({}), "delivery", describe_);
        const [dev, prod] = cfg.pipelines;
        assert.deepEqual([dev.stack, dev.branch, dev.requireApproval, dev.deployRegions], ["dev", "main", false, ["us-east-1"]]);
        assert.deepEqual([prod.stack, prod.tags, prod.requireApproval, prod.deployRegions], ["prod", ["v*"], true, ["us-east-1", "us-west-2"]]);
        assert.equal(cfg.build.pulumiVersion, packageJson.dependencies["@pulumi/pulumi"]);
        assert.equal(cfg.build.nodeVersion, "26.12.1", "the current Node.js LTS");
        assert.deepEqual(cfg.tags, { owner: "team-a", environment: "delivery", project: "platform-delivery" });
    });

    it("builds images for exactly the target stack's container services, and refuses ARM64 ones (the image build is x86_64)", () => {
        const withServices =
            (architecture: "X86_64" | "ARM64") =>
            (stack: string): TargetStack => ({
                ...describe_(stack),
                containerServices:
                    stack === "dev"
                        ? [
                              { name: "catalog", architecture: "X86_64" },
                              { name: "inventory", architecture },
                          ]
                        : [],
            });
        const cfg = validateDeliveryConfig(raw({}), "delivery", withServices("X86_64"));
        assert.deepEqual(
            cfg.pipelines.map((p) => p.imageServices),
            [["catalog", "inventory"], []],
        );
        assert.throws(
            () => validateDeliveryConfig(raw({}), "delivery", withServices("ARM64")),
            (err: unknown) =>
                err instanceof ConfigError &&
                err.problems.some((p) => /^platform-delivery:pipelines\.dev: .*ARM64 container services \(inventory\).*X86_64 images only/.test(p)),
        );
    });

    it("names the key when the repository is missing", () => {
        assert.deepEqual(problems({ "platform-delivery:source": { type: "codestar", connectionArn: CONNECTION } }), [
            "platform-delivery:source.repository: is required: the repository the pipelines build, as owner/name (e.g. my-org/platform)",
        ]);
        assert.deepEqual(problems({ "platform-delivery:source": { type: "codecommit" } }), [
            "platform-delivery:source.repository: is required: the name of the CodeCommit repository the pipelines build",
        ]);
    });

    it("names the key when the connection is missing, and says how to get one", () => {
        const p = problems({ "platform-delivery:source": { type: "codestar", repository: "acme/platform" } });
        assert.equal(p.length, 1);
        assert.match(
            p[0],
            /^platform-delivery:source\.connectionArn: is required for a codestar source: the ARN of a CodeConnections connection .*, or set source\.createConnection to GitHub, GitLab, Bitbucket/,
        );
    });

    it("rejects a malformed connection ARN or repository, showing the value", () => {
        const p = problems({
            "platform-delivery:source": { type: "codestar", repository: "platform", connectionArn: "arn:aws:codebuild:us-east-1:123:project/x" },
        });
        assert.ok(
            p.some((x) =>
                x.startsWith('platform-delivery:source.connectionArn: "arn:aws:codebuild:us-east-1:123:project/x" must be a CodeConnections connection ARN'),
            ),
            p.join("\n"),
        );
        const q = problems({ "platform-delivery:source": { type: "codestar", repository: "platform", connectionArn: CONNECTION } });
        assert.deepEqual(q, ['platform-delivery:source.repository: "platform" must be owner/name (e.g. my-org/platform)']);
        assert.ok(
            problems({
                "platform-delivery:source": { type: "codestar", repository: "acme/platform", connectionArn: CONNECTION, createConnection: "GitHub" },
            })[0].startsWith("platform-delivery:source.createConnection:"),
        );
    });

    it("accepts both the codeconnections and the older codestar-connections ARN forms", () => {
        for (const arn of [CONNECTION, CONNECTION.replace("codeconnections", "codestar-connections")]) {
            assert.deepEqual(problems({ "platform-delivery:source": { type: "codestar", repository: "acme/platform", connectionArn: arn } }), []);
        }
    });

    it("keeps codestar-only settings out of a CodeCommit source", () => {
        const p = problems({ "platform-delivery:source": { type: "codecommit", repository: "platform", connectionArn: CONNECTION } });
        assert.equal(p.length, 1);
        assert.match(p[0], /^platform-delivery:source\.connectionArn: "arn:aws:codeconnections:.*applies only to source\.type "codestar"$/);
        const t = problems({ "platform-delivery:source": { type: "codecommit", repository: "platform" } });
        assert.deepEqual(t, [
            'platform-delivery:pipelines.prod.tags: ["v*"] needs a codestar source: V2 tag triggers exist only for CodeStarSourceConnection actions',
        ]);
    });

    it("requires the approval for every prod-profile stack", () => {
        const p = problems({ "platform-delivery:pipelines": { dev: {}, prod: { requireApproval: false } } });
        assert.deepEqual(p, [
            "platform-delivery:pipelines.prod.requireApproval: false must be true: stack prod uses the prod profile, whose deploys wait for a manual approval",
        ]);
        // The profile, not the name, decides: staging starts from prod.
        assert.equal(
            problems({ "platform-delivery:pipelines": { staging: { requireApproval: false } } })[0].split(":")[1],
            "pipelines.staging.requireApproval",
        );
        const cfg = validateDeliveryConfig(
            raw({ "platform-delivery:pipelines": { dev: { requireApproval: true, approvalEmails: ["lead@example.com"] } } }),
            "delivery",
            describe_,
        );
        assert.deepEqual([cfg.pipelines[0].requireApproval, cfg.pipelines[0].approvalEmails], [true, ["lead@example.com"]]);
        assert.match(
            problems({ "platform-delivery:pipelines": { dev: { approvalEmails: ["lead@example.com"] } } })[0],
            /^platform-delivery:pipelines\.dev\.approvalEmails: .* has no approval to announce/,
        );
    });

    it("requires each pipeline to name a platform stack that exists", () => {
        assert.deepEqual(problems({ "platform-delivery:pipelines": { qa: {} } }), [
            "platform-delivery:pipelines.qa: is not a platform stack: Pulumi.qa.yaml does not exist",
        ]);
        assert.match(
            problems({ "platform-delivery:pipelines": { Prod_EU: {} } })[0],
            /^platform-delivery:pipelines\.Prod_EU: "Prod_EU" must be a platform stack name of 1-24 lowercase letters/,
        );
        assert.match(problems({ "platform-delivery:pipelines": {} })[0], /^platform-delivery:pipelines: \{\} must name at least one platform stack/);
    });

    it("needs the token secret for Pulumi Cloud, by name or by complete ARN", () => {
        assert.match(
            problems({ "platform-delivery:state": { backend: "cloud" } })[0],
            /^platform-delivery:state\.accessTokenSecret: is required for the cloud backend/,
        );
        assert.match(
            problems({ "platform-delivery:state": { backend: "cloud", accessTokenSecret: "pulumi-token-AbC123" } })[0],
            /ends in a hyphen and six characters/,
        );
        assert.match(
            problems({ "platform-delivery:state": { backend: "cloud", accessTokenSecret: "arn:aws:secretsmanager:us-east-1:123456789012:secret:pulumi" } })[0],
            /must be a complete secret ARN/,
        );
        assert.deepEqual(
            problems({
                "platform-delivery:state": { backend: "cloud", accessTokenSecret: "arn:aws:secretsmanager:us-east-1:123456789012:secret:pulumi-AbC123" },
            }),
            [],
        );
        assert.match(
            problems({ "platform-delivery:state": { backend: "cloud", accessTokenSecret: "t", bucket: "my-state" } })[0],
            /^platform-delivery:state\.bucket: "my-state" applies only to state\.backend "s3"/,
        );
    });

    it("needs a bucket and a key ARN (not an alias) for the S3 backend", () => {
        const p = problems({ "platform-delivery:state": { backend: "s3" } });
        assert.deepEqual(
            p.map((x) => x.split(": ")[0]),
            ["platform-delivery:state.bucket", "platform-delivery:state.kmsKeyArn"],
        );
        const alias = problems({
            "platform-delivery:state": { backend: "s3", bucket: "my-state", kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:alias/pulumi" },
        });
        assert.match(alias[0], /^platform-delivery:state\.kmsKeyArn: ".*alias\/pulumi" must be a KMS key ARN .*not by alias/);
        assert.match(
            problems({ "platform-delivery:state": { backend: "s3", bucket: "My_State", kmsKeyArn: "x" } })[0],
            /^platform-delivery:state\.bucket: "My_State" must be an S3 bucket name/,
        );
        const ok = validateDeliveryConfig(
            raw({
                "platform-delivery:state": {
                    backend: "s3",
                    bucket: "my-state",
                    kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                },
            }),
            "delivery",
            describe_,
        );
        assert.equal(ok.state.bucketRegion, "us-east-1");
    });

    it("bounds build settings by what CodeBuild accepts", () => {
        // CodePipeline gives up on a CodeBuild action after 8 hours, whatever the build's own timeout.
        assert.match(
            problems({ "platform-delivery:build": { timeoutMinutes: { deploy: 600 } } })[0],
            /^platform-delivery:build\.timeoutMinutes\.deploy: 600 is above the maximum 480/,
        );
        assert.match(
            problems({ "platform-delivery:build": { logRetentionDays: 10 } })[0],
            /^platform-delivery:build\.logRetentionDays: 10 must be one of the CloudWatch Logs retention periods/,
        );
        assert.match(
            problems({ "platform-delivery:build": { image: "aws/codebuild/standard:4.0" } })[0],
            /^platform-delivery:build\.image: "aws\/codebuild\/standard:4\.0" must be one of/,
        );
        assert.match(
            problems({ "platform-delivery:build": { pulumiVersion: "latest" } })[0],
            /^platform-delivery:build\.pulumiVersion: "latest" must be a Pulumi CLI release/,
        );
        assert.match(
            problems({ "platform-delivery:build": { nodeVersion: "20" } })[0],
            /^platform-delivery:build\.nodeVersion: "20" must be a Node\.js release/,
        );
        assert.match(
            problems({ "platform-delivery:build": { nodeVersion: "20.18.3" } })[0],
            /^platform-delivery:build\.nodeVersion: "20\.18\.3" must be Node\.js 20\.19 or later/,
        );
        assert.deepEqual(problems({ "platform-delivery:build": { nodeVersion: "22.12.0" } }), []);
        assert.match(
            problems({ "platform-delivery:pipelines": { dev: { tags: ["a", "b", "c", "d", "e", "f", "g", "h", "i"] } } })[0],
            /^platform-delivery:pipelines\.dev\.tags: .* must have at most 8 item/,
        );
    });

    it("names unknown keys, and reports every problem at once", () => {
        const p = problems({
            "platform-delivery:pipeline": {},
            "platform-delivery:source": { type: "codestar" },
            "platform-delivery:state": { backend: "cloud" },
        });
        assert.ok(
            p.some((x) => /^platform-delivery:pipeline: unknown key \(did you mean "pipelines"\?\)/.test(x)),
            p.join("\n"),
        );
        assert.ok(p.some((x) => x.startsWith("platform-delivery:source.repository:")));
        assert.ok(p.some((x) => x.startsWith("platform-delivery:source.connectionArn:")));
        assert.ok(p.some((x) => x.startsWith("platform-delivery:state.accessTokenSecret:")));
    });

    it("reads a platform stack the way `pulumi up` in the platform project would", () => {
        const prod = describePlatformStack(PROJECT_DIR, "prod");
        assert.equal(prod.profile, "prod");
        assert.equal(prod.region, "us-east-1");
        assert.ok(prod.replicaRegions.length > 0);
        assert.throws(() => describePlatformStack(PROJECT_DIR, "nosuch"), /is not a platform stack: .*Pulumi\.nosuch\.yaml does not exist/);
    });

    it("refuses a pipeline for a stack without its reviewed replacement allowances (the Test build's --allow-replace-file)", () => {
        const dir = fs.mkdtempSync(path.join(scratchDir(), "platform-copy-"));
        for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml"]) fs.copyFileSync(path.join(PROJECT_DIR, f), path.join(dir, f));
        assert.throws(() => describePlatformStack(dir, "dev"), /has no delivery\/allow-replace\/dev\.txt: the Test build passes it to npm run diff/);
        fs.mkdirSync(path.join(dir, "delivery", "allow-replace"), { recursive: true });
        fs.writeFileSync(path.join(dir, "delivery", "allow-replace", "dev.txt"), "# none\n");
        assert.equal(describePlatformStack(dir, "dev").profile, "dev");
    });

    it("stops the offline plan with exit 1 and the key when the connection or repository is missing", () => {
        const r = deliveryCli({ ...COMMITTED, "platform-delivery:source": { type: "codestar" } });
        assert.equal(r.status, 1);
        assert.equal(r.stdout, "");
        assert.match(r.stderr, /invalid config; nothing was planned/);
        assert.match(r.stderr, /platform-delivery:source\.repository: is required/);
        assert.match(r.stderr, /platform-delivery:source\.connectionArn: is required for a codestar source/);
    });
});
