import * as pulumi from "@pulumi/pulumi";
import { drainRegistrations, recordRegistrations, type Plan } from "../../tools/engine";
import { createMocks } from "../../tools/mocks";
import type { PlatformContext } from "../../components/context";
import type { Stateful } from "../../lib/stateful";

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

/** Stateful resources unprotected (dev) or protected on every count (prod). */
export const UNPROTECTED: Stateful = { protect: false, deletionProtection: false, finalSnapshot: false };
export const PROTECTED: Stateful = { protect: true, deletionProtection: true, finalSnapshot: true };

/** The environment a component test renders in: us-east-1, a test account, key and topic, unprotected. */
export function testContext(overrides: Partial<PlatformContext> = {}): PlatformContext {
    return {
        region: "us-east-1",
        accountId: "123456789012",
        kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-a444-555555555555",
        alarmTopicArn: "arn:aws:sns:us-east-1:123456789012:alarms",
        stateful: UNPROTECTED,
        ...overrides,
    };
}
