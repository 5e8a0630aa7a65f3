import { z } from "zod";
import { logRetentionDays, parseCidr, type ProfileDefaults } from "../common";

const subnetMask = z.int().min(16).max(28);

/** `platform:network`: the VPC and its three subnet tiers. */
export const schema = z
    .strictObject({
        cidr: z.string().refine((c) => parseCidr(c) !== undefined, { message: "must be an IPv4 CIDR block with no host bits set, such as 10.0.0.0/16" }).describe("The VPC's IPv4 CIDR block; AWS allows prefixes /16 to /28."),
        azCount: z.int().min(1).max(6).describe("How many availability zones the subnets span."),
        natGateways: z.enum(["single", "onePerAz"]).describe("NAT gateways for the private (app) tier: one shared gateway, or one per AZ for AZ independence."),
        subnetMasks: z.strictObject({
            public: subnetMask.describe("Prefix length of each public subnet (load balancers, NAT gateways)."),
            private: subnetMask.describe("Prefix length of each private subnet (the app fleet, Lambdas; egress through NAT)."),
            isolated: subnetMask.describe("Prefix length of each isolated subnet (data stores; no internet route)."),
        }).describe("Prefix length of each tier's subnet in every AZ."),
        flowLogs: z.strictObject({
            retentionDays: logRetentionDays.describe("Days flow log records are kept."),
            trafficType: z.enum(["ALL", "ACCEPT", "REJECT"]).describe("Which flows are logged: rejected only (cheap), accepted only, or all."),
        }).describe("VPC flow logs to CloudWatch Logs."),
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
        // Subnets are powers of two; placed largest first they pack without gaps, so the sum must fit.
        const needed = net.azCount * Object.values(net.subnetMasks).reduce((sum, m) => sum + 2 ** (32 - m), 0);
        const available = 2 ** (32 - vpc.prefix);
        if (needed > available) {
            ctx.addIssue({
                code: "custom",
                path: ["cidr"],
                input: net.cidr,
                message: `is too small: ${net.azCount} AZs x (public /${net.subnetMasks.public} + private /${net.subnetMasks.private} + isolated /${net.subnetMasks.isolated}) need ${needed} addresses, the block has ${available}`,
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
