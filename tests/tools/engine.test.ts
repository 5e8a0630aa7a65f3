import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { drainRegistrations, recordRegistrations, type PlannedResource } from "../../tools/engine";

/** The value and secretness an Output resolves to, read through the SDK's public API. */
function settle<T>(o: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
    return new Promise((resolve) => pulumi.all([o, pulumi.isSecret(o)]).apply(([value, secret]) => resolve({ value: value as T, secret })));
}

class Thing extends pulumi.CustomResource {
    constructor(name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        super("test:index:Thing", name, props, opts);
    }
}

describe("the engine's answer to a registration", () => {
    it("echoes inputs as state (secrets stay secret), carries computed values of any kind, and records both", async () => {
        await pulumi.runtime.setMocks(
            {
                newResource: (args) => ({
                    id: "thing-1",
                    state: { ...args.inputs, arn: "arn:test:thing-1", script: new pulumi.asset.StringAsset("print(1)"), count: args.inputs.size * 2 },
                }),
                call: () => ({}),
            },
            "project",
            "stack",
            false,
        );
        const resources: PlannedResource[] = [];
        recordRegistrations(resources);
        let outputs: Record<string, pulumi.Output<any>> = {};
        await pulumi.runtime.runInPulumiStack(async () => {
            const thing = new Thing("thing", { size: 3, password: pulumi.secret("hunter2"), arn: undefined, script: undefined, count: undefined });
            outputs = thing as unknown as Record<string, pulumi.Output<any>>;
            return {};
        });
        await drainRegistrations();

        assert.deepEqual(await settle(outputs.password), { value: "hunter2", secret: true });
        assert.deepEqual(await settle(outputs.arn), { value: "arn:test:thing-1", secret: false });
        assert.equal((await settle(outputs.count)).value, 6);
        const script = (await settle(outputs.script)).value as pulumi.asset.StringAsset;
        assert.ok(pulumi.asset.StringAsset.isInstance(script), "a computed asset arrives as an asset");
        assert.equal(await script.text, "print(1)");
        assert.deepEqual(await settle(outputs.id), { value: "thing-1", secret: false });

        const recorded = resources.find((r) => r.type === "test:index:Thing")!;
        assert.deepEqual(recorded.inputs, { password: "[secret]", size: 3 });
        assert.equal(recorded.id, "thing-1");
        assert.deepEqual(Object.keys(recorded.outputs), ["arn", "count", "script"], "inputs passed through are not outputs");
        assert.equal(recorded.outputs.arn, "arn:test:thing-1");
        assert.equal(recorded.urn, "urn:pulumi:stack::project::pulumi:pulumi:Stack$test:index:Thing::thing");
    });
});

describe("the engine's record of aliases", () => {
    it("resolves each alias (a spec or a URN) to the URN a diff matches the resource by", async () => {
        await pulumi.runtime.setMocks({ newResource: (args) => ({ id: `${args.name}-1`, state: args.inputs }), call: () => ({}) }, "project", "stack", false);
        const resources: PlannedResource[] = [];
        recordRegistrations(resources);
        await pulumi.runtime.runInPulumiStack(async () => {
            const parent = new pulumi.ComponentResource("test:index:Group", "group");
            new Thing(
                "moved",
                {},
                { parent, aliases: [{ name: "old-name" }, { parent: pulumi.rootStackResource }, "urn:pulumi:stack::project::test:index:Thing::literal"] },
            );
            return {};
        });
        await drainRegistrations();
        const moved = resources.find((r) => r.name === "moved")!;
        assert.deepEqual([...moved.options.aliases].sort(), [
            "urn:pulumi:stack::project::pulumi:pulumi:Stack$test:index:Thing::moved",
            "urn:pulumi:stack::project::test:index:Group$test:index:Thing::old-name",
            "urn:pulumi:stack::project::test:index:Thing::literal",
        ]);
    });
});
