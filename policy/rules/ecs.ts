/** ECS rules: task definitions (privilege, user, root filesystem, logs, plain secrets) and services (rollback, public IPs, ECS Exec). */
import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { StackGraph, TYPES } from "../graph";
import { isProd, isUnknown } from "../lib";
import type { PlatformPolicy } from "../types";

const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";

/** Environment variable names that hold credentials. */
const SECRET_NAME = /(SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;

/** The container definitions of a task definition, or undefined when preview can't tell (an unknown or unparsable value). */
/** What the rules read of one container definition (ECS's JSON shape). */
interface ContainerDefinition {
    name?: string;
    privileged?: unknown;
    user?: unknown;
    readonlyRootFilesystem?: unknown;
    environment?: unknown;
    logConfiguration?: { logDriver?: string; options?: Record<string, unknown> };
}

function containers(props: Record<string, unknown>): ContainerDefinition[] | undefined {
    const raw = props.containerDefinitions;
    if (isUnknown(raw)) return undefined;
    try {
        const parsed = typeof raw === "string" ? JSON.parse(raw) : raw;
        return Array.isArray(parsed) ? parsed : undefined;
    } catch {
        return undefined;
    }
}

/** A resource rule over every container of every task definition. */
function eachContainer(check: (c: ContainerDefinition, report: (message: string) => void) => void): ResourceValidationPolicy["validateResource"] {
    return validateResourceOfType(aws.ecs.TaskDefinition, (td, _a, report) => {
        for (const c of containers(td) ?? []) check(c, (message) => report(`container ${c.name ?? "(unnamed)"} ${message}`));
    });
}

const isRoot = (user: unknown) => user === undefined || user === null || user === "" || /^(root|0)(:.*)?$/.test(String(user));

export const ecsPolicies: PlatformPolicy[] = [
    {
        name: "ecs-task-not-privileged",
        description: "No container of a task definition runs privileged (root on the host's kernel).",
        enforcementLevel: "mandatory",
        validateResource: eachContainer((c, report) => {
            if (c.privileged === true) report("runs privileged");
        }),
    },
    {
        name: "ecs-task-non-root",
        description: "Every container runs as a non-root user (its `user` is set, and not root or uid 0).",
        enforcementLevel: "mandatory",
        validateResource: eachContainer((c, report) => {
            if (isUnknown(c.user)) return;
            if (isRoot(c.user)) report(c.user === undefined ? "sets no user, so it runs as the image's (often root)" : `runs as ${c.user}`);
        }),
    },
    {
        name: "ecs-task-read-only-root",
        description: "Every container has a read-only root filesystem (writable paths are volumes or tmpfs).",
        enforcementLevel: "mandatory",
        validateResource: eachContainer((c, report) => {
            if (c.readonlyRootFilesystem !== true) report("has a writable root filesystem");
        }),
    },
    {
        name: "ecs-task-no-plaintext-secrets",
        description:
            "Environment values whose names say they are credentials come from Secrets Manager or SSM by ARN (`secrets`), never plain `environment` values.",
        enforcementLevel: "mandatory",
        validateResource: eachContainer((c, report) => {
            for (const v of Array.isArray(c.environment) ? (c.environment as { name?: unknown }[]) : [])
                if (SECRET_NAME.test(String(v?.name))) report(`passes ${v.name} as a plain environment value; use secrets with its ARN`);
        }),
    },
    {
        name: "ecs-task-awslogs-retention",
        description: "Every container logs with the awslogs driver to a log group this stack declares with a retention period.",
        enforcementLevel: "mandatory",
        covers: [TASK_DEFINITION, TYPES.logGroup],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const td of g.ofType(TASK_DEFINITION)) {
                for (const c of containers(td.props) ?? []) {
                    const log = c.logConfiguration;
                    if (log?.logDriver !== "awslogs") {
                        report(`container ${c.name} logs with ${log?.logDriver ?? "no driver"}; use awslogs`, td.urn);
                        continue;
                    }
                    const group = log.options?.["awslogs-group"];
                    if (typeof group !== "string") continue;
                    const declared = g.ofType(TYPES.logGroup).filter((l) => l.props.name === group);
                    if (g.ofType(TYPES.logGroup).some((l) => isUnknown(l.props.name))) continue;
                    if (declared.length === 0)
                        report(`container ${c.name} logs to ${group}, which this stack doesn't declare: it would keep logs forever`, td.urn);
                    else if (declared.every((l) => !l.props.retentionInDays))
                        report(`container ${c.name} logs to ${group}, which has no retention period`, td.urn);
                }
            }
        },
    },
    {
        name: "ecs-service-circuit-breaker",
        description: "ECS services deploy with the deployment circuit breaker and rollback on, so a failing release rolls back by itself.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.ecs.Service, (svc, _a, report) => {
            const cb = svc.deploymentCircuitBreaker;
            if (isUnknown(cb)) return;
            if (cb?.enable !== true || cb?.rollback !== true) report("has no deployment circuit breaker with rollback");
        }),
    },
    {
        name: "ecs-service-no-public-ip",
        description: "ECS services give their tasks no public IP address (they sit in private subnets behind the load balancer or NAT).",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.ecs.Service, (svc, _a, report) => {
            if (svc.networkConfiguration?.assignPublicIp === true) report("assigns its tasks public IP addresses");
        }),
    },
    {
        name: "ecs-service-exec-off-prod",
        description: "ECS Exec (a shell into running tasks) is off in prod.",
        enforcementLevel: "mandatory",
        environmentAware: true,
        validateResource: validateResourceOfType(aws.ecs.Service, (svc, args, report) => {
            if (isProd(args) && svc.enableExecuteCommand === true) report("has ECS Exec on in prod");
        }),
    },
];
