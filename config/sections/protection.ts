import { z } from "zod";
import type { ProfileDefaults } from "../common";

/** `platform:protection`: how hard stateful resources are to delete. */
export const schema = z.strictObject({
    protectResources: z.boolean().describe("Pulumi `protect` on every stateful resource: `pulumi destroy` and replacements stop."),
    deletionProtection: z.boolean().describe("AWS-side deletion protection on databases, tables and load balancers."),
    finalSnapshot: z.boolean().describe("Take a final snapshot when a database or cache is deleted."),
});
export type ProtectionConfig = z.infer<typeof schema>;

export const defaults: ProfileDefaults<ProtectionConfig> = {
    dev: { protectResources: false, deletionProtection: false, finalSnapshot: false },
    prod: { protectResources: true, deletionProtection: true, finalSnapshot: true },
};
