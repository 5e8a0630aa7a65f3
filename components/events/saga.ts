import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { permissionStatements, type Permission } from "../grants";
import type { GlobalTable } from "../global-table";
import { ServiceRole } from "../iam";
import { PlatformFunction } from "../lambda-function";
import { lineConcurrencyFor, sagaDefinition } from "../../lib/saga-definition";
import { stackScoped } from "../names";

export interface SagaArgs {
    /** The global table the steps keep stock, payments, shipments and the saga's claims in; its TTL attribute expires the compensations' markers. */
    table: Pick<GlobalTable, "tableName" | "ttlAttribute" | "keyedItemsPermission">;
    /** The bus the outcome events (OrderConfirmed, OrderCancelled) go to. */
    busName: pulumi.Input<string>;
    busArn: pulumi.Input<string>;
    /** Which execution events are logged: ALL, ERROR or FATAL. */
    logLevel: "ALL" | "ERROR" | "FATAL";
    /** Log states' input and output (customer data). */
    includeExecutionData: boolean;
    timeoutMinutes: number;
    taskTimeoutSeconds: number;
    taskRetryAttempts: number;
    compensationRetryAttempts: number;
    /** Concurrency reserved for each step function; the Map states run at most this many lines at once. */
    taskReservedConcurrency: number;
    /** Orders above this total are declined. */
    maxChargeCents: number;
    /** Countries the shipping step accepts. */
    shipToCountries: string[];
    kmsKeyArn: pulumi.Input<string>;
    accountId: pulumi.Input<string>;
    logRetentionDays: number;
    alarmTopicArn: pulumi.Input<string>;
}

const SERVICES = path.join(__dirname, "..", "..", "services", "saga");

/** The saga's three step functions. */
export interface StepFunctions {
    inventory: PlatformFunction;
    payments: PlatformFunction;
    shipping: PlatformFunction;
}

/** The state machine's definition (saga-definition.ts) with the step functions, the table and the bus filled in, as JSON. */
function definitionOf(args: SagaArgs, functions: StepFunctions): pulumi.Output<string> {
    return pulumi
        .all([functions.inventory.arn, functions.payments.arn, functions.shipping.arn, args.table.tableName, args.busName])
        .apply(([inventoryFunctionArn, paymentsFunctionArn, shippingFunctionArn, tableName, busName]) =>
            JSON.stringify(
                sagaDefinition({
                    inventoryFunctionArn,
                    paymentsFunctionArn,
                    shippingFunctionArn,
                    tableName,
                    busName,
                    timeoutSeconds: args.timeoutMinutes * 60,
                    taskTimeoutSeconds: args.taskTimeoutSeconds,
                    lineConcurrency: lineConcurrencyFor(args.taskReservedConcurrency),
                    taskRetryAttempts: args.taskRetryAttempts,
                    compensationRetryAttempts: args.compensationRetryAttempts,
                }),
            ),
        );
}

/**
 * The order saga on Step Functions (a standard workflow): the state machine of
 * saga-definition.ts, its three step functions (inventory, payments, shipping; each may touch
 * only its own items of the table), logging to a KMS-encrypted log group with retention, X-Ray
 * tracing, and alarms on failed and timed-out executions. EventBridge starts it through
 * `starterRoleArn`, which may start this state machine and nothing else.
 */
export class Saga extends pulumi.ComponentResource {
    public readonly stateMachine: aws.sfn.StateMachine;
    public readonly arn: pulumi.Output<string>;
    /** The definition as the program emits it (JSON). */
    public readonly definition: pulumi.Output<string>;
    public readonly starterRoleArn: pulumi.Output<string>;
    public readonly logGroupName: pulumi.Output<string>;
    public readonly functions: StepFunctions;

