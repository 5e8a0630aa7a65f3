import * as pulumi from "@pulumi/pulumi";
import { drainRegistrations, recordRegistrations, type Plan } from "../../tools/engine";
import { createMocks } from "../../tools/mocks";

/**
 * Renders components in-process under the same mocks as the offline engine and returns what
 * they registered, for testing a component on its own. `build` runs inside a stack, as a
 * program does; each call starts from fresh mocks.
 */
export async function render(build: () => void, opts: { stack?: string; region?: string } = {}): Promise<Plan> {
    const stack = opts.stack ?? "test";
    const region = opts.region ?? "us-east-1";
    pulumi.runtime.setAllConfig({ "aws:region": region });
    await pulumi.runtime.setMocks(createMocks({ region, stack }), "platform", stack, false);
    const resources: Plan["resources"] = [];
    let outputs: Record<string, unknown> = {};
    recordRegistrations(resources, (o) => (outputs = o));
    await pulumi.runtime.runInPulumiStack(async () => {
        build();
        return {};
    });
    await drainRegistrations();
    return { stack, project: "platform", resources, outputs, warnings: [] };
}
