import { z } from "zod";
import { logRetentionDays, type ProfileDefaults } from "../common";

const instanceType = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { message: "must be an EC2 instance type such as t4g.small" });

/** Graviton instance families carry a "g" after the generation number (t4g, m7g, c7gn, r8gd), except the first, a1. */
function isGraviton(type: string): boolean {
    return /^[a-z]+\d+[a-z]*g[a-z]*\./.test(type) || type.startsWith("a1.");
}
const architectureOf = (type: string) => (isGraviton(type) ? "arm64" : "x86_64");

/** `platform:web`: the ALB and the auto-scaling EC2 fleet behind it. */
export const schema = z
    .strictObject({
        instanceType: instanceType.describe("EC2 instance type of the fleet."),
        architecture: z.enum(["arm64", "x86_64"]).describe("CPU architecture of the AMI; must match the instance type (Graviton types are arm64)."),
        minSize: z.int().min(0).max(500).describe("Fewest instances the fleet scales in to."),
        desiredCapacity: z.int().min(0).max(500).describe("Instances at creation; target tracking adjusts it afterwards."),
        maxSize: z.int().min(1).max(500).describe("Most instances the fleet scales out to."),
        appPort: z.int().min(1024).max(65535).describe("Port the web service listens on inside the instances."),
        healthCheckPath: z.string().regex(/^\/[\w\-./]*$/, { message: "must be an absolute URL path such as /live" }).describe("Shallow liveness path the target group probes: 200 while the process serves, whatever its dependencies' state, so a dependency outage never makes Auto Scaling replace healthy instances."),
        dependencyHealthPath: z.string().regex(/^\/[\w\-./]*$/, { message: "must be an absolute URL path such as /health" }).describe("Deep health report (cache, database, table reachability) for operators and alarms; the ALB answers it 404, so it is never public."),
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
        healthCheckGracePeriodSeconds: z.int().min(0).max(7200).describe("Seconds after launch before failed load balancer health checks make Auto Scaling replace an instance (covers boot and user data)."),
        instanceWarmupSeconds: z.int().min(0).max(3600).describe("Seconds a new instance needs before its metrics count for scaling and instance refresh moves on."),
        detailedMonitoring: z.boolean().describe("One-minute EC2 metrics, so CPU target tracking reacts faster (billed per instance)."),
        spot: z.strictObject({
            enabled: z.boolean().describe("Use a mixed-instances policy with Spot capacity."),
            onDemandBaseCapacity: z.int().min(0).describe("Instances always bought on demand."),
            onDemandPercentageAboveBase: z.int().min(0).max(100).describe("Share of capacity above the base bought on demand; the rest is Spot."),
            instanceTypes: z.array(instanceType).max(39).describe("Extra instance types Spot may draw from, beside instanceType (a mixed-instances policy takes at most 40 types)."),
        }).describe("Optional mixed-instances policy with Spot capacity above an on-demand base."),
        accessLogExpirationDays: z.int().min(1).max(3650).describe("Days ALB access logs are kept in their bucket."),
        logRetentionDays: logRetentionDays.describe("Days the fleet's application logs are kept."),
    })
    .superRefine((web, ctx) => {
        if (web.healthCheckPath === web.dependencyHealthPath) {
            ctx.addIssue({ code: "custom", path: ["dependencyHealthPath"], input: web.dependencyHealthPath, message: "must differ from healthCheckPath: the load balancer probes liveness only" });
        }
        if (web.minSize > web.maxSize) {
            ctx.addIssue({ code: "custom", path: ["maxSize"], input: web.maxSize, message: `is below minSize ${web.minSize}` });
        }
        if (web.desiredCapacity < web.minSize || web.desiredCapacity > web.maxSize) {
            ctx.addIssue({ code: "custom", path: ["desiredCapacity"], input: web.desiredCapacity, message: `must be between minSize ${web.minSize} and maxSize ${web.maxSize}` });
        }
        if (isGraviton(web.instanceType) !== (web.architecture === "arm64")) {
            ctx.addIssue({ code: "custom", path: ["architecture"], input: web.architecture, message: `does not match instance type ${web.instanceType} (${architectureOf(web.instanceType)})` });
        }
        // Every type in a mixed-instances policy launches from the same launch template, so the same AMI architecture.
        const seen = new Set([web.instanceType]);
        web.spot.instanceTypes.forEach((type, i) => {
            if (seen.has(type)) {
                ctx.addIssue({ code: "custom", path: ["spot", "instanceTypes", i], input: type, message: "is listed twice (instanceType counts too); each instance type may appear once" });
            } else if (architectureOf(type) !== web.architecture) {
                ctx.addIssue({ code: "custom", path: ["spot", "instanceTypes", i], input: type, message: `is ${architectureOf(type)}, but the fleet's AMI is ${web.architecture}; every type must share the launch template's architecture` });
            }
            seen.add(type);
        });
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
        healthCheckPath: "/live",
        dependencyHealthPath: "/health",
        cpuTargetPercent: 60,
        requestsPerTarget: 500,
        minHealthyPercent: 0,
        deregistrationDelaySeconds: 30,
        slowStartSeconds: 0,
        rootVolumeGiB: 20,
        healthCheckGracePeriodSeconds: 300,
        instanceWarmupSeconds: 120,
        detailedMonitoring: false,
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
        healthCheckPath: "/live",
        dependencyHealthPath: "/health",
        cpuTargetPercent: 50,
        requestsPerTarget: 1000,
        minHealthyPercent: 90,
        deregistrationDelaySeconds: 120,
        slowStartSeconds: 60,
        rootVolumeGiB: 30,
        healthCheckGracePeriodSeconds: 300,
        instanceWarmupSeconds: 180,
        detailedMonitoring: true,
        spot: { enabled: true, onDemandBaseCapacity: 3, onDemandPercentageAboveBase: 50, instanceTypes: ["m6g.large", "c7g.large"] },
        accessLogExpirationDays: 365,
        logRetentionDays: 365,
    },
};
