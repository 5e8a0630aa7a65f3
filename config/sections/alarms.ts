import { z } from "zod";
import type { ProfileDefaults } from "../common";

/** `platform:alarms`: where CloudWatch alarms notify. */
export const schema = z.strictObject({
    emails: z
        .array(z.email({ message: "must be an email address" }))
        .describe("Email addresses subscribed to the alarm topic (each confirms the subscription once)."),
    topicArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/, { message: "must be an SNS topic ARN" })
        .optional()
        .describe("An existing SNS topic ARN to notify instead of creating one."),
});
export type AlarmsConfig = z.infer<typeof schema>;

export const defaults: ProfileDefaults<AlarmsConfig> = {
    dev: { emails: [] },
    prod: { emails: [] },
};
