import { z } from "zod";
import { region, type ProfileDefaults } from "../common";

/** `platform:globalTable`: the DynamoDB global table. */
export const schema = z.strictObject({
    replicaRegions: z.array(region).max(5).describe("Regions holding a replica, besides the home region."),
    billingMode: z.enum(["PAY_PER_REQUEST", "PROVISIONED"]).describe("On-demand, or provisioned capacity with autoscaling."),
    writeShards: z.int().min(1).max(100).describe("Write-sharding fan-out for hot partition keys (suffix 0..n-1)."),
    ttlAttribute: z.string().regex(/^[A-Za-z_][\w.-]{0,254}$/, { message: "must be a DynamoDB attribute name" }).describe("Attribute holding the item's expiry time (epoch seconds)."),
});
export type GlobalTableConfig = z.infer<typeof schema>;

export const defaults: ProfileDefaults<GlobalTableConfig> = {
    dev: { replicaRegions: [], billingMode: "PAY_PER_REQUEST", writeShards: 4, ttlAttribute: "expiresAt" },
    prod: { replicaRegions: ["us-west-2"], billingMode: "PAY_PER_REQUEST", writeShards: 16, ttlAttribute: "expiresAt" },
};
