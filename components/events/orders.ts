import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { OUTBOX_METRICS } from "../../services/orders/model";
import type { Grantee } from "../grants";
import { ServiceRole } from "../iam";
import { PlatformFunction } from "../lambda-function";
import { RELAY_RESERVED_CONCURRENCY } from "../../lib/event-concurrency";

/** What the write path needs of the database (see components/database.ts). */
export interface OrderDatabase {
    proxyEndpoint: pulumi.Input<string>;
    port: pulumi.Input<number>;
    databaseName: pulumi.Input<string>;
    username: pulumi.Input<string>;
    proxySecurityGroupId: pulumi.Input<string>;
    grantConnect(grantee: Grantee): aws.iam.RolePolicy;
    allowClient(id: string, securityGroupId: pulumi.Input<string>): aws.vpc.SecurityGroupIngressRule;
}

export interface OrderServiceArgs {
    database: OrderDatabase;
    vpcId: pulumi.Input<string>;
    /** Private subnets (egress through NAT, for EventBridge's API). */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The bus OrderPlaced is published to. */
    busName: pulumi.Input<string>;
    busArn: pulumi.Input<string>;
    timeoutSeconds: number;
    /** Concurrency reserved for placing orders (and so the most database connections it opens). */
    reservedConcurrency: number;
    relayIntervalMinutes: number;
    relayBatchSize: number;
    kmsKeyArn: pulumi.Input<string>;
    accountId: pulumi.Input<string>;
    logRetentionDays: number;
    /** SNS topic the alarm on parked outbox events notifies. */
    alarmTopicArn: pulumi.Input<string>;
}

const ENTRY = path.join(__dirname, "..", "..", "services", "orders", "handler.ts");

/**
 * The CQRS write path: `placeOrder` records an order in PostgreSQL (through RDS Proxy, with IAM
 * auth) together with its OrderPlaced event in an outbox table, then publishes the event to the
 * bus; `relay`, run by EventBridge Scheduler every few minutes, publishes whatever a failure left
 * in the outbox. Both run in the private subnets with a security group that reaches only the
 * proxy and HTTPS, and may put events on this bus alone.
 */
export class OrderService extends pulumi.ComponentResource {
    public readonly placeOrder: PlatformFunction;
    public readonly relay: PlatformFunction;
    public readonly securityGroupId: pulumi.Output<string>;

    constructor(name: string, args: OrderServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:events:OrderService", name, {}, opts);
        const sg = this.securityGroup(name, args);
        [this.placeOrder, this.relay] = this.functions(name, args, sg);
        args.database.grantConnect(this.placeOrder);
        args.database.grantConnect(this.relay);
        this.scheduleRelay(name, args);
        this.alarmOnParked(name, args);
        this.securityGroupId = sg.id;
        this.registerOutputs({ placeOrderFunctionName: this.placeOrder.functionName, securityGroupId: this.securityGroupId });
    }

