import { strict as assert } from "assert";
import type { PlannedResource } from "../../tools/engine";
import { DURATIONS, durationOf, isCovered, QUICK } from "../../tools/insights/create-durations";
import { estimateCreateTime, planEstimates, simulateBounded } from "../../tools/insights/create-time";
import { parsePlan } from "../../tools/plan-schema";
import { committedPlan } from "../helpers/plan";

/** A planned resource for a crafted plan: custom unless said otherwise, of a made-up type. */
function res(
    name: string,
    opts: { deps?: string[]; custom?: boolean; remote?: boolean; parent?: string; type?: string; provider?: string; inputs?: Record<string, unknown> } = {},
): PlannedResource {
    return {
        urn: name,
        type: opts.type ?? "test:index:Thing",
        name,
        parent: opts.parent,
        custom: opts.custom ?? true,
        remote: opts.remote ?? false,
        inputs: opts.inputs ?? {},
        options: {
            protect: false,
            retainOnDelete: false,
            deleteBeforeReplace: false,
            dependsOn: [],
            ignoreChanges: [],
            replaceOnChanges: [],
            additionalSecretOutputs: [],
            aliases: [],
            provider: opts.provider,
        },
        outputs: {},
        dependencies: opts.deps ?? [],
        propertyDependencies: {},
    };
}

/** Minutes per crafted resource, by name. */
const minutes = (table: Record<string, number>) => ({ duration: (r: PlannedResource) => table[r.name] ?? 0 });

describe("create time: the scheduler", () => {
    it("adds up a chain", () => {
        const plan = { resources: [res("a"), res("b", { deps: ["a"] }), res("c", { deps: ["b"] })] };
        const e = estimateCreateTime(plan, minutes({ a: 2, b: 3, c: 1 }));
        assert.equal(e.minutes, 6);
        assert.deepEqual(e.criticalPath, ["a", "b", "c"]);
    });

    it("takes the longer branch of a diamond", () => {
        const plan = { resources: [res("a"), res("b", { deps: ["a"] }), res("c", { deps: ["a"] }), res("d", { deps: ["b", "c"] })] };
        const e = estimateCreateTime(plan, minutes({ a: 1, b: 5, c: 2, d: 1 }));
        assert.equal(e.minutes, 7);
        assert.deepEqual(e.criticalPath, ["a", "b", "d"]);
        assert.deepEqual(
            e.steps.map((s) => [s.start, s.finish]),
            [
                [0, 1],
                [1, 6],
                [6, 7],
            ],
        );
    });

    it("makes a dependency on a component wait for all of its descendants, nested components included", () => {
        const plan = {
            resources: [
                res("comp", { custom: false }),
                res("inner", { custom: false, parent: "comp" }),
                res("slow", { parent: "inner" }),
                res("fast", { parent: "comp" }),
                res("user", { deps: ["comp"] }),
            ],
        };
        const e = estimateCreateTime(plan, minutes({ slow: 10, fast: 1, user: 2, comp: 50, inner: 50 }));
        assert.equal(e.minutes, 12, "the user starts after the slowest descendant; the components' own minutes count for nothing");
        assert.deepEqual(e.criticalPath, ["slow", "user"]);
    });

    it("makes a dependency on a remote component wait for the component itself, which stands for its children", () => {
        const vpc = res("vpc", { custom: false, remote: true, type: "awsx:ec2:Vpc", inputs: { natGateways: { strategy: "Single" } } });
        const e = estimateCreateTime({ resources: [vpc, res("sg", { deps: ["vpc"] })] });
        assert.equal(e.minutes, DURATIONS["awsx:ec2:Vpc"].minutes + DURATIONS["awsx:ec2:Vpc#natGateway"].minutes + QUICK.minutes);
        assert.deepEqual(e.criticalPath, ["vpc", "sg"]);
    });

    it("waits for a custom parent and the provider, which take no time", () => {
        const plan = {
            resources: [res("aws", { type: "pulumi:providers:aws" }), res("parent", { provider: "aws" }), res("child", { parent: "parent" })],
        };
        const e = estimateCreateTime(plan, { duration: (r) => (r.name === "aws" ? 0 : durationOf(r).minutes + 1) });
        assert.equal(e.minutes, 2 * (QUICK.minutes + 1));
        assert.deepEqual(e.criticalPath, ["aws", "parent", "child"]);
    });

    it("bounds the creates running at once as --parallel does", () => {
        const plan = { resources: [res("a"), res("b"), res("c", { deps: ["a", "b"] })] };
        const table = minutes({ a: 5, b: 5, c: 1 });
        assert.equal(estimateCreateTime(plan, table).minutes, 6);
        assert.equal(simulateBounded(plan, 1, table), 11);
        assert.equal(simulateBounded(plan, 2, table), 6);
    });
});

