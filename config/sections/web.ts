import { z } from "zod";
import { logRetentionDays, type ProfileDefaults } from "../common";

const instanceType = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { message: "must be an EC2 instance type such as t4g.small" });

/** Graviton instance families carry a "g" after the generation number (t4g, m7g, c7gn, r8gd), except the first, a1. */
function isGraviton(type: string): boolean {
    return /^[a-z]+\d+[a-z]*g[a-z]*\./.test(type) || type.startsWith("a1.");
}
const architectureOf = (type: string) => (isGraviton(type) ? "arm64" : "x86_64");

/** The runtimes the web tier runs on: its own Auto Scaling group, or an Elastic Beanstalk environment. */
export const RUNTIMES = ["asg", "beanstalk"] as const;

/** Keys only the Auto Scaling group reads: Elastic Beanstalk sizes, rolls and warms its instances itself. */
export const ASG_ONLY_KEYS = [
    "desiredCapacity",
    "cpuTargetPercent",
    "requestsPerTarget",
    "minHealthyPercent",
    "slowStartSeconds",
    "healthCheckGracePeriodSeconds",
    "instanceWarmupSeconds",
    "spot",
] as const;
/** Keys only Elastic Beanstalk reads. */
export const BEANSTALK_ONLY_KEYS = ["beanstalk"] as const;

/** The retention periods Elastic Beanstalk's log streaming accepts (aws:elasticbeanstalk:cloudwatch:logs RetentionInDays). */
const BEANSTALK_LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653] as const;

/** `platform:web.beanstalk`: the Elastic Beanstalk environment, with `runtime: beanstalk`. */
const beanstalk = z.strictObject({
    solutionStackPattern: z
        .string()
        .min(1)
        .refine(
            (p) => {
                try {
                    new RegExp(p);
                    return true;
                } catch {
                    return false;
                }
            },
            { message: "must be a regular expression" },
        )
        .describe(
            "Regular expression naming the solution stack; the most recent match is resolved at deploy time (a new platform version shows in the preview).",
        ),
    // AllAtOnce and Rolling take serving instances out of service during a deployment.
    deploymentPolicy: z
        .enum(["RollingWithAdditionalBatch", "Immutable"])
        .describe("How a new application version rolls out; both keep full capacity (Immutable launches a fresh set of instances and swaps them in)."),
    updateWindow: z
        .string()
        .regex(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun):([01]\d|2[0-3]):[0-5]\d$/, { message: "must be a weekly UTC start time such as Sun:03:00" })
        .describe("Weekly UTC start of the managed platform update window (day:hour:minute)."),
    updateLevel: z.enum(["minor", "patch"]).describe("Highest platform version level managed updates apply (minor includes patch)."),
});

