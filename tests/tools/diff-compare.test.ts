import { strict as assert } from "assert";
import * as aws from "@pulumi/aws";
import type { Plan, PlannedResource, ResourceOptions } from "../../tools/engine";
import { comparePlans, guard, type Change, type ReplacementTable } from "../../tools/diff/compare";
import { formatDiff } from "../../tools/diff/format";
import { STATEFUL_TYPES } from "../../tools/diff/stateful";
import { STATEFUL_TYPES as POLICY_STATEFUL_TYPES } from "../../policy/rules/stack-wide";

const STACK = "urn:pulumi:test::platform::pulumi:pulumi:Stack::platform-test";
const PROVIDER = "urn:pulumi:test::platform::pulumi:pulumi:Stack$pulumi:providers:aws::aws";
const TABLE: ReplacementTable = {
    types: {
        "aws:rds/instance:Instance": { replaces: ["identifier", "dbName"] },
        "aws:dynamodb/table:Table": { replaces: ["name", "hashKey", "replicas[].kmsKeyArn"] },
        "aws:emr/securityConfiguration:SecurityConfiguration": { replaces: ["*"] },
        "aws:iam/rolePolicy:RolePolicy": { replaces: ["role"] },
        "aws:sqs/queue:Queue": { replaces: ["name"] },
        "aws:kms/key:Key": { replaces: [] },
        "pulumi:providers:aws": { replaces: [] },
    },
};

function res(
    name: string,
    type: string,
    inputs: Record<string, unknown>,
    options: Partial<ResourceOptions> = {},
    extra: Partial<PlannedResource> = {},
): PlannedResource {
    const opts: ResourceOptions = {
        protect: false,
        retainOnDelete: false,
        deleteBeforeReplace: false,
        dependsOn: [],
        ignoreChanges: [],
        replaceOnChanges: [],
        additionalSecretOutputs: [],
        aliases: [],
        provider: PROVIDER,
        ...options,
    };
    return {
        urn: `urn:pulumi:test::platform::pulumi:pulumi:Stack$${type}::${name}`,
        type,
        name,
        parent: STACK,
        custom: true,
        remote: false,
        inputs,
        options: opts,
        outputs: {},
        dependencies: [],
        propertyDependencies: {},
        ...extra,
    };
}

function plan(...resources: PlannedResource[]): Plan {
    const root: PlannedResource = { ...res("platform-test", "pulumi:pulumi:Stack", {}), urn: STACK, parent: undefined, custom: false };
    const provider: PlannedResource = {
        ...res("aws", "pulumi:providers:aws", { region: "us-east-1" }),
        urn: PROVIDER,
        options: { ...res("x", "x", {}).options, provider: undefined },
    };
    return { stack: "test", project: "platform", profile: "prod", resources: [root, provider, ...resources], outputs: {}, warnings: [] };
}

const db = (inputs: Record<string, unknown> = {}, options: Partial<ResourceOptions> = {}) =>
    res("db", "aws:rds/instance:Instance", { identifier: "db-prod", dbName: "app", instanceClass: "db.r7g.large", ...inputs }, options);
const change = (before: Plan, after: Plan, name: string): Change => comparePlans(before, after, TABLE).changes.find((c) => c.name === name)!;

