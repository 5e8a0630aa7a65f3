import { z } from "zod";
import type { ProfileDefaults } from "../common";

/** `platform:delivery`: the CodePipeline that rolls this stack out. */
export const schema = z.strictObject({
    enabled: z.boolean().describe("Build the pipeline for this stack."),
    requireApproval: z.boolean().describe("Stop for a manual approval before deploying (always on in prod)."),
});
export type DeliveryConfig = z.infer<typeof schema>;

export const defaults: ProfileDefaults<DeliveryConfig> = {
    dev: { enabled: false, requireApproval: false },
    prod: { enabled: false, requireApproval: true },
};