describe("create time: the durations table", () => {
    it("gives providers and components no time, unknown types the quick default, and reads the inputs that change a create", () => {
        assert.equal(durationOf(res("p", { type: "pulumi:providers:aws" })).minutes, 0);
        assert.equal(durationOf(res("c", { custom: false, type: "platform:web:WebCluster" })).minutes, 0);
        assert.deepEqual(durationOf(res("x", { type: "aws:made/up:Thing" })), { minutes: QUICK.minutes, key: "quick" });
        assert.equal(isCovered("aws:made/up:Thing"), false);
        const rds = "aws:rds/instance:Instance";
        assert.ok(
            durationOf(res("db", { type: rds, inputs: { multiAz: true } })).minutes > durationOf(res("db", { type: rds, inputs: { multiAz: false } })).minutes,
        );
        const table = "aws:dynamodb/table:Table";
        assert.equal(
            durationOf(res("t", { type: table, inputs: { replicas: [{ regionName: "us-west-2" }] } })).minutes,
            DURATIONS[table].minutes + DURATIONS[`${table}#replica`].minutes,
        );
        const vpc = (strategy: string) =>
            durationOf(res("v", { custom: false, remote: true, type: "awsx:ec2:Vpc", inputs: { natGateways: { strategy } } })).minutes;
        assert.equal(vpc("None"), DURATIONS["awsx:ec2:Vpc"].minutes);
        assert.equal(vpc("OnePerAz"), vpc("Single"), "NAT gateways are created in parallel");
        assert.ok(vpc("Single") > vpc("None"));
        const lambda = "aws:lambda/function:Function";
        assert.equal(durationOf(res("f", { type: lambda, inputs: { vpcConfig: { subnetIds: ["subnet-1"] } } })).key, `${lambda}#vpc`);
    });

    it("states a source and the day read for every figure", () => {
        for (const [key, e] of Object.entries({ ...DURATIONS, quick: QUICK })) {
            assert.ok(e.minutes >= 0, key);
            // An estimate says what it rests on (the provider's waiter) and that no timing was published; every other figure names its URL.
            if (e.basis === "estimate") assert.ok(e.source.length > 40, key);
            else assert.match(e.source, /https?:\/\//, `${key} names no source URL`);
            assert.equal(e.read, "2026-12-05", key);
        }
    });

    for (const key of ["dev", "prod", "delivery", "prod-beanstalk"]) {
        it(`decides every resource type of the committed ${key} plan explicitly (a table entry or a named quick type)`, () => {
            const types = new Set(
                committedPlan(key)
                    .resources.filter((r) => r.custom || r.remote)
                    .map((r) => r.type),
            );
            const undecided = [...types].filter((t) => !isCovered(t));
            assert.deepEqual(undecided, [], "add each to tools/insights/create-durations.ts with a source, or to QUICK_TYPES");
        });
    }
});

describe("create time: the committed prod plan", () => {
    it("has a critical path from a resource that waits for nothing, each step waiting for the one before", () => {
        const plan = committedPlan("prod");
        const e = estimateCreateTime(plan);
        const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
        const [first, ...rest] = e.criticalPath.map((u) => byUrn.get(u)!);
        assert.deepEqual(first.dependencies, [], `${first.name} waits for something`);
        rest.forEach((r, i) => assert.ok(r.dependencies.includes(e.criticalPath[i]), `${r.name} does not wait for ${e.criticalPath[i]}`));
        assert.equal(e.steps.at(-1)!.finish, e.minutes);
        // The data tier decides prod's create: the Multi-AZ database, its proxy, then the fleet that waits for both.
        assert.deepEqual(
            e.steps.filter((s) => s.minutes >= 1).map((s) => s.type),
            ["awsx:ec2:Vpc", "aws:rds/instance:Instance", "aws:rds/proxy:Proxy", "aws:autoscaling/group:Group"],
        );
    });

    it("carries the estimates in the plan JSON, which the saved-plan schema keeps", () => {
        const plan = committedPlan("prod") as ReturnType<typeof committedPlan> & { estimates?: { createMinutes: number; criticalPath: string[] } };
        const { createMinutes, criticalPath } = plan.estimates ?? {};
        assert.deepEqual({ createMinutes, criticalPath }, planEstimates(plan));
        assert.ok(planEstimates(plan).createMinutes > 0);
        assert.deepEqual((parsePlan(plan) as unknown as { estimates: unknown }).estimates, plan.estimates);
    });
});
