import { z } from "zod";
import type { ProfileDefaults } from "../common";

/** `platform:events`: EventBridge, SNS/SQS fan-out and their Lambda consumers. */
export const schema = z.strictObject({
    archiveRetentionDays: z.int().min(0).max(3650).describe("Days the EventBridge archive keeps events for replay (0 keeps them forever)."),
    maxReceiveCount: z.int().min(1).max(1000).describe("Deliveries before a message moves to its dead-letter queue."),
});
export type EventsConfig = z.infer<typeof schema>;

export const defaults: ProfileDefaults<EventsConfig> = {
    dev: { archiveRetentionDays: 7, maxReceiveCount: 3 },
    prod: { archiveRetentionDays: 90, maxReceiveCount: 5 },
};
