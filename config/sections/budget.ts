import { z } from "zod";
import type { ProfileDefaults } from "../common";

/**
 * `platform:budget`: a ceiling on the stack's estimated monthly cost (`npm run cost`). When the
 * estimate exceeds it, `npm run plan` and `npm run policy` fail, so the Test stage stops the
 * change before Preview. It bounds the estimate, not the bill: see docs/cost.md.
 */
export const schema = z.strictObject({
    monthlyUsd: z.number().positive().optional().describe("The most the stack may cost per month by the offline estimate, in USD; unset means no ceiling."),
});
export type BudgetConfig = z.infer<typeof schema>;

export const defaults: ProfileDefaults<BudgetConfig> = {
    dev: {},
    prod: {},
};