/** `platform:web`: the ALB and the auto-scaling EC2 fleet (or Elastic Beanstalk environment) behind it. */
export const schema = z
    .strictObject({
        runtime: z
            .enum(RUNTIMES)
            .describe(
                "What runs the web service behind the load balancer: asg (an Auto Scaling group and launch template the platform owns) or beanstalk (an Elastic Beanstalk environment on the same load balancer).",
            ),
        instanceType: instanceType.describe("EC2 instance type of the fleet."),
        architecture: z.enum(["arm64", "x86_64"]).describe("CPU architecture of the AMI; must match the instance type (Graviton types are arm64)."),
        minSize: z.int().min(0).max(500).describe("Fewest instances the fleet scales in to."),
        desiredCapacity: z.int().min(0).max(500).describe("Instances at creation; target tracking adjusts it afterwards."),
        maxSize: z.int().min(1).max(500).describe("Most instances the fleet scales out to."),
        appPort: z.int().min(1024).max(65535).describe("Port the web service listens on inside the instances."),
        healthCheckPath: z
            .string()
            .regex(/^\/[\w\-./]*$/, { message: "must be an absolute URL path such as /live" })
            .describe(
                "Shallow liveness path the target group probes: 200 while the process serves, whatever its dependencies' state, so a dependency outage never makes Auto Scaling replace healthy instances.",
            ),
        dependencyHealthPath: z
            .string()
            .regex(/^\/[\w\-./]*$/, { message: "must be an absolute URL path such as /health" })
            .describe("Deep health report (cache, database, table reachability) for operators and alarms; the ALB answers it 404, so it is never public."),
        certificateArn: z
            .string()
            .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/, { message: "must be an ACM certificate ARN" })
            .optional()
            .describe("ACM certificate for the HTTPS listener; without one, only dev may serve plain HTTP."),
        cpuTargetPercent: z.number().min(10).max(90).describe("Target tracking: average CPU utilisation to hold, in percent."),
        requestsPerTarget: z.int().positive().describe("Target tracking: ALB requests per target to hold."),
        minHealthyPercent: z.int().min(0).max(100).describe("Instance refresh keeps at least this share of the fleet healthy."),
        deregistrationDelaySeconds: z.int().min(0).max(3600).describe("Seconds a draining target keeps serving in-flight requests."),
        slowStartSeconds: z
            .int()
            .refine((s) => s === 0 || (s >= 30 && s <= 900), { message: "must be 0 or between 30 and 900" })
            .describe("Slow start ramps new targets over this many seconds (0 disables; otherwise 30-900)."),
        rootVolumeGiB: z.int().min(8).max(1024).describe("Size of each instance's encrypted gp3 root volume."),
        healthCheckGracePeriodSeconds: z
            .int()
            .min(0)
            .max(7200)
            .describe("Seconds after launch before failed load balancer health checks make Auto Scaling replace an instance (covers boot and user data)."),
        instanceWarmupSeconds: z
            .int()
            .min(0)
            .max(3600)
            .describe("Seconds a new instance needs before its metrics count for scaling and instance refresh moves on."),
        detailedMonitoring: z.boolean().describe("One-minute EC2 metrics, so CPU target tracking reacts faster (billed per instance)."),
        spot: z
            .strictObject({
                enabled: z.boolean().describe("Use a mixed-instances policy with Spot capacity."),
                onDemandBaseCapacity: z.int().min(0).describe("Instances always bought on demand."),
                onDemandPercentageAboveBase: z.int().min(0).max(100).describe("Share of capacity above the base bought on demand; the rest is Spot."),
                instanceTypes: z
                    .array(instanceType)
                    .max(39)
                    .describe("Extra instance types Spot may draw from, beside instanceType (a mixed-instances policy takes at most 40 types)."),
            })
            .describe("Optional mixed-instances policy with Spot capacity above an on-demand base."),
        accessLogExpirationDays: z.int().min(1).max(3650).describe("Days ALB access logs are kept in their bucket."),
        logRetentionDays: logRetentionDays.describe("Days the fleet's application logs are kept."),
        beanstalk: beanstalk.describe("The Elastic Beanstalk environment (runtime: beanstalk only)."),
    })
    .superRefine((web, ctx) => {
        if (web.runtime === "beanstalk" && !(BEANSTALK_LOG_RETENTION_DAYS as readonly number[]).includes(web.logRetentionDays)) {
            ctx.addIssue({
                code: "custom",
                path: ["logRetentionDays"],
                input: web.logRetentionDays,
                message: `must be one Elastic Beanstalk streams logs with (RetentionInDays): ${BEANSTALK_LOG_RETENTION_DAYS.join(", ")}`,
            });
        }
        if (web.healthCheckPath === web.dependencyHealthPath) {
            ctx.addIssue({
                code: "custom",
                path: ["dependencyHealthPath"],
                input: web.dependencyHealthPath,
                message: "must differ from healthCheckPath: the load balancer probes liveness only",
            });
        }
        if (web.minSize > web.maxSize) {
            ctx.addIssue({ code: "custom", path: ["maxSize"], input: web.maxSize, message: `is below minSize ${web.minSize}` });
        }
        if (web.desiredCapacity < web.minSize || web.desiredCapacity > web.maxSize) {
            ctx.addIssue({
                code: "custom",
                path: ["desiredCapacity"],
                input: web.desiredCapacity,
                message: `must be between minSize ${web.minSize} and maxSize ${web.maxSize}`,
            });
        }
        if (isGraviton(web.instanceType) !== (web.architecture === "arm64")) {
            ctx.addIssue({
                code: "custom",
                path: ["architecture"],
                input: web.architecture,
                message: `does not match instance type ${web.instanceType} (${architectureOf(web.instanceType)})`,
            });
        }
        // Every type in a mixed-instances policy launches from the same launch template, so the same AMI architecture.
        const seen = new Set([web.instanceType]);
        web.spot.instanceTypes.forEach((type, i) => {
            if (seen.has(type)) {
                ctx.addIssue({
                    code: "custom",
                    path: ["spot", "instanceTypes", i],
                    input: type,
                    message: "is listed twice (instanceType counts too); each instance type may appear once",
                });
            } else if (architectureOf(type) !== web.architecture) {
                ctx.addIssue({
                    code: "custom",
                    path: ["spot", "instanceTypes", i],
                    input: type,
                    message: `is ${architectureOf(type)}, but the fleet's AMI is ${web.architecture}; every type must share the launch template's architecture`,
                });
            }
            seen.add(type);
        });
    });
export type WebConfig = z.infer<typeof schema>;

/** Node.js 22 on Amazon Linux 2023, as the fleet runs it. */
const BEANSTALK_PLATFORM = { solutionStackPattern: "^64bit Amazon Linux 2023 (.*) running Node.js 22$" };

/**
 * Keys the stack file sets that the chosen runtime would ignore: a setting that silently does
 * nothing misleads whoever reads the stack file. `given` is the stack file's own `platform:web`
 * value (before defaults), so profile defaults for the other runtime never count.
 */
export function runtimeProblems(given: unknown, runtime: WebConfig["runtime"]): { key: string; value: unknown; message: string }[] {
    if (typeof given !== "object" || given === null || Array.isArray(given)) return [];
    const set = given as Record<string, unknown>;
    const ignored = runtime === "asg" ? BEANSTALK_ONLY_KEYS : ASG_ONLY_KEYS;
    const other = runtime === "asg" ? "beanstalk" : "asg";
    return ignored
        .filter((key) => key in set)
        .map((key) => ({
            key: `web.${key}`,
            value: set[key],
            message: `applies only to runtime ${other}, but web.runtime is ${runtime}; remove it (or set web.runtime: ${other})`,
        }));
}

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
        runtime: "asg",
        beanstalk: { ...BEANSTALK_PLATFORM, deploymentPolicy: "RollingWithAdditionalBatch", updateWindow: "Sun:03:00", updateLevel: "minor" },
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
        runtime: "asg",
        beanstalk: { ...BEANSTALK_PLATFORM, deploymentPolicy: "Immutable", updateWindow: "Sun:03:00", updateLevel: "minor" },
    },
};
