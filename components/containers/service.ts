import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { withDefaults, type WithDefaults } from "../../lib/defaults";
import { CONTAINER_PORT } from "../../lib/fargate";
import type { PlatformContext } from "../context";
import type { Grantee, Permission } from "../grants";
import { ServiceRole, type Statement } from "../iam";
import { platformName, platformPath } from "../names";
import type { OriginHeader } from "../web-cluster";
import type { ContainerCluster } from "./cluster";
import type { ImageRepository } from "./repository";

/** How a public service is reached: a listener rule on the existing load balancer, to an `ip` target group. */
export interface LoadBalancerRoute {
    /** The load balancer's listener the rule goes on. */
    listenerArn: pulumi.Input<string>;
    /** The load balancer's ARN: its requests-per-target metric is labelled with it. */
    albArn: pulumi.Input<string>;
    /** The load balancer's security group, admitted on the container port. */
    albSecurityGroupId: pulumi.Input<string>;
    /** The path pattern routed to the service, e.g. /catalog/*. */
    path: string;
    /** The rule's priority (see RULE_PRIORITY in lib/path-patterns.ts). */
    priority: number;
    /** Behind CloudFront, the rule also requires the origin header. */
    originHeader?: OriginHeader;
    /** Target tracking: requests per task to hold. */
    requestsPerTarget: number;
    /**
     * Seconds after a task starts before failed target health checks count.
     * @default 30
     */
    healthCheckGracePeriodSeconds?: number;
}

export interface ContainerServiceArgs {
    /** The environment: region, account, platform key and the protection decisions. */
    context: PlatformContext;
    /** The cluster and its Service Connect namespace. */
    cluster: ContainerCluster;
    /** The service's image repository; the task runs `<repository>:<imageTag>`. */
    repository: ImageRepository;
    /** The image tag to run; without one the service runs no tasks (nothing pushed yet). */
    imageTag?: string;
    vpcId: pulumi.Input<string>;
    /** The private subnets the tasks run in (egress through NAT, no public IP). */
    privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Task CPU units and memory (MiB): a Fargate size (lib/fargate.ts). */
    cpu: number;
    memory: number;
    /**
     * CPU architecture of the image (Fargate Spot runs X86_64 only).
     * @default "X86_64"
     */
    architecture?: "X86_64" | "ARM64";
    minTasks: number;
    maxTasks: number;
    /** Target tracking on the service's average CPU, in percent. */
    cpuTargetPercent: number;
    /** The capacity provider strategy: on-demand base, then on-demand and Spot weights above it. */
    capacity: { onDemandBase: number; onDemandWeight: number; spotWeight: number };
    /** Plain, non-secret environment values. */
    environment?: Record<string, pulumi.Input<string>>;
    /** Secrets by Secrets Manager or SSM parameter ARN, injected by the execution role. */
    secrets?: Record<string, pulumi.Input<string>>;
    /** Other components' permissions for the task role (components/grants.ts). */
    grants?: Permission[];
    /** Days the service's logs are kept. */
    logRetentionDays: number;
    /**
     * ECS Exec into the tasks (off in prod).
     * @default false
     */
    execEnabled?: boolean;
    /**
     * Serve under this Service Connect name, so services in the namespace reach `<name>:8080`.
     * @default false
     */
    discoverable?: boolean;
    /** Public services only: the load balancer route. */
    loadBalancer?: LoadBalancerRoute;
}

/** The defaults of ContainerServiceArgs's optional fields (each documented with `@default`). */
/**
 * Where ECS Exec's managed (SSM) agent writes. AWS's ECS Exec considerations say a read-only root
 * filesystem isn't supported with Exec; writable task volumes at these paths are the workaround
 * AWS's own trackers record (aws/containers-roadmap#1359, aws-containers/amazon-ecs-exec-checker#71).
 */
export const EXEC_AGENT_PATHS = ["/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"] as const;

export const CONTAINER_SERVICE_DEFAULTS = { architecture: "X86_64", execEnabled: false, discoverable: false } as const;
type Args = WithDefaults<ContainerServiceArgs, typeof CONTAINER_SERVICE_DEFAULTS>;

/** The image's own health check (see the services' contract): the runtime image has no curl. */
export const HEALTH_CHECK_COMMAND = ["CMD", "node", "/app/healthcheck.js"];
/** The user the image runs as: the official Node image's `node`. */
export const CONTAINER_USER = "1000:1000";

/** What ECS Exec's agent calls (Amazon ECS Developer Guide, "Using ECS Exec": the task role's permissions). */
const EXEC_ACTIONS = ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"];