    /** The functions' security group: the database proxy and AWS APIs over HTTPS, nothing else. */
    private securityGroup(name: string, args: OrderServiceArgs): aws.ec2.SecurityGroup {
        const sg = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            { vpcId: args.vpcId, description: `${name} functions: to the database proxy and AWS APIs only`, tags: { Name: `${name}-sg` } },
            { parent: this },
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-to-database-proxy`,
            {
                securityGroupId: sg.id,
                referencedSecurityGroupId: args.database.proxySecurityGroupId,
                ipProtocol: "tcp",
                fromPort: 5432,
                toPort: 5432,
                description: "to RDS Proxy",
            },
            { parent: this },
        );
        // EventBridge has no gateway endpoint: its API is reached over HTTPS through the NAT gateway.
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-to-https`,
            { securityGroupId: sg.id, cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 443, toPort: 443, description: "AWS APIs over HTTPS" },
            { parent: this },
        );
        args.database.allowClient(name, sg.id);
        return sg;
    }

    /** placeOrder and relay: one bundle, two handlers, the same database, bus and network. */
    private functions(name: string, args: OrderServiceArgs, sg: aws.ec2.SecurityGroup): [PlatformFunction, PlatformFunction] {
        const common = {
            entry: ENTRY,
            kmsKeyArn: args.kmsKeyArn,
            logRetentionDays: args.logRetentionDays,
            timeoutSeconds: args.timeoutSeconds,
            vpc: { subnetIds: args.subnetIds, securityGroupIds: [sg.id] },
            environment: {
                DB_HOST: args.database.proxyEndpoint,
                DB_PORT: pulumi.output(args.database.port).apply(String),
                DB_NAME: args.database.databaseName,
                DB_USER: args.database.username,
                EVENT_BUS_NAME: args.busName,
                RELAY_BATCH_SIZE: String(args.relayBatchSize),
            },
            statements: [{ Sid: "PublishOrderEvents", Action: "events:PutEvents", Resource: args.busArn }],
        };
        const placeOrder = new PlatformFunction(
            `${name}-place`,
            {
                ...common,
                handlerExport: "placeOrderHandler",
                description: "Places an order: PostgreSQL and its outbox in one transaction, then OrderPlaced to the bus",
                reservedConcurrency: args.reservedConcurrency,
            },
            { parent: this },
        );
        const relay = new PlatformFunction(
            `${name}-relay`,
            {
                ...common,
                handlerExport: "relayHandler",
                description: "Publishes outbox events left unpublished",
                reservedConcurrency: RELAY_RESERVED_CONCURRENCY,
            },
            { parent: this },
        );

        return [placeOrder, relay];
    }

    /** EventBridge Scheduler runs the relay every few minutes. */
    private scheduleRelay(name: string, args: OrderServiceArgs): void {
        const schedulerRole = new ServiceRole(
            `${name}-relay-scheduler`,
            {
                service: "scheduler.amazonaws.com",
                accountId: args.accountId,
                description: `Runs ${name}'s outbox relay`,
                statements: [{ Sid: "InvokeRelay", Action: "lambda:InvokeFunction", Resource: this.relay.arn }],
            },
            { parent: this },
        );
        new aws.scheduler.Schedule(
            `${name}-relay-schedule`,
            {
                description: "Publishes outbox events a failed or crashed write left behind",
                scheduleExpression: `rate(${args.relayIntervalMinutes} ${args.relayIntervalMinutes === 1 ? "minute" : "minutes"})`,
                flexibleTimeWindow: { mode: "OFF" },
                // A missed run needs no retry: the next run publishes the same rows.
                target: { arn: this.relay.arn, roleArn: schedulerRole.arn, retryPolicy: { maximumRetryAttempts: 0 } },
            },
            { parent: this, dependsOn: [schedulerRole] },
        );
    }

    private alarmOnParked(name: string, args: OrderServiceArgs): void {
        // The relay parks an event EventBridge refused on every attempt, and reports how many are
        // parked each run: any at all needs a person (see "Parked outbox events" in docs/events.md).
        new aws.cloudwatch.MetricAlarm(
            `${name}-outbox-parked`,
            {
                alarmDescription: pulumi.interpolate`Order events parked in the outbox after EventBridge refused every attempt; see last_error in the outbox table of ${args.database.databaseName}, fix the cause, then clear parked_at`,
                namespace: OUTBOX_METRICS.namespace,
                metricName: OUTBOX_METRICS.parked,
                dimensions: { FunctionName: this.relay.functionName },
                statistic: "Maximum",
                period: 60 * args.relayIntervalMinutes,
                evaluationPeriods: 1,
                threshold: 0,
                comparisonOperator: "GreaterThanThreshold",
                // A run that reports nothing changes nothing: the count is only known when the relay runs.
                treatMissingData: "ignore",
                alarmActions: [args.alarmTopicArn],
                okActions: [args.alarmTopicArn],
            },
            { parent: this },
        );
    }
}
