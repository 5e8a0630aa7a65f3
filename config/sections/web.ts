import { z } from "zod";
import { logRetentionDays, type ProfileDefaults } from "../common";

const instanceType = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { message: "must be an EC2 instance type such as t4g.small" });

/** `platform:web`: the ALB and the auto-scaling EC2 fleet behind it. */
export const schema = z
    .strictObject({
        instanceType: instanceType.describe("EC2 instance type of the fleet."),
        architecture: z.enum(["arm64", "x86_64"]).describe("CPU architecture of the AMI; must match the instance type (Graviton types are arm64)."),
        minSize: z.int().min(0).max(500).describe("Fewest instances the fleet scales in to."),
        desiredCapacity: z.int().min(0).max(500).describe("Instances at creation; target tracking adjusts it afterwards."),
        maxSize: z.int().min(1).max(500).describe("Most instances the fleet scales out to."),
        appPort: z.int().min(1024).max(65535).describe("Port the web service listens on inside the instances."),
        healthCheckPath: z.string().regex(/^\/[\w\-./]*$/, { message: "must be an absolute URL path such as /health" }).describe("The path the target group health check requests."),
        certificateArn: z
            .string()
            .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/, { message: "must be an ACM certificate ARN" })
            .optional().describe("ACM certificate for the HTTPS listener; without one, only dev may serve plain HTTP."),
        cpuTargetPercent: z.number().min(10).max(90).describe("Target tracking: average CPU utilisation to hold, in percent."),
        requestsPerTarget: z.int().positive().describe("Target tracking: ALB requests per target to hold."),
        minHealthyPercent: z.int().min(0).max(100).describe("Instance refresh keeps at least this share of the fleet healthy."),
        deregistrationDelaySeconds: z.int().min(0).max(3600).describe("Seconds a draining target keeps serving in-flight requests."),
        slowStartSeconds: z.int().refine((s) => s === 0 || (s >= 30 && s <= 900), { message: "must be 0 or between 30 and 900" }).describe("Slow start ramps new targets over this many seconds (0 disables; otherwise 30-900)."),
        rootVolumeGiB: z.int().min(8).max(1024).describe("Size of each instance's encrypted gp3 root volume."),
        spot: z.strictObject({
            enabled: z.boolean().describe("Use a mixed-instances policy with Spot capacity."),
            onDemandBaseCapacity: z.int().min(0).describe("Instances always bought on demand."),
            onDemandPercentageAboveBase: z.int().min(0).max(100).describe("Share of capacity above the base bought on demand; the rest is Spot."),
            instanceTypes: z.array(instanceType).describe("Extra instance types Spot may draw from, beside instanceType."),
        }).describe("Optional mixed-instances policy with Spot capacity above an on-demand base."),
        accessLogExpirationDays: z.int().min(1).max(3650).describe("Days ALB access logs are kept in their bucket."),
        logRetentionDays: logRetentionDays.describe("Days the fleet's application logs are kept."),
    })
    .superRefine((web, ctx) => {
        if (web.minSize > web.maxSize) {
            ctx.addIssue({ code: "custom", path: ["maxSize"], input: web.maxSize, message: `is below minSize ${web.minSize}` });
        }
        if (web.desiredCapacity < web.minSize || web.desiredCapacity > web.maxSize) {
            ctx.addIssue({ code: "custom", path: ["desiredCapacity"], input: web.desiredCapacity, message: `must be between minSize ${web.minSize} and maxSize ${web.maxSize}` });
        }
        const graviton = /^[a-z]+\d+[a-z]*g[a-z]*\./.test(web.instanceType);
        if (graviton !== (web.architecture === "arm64")) {
            ctx.addIssue({ code: "custom", path: ["architecture"], input: web.architecture, message: `does not match instance type ${web.instanceType} (${graviton ? "arm64" : "x86_64"})` });
        }
    });
export type WebConfig = z.infer<typeof schema>;

export const defaults: ProfileDefaults<WebConfig> = {
    dev: {
        instanceType: "t4g.small",
        architecture: "arm64",
        minSize: 1,
        desiredCapacity: 1,
        maxSize: 2,
        appPort: 8080,
        healthCheckPath: "/health",
        cpuTargetPercent: 60,
        requestsPerTarget: 500,
        minHealthyPercent: 0,
        deregistrationDelaySeconds: 30,
        slowStartSeconds: 0,
        rootVolumeGiB: 20,
        spot: { enabled: false, onDemandBaseCapacity: 0, onDemandPercentageAboveBase: 100, instanceTypes: [] },
        accessLogExpirationDays: 30,
        logRetentionDays: 14,
    },
    prod: {
        instanceType: "m7g.large",
        architecture: "arm64",
        minSize: 3,
        desiredCapacity: 3,
        maxSize: 12,
        appPort: 8080,
        healthCheckPath: "/health",
        cpuTargetPercent: 50,
        requestsPerTarget: 1000,
        minHealthyPercent: 90,
        deregistrationDelaySeconds: 120,
        slowStartSeconds: 60,
        rootVolumeGiB: 30,
        spot: { enabled: true, onDemandBaseCapacity: 3, onDemandPercentageAboveBase: 50, instanceTypes: ["m6g.large", "c7g.large"] },
        accessLogExpirationDays: 365,
        logRetentionDays: 365,
    },
};
