import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { committedPlan, COMMITTED_PLANS, PROJECT_DIR } from "../helpers/plan";

interface Entry {
    replaces: string[];
    replacesOnCount?: string[];
    conditional?: string[];
    unverified?: string[];
}
interface Table {
    source: Record<string, unknown>;
    manual: { type: string; source: string; reason: string }[];
    types: Record<string, Entry>;
}

const table = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "tools", "diff", "replacements.json"), "utf8")) as Table;
function entry(type: string): Entry {
    const e = table.types[type];
    if (!e) throw new Error(`${type} is not in tools/diff/replacements.json`);
    return e;
}
const replaces = (type: string): string[] => entry(type).replaces;
function has(type: string, yes: string[], no: string[] = []): void {
    const r = replaces(type);
    for (const p of yes) assert.ok(r.includes(p), `${type}: a change of ${p} replaces`);
    for (const p of no) assert.ok(!r.includes(p), `${type}: a change of ${p} updates in place`);
}

describe("tools/diff/replacements.json (which input changes replace a resource)", () => {
    it("records its source and how to regenerate it", () => {
        assert.equal(table.source.provider, "hashicorp/terraform-provider-aws");
        assert.equal(table.source.pulumiAws, "7.48.0");
        assert.match(String(table.source.version), /\S/);
        assert.notEqual(table.source.version, "unknown");
        assert.match(String(table.source.generatedBy), /^node tools\/diff\/generate-replacements\.js /);
    });

    for (const key of Object.keys(COMMITTED_PLANS)) {
        it(`covers every resource type in the committed ${key} plan`, () => {
            const types = [...new Set(committedPlan(key).resources.map((r) => r.type))];
            const missing = types.filter((t) => !table.types[t]);
            assert.deepEqual(missing, [], "regenerate: node tools/diff/generate-replacements.js <provider checkout>");
        });
    }

    it("uses @pulumi/aws input names, not Terraform's", () => {
        const src = fs.readFileSync(path.join(PROJECT_DIR, "node_modules", "@pulumi", "aws", "rds", "instance.d.ts"), "utf8");
        const args = src.slice(src.indexOf("export interface InstanceArgs {"));
        for (const p of replaces("aws:rds/instance:Instance")) {
            assert.match(args, new RegExp(`\\n    ${p.split(/[.[]/)[0]}\\??: `), p);
        }
        has("aws:sns/topicSubscription:TopicSubscription", ["topic"]); // TF topic_arn
        has("aws:cloudwatch/metricAlarm:MetricAlarm", ["name"]); // TF alarm_name
    });

    it("matches the provider on known facts", () => {
        has(
            "aws:rds/instance:Instance",
            ["dbName", "engine", "kmsKeyId", "storageEncrypted", "username"],
            ["instanceClass", "identifier", "allocatedStorage", "engineVersion", "multiAz"],
        );
        has("aws:dynamodb/table:Table", ["hashKey", "name", "rangeKey"], ["billingMode"]);
        assert.ok(!replaces("aws:dynamodb/table:Table").some((p) => p.startsWith("replicas")), "replica changes update the table in place");
        has("aws:kms/alias:Alias", ["name"], ["targetKeyId"]);
        has("aws:kms/key:Key", ["keyUsage"], ["description", "policy"]);
        has("aws:iam/role:Role", ["name", "path"], ["assumeRolePolicy"]);
        has("aws:iam/rolePolicy:RolePolicy", ["name", "role"], ["policy"]);
        has("aws:s3/bucket:Bucket", ["bucket"], ["forceDestroy"]);
        has("aws:lambda/function:Function", ["name"], ["runtime", "memorySize"]);
        has("aws:elasticache/replicationGroup:ReplicationGroup", ["replicationGroupId", "atRestEncryptionEnabled", "kmsKeyId"], ["nodeType"]);
        assert.deepEqual(replaces("aws:emr/securityConfiguration:SecurityConfiguration"), ["*"]);
        // Moving a regional resource to another region replaces it (TF AWS v6); IAM is global.
        has("aws:sqs/queue:Queue", ["region"]);
        has("aws:iam/role:Role", [], ["region"]);
    });

    it("tells a block whose count replaces from a block whose every change replaces", () => {
        // SDKv2 ForceNew on a nested block applies to its element count: resizing the EMR core group is in place.
        const emr = entry("aws:emr/cluster:Cluster");
        assert.ok(emr.replacesOnCount?.includes("coreInstanceGroup"));
        has("aws:emr/cluster:Cluster", ["coreInstanceGroup.instanceType"], ["coreInstanceGroup", "coreInstanceGroup.instanceCount"]);
    });

    it("models the awsx VPC, the provider, random and the components", () => {
        has("awsx:ec2:Vpc", ["cidrBlock", "numberOfAvailabilityZones", "availabilityZoneNames", "subnetSpecs", "subnetStrategy"]);
        assert.deepEqual(replaces("pulumi:providers:aws"), ["region"]);
        assert.deepEqual(replaces("platform:database:Database"), []);
        has("random:index/randomPassword:RandomPassword", ["length", "special", "keepers"]);
    });

    it("names the source of every hand-read type", () => {
        for (const m of table.manual) {
            assert.ok(table.types[m.type], m.type);
            assert.match(m.source, /@[0-9a-f]{40}$/);
        }
    });
});