describe("comparing two plans", () => {
    it("the table's finer rules: a block added or removed replaces (not a change inside it); conditional and newer inputs may replace", () => {
        const table: ReplacementTable = {
            types: {
                "aws:rds/instance:Instance": {
                    replaces: ["dbName"],
                    replacesOnCount: ["restoreToPointInTime"],
                    conditional: ["engineVersion"],
                    unverified: ["databaseInsightsMode"],
                },
            },
        };
        const one = (before: Record<string, unknown>, after: Record<string, unknown>) =>
            comparePlans(plan(db(before)), plan(db(after)), table).changes.find((c) => c.name === "db")!;
        const added = one({}, { restoreToPointInTime: { sourceDbInstanceIdentifier: "old" } });
        assert.deepEqual([added.op, added.replaceReasons], ["replace", ["restoreToPointInTime"]]);
        const inside = one({ restoreToPointInTime: { sourceDbInstanceIdentifier: "a" } }, { restoreToPointInTime: { sourceDbInstanceIdentifier: "b" } });
        assert.deepEqual([inside.op, inside.mayReplace], ["update", false]);
        for (const [before, after] of [
            [{ engineVersion: "16" }, { engineVersion: "17" }],
            [{}, { databaseInsightsMode: "advanced" }],
        ]) {
            const c = one(before, after);
            assert.deepEqual([c.op, c.mayReplace], ["update", true], JSON.stringify(after));
        }
        const plain = one({}, { instanceClass: "db.r7g.xlarge" });
        assert.deepEqual([plain.op, plain.mayReplace], ["update", false]);
    });

    it("an unchanged plan has no changes", () => {
        const r = comparePlans(plan(db()), plan(db()), TABLE);
        assert.deepEqual(r.summary, { create: 0, update: 0, replace: 0, delete: 0, same: 3 });
    });

    it("a change at a path the table lists replaces (with that path as the reason); any other is an in-place update", () => {
        const renamed = change(plan(db()), plan(db({ dbName: "orders" })), "db");
        assert.equal(renamed.op, "replace");
        assert.deepEqual(renamed.replaceReasons, ["dbName"]);
        const resized = change(plan(db()), plan(db({ instanceClass: "db.r7g.xlarge" })), "db");
        assert.equal(resized.op, "update");
        assert.deepEqual(resized.diffs, ["instanceClass"]);
        assert.deepEqual(resized.details, [{ path: "instanceClass", old: "db.r7g.large", new: "db.r7g.xlarge" }]);
    });

    it("matches table paths by prefix, any list index for [], and * for every change", () => {
        const table = (replicas: unknown[]) => res("t", "aws:dynamodb/table:Table", { name: "t", hashKey: "pk", replicas });
        const added = change(plan(table([{ regionName: "us-west-2" }])), plan(table([{ regionName: "us-west-2" }, { regionName: "eu-west-1" }])), "t");
        assert.equal(added.op, "update");
        assert.deepEqual(added.diffs, ["replicas[1].regionName"]);
        const rekeyed = change(plan(table([{ regionName: "us-west-2", kmsKeyArn: "a" }])), plan(table([{ regionName: "us-west-2", kmsKeyArn: "b" }])), "t");
        assert.deepEqual([rekeyed.op, rekeyed.replaceReasons], ["replace", ["replicas[0].kmsKeyArn"]]);
        const sec = (json: string) => res("s", "aws:emr/securityConfiguration:SecurityConfiguration", { configuration: json });
        assert.equal(change(plan(sec("{}")), plan(sec('{"a":1}')), "s").op, "replace");
        // `name` does not cover `namePrefix`.
        const q = (inputs: Record<string, unknown>) => res("q", "aws:sqs/queue:Queue", inputs);
        assert.equal(change(plan(q({ namePrefix: "a" })), plan(q({ namePrefix: "b" })), "q").op, "update");
    });

    it("a type missing from the table may replace: an update flagged mayReplace, never a plain update", () => {
        const topic = (displayName: string) => res("topic", "aws:sns/topic:Topic", { displayName });
        const c = change(plan(topic("a")), plan(topic("b")), "topic");
        assert.equal(c.op, "update");
        assert.equal(c.mayReplace, true);
        assert.match(
            formatDiff(comparePlans(plan(topic("a")), plan(topic("b")), TABLE), "h"),
            /aws:sns\/topic:Topic topic \(update\) {2}\[MAY REPLACE: type not in the replacement table\]/,
        );
    });

    it("a changed URN is a delete and a create, unless the new resource has an alias to the old URN", () => {
        const moved = res("db-2", "aws:rds/instance:Instance", db().inputs);
        const r = comparePlans(plan(db()), plan(moved), TABLE);
        assert.deepEqual(
            r.changes.filter((c) => c.op !== "same").map((c) => [c.op, c.name]),
            [
                ["create", "db-2"],
                ["delete", "db"],
            ],
        );
        const aliased = res("db-2", "aws:rds/instance:Instance", db().inputs, { aliases: [db().urn] });
        const a = comparePlans(plan(db()), plan(aliased), TABLE);
        assert.deepEqual(a.summary, { create: 0, update: 0, replace: 0, delete: 0, same: 3 });
        assert.equal(a.changes.find((c) => c.name === "db-2")!.oldUrn, db().urn);
    });

    it("ignoreChanges hides a change beneath its path; replaceOnChanges forces a replacement", () => {
        assert.equal(change(plan(db()), plan(db({ instanceClass: "db.r7g.xlarge" }, { ignoreChanges: ["instanceClass"] })), "db").op, "same");
        const tags = (v: string, options: Partial<ResourceOptions>) => db({ tags: { "team.name": v } }, options);
        assert.equal(change(plan(tags("a", {})), plan(tags("b", { ignoreChanges: ['tags["team.name"]'] })), "db").op, "same");
        const forced = change(plan(db()), plan(db({ instanceClass: "db.r7g.xlarge" }, { replaceOnChanges: ["instanceClass"] })), "db");
        assert.deepEqual([forced.op, forced.replaceReasons], ["replace", ["instanceClass"]]);
    });

    it("notes delete-before-replace", () => {
        const r = comparePlans(plan(db()), plan(db({ dbName: "orders" }, { deleteBeforeReplace: true })), TABLE);
        assert.equal(r.changes.find((c) => c.name === "db")!.deleteBeforeReplace, true);
        assert.match(formatDiff(r, "h"), /\+- +aws:rds\/instance:Instance db \(replace\) {2}\[delete-before-replace\]/);
    });

    it("replacing or deleting a resource protected before and after is an error, as Pulumi refuses it; unprotecting in the same change is allowed", () => {
        const p = { protect: true };
        assert.match(change(plan(db({}, p)), plan(db({ dbName: "orders" }, p)), "db").error ?? "", /refuses to replace .*db: it is protected/);
        assert.equal(change(plan(db({}, p)), plan(db({ dbName: "orders" })), "db").error, undefined);
        assert.match(change(plan(db({}, p)), plan(), "db").error ?? "", /refuses to delete/);
        assert.equal(change(plan(db({}, p)), plan(db({ instanceClass: "x" }, p)), "db").error, undefined, "an update of a protected resource is fine");
    });

    it("an input computed from a replaced resource is unknown, and replaces its consumer when the table says so", () => {
        const key = (desc: string) => res("key", "aws:kms/key:Key", { description: desc });
        const consumer = (before: boolean) =>
            res(
                "policy",
                "aws:iam/rolePolicy:RolePolicy",
                { role: "r", policy: "{}" },
                {},
                { propertyDependencies: { role: [], policy: [before ? "" : "urn:pulumi:test::platform::pulumi:pulumi:Stack$aws:sqs/queue:Queue::q"] } },
            );
        const q = (name: string) => res("q", "aws:sqs/queue:Queue", { name });
        const r = comparePlans(plan(key("a"), q("a"), consumer(true)), plan(key("a"), q("b"), consumer(false)), TABLE);
        const c = r.changes.find((x) => x.name === "policy")!;
        assert.deepEqual([c.op, c.diffs], ["update", ["policy"]]);
        assert.equal(c.details[0].new, "[unknown]");
        assert.equal(c.details[0].computedFrom, r.changes.find((x) => x.name === "q")!.urn);
        const roleFromQueue = res(
            "policy",
            "aws:iam/rolePolicy:RolePolicy",
            { role: "r", policy: "{}" },
            {},
            { propertyDependencies: { role: ["urn:pulumi:test::platform::pulumi:pulumi:Stack$aws:sqs/queue:Queue::q"] } },
        );
        assert.deepEqual(change(plan(q("a"), roleFromQueue), plan(q("b"), roleFromQueue), "policy").replaceReasons, ["role"]);
    });

    describe("the guard", () => {
        const renamed = () => comparePlans(plan(db({}, { protect: true })), plan(db({ dbName: "orders" })), TABLE);

        it("holds a stateful replacement in a stack that protects resources, naming the properties that force it", () => {
            const { blocked } = guard(renamed(), []);
            assert.deepEqual(
                blocked.map((b) => [b.change.name, b.change.op, b.reasons]),
                [["db", "replace", ["dbName"]]],
            );
        });

        it("--allow-replace lets exactly that resource through, by name or URN", () => {
            assert.deepEqual(guard(renamed(), ["db"]).blocked, []);
            assert.deepEqual(guard(renamed(), [db().urn]).blocked, []);
            const other = guard(renamed(), ["db-2"]);
            assert.equal(other.blocked.length, 1);
            assert.deepEqual(other.unusedAllowances, ["db-2"]);
        });

        it("holds deletes and may-replace updates of stateful types too, and nothing where no resource is protected", () => {
            const bucket = (v: string) => res("b", "aws:s3/bucket:Bucket", { forceDestroy: v }, { protect: true });
            assert.deepEqual(
                guard(comparePlans(plan(bucket("a")), plan(bucket("b")), TABLE), []).blocked.map((b) => b.reasons),
                [["may replace: its type is missing from the replacement table"]],
            );
            assert.deepEqual(
                guard(comparePlans(plan(db({}, { protect: true })), plan(), TABLE), []).blocked.map((b) => b.reasons),
                [[]],
            );
            const unprotected = comparePlans(plan(db()), plan(db({ dbName: "orders" })), TABLE);
            assert.equal(unprotected.protects, false);
            assert.deepEqual(guard(unprotected, []).blocked, []);
        });
    });

    it("counts as stateful every type the policy pack protects", () => {
        const token = (cls: unknown) => (cls as { __pulumiType: string }).__pulumiType;
        for (const cls of POLICY_STATEFUL_TYPES) assert.ok(STATEFUL_TYPES.has(token(cls)), token(cls));
        for (const cls of [aws.sqs.Queue, aws.cloudwatch.LogGroup, aws.cognito.UserPool, aws.secretsmanager.Secret])
            assert.ok(STATEFUL_TYPES.has(token(cls)), token(cls));
    });
});
