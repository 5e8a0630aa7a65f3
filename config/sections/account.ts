import { z } from "zod";
import type { ProfileDefaults } from "../common";

/** Lambda leaves at least this much of an account's concurrency unreserved, for functions without a reservation (PutFunctionConcurrency). */
export const LAMBDA_UNRESERVED_MINIMUM = 100;

/** `platform:account`: quotas of the AWS account and region the stack deploys to, which config validation holds the stack to. */
export const schema = z.strictObject({
    lambdaConcurrencyLimit: z
        .int()
        .min(1)
        .describe(
            `The account's Lambda concurrency quota in the stack's region (\`aws lambda get-account-settings\`: AccountLimit.ConcurrentExecutions, less what other stacks and functions there reserve). The functions' reservations must leave ${LAMBDA_UNRESERVED_MINIMUM} unreserved.`,
        ),
});
export type AccountConfig = z.infer<typeof schema>;

// 1000 is Lambda's usual default quota; new accounts may start far lower.
export const defaults: ProfileDefaults<AccountConfig> = {
    dev: { lambdaConcurrencyLimit: 1000 },
    prod: { lambdaConcurrencyLimit: 1000 },
};