/**
 * One microservice on Fargate: its own security group (the bulkhead: only its callers and, for
 * a public one, the load balancer get in), tasks in the private subnets without a public IP,
 * a task definition that runs the image as a non-root user on a read-only root filesystem,
 * logs to a KMS-encrypted group with retention, a task role (a grantee) separate from the
 * execution role (which only pulls its image and writes its logs), rolling deployments that
 * keep every task until the new ones are healthy and roll back on failure, Service Connect,
 * and target tracking on CPU (and on requests per task when public).
 */
export class ContainerService extends pulumi.ComponentResource implements Grantee {
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly serviceName: pulumi.Output<string>;
    public readonly taskDefinitionArn: pulumi.Output<string>;
    public readonly logGroupName: pulumi.Output<string>;
    public readonly granteeName: string;
    public readonly roleName: pulumi.Output<string>;
    private readonly name: string;
    private readonly securityGroup: aws.ec2.SecurityGroup;

    constructor(name: string, given: ContainerServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:containers:ContainerService", name, {}, opts);
        const args: Args = withDefaults(CONTAINER_SERVICE_DEFAULTS, given);
        this.name = name;
        this.securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            { vpcId: args.vpcId, description: `Tasks of the ${name} service`, tags: { Name: `${name}-sg` } },
            { parent: this },
        );
        // AWS APIs (ECR, CloudWatch Logs, DynamoDB through its gateway endpoint) over HTTPS.
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-to-https`,
            { securityGroupId: this.securityGroup.id, cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 443, toPort: 443, description: "HTTPS to AWS APIs" },
            { parent: this },
        );

        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: platformPath("containers", name), retentionInDays: args.logRetentionDays, kmsKeyId: args.context.kmsKeyArn },
            { parent: this },
        );
        const roles = this.roles(name, args, logGroup);
        const taskDefinition = this.taskDefinition(name, args, logGroup, roles);
        const route = args.loadBalancer ? this.route(name, args, args.loadBalancer) : undefined;
        const service = this.service(name, args, taskDefinition, logGroup, route);
        this.scaling(name, args, service, route);

        this.securityGroupId = this.securityGroup.id;
        this.serviceName = service.name;
        this.taskDefinitionArn = taskDefinition.arn;
        this.logGroupName = logGroup.name;
        this.granteeName = name;
        this.roleName = roles.task.name;
        this.registerOutputs({ serviceName: this.serviceName, taskDefinitionArn: this.taskDefinitionArn, securityGroupId: this.securityGroupId });
    }

    /**
     * Lets `client` call this service on the container port: an ingress rule on this service's
     * group and an egress rule on the client's, both naming the other group (and nothing else).
     */
    allowFrom(client: ContainerService): pulumi.Resource[] {
        const port = { ipProtocol: "tcp", fromPort: CONTAINER_PORT, toPort: CONTAINER_PORT };
        return [
            new aws.vpc.SecurityGroupIngressRule(
                `${this.name}-from-${client.name}`,
                { securityGroupId: this.securityGroup.id, referencedSecurityGroupId: client.securityGroup.id, ...port, description: `from ${client.name}` },
                { parent: this },
            ),
            new aws.vpc.SecurityGroupEgressRule(
                `${client.name}-to-${this.name}`,
                { securityGroupId: client.securityGroup.id, referencedSecurityGroupId: this.securityGroup.id, ...port, description: `to ${this.name}` },
                { parent: client },
            ),
        ];
    }

    /** The execution role pulls the image and writes the logs (and reads secrets by ARN); the task role is what the code may do. */
    private roles(name: string, args: Args, logGroup: aws.cloudwatch.LogGroup): { execution: ServiceRole; task: ServiceRole } {
        const secretArns = Object.values(args.secrets ?? {});
        const execution = new ServiceRole(
            `${name}-execution`,
            {
                service: "ecs-tasks.amazonaws.com",
                accountId: args.context.accountId,
                description: `Starts the ${name} service's tasks: pulls its image, writes its logs`,
                statements: [
                    // GetAuthorizationToken has no resource scope (Amazon ECR User Guide, "Private registry authentication").
                    { Sid: "EcrLogin", Action: "ecr:GetAuthorizationToken", Resource: "*" },
                    {
                        Sid: "PullOwnImage",
                        Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
                        Resource: args.repository.arn,
                    },
                    { Sid: "WriteOwnLogs", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logGroup.arn}:*` },
                    ...(secretArns.length > 0
                        ? [{ Sid: "ReadOwnSecrets", Action: ["secretsmanager:GetSecretValue", "ssm:GetParameters"], Resource: secretArns } satisfies Statement]
                        : []),
                ],
            },
            { parent: this },
        );
        const task = new ServiceRole(
            `${name}-task`,
            {
                service: "ecs-tasks.amazonaws.com",
                accountId: args.context.accountId,
                description: `What the ${name} service's code may do`,
                grants: args.grants,
                statements: args.execEnabled ? [{ Sid: "EcsExec", Action: EXEC_ACTIONS, Resource: "*" }] : [],
            },
            { parent: this },
        );
        return { execution, task };
    }

    private taskDefinition(
        name: string,
        args: Args,
        logGroup: aws.cloudwatch.LogGroup,
        roles: { execution: ServiceRole; task: ServiceRole },
    ): aws.ecs.TaskDefinition {
        // Without a tag nothing runs (desired count 0), so the reference is never pulled.
        const image = pulumi.interpolate`${args.repository.url}:${args.imageTag ?? "unset"}`;
        const environment = Object.entries(args.environment ?? {}).map(([k, v]) => pulumi.output(v).apply((value) => ({ name: k, value })));
        const secrets = Object.entries(args.secrets ?? {}).map(([k, valueFrom]) => pulumi.output(valueFrom).apply((v) => ({ name: k, valueFrom: v })));
        const containerDefinitions = pulumi.jsonStringify(
            pulumi.all([image, pulumi.all(environment), pulumi.all(secrets), logGroup.name]).apply(([img, env, sec, group]) => [
                {
                    name,
                    image: img,
                    essential: true,
                    user: CONTAINER_USER,
                    readonlyRootFilesystem: true,
                    privileged: false,
                    ...(args.execEnabled
                        ? { mountPoints: EXEC_AGENT_PATHS.map((containerPath, i) => ({ sourceVolume: `exec-agent-${i}`, containerPath, readOnly: false })) }
                        : {}),
                    portMappings: [{ name: "http", containerPort: CONTAINER_PORT, protocol: "tcp", appProtocol: "http" }],
                    environment: env,
                    secrets: sec,
                    healthCheck: { command: HEALTH_CHECK_COMMAND, interval: 15, timeout: 5, retries: 3, startPeriod: 15 },
                    // An init process reaps children (and ECS Exec's agent needs it).
                    linuxParameters: { initProcessEnabled: true },
                    logConfiguration: {
                        logDriver: "awslogs",
                        options: { "awslogs-group": group, "awslogs-region": args.context.region, "awslogs-stream-prefix": name },
                    },
                },
            ]),
        );
        return new aws.ecs.TaskDefinition(
            `${name}-task`,
            {
                family: platformName(name),
                cpu: String(args.cpu),
                memory: String(args.memory),
                networkMode: "awsvpc",
                requiresCompatibilities: ["FARGATE"],
                runtimePlatform: { cpuArchitecture: args.architecture, operatingSystemFamily: "LINUX" },
                executionRoleArn: roles.execution.arn,
                taskRoleArn: roles.task.arn,
                containerDefinitions,
                // Task storage the ECS Exec agent writes to, so the root filesystem stays read-only.
                ...(args.execEnabled ? { volumes: EXEC_AGENT_PATHS.map((_, i) => ({ name: `exec-agent-${i}` })) } : {}),
            },
            { parent: this },
        );
    }

    /** The public route: an `ip` target group on the container port and a listener rule for the path (with the origin header behind CloudFront). */
    private route(name: string, args: Args, lb: LoadBalancerRoute): { targetGroup: aws.lb.TargetGroup; rule: aws.lb.ListenerRule } {
        const parent = { parent: this };
        const targetGroup = new aws.lb.TargetGroup(
            `${name}-tg`,
            {
                vpcId: args.vpcId,
                targetType: "ip",
                port: CONTAINER_PORT,
                protocol: "HTTP",
                deregistrationDelay: 30,
                healthCheck: { path: "/health", matcher: "200", interval: 15, healthyThreshold: 2, unhealthyThreshold: 3 },
            },
            parent,
        );
        const port = { ipProtocol: "tcp", fromPort: CONTAINER_PORT, toPort: CONTAINER_PORT };
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-from-alb`,
            { securityGroupId: this.securityGroup.id, referencedSecurityGroupId: lb.albSecurityGroupId, ...port, description: "from the load balancer" },
            parent,
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-alb-to-tasks`,
            { securityGroupId: lb.albSecurityGroupId, referencedSecurityGroupId: this.securityGroup.id, ...port, description: `to the ${name} service` },
            parent,
        );
        const header = lb.originHeader ? [{ httpHeader: { httpHeaderName: lb.originHeader.name, values: [lb.originHeader.value] } }] : [];
        const rule = new aws.lb.ListenerRule(
            `${name}-route`,
            {
                listenerArn: lb.listenerArn,
                priority: lb.priority,
                conditions: [{ pathPattern: { values: [lb.path] } }, ...header],
                actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
            },
            parent,
        );
        return { targetGroup, rule };
    }

    private service(
        name: string,
        args: Args,
        taskDefinition: aws.ecs.TaskDefinition,
        logGroup: aws.cloudwatch.LogGroup,
        route?: { targetGroup: aws.lb.TargetGroup; rule: aws.lb.ListenerRule },
    ): aws.ecs.Service {
        const { onDemandBase, onDemandWeight, spotWeight } = args.capacity;
        const strategy = [
            ...(onDemandBase > 0 || onDemandWeight > 0 ? [{ capacityProvider: "FARGATE", base: onDemandBase, weight: onDemandWeight }] : []),
            ...(spotWeight > 0 ? [{ capacityProvider: "FARGATE_SPOT", base: 0, weight: spotWeight }] : []),
        ];
        const logs = {
            logDriver: "awslogs",
            options: { "awslogs-group": logGroup.name, "awslogs-region": args.context.region, "awslogs-stream-prefix": "service-connect" },
        };
        return new aws.ecs.Service(
            `${name}-service`,
            {
                name,
                cluster: args.cluster.arn,
                taskDefinition: taskDefinition.arn,
                // Target tracking owns the count once running (ignoreChanges below); with no image yet, none.
                desiredCount: args.imageTag ? args.minTasks : 0,
                capacityProviderStrategies: strategy,
                platformVersion: "LATEST",
                networkConfiguration: { subnets: args.privateSubnetIds, securityGroups: [this.securityGroup.id], assignPublicIp: false },
                deploymentCircuitBreaker: { enable: true, rollback: true },
                deploymentMinimumHealthyPercent: 100,
                deploymentMaximumPercent: 200,
                enableExecuteCommand: args.execEnabled,
                enableEcsManagedTags: true,
                propagateTags: "SERVICE",
                loadBalancers: route ? [{ targetGroupArn: route.targetGroup.arn, containerName: name, containerPort: CONTAINER_PORT }] : [],
                healthCheckGracePeriodSeconds: route ? (args.loadBalancer?.healthCheckGracePeriodSeconds ?? 30) : undefined,
                serviceConnectConfiguration: {
                    enabled: true,
                    namespace: args.cluster.namespaceArn,
                    logConfiguration: logs,
                    services: args.discoverable ? [{ portName: "http", discoveryName: name, clientAlias: [{ port: CONTAINER_PORT, dnsName: name }] }] : [],
                },
            },
            // ECS refuses a target group no listener routes to; capacity providers must be on the cluster first.
            { parent: this, ignoreChanges: ["desiredCount"], dependsOn: [args.cluster.capacity, ...(route ? [route.rule] : [])] },
        );
    }

    /** Target tracking on CPU, and on requests per task when public. Without an image the range is 0-0, so nothing starts. */
    private scaling(name: string, args: Args, service: aws.ecs.Service, route?: { targetGroup: aws.lb.TargetGroup }): void {
        const parent = { parent: this };
        const running = args.imageTag !== undefined;
        const target = new aws.appautoscaling.Target(
            `${name}-scaling`,
            {
                serviceNamespace: "ecs",
                scalableDimension: "ecs:service:DesiredCount",
                resourceId: pulumi.interpolate`service/${args.cluster.clusterName}/${service.name}`,
                minCapacity: running ? args.minTasks : 0,
                maxCapacity: running ? args.maxTasks : 0,
            },
            parent,
        );
        const track = (
            id: string,
            metric: aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification,
            value: number,
        ) =>
            new aws.appautoscaling.Policy(
                `${name}-${id}`,
                {
                    policyType: "TargetTrackingScaling",
                    serviceNamespace: target.serviceNamespace,
                    scalableDimension: target.scalableDimension,
                    resourceId: target.resourceId,
                    targetTrackingScalingPolicyConfiguration: {
                        predefinedMetricSpecification: metric,
                        targetValue: value,
                        scaleInCooldown: 120,
                        scaleOutCooldown: 60,
                    },
                },
                parent,
            );
        track("cpu", { predefinedMetricType: "ECSServiceAverageCPUUtilization" }, args.cpuTargetPercent);
        if (route && args.loadBalancer) {
            const albSuffix = pulumi.output(args.loadBalancer.albArn).apply((arn) => arn.split(":loadbalancer/")[1]);
            const resourceLabel = pulumi.interpolate`${albSuffix}/${route.targetGroup.arnSuffix}`;
            track("requests", { predefinedMetricType: "ALBRequestCountPerTarget", resourceLabel }, args.loadBalancer.requestsPerTarget);
        }
    }
}
