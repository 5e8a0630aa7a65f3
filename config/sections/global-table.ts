import { z } from "zod";
import { region, type ProfileDefaults } from "../common";

const capacity = (what: string) =>
    z
        .strictObject({
            min: z.int().min(1).max(40000).describe(`Fewest ${what} capacity units autoscaling keeps.`),
            max: z.int().min(1).max(40000).describe(`Most ${what} capacity units autoscaling may provision.`),
        })
        .describe(`Provisioned ${what} capacity bounds (used when billingMode is PROVISIONED).`);

/** `platform:globalTable`: the DynamoDB global table. */
export const schema = z
    .strictObject({
        replicaRegions: z.array(region).max(5).describe("Regions holding a replica, besides the home region."),
        billingMode: z.enum(["PAY_PER_REQUEST", "PROVISIONED"]).describe("On-demand, or provisioned capacity with autoscaling."),
        readCapacity: capacity("read"),
        writeCapacity: capacity("write"),
        targetUtilizationPercent: z
            .int()
            .min(20)
            .max(90)
            .describe("Autoscaling holds consumed capacity at this share of provisioned capacity (DynamoDB accepts 20-90)."),
        writeShards: z.int().min(1).max(100).describe("Write-sharding fan-out for hot partition keys (suffix 0..n-1)."),
        ttlAttribute: z
            .string()
            .regex(/^[A-Za-z_][\w.-]{0,254}$/, { message: "must be a DynamoDB attribute name" })
            .describe("Attribute holding the item's expiry time (epoch seconds)."),
    })
    .superRefine((t, ctx) => {
        for (const key of ["readCapacity", "writeCapacity"] as const) {
            if (t[key].max < t[key].min) ctx.addIssue({ code: "custom", path: [key, "max"], input: t[key].max, message: `is below ${key}.min ${t[key].min}` });
        }
        if (["pk", "sk"].includes(t.ttlAttribute)) {
            ctx.addIssue({
                code: "custom",
                path: ["ttlAttribute"],
                input: t.ttlAttribute,
                message: "is a key attribute (a string); TTL needs its own number attribute",
            });
        }
        // Replicas are created together with the table, before its write autoscaling can exist, and
        // DynamoDB refuses a replica of a provisioned table whose writes are not autoscaled
        // ("Table write capacity should either be Pay-Per-Request or AutoScaled").
        if (t.billingMode === "PROVISIONED" && t.replicaRegions.length > 0) {
            ctx.addIssue({
                code: "custom",
                path: ["billingMode"],
                input: t.billingMode,
                message:
                    "must be PAY_PER_REQUEST when replicaRegions is set (DynamoDB creates replicas only of on-demand or write-autoscaled tables, and the autoscaling cannot exist before the table)",
            });
        }
    });
export type GlobalTableConfig = z.infer<typeof schema>;

const capacityBounds = { readCapacity: { min: 5, max: 100 }, writeCapacity: { min: 5, max: 100 }, targetUtilizationPercent: 70 };

export const defaults: ProfileDefaults<GlobalTableConfig> = {
    dev: { replicaRegions: [], billingMode: "PAY_PER_REQUEST", ...capacityBounds, writeShards: 4, ttlAttribute: "expiresAt" },
    prod: { replicaRegions: ["us-west-2"], billingMode: "PAY_PER_REQUEST", ...capacityBounds, writeShards: 16, ttlAttribute: "expiresAt" },
};
