import { z } from "zod";
import { autoSubnetLayout } from "../../lib/subnet-layout";
import { logRetentionDays, parseCidr, type ProfileDefaults } from "../common";

const subnetMask = z.int().min(16).max(28);

/** `platform:network`: the VPC and its three subnet tiers. */
export const schema = z
    .strictObject({
        cidr: z
            .string()
            .refine((c) => parseCidr(c) !== undefined, { message: "must be an IPv4 CIDR block with no host bits set, such as 10.0.0.0/16" })
            .describe("The VPC's IPv4 CIDR block; AWS allows prefixes /16 to /28."),
        azCount: z.int().min(1).max(6).describe("How many availability zones the subnets span."),
        natGateways: z.enum(["single", "onePerAz"]).describe("NAT gateways for the private (app) tier: one shared gateway, or one per AZ for AZ independence."),
        subnetMasks: z
            .strictObject({
                public: subnetMask.describe("Prefix length of each public subnet (load balancers, NAT gateways)."),
                private: subnetMask.describe("Prefix length of each private subnet (the app fleet, Lambdas; egress through NAT)."),
                isolated: subnetMask.describe("Prefix length of each isolated subnet (data stores; no internet route)."),
            })
            .describe("Prefix length of each tier's subnet in every AZ."),
        flowLogs: z
            .strictObject({
                retentionDays: logRetentionDays.describe("Days flow log records are kept."),
                trafficType: z.enum(["ALL", "ACCEPT", "REJECT"]).describe("Which flows are logged: rejected only (cheap), accepted only, or all."),
            })
            .describe("VPC flow logs to CloudWatch Logs."),
    })
    .superRefine((net, ctx) => {
        const vpc = parseCidr(net.cidr);
        if (!vpc) return;
        if (vpc.prefix < 16 || vpc.prefix > 28) {
            ctx.addIssue({ code: "custom", path: ["cidr"], input: net.cidr, message: "must have a prefix length between /16 and /28 (the VPC limits)" });
            return;
        }
        for (const [tier, mask] of Object.entries(net.subnetMasks)) {
            if (mask <= vpc.prefix) {
                ctx.addIssue({ code: "custom", path: ["subnetMasks", tier], input: mask, message: `must be longer than the VPC prefix /${vpc.prefix}` });
            }
        }
        // awsx's Auto strategy (components/network.ts) gives each AZ an equal block of the VPC, one of
        // 2^ceil(log2(azCount)), and lays the AZ's subnets out in spec order (public, private, isolated),
        // each aligned to its own size. Subnets that reach past the block are refused by awsx (their sizes
        // exceed the block, or they overlap the next AZ's) or by AWS (outside the VPC).
        const masks = [net.subnetMasks.public, net.subnetMasks.private, net.subnetMasks.isolated];
        const layout = autoSubnetLayout(vpc.base, vpc.prefix, net.azCount, masks);
        if (layout.end > layout.azSize) {
            // The longest VPC prefix (the smallest VPC) whose per-AZ blocks hold this layout.
            const fittingPrefix = 32 - Math.ceil(Math.log2(layout.end)) - (layout.azPrefix - vpc.prefix);
            ctx.addIssue({
                code: "custom",
                path: ["cidr"],
                input: net.cidr,
                message:
                    `is too small: awsx gives each of the ${net.azCount} AZs a /${layout.azPrefix} block (${layout.azSize} addresses), ` +
                    `and public /${masks[0]}, private /${masks[1]} and isolated /${masks[2]}, in that order and each aligned to its size, need ${layout.end}; ` +
                    (fittingPrefix >= 16
                        ? `a /${fittingPrefix} VPC or larger fits them`
                        : "not even a /16 VPC (the largest) fits them, so use smaller subnets or fewer AZs"),
            });
        }
    });
export type NetworkConfig = z.infer<typeof schema>;

export const defaults: ProfileDefaults<NetworkConfig> = {
    dev: {
        cidr: "10.10.0.0/16",
        azCount: 2,
        natGateways: "single",
        subnetMasks: { public: 24, private: 20, isolated: 24 },
        flowLogs: { retentionDays: 14, trafficType: "REJECT" },
    },
    prod: {
        cidr: "10.20.0.0/16",
        azCount: 3,
        natGateways: "onePerAz",
        subnetMasks: { public: 24, private: 20, isolated: 24 },
        flowLogs: { retentionDays: 365, trafficType: "ALL" },
    },
};
