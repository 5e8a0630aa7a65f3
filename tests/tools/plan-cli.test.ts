import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { cli, planOf, stackFile, scratchDir } from "../helpers/plan";

describe("npm run plan", () => {
    it("prints the component tree, counts, outputs, warnings and policy results for dev", () => {
        const r = cli(["plan", "--stack", "dev"]);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^Offline plan for stack "dev" \(profile dev\): \d+ resources in \d+ components/);
        assert.match(r.stdout, /\n {2}pulumi:pulumi:Stack platform-dev\n {4}/);
        assert.match(r.stdout, /\n {4}platform:network:Network network\n {6}/);
        assert.match(r.stdout, /awsx expands to 2 AZs, subnets 2 public \/ 2 private \/ 2 isolated, 1 NAT gateway\(s\)/);
        assert.match(r.stdout, /Resources by type:\n {2}aws:/);
        assert.match(r.stdout, /Outputs:\n(.|\n)*vpcId: vpc-[0-9a-f]{17}/);
        assert.match(r.stdout, /\nWarnings: /);
        assert.match(r.stdout, /\nPolicies: 0 mandatory/);
    });

    it("--json prints the graph per the contract", () => {
        const plan = planOf("prod");
        assert.equal(plan.stack, "prod");
        assert.ok(plan.resources.length > 5);
        for (const r of plan.resources) {
            assert.ok(r.urn.startsWith("urn:pulumi:prod::platform::"), r.urn);
            for (const key of ["type", "name", "inputs", "options"] as const) assert.ok(key in r, `${r.urn} lacks ${key}`);
            assert.equal(typeof r.options.protect, "boolean");
            assert.ok(Array.isArray(r.options.dependsOn) && Array.isArray(r.options.ignoreChanges));
        }
        const stackResource = plan.resources.find((r) => r.type === "pulumi:pulumi:Stack")!;
        assert.equal(stackResource.parent, undefined);
        assert.ok(plan.resources.filter((r) => r !== stackResource).every((r) => typeof r.parent === "string"));
        assert.equal(typeof plan.outputs.vpcId, "string");
    });

    it("exits 1 on an impossible value, naming key and value, and prints no plan", () => {
        const file = stackFile(
            [
                "config:",
                "  aws:region: us-east-1",
                "  platform:profile: dev",
                "  platform:tags: {owner: me}",
                "  platform:web: {minSize: 3, desiredCapacity: 3, maxSize: 2}",
            ].join("\n"),
        );
        const r = cli(["plan", "--stack", "dev", "--stack-file", file]);
        assert.equal(r.status, 1);
        assert.equal(r.stdout, "");
        assert.match(r.stderr, /invalid config; nothing was planned/);
        assert.match(r.stderr, /platform:web\.maxSize: 2 is below minSize 3/);
    });

    it("exits 1 on a misspelt key, naming it", () => {
        const file = stackFile(
            ["config:", "  aws:region: us-east-1", "  platform:profile: dev", "  platform:tags: {owner: me}", "  platform:network: {azCuont: 2}"].join("\n"),
        );
        const r = cli(["plan", "--stack", "dev", "--stack-file", file, "--json"]);
        assert.equal(r.status, 1);
        assert.equal(r.stdout, "");
        assert.match(r.stderr, /platform:network\.azCuont: unknown key \(did you mean "azCount"\?\)/);
    });

    it("exits 1 for a stack with no settings file", () => {
        const r = cli(["plan", "--stack", "nosuchstack"]);
        assert.equal(r.status, 1);
        assert.match(r.stderr, /Pulumi\.nosuchstack\.yaml does not exist/);
    });

    it("exits 1 when a declared key without default is missing, as the CLI would", () => {
        const file = stackFile(["config:", "  aws:region: us-east-1", "  platform:tags: {owner: me}"].join("\n"));
        const r = cli(["plan", "--stack", "dev", "--stack-file", file]);
        assert.equal(r.status, 1);
        assert.match(r.stderr, /missing configuration value 'platform:profile'/);
    });
});