    constructor(name: string, args: SagaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:events:Saga", name, {}, opts);
        this.functions = this.stepFunctions(name, args);

        // Under /aws/vendedlogs/ Step Functions delivers logs without adding to the account's
        // CloudWatch Logs resource policy, which has a size limit that many log groups exhaust.
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: `/aws/vendedlogs/states/${stackScoped(name)}`, retentionInDays: args.logRetentionDays, kmsKeyId: args.kmsKeyArn },
            { parent: this },
        );
        const role = this.executionRole(name, args, this.functions);
        this.definition = definitionOf(args, this.functions);
        this.stateMachine = new aws.sfn.StateMachine(
            `${name}-sm`,
            {
                type: "STANDARD",
                definition: this.definition,
                roleArn: role.arn,
                loggingConfiguration: {
                    logDestination: pulumi.interpolate`${logGroup.arn}:*`,
                    level: args.logLevel,
                    includeExecutionData: args.includeExecutionData,
                },
                tracingConfiguration: { enabled: true },
            },
            // Step Functions checks the role can deliver logs when the state machine is created.
            { parent: this, dependsOn: [role] },
        );
        this.arn = this.stateMachine.arn;
        this.logGroupName = logGroup.name;

        const starter = new ServiceRole(
            `${name}-starter`,
            {
                service: "events.amazonaws.com",
                accountId: args.accountId,
                description: `Lets EventBridge start ${name} executions`,
                statements: [{ Sid: "StartSaga", Action: "states:StartExecution", Resource: this.arn }],
            },
            { parent: this },
        );
        this.starterRoleArn = starter.arn;
        this.alarms(name, args, this.arn);
        this.registerOutputs({ arn: this.arn, logGroupName: this.logGroupName });
    }

    /** The three step functions; each may touch only its own items of the table. */
    private stepFunctions(name: string, args: SagaArgs): StepFunctions {
        const step = (id: string, description: string, grants: Permission[], environment: Record<string, pulumi.Input<string>> = {}) =>
            new PlatformFunction(
                `${name}-${id}`,
                {
                    entry: path.join(SERVICES, `${id}.ts`),
                    description,
                    kmsKeyArn: args.kmsKeyArn,
                    logRetentionDays: args.logRetentionDays,
                    timeoutSeconds: args.taskTimeoutSeconds,
                    reservedConcurrency: args.taskReservedConcurrency,
                    environment: { TABLE_NAME: args.table.tableName, TTL_ATTRIBUTE: args.table.ttlAttribute, ...environment },
                    grants,
                },
                { parent: this },
            );
        const ownItems = (permission: string, sid: string, entity: string) =>
            args.table.keyedItemsPermission({ name: permission, sid, actions: ["GetItem", "PutItem", "UpdateItem"], prefixes: [entity] });
        return {
            inventory: step("inventory", "Order saga: reserve, release and settle stock per order line", [ownItems("stock-items", "OwnStockItems", "stock")]),
            payments: step("payments", "Order saga: charge and refund the order's payment", [ownItems("payment-items", "OwnPaymentItems", "payment")], {
                MAX_CHARGE_CENTS: String(args.maxChargeCents),
            }),
            shipping: step("shipping", "Order saga: request and cancel the order's shipment", [ownItems("shipment-items", "OwnShipmentItems", "shipment")], {
                SHIP_TO_COUNTRIES: args.shipToCountries.join(","),
            }),
        };
    }

    /** The state machine's role: invoke the steps, claim orders, publish the outcome, deliver logs and traces. */
    private executionRole(name: string, args: SagaArgs, functions: StepFunctions): ServiceRole {
        const fns = Object.values(functions);
        return new ServiceRole(
            `${name}-role`,
            {
                service: "states.amazonaws.com",
                accountId: args.accountId,
                description: `Runs the ${name} state machine`,
                statements: [
                    { Sid: "InvokeSteps", Action: "lambda:InvokeFunction", Resource: fns.flatMap((f) => [f.arn, pulumi.interpolate`${f.arn}:*`]) },
                    ...permissionStatements(
                        args.table.keyedItemsPermission({ name: "claim-orders", sid: "ClaimOrders", actions: ["PutItem"], prefixes: ["saga"] }),
                    ),
                    { Sid: "PublishOutcome", Action: "events:PutEvents", Resource: args.busArn },
                    // Log delivery and X-Ray calls have no resource scope: CloudWatch Logs and X-Ray accept only "*" for them.
                    {
                        Sid: "DeliverLogs",
                        Action: [
                            "logs:CreateLogDelivery",
                            "logs:GetLogDelivery",
                            "logs:UpdateLogDelivery",
                            "logs:DeleteLogDelivery",
                            "logs:ListLogDeliveries",
                            "logs:PutResourcePolicy",
                            "logs:DescribeResourcePolicies",
                            "logs:DescribeLogGroups",
                        ],
                        Resource: "*",
                    },
                    {
                        Sid: "Tracing",
                        Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"],
                        Resource: "*",
                    },
                ],
            },
            { parent: this },
        );
    }

    /** Alarms on failed and timed-out executions. */
    private alarms(name: string, args: SagaArgs, stateMachineArn: pulumi.Output<string>): void {
        for (const [metric, what] of [
            [
                "ExecutionsFailed",
                "failed: a compensation kept failing or an outcome could not be published; finish the order by hand from the execution's history",
            ],
            ["ExecutionsTimedOut", `ran past ${args.timeoutMinutes} minutes`],
        ] as const) {
            new aws.cloudwatch.MetricAlarm(
                `${name}-${metric.toLowerCase()}`,
                {
                    alarmDescription: pulumi.interpolate`Executions of the order saga ${what}`,
                    namespace: "AWS/States",
                    metricName: metric,
                    dimensions: { StateMachineArn: stateMachineArn },
                    statistic: "Sum",
                    period: 60,
                    evaluationPeriods: 1,
                    threshold: 0,
                    comparisonOperator: "GreaterThanThreshold",
                    treatMissingData: "notBreaching",
                    alarmActions: [args.alarmTopicArn],
                    okActions: [args.alarmTopicArn],
                },
                { parent: this },
            );
        }
    }
}
