import { z } from "zod";
import { albPathProblem, cloudFrontPathProblem } from "../../lib/path-patterns";
import { FARGATE_CPUS, fargateSizeProblem } from "../../lib/fargate";
import { logRetentionDays, type ProfileDefaults } from "../common";

/** A service name is its Service Connect DNS name, its folder in services/ and part of AWS names. */
const serviceName = z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,23}$/, { message: "must be a lowercase DNS label of at most 24 characters (letters, digits, hyphens), starting with a letter" });
/** Docker image tags: up to 128 letters, digits, underscores, periods and hyphens, not starting with a period or hyphen. */
const imageTag = z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, { message: "must be a Docker image tag (letters, digits, _ . -, at most 128 characters)" });

const service = z.strictObject({
    cpu: z
        .int()
        .refine((c) => FARGATE_CPUS.includes(c), { message: `must be a Fargate task CPU: ${FARGATE_CPUS.join(", ")}` })
        .describe("Task CPU units (1024 = 1 vCPU)."),
    memory: z.int().positive().describe("Task memory in MiB; only the sizes Fargate pairs with cpu."),
    architecture: z
        .enum(["X86_64", "ARM64"])
        .describe(
            "CPU architecture of the image and the tasks. Fargate Spot runs X86_64 tasks only, so ARM64 (Graviton, about 20% cheaper on demand) requires spotWeight 0.",
        ),
    minTasks: z
        .int()
        .min(0)
        .max(1000)
        .describe("Fewest tasks the service scales in to (prod: at least 2, which Fargate spreads across the private subnets' AZs)."),
    maxTasks: z.int().min(1).max(1000).describe("Most tasks the service scales out to."),
    cpuTargetPercent: z.number().min(10).max(90).describe("Target tracking: average CPU utilisation to hold, in percent."),
    requestsPerTarget: z.int().positive().optional().describe("Target tracking for public services: ALB requests per task to hold."),
    onDemandBase: z.int().min(0).max(100000).describe("Tasks always run on Fargate on demand (the capacity provider strategy's base)."),
    onDemandWeight: z.int().min(0).max(1000).describe("Share of the tasks above the base that run on demand, relative to spotWeight."),
    spotWeight: z.int().min(0).max(1000).describe("Share of the tasks above the base that run on Fargate Spot (interruptible, about 70% cheaper)."),
    imageTag: imageTag
        .optional()
        .describe(
            "The image tag in the service's ECR repository to run; the pipeline sets it per deploy. Unset: the service is created with no tasks (nothing to pull yet).",
        ),
    public: z.boolean().describe("Routed from the load balancer (and CloudFront) at path; otherwise reachable only from the services that call it."),
    path: z.string().optional().describe("Public services: the ALB and CloudFront path pattern routed to the service, e.g. /catalog/*."),
    calls: z.array(serviceName).describe("The services this one calls by their Service Connect name (its security group may reach theirs)."),
    healthCheckGracePeriodSeconds: z
        .int()
        .min(0)
        .max(2147483647)
        .describe("Public services: seconds after a task starts before failed load balancer health checks count."),
});

