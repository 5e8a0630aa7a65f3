import { z } from "zod";
import type { ProfileDefaults } from "../common";

/** `platform:api`: API Gateway with a Cognito authorizer. */
export const schema = z
    .strictObject({
        throttleRateLimit: z.number().positive().describe("Steady-state requests per second for the stage."),
        throttleBurstLimit: z.int().positive().describe("Burst capacity for the stage."),
        mfa: z.enum(["OPTIONAL", "ON"]).describe("Cognito MFA: OPTIONAL lets users choose, ON requires it."),
    })
    .superRefine((api, ctx) => {
        if (api.throttleBurstLimit < api.throttleRateLimit) {
            ctx.addIssue({ code: "custom", path: ["throttleBurstLimit"], input: api.throttleBurstLimit, message: `is below throttleRateLimit ${api.throttleRateLimit}` });
        }
    });
export type ApiConfig = z.infer<typeof schema>;

export const defaults: ProfileDefaults<ApiConfig> = {
    dev: { throttleRateLimit: 50, throttleBurstLimit: 100, mfa: "OPTIONAL" },
    prod: { throttleRateLimit: 1000, throttleBurstLimit: 2000, mfa: "ON" },
};