describe("npm run policy", () => {
    it("passes a saved compliant plan and fails one with a mandatory violation", () => {
        const dir = fs.mkdtempSync(path.join(scratchDir(), "platform-policy-"));
        const plan = JSON.parse(JSON.stringify(planOf("dev")));
        const good = path.join(dir, "good.json");
        fs.writeFileSync(good, JSON.stringify(plan));
        const ok = cli(["policy", good]);
        assert.equal(ok.status, 0, ok.stdout + ok.stderr);
        assert.match(ok.stdout, /0 mandatory/);

        const key = plan.resources.find((r: any) => r.type === "aws:kms/key:Key");
        key.inputs.enableKeyRotation = false;
        const bad = path.join(dir, "bad.json");
        fs.writeFileSync(bad, JSON.stringify(plan));
        const r = cli(["policy", bad]);
        assert.equal(r.status, 1);
        assert.ok(r.stdout.split("\n").includes(`mandatory kms-key-rotation ${key.urn}: has enableKeyRotation off`), r.stdout);
    });

    describe("refuses malformed input with one line per problem and exit 1, never a stack trace", () => {
        const dir = fs.mkdtempSync(path.join(scratchDir(), "platform-policy-"));
        const write = (name: string, body: unknown) => {
            const file = path.join(dir, name);
            fs.writeFileSync(file, typeof body === "string" ? body : JSON.stringify(body));
            return file;
        };
        const refused = (args: string[], ...expected: RegExp[]) => {
            const r = cli(args);
            assert.equal(r.status, 1, r.stdout + r.stderr);
            assert.doesNotMatch(r.stderr, /\n\s+at /, "a stack trace");
            for (const e of expected) assert.match(r.stderr, e);
        };
        const resource = (extra: Record<string, unknown>) => ({
            urn: "urn:pulumi:x::platform::aws:s3/bucket:Bucket::b",
            type: "aws:s3/bucket:Bucket",
            name: "b",
            inputs: {},
            ...extra,
        });

        it("a file that is not a plan, or not JSON, or not there", () => {
            refused(
                ["policy", write("empty.json", {})],
                /empty\.json is not a plan/,
                /stack is missing; expected a string/,
                /resources is missing; expected a list/,
            );
            refused(["policy", write("text.json", "[1,")], /cannot read plan .*text\.json/);
            refused(["policy", path.join(dir, "absent.json")], /cannot read plan .*absent\.json: ENOENT/);
        });
        it("a resource without inputs, or whose options or dependencies have the wrong type, named by index and URN", () => {
            refused(
                ["policy", write("no-inputs.json", { stack: "x", resources: [resource({ inputs: undefined })] })],
                /resource 0 \(urn:pulumi:x::platform::aws:s3\/bucket:Bucket::b\): inputs is missing; expected an object/,
            );
            refused(
                ["policy", write("options.json", { stack: "x", resources: [resource({}), resource({ options: "protect" })] })],
                /resource 1 \(urn:[^)]+\): options is a string; expected an object/,
            );
            refused(
                ["policy", write("deps.json", { stack: "x", resources: [resource({ dependencies: "b" })] })],
                /resource 0 \(urn:[^)]+\): dependencies is a string; expected a list/,
            );
        });
        it("a plan whose resources lack the optional fields still runs, with their defaults", () => {
            const r = cli(["policy", write("minimal.json", { stack: "x", resources: [resource({})] })]);
            assert.ok(r.status === 0 || r.status === 1, r.stderr);
            assert.match(r.stdout, /policies on 1 resources of stack "x"/);
        });
        it("plan: a missing option value, an unknown option, a missing stack file, an unknown stack", () => {
            refused(["plan", "--stack", "dev", "--stack-file"], /^error: Option '--stack-file <value>' argument missing\n$/);
            refused(["plan", "--stakc", "dev"], /^error: Unknown option '--stakc'/);
            refused(["plan", "--stack", "dev", "--stack-file", path.join(dir, "nope.yaml")], /nope\.yaml does not exist/);
            refused(["plan", "--stack", "no-such-stack"], /no settings for stack "no-such-stack"/);
        });
    });
});

describe("plan secrets", () => {
    it("never prints a secret: inputs from Pulumi secrets and outputs the provider marks secret show as [secret]", () => {
        const plan = planOf("dev");
        const passwords = plan.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword");
        assert.ok(passwords.length > 0);
        for (const p of passwords) assert.equal(p.outputs.result, "[secret]", p.urn);
        const cache = plan.resources.find((r) => r.type === "aws:elasticache/replicationGroup:ReplicationGroup")!;
        assert.equal(cache.inputs.authToken, "[secret]");
        assert.ok(!JSON.stringify(plan).includes("mock-"), "a mocked secret value leaked into the plan");
    });
});