/** `platform:containers`: the ECS Fargate tier (cluster, services, their images and Service Connect). */
export const schema = z
    .strictObject({
        services: z.record(serviceName, service).describe("The container services, keyed by name: services/<name>/ holds each one's code and Dockerfile."),
        keepImages: z.int().min(1).max(1000).describe("Images each ECR repository keeps; older ones expire (the lifecycle policy)."),
        logRetentionDays: logRetentionDays.describe("Days the services' logs are kept."),
        execEnabled: z.boolean().describe("ECS Exec (a shell into running tasks, through SSM); must be false in prod."),
    })
    .superRefine((c, ctx) => {
        const names = Object.keys(c.services);
        for (const [name, s] of Object.entries(c.services)) {
            const at = (...path: (string | number)[]) => ["services", name, ...path];
            const size = FARGATE_CPUS.includes(s.cpu) ? fargateSizeProblem(s.cpu, s.memory) : undefined;
            if (size) ctx.addIssue({ code: "custom", path: at("memory"), input: s.memory, message: size });
            if (s.minTasks > s.maxTasks) ctx.addIssue({ code: "custom", path: at("maxTasks"), input: s.maxTasks, message: `is below minTasks ${s.minTasks}` });
            if (s.onDemandWeight + s.spotWeight === 0)
                ctx.addIssue({
                    code: "custom",
                    path: at("spotWeight"),
                    input: 0,
                    message: "and onDemandWeight are both 0: a capacity provider strategy needs a weight above 0",
                });
            // Amazon ECS Developer Guide, "Fargate capacity providers": Fargate Spot supports Linux tasks with the X86_64 architecture only.
            if (s.architecture === "ARM64" && s.spotWeight > 0)
                ctx.addIssue({
                    code: "custom",
                    path: at("spotWeight"),
                    input: s.spotWeight,
                    message: "must be 0 with architecture ARM64: Fargate Spot runs X86_64 tasks only",
                });
            if (s.public) {
                if (s.path === undefined)
                    ctx.addIssue({
                        code: "custom",
                        path: at("path"),
                        input: undefined,
                        message: "is required for a public service: the path the load balancer routes to it",
                    });
                else {
                    const problem = albPathProblem(s.path) ?? cloudFrontPathProblem(s.path);
                    if (problem) ctx.addIssue({ code: "custom", path: at("path"), input: s.path, message: problem });
                    else if (s.path === "/*")
                        ctx.addIssue({
                            code: "custom",
                            path: at("path"),
                            input: s.path,
                            message: "would take every request from the legacy fleet; route a narrower pattern",
                        });
                }
                if (s.requestsPerTarget === undefined)
                    ctx.addIssue({
                        code: "custom",
                        path: at("requestsPerTarget"),
                        input: undefined,
                        message: "is required for a public service (target tracking on requests per task)",
                    });
            } else {
                if (s.path !== undefined)
                    ctx.addIssue({
                        code: "custom",
                        path: at("path"),
                        input: s.path,
                        message: "is only for public services: an internal service is never routed from the load balancer",
                    });
                if (s.requestsPerTarget !== undefined)
                    ctx.addIssue({
                        code: "custom",
                        path: at("requestsPerTarget"),
                        input: s.requestsPerTarget,
                        message: "is only for public services: an internal one gets no load balancer requests",
                    });
            }
            s.calls.forEach((callee, i) => {
                if (!names.includes(callee))
                    ctx.addIssue({
                        code: "custom",
                        path: at("calls", i),
                        input: callee,
                        message: `is not a service in platform:containers.services; known: ${names.join(", ")}`,
                    });
                else if (callee === name) ctx.addIssue({ code: "custom", path: at("calls", i), input: callee, message: "is the service itself" });
            });
        }
        const paths = new Map<string, string>();
        for (const [name, s] of Object.entries(c.services)) {
            if (s.public && s.path) {
                const other = paths.get(s.path);
                if (other)
                    ctx.addIssue({
                        code: "custom",
                        path: ["services", name, "path"],
                        input: s.path,
                        message: `is ${other}'s path too; each public service needs its own`,
                    });
                paths.set(s.path, name);
            }
        }
    });
export type ContainersConfig = z.infer<typeof schema>;
export type ContainerServiceConfig = ContainersConfig["services"][string];

/**
 * The two services (services/catalog, services/inventory). Both run X86_64, because Fargate Spot
 * runs nothing else: dev is all Spot; prod keeps 2 on-demand tasks per service and puts 3 in 4
 * of the rest on Spot.
 */
const sized = { cpu: 256, memory: 512, architecture: "X86_64" as const, cpuTargetPercent: 60, healthCheckGracePeriodSeconds: 30 };
const devCapacity = { minTasks: 1, maxTasks: 2, onDemandBase: 0, onDemandWeight: 0, spotWeight: 1 };
const prodCapacity = { minTasks: 2, maxTasks: 10, onDemandBase: 2, onDemandWeight: 1, spotWeight: 3 };
const catalog = { ...sized, public: true, path: "/catalog/*", requestsPerTarget: 500, calls: ["inventory"] };
const inventory = { ...sized, public: false, calls: [] };

export const defaults: ProfileDefaults<ContainersConfig> = {
    dev: {
        services: { catalog: { ...catalog, ...devCapacity }, inventory: { ...inventory, ...devCapacity } },
        keepImages: 10,
        logRetentionDays: 14,
        execEnabled: true,
    },
    prod: {
        services: { catalog: { ...catalog, ...prodCapacity }, inventory: { ...inventory, ...prodCapacity } },
        keepImages: 30,
        logRetentionDays: 365,
        execEnabled: false,
    },
};
