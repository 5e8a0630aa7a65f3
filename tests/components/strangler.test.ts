import { strict as assert } from "assert";
import * as path from "path";
import { StranglerRouting, type StranglerRoutingArgs } from "../../components/strangler";
import type { Plan } from "../../tools/engine";
import { render } from "../helpers/component";

const FIXTURE = path.join(__dirname, "..", "fixtures", "echo-handler.ts");
const LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/abc/def";
const LEGACY = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/0123456789abcdef";

function args(overrides: Partial<StranglerRoutingArgs> = {}): StranglerRoutingArgs {
    return {
        migratedPaths: [],
        newServiceWeight: 0,
        stickinessSeconds: 0,
        listenerArn: LISTENER,
        legacyTargetGroupArn: LEGACY,
        newService: { entry: FIXTURE, description: "new", kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k", logRetentionDays: 14 },
        ...overrides,
    };
}

const rules = (plan: Plan) =>
    plan.resources.filter((r) => r.type === "aws:lb/listenerRule:ListenerRule").sort((a, b) => Number(a.inputs.priority) - Number(b.inputs.priority));

describe("StranglerRouting component", () => {
    it("nothing migrated: the new service exists behind its target group, and no rule routes to it", async () => {
        const plan = await render(() => new StranglerRouting("s", args()));
        assert.deepEqual(rules(plan), []);
        const [tg] = plan.resources.filter((r) => r.type === "aws:lb/targetGroup:TargetGroup");
        assert.equal(tg.inputs.targetType, "lambda");
        const [attachment] = plan.resources.filter((r) => r.type === "aws:lb/targetGroupAttachment:TargetGroupAttachment");
        const [permission] = plan.resources.filter((r) => r.type === "aws:lambda/permission:Permission");
        assert.ok(attachment.options.dependsOn.includes(permission.urn), "ELB may invoke the function before it registers it");
    });

    it("packs migrated paths into rules the ALB accepts, in config order, each forwarding to the new service", async () => {
        const paths = ["/a/*", "/b/*", "/c/*", "/d/*", "/e/*"];
        const plan = await render(() => new StranglerRouting("s", args({ migratedPaths: paths })));
        const [tg] = plan.resources.filter((r) => r.type === "aws:lb/targetGroup:TargetGroup");
        const summary = rules(plan).map((r) => [
            r.inputs.priority,
            (r.inputs.conditions as any[])[0].pathPattern.values,
            (r.inputs.actions as any[])[0].targetGroupArn,
        ]);
        assert.deepEqual(summary, [
            [100, ["/a/*", "/b/*", "/c/*", "/d/*"], tg.outputs.arn],
            [101, ["/e/*"], tg.outputs.arn],
        ]);
        for (const r of rules(plan)) assert.equal((r.inputs.conditions as any[]).length, 1, "no origin header on its own");
    });

    it("behind CloudFront every rule also requires the origin header; a weight adds a split of every other path", async () => {
        const originHeader = { name: "X-Origin-Verify", value: "s3cr3t" };
        const plan = await render(() => new StranglerRouting("s", args({ migratedPaths: ["/items/*"], newServiceWeight: 10, originHeader })));
        const [tg] = plan.resources.filter((r) => r.type === "aws:lb/targetGroup:TargetGroup");
        for (const r of rules(plan))
            assert.deepEqual((r.inputs.conditions as any[])[1], { httpHeader: { httpHeaderName: "X-Origin-Verify", values: ["s3cr3t"] } });
        const weighted = rules(plan).find((r) => r.name === "s-weighted")!;
        assert.equal(weighted.inputs.priority, 49999, "after every path rule, before the catch-all");
        assert.deepEqual((weighted.inputs.conditions as any[])[0], { pathPattern: { values: ["/*"] } });
        assert.deepEqual((weighted.inputs.actions as any[])[0].forward, {
            targetGroups: [
                { arn: LEGACY, weight: 90 },
                { arn: tg.outputs.arn, weight: 10 },
            ],
            stickiness: { enabled: false, duration: 1 },
        });
    });
});
