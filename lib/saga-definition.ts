/**
 * The order saga's state machine (Amazon States Language, JSONPath). Plain data from plain
 * strings, so the program emits it and the tests run exactly what it emits.
 *
 *   ClaimOrder ─▶ ReserveInventory (Map: each line) ─▶ ChargePayment ─▶ ShipOrder ─▶ SettleInventory ─▶ PublishConfirmed ─▶ OrderConfirmed
 *                      │ fails                            │ fails           │ fails
 *                      ▼                                  ▼                 ▼
 *                 ReleaseInventory ◀──── RefundPayment ◀──── CancelShipment
 *                      │
 *                      ▼
 *                 PublishCancelled ─▶ OrderCancelled
 *
 * A failing forward step runs its own compensation first and then those of the steps before it,
 * in reverse order. The failing step is compensated too because it may have partly happened: the
 * Map may have reserved some lines before one ran out of stock, and a step that timed out may
 * have written before it did. Every compensation is idempotent, a no-op where nothing happened.
 *
 * Business errors (out of stock, declined, rejected) are not retried; transient Lambda errors
 * are, with backoff. Compensations retry on any error; one that still fails ends the execution in
 * CompensationFailed, which the ExecutionsFailed alarm reports for a person to finish by hand. A
 * compensated order ends in OrderCancelled, a success: the saga did its job.
 *
 * A compensation can overtake the forward call it undoes: a Map fails as soon as one line fails
 * while the other lines' invocations run on, and a task that times out leaves its invocation
 * running. Each compensation that finds nothing leaves a marker that makes the late call a no-op
 * (see services/saga/).
 *
 * ClaimOrder makes the saga run once per order: the outbox publishes at least once and the
 * archive can replay events, so a second OrderPlaced for an order finds another execution's
 * claim and stops. The claim names its execution, so a retry of its own claim succeeds.
 *
 * Every task has a timeout, so the worst case of an execution, compensations included, follows
 * from the definition alone (lib/asl.ts); config validation and the policy pack keep it
 * within the execution's TimeoutSeconds, which nothing can catch.
 */
import { z } from "zod";
import { worstCase } from "./asl";
import { ORDER_EVENTS, ORDER_SOURCE, placeOrderCommand } from "../services/orders/model";

export interface SagaDefinitionArgs {
    inventoryFunctionArn: string;
    paymentsFunctionArn: string;
    shippingFunctionArn: string;
    /** The global table, for the claim item. */
    tableName: string;
    /** The bus the outcome events go to. */
    busName: string;
    timeoutSeconds: number;
    /** The step functions' timeout: each invocation's state times out a little after it (see TASK_TIMEOUT_ALLOWANCE_SECONDS). */
    taskTimeoutSeconds: number;
    /** Retries of a forward step on transient errors. */
    taskRetryAttempts: number;
    /** Retries of a compensation on any error. */
    compensationRetryAttempts: number;
    /**
     * Lines handled in parallel by each Map state. Keep it within the inventory function's reserved
     * concurrency, or the Map's own iterations throttle each other into its retries.
     */
    lineConcurrency: number;
}

/** The most lines an order has (the order schema's bound): a Map state runs that many items at worst. */
export const MAX_ORDER_LINES: number = (z.toJSONSchema(placeOrderCommand) as unknown as { properties: { lines: { maxItems: number } } }).properties.lines
    .maxItems;

/** Lines handled in parallel at most, however much the inventory function may run. */
export const MAX_LINE_CONCURRENCY = 10;

/** The Map states' concurrency for an inventory function reserved at `reservedConcurrency`: never more than it can run. */
export const lineConcurrencyFor = (reservedConcurrency: number) => Math.min(MAX_LINE_CONCURRENCY, reservedConcurrency);

/**
 * Seconds an invocation's state waits beyond the function's timeout: Lambda may spend up to 10 s
 * in a cold start's Init phase before the handler's timeout starts. Bounding every task makes
 * the execution's worst case computable from the definition (lib/asl.ts).
 */
export const TASK_TIMEOUT_ALLOWANCE_SECONDS = 10;
/** Timeout of the service integrations (DynamoDB PutItem, EventBridge PutEvents): single API calls. */
export const SERVICE_CALL_TIMEOUT_SECONDS = 10;

/** Forward steps in order, each with the state that undoes it. */
export const FORWARD_STEPS = [
    { state: "ReserveInventory", compensation: "ReleaseInventory" },
    { state: "ChargePayment", compensation: "RefundPayment" },
    { state: "ShipOrder", compensation: "CancelShipment" },
] as const;

/** Errors of the Lambda service itself, worth retrying (AWS's recommended retrier for Lambda tasks). */
export const LAMBDA_TRANSIENT_ERRORS = ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"];

const INVOKE = "arn:aws:states:::lambda:invoke";
const PUT_ITEM = "arn:aws:states:::dynamodb:putItem";
const PUT_EVENTS = "arn:aws:states:::events:putEvents";

type State = Record<string, unknown>;

export function sagaDefinition(a: SagaDefinitionArgs): Record<string, unknown> {
    const transient = [{ ErrorEquals: LAMBDA_TRANSIENT_ERRORS, IntervalSeconds: 1, MaxAttempts: a.taskRetryAttempts, BackoffRate: 2, JitterStrategy: "FULL" }];
    const persistent = [
        {
            ErrorEquals: ["States.ALL"],
            IntervalSeconds: 2,
            MaxAttempts: a.compensationRetryAttempts,
            BackoffRate: 2,
            MaxDelaySeconds: 60,
            JitterStrategy: "FULL",
        },
    ];
    const compensationFailed = [{ ErrorEquals: ["States.ALL"], ResultPath: "$.compensationFailure", Next: "CompensationFailed" }];

    const lambdaTimeout = a.taskTimeoutSeconds + TASK_TIMEOUT_ALLOWANCE_SECONDS;
    const invoke = (functionArn: string, payload: Record<string, unknown>) => ({
        Type: "Task",
        Resource: INVOKE,
        TimeoutSeconds: lambdaTimeout,
        Parameters: { FunctionName: functionArn, Payload: payload },
        ResultSelector: { "result.$": "$.Payload" },
    });

    /**
     * A Map over the order's lines calling inventory with `action` for each, in a state named
     * `inner`: state names are unique across the whole machine, nested ones included.
     */
    const eachLine = (action: string, inner: string, retry: unknown[]): State => ({
        Type: "Map",
        ItemsPath: "$.order.lines",
        ItemSelector: { action, "orderId.$": "$.order.orderId", "lineNo.$": "$$.Map.Item.Index", "line.$": "$$.Map.Item.Value" },
        MaxConcurrency: a.lineConcurrency,
        ItemProcessor: {
            ProcessorConfig: { Mode: "INLINE" },
            StartAt: inner,
            States: {
                [inner]: {
                    Type: "Task",
                    Resource: INVOKE,
                    TimeoutSeconds: lambdaTimeout,
                    Parameters: { FunctionName: a.inventoryFunctionArn, "Payload.$": "$" },
                    OutputPath: "$.Payload",
                    Retry: retry,
                    End: true,
                },
            },
        },
    });

    const publish = (type: "OrderConfirmed" | "OrderCancelled", next: string): State => {
        const { status, version } = ORDER_EVENTS[type];
        return {
            Type: "Task",
            Resource: PUT_EVENTS,
            TimeoutSeconds: SERVICE_CALL_TIMEOUT_SECONDS,
            Parameters: {
                Entries: [
                    {
                        EventBusName: a.busName,
                        Source: ORDER_SOURCE,
                        DetailType: type,
                        Detail: {
                            // Deterministic: a retried PutEvents republishes the same event id.
                            "eventId.$": `States.Format('{}:${status.toLowerCase()}', $.order.orderId)`,
                            "orderId.$": "$.order.orderId",
                            version,
                            status,
                            "occurredAt.$": "$$.State.EnteredTime",
                            "order.$": "$.order",
                            ...(type === "OrderCancelled" ? { "reason.$": "$.failure.Error" } : {}),
                        },
                    },
                ],
            },
            ResultPath: null,
            Retry: persistent,
            Next: next,
        };
    };

    const states: Record<string, State> = {
        ClaimOrder: {
            Type: "Task",
            Resource: PUT_ITEM,
            TimeoutSeconds: SERVICE_CALL_TIMEOUT_SECONDS,
            Parameters: {
                TableName: a.tableName,
                Item: {
                    pk: { "S.$": "States.Format('saga#{}', $.order.orderId)" },
                    sk: { S: "saga" },
                    eventId: { "S.$": "$.eventId" },
                    executionId: { "S.$": "$$.Execution.Id" },
                    startedAt: { "S.$": "$$.Execution.StartTime" },
                },
                // This execution's own claim succeeds again: a retry after a write whose reply was
                // lost must not find the claim and stop as if another execution owned the order.
                ConditionExpression: "attribute_not_exists(pk) OR executionId = :me",
                ExpressionAttributeValues: { ":me": { "S.$": "$$.Execution.Id" } },
            },
            ResultPath: null,
            // The first retrier that matches applies: a failed condition is never retried.
            Retry: [
                { ErrorEquals: ["DynamoDB.ConditionalCheckFailedException"], MaxAttempts: 0 },
                { ErrorEquals: ["States.TaskFailed"], IntervalSeconds: 1, MaxAttempts: a.taskRetryAttempts, BackoffRate: 2, JitterStrategy: "FULL" },
            ],
            Catch: [{ ErrorEquals: ["DynamoDB.ConditionalCheckFailedException"], ResultPath: null, Next: "AlreadyClaimed" }],
            Next: "ReserveInventory",
        },
        AlreadyClaimed: { Type: "Succeed", Comment: "Another execution owns this order (a redelivered or replayed OrderPlaced)." },

        ReserveInventory: {
            ...eachLine("reserve", "ReserveLine", transient),
            ResultPath: "$.steps.reserve",
            Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.failure", Next: "ReleaseInventory" }],
            Next: "ChargePayment",
        },
        ChargePayment: {
            ...invoke(a.paymentsFunctionArn, {
                action: "charge",
                "orderId.$": "$.order.orderId",
                "customerId.$": "$.order.customerId",
                "amountCents.$": "$.order.totalCents",
                "currency.$": "$.order.currency",
            }),
            ResultPath: "$.steps.charge",
            Retry: transient,
            Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.failure", Next: "RefundPayment" }],
            Next: "ShipOrder",
        },
        ShipOrder: {
            ...invoke(a.shippingFunctionArn, { action: "ship", "orderId.$": "$.order.orderId", "shipTo.$": "$.order.shipTo", "lines.$": "$.order.lines" }),
            ResultPath: "$.steps.ship",
            Retry: transient,
            Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.failure", Next: "CancelShipment" }],
            Next: "SettleInventory",
        },
        SettleInventory: {
            ...eachLine("settle", "SettleLine", persistent),
            ResultPath: null,
            // The order has shipped: a reservation left unsettled costs a little item space, never the order.
            Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.settleFailure", Next: "PublishConfirmed" }],
            Next: "PublishConfirmed",
        },
        PublishConfirmed: publish("OrderConfirmed", "OrderConfirmed"),
        OrderConfirmed: { Type: "Succeed" },

        CancelShipment: {
            ...invoke(a.shippingFunctionArn, { action: "cancel", "orderId.$": "$.order.orderId" }),
            ResultPath: null,
            Retry: persistent,
            Catch: compensationFailed,
            Next: "RefundPayment",
        },
        RefundPayment: {
            ...invoke(a.paymentsFunctionArn, { action: "refund", "orderId.$": "$.order.orderId" }),
            ResultPath: null,
            Retry: persistent,
            Catch: compensationFailed,
            Next: "ReleaseInventory",
        },
        ReleaseInventory: {
            ...eachLine("release", "ReleaseLine", persistent),
            ResultPath: null,
            Catch: compensationFailed,
            Next: "PublishCancelled",
        },
        PublishCancelled: publish("OrderCancelled", "OrderCancelled"),
        OrderCancelled: { Type: "Succeed", Comment: "Compensated: every step the order took is undone." },
        CompensationFailed: {
            Type: "Fail",
            Error: "CompensationFailed",
            Cause: "A compensation kept failing: finish undoing the order by hand (see the execution's history).",
        },
    };
    return {
        Comment: "Order saga: reserve, charge, ship; each failure compensates in reverse order.",
        StartAt: "ClaimOrder",
        TimeoutSeconds: a.timeoutSeconds,
        States: states,
    };
}

/** The settings that decide how long an execution can take. */
export interface SagaTiming {
    taskTimeoutSeconds: number;
    taskRetryAttempts: number;
    compensationRetryAttempts: number;
    /** The step functions' reserved concurrency, which bounds the Map states' (lineConcurrencyFor). */
    taskReservedConcurrency: number;
}

/**
 * The longest an execution can take with these settings, computed from the definition they
 * produce: every retry used up, every attempt running to its timeout, an order of MAX_ORDER_LINES
 * lines, and the slowest failure's compensations. With the path that takes it.
 */
export function sagaWorstCase(t: SagaTiming): { seconds: number; path: { state: string; seconds: number }[] } {
    const definition = sagaDefinition({
        inventoryFunctionArn: "inventory",
        paymentsFunctionArn: "payments",
        shippingFunctionArn: "shipping",
        tableName: "table",
        busName: "bus",
        timeoutSeconds: 1,
        taskTimeoutSeconds: t.taskTimeoutSeconds,
        taskRetryAttempts: t.taskRetryAttempts,
        compensationRetryAttempts: t.compensationRetryAttempts,
        lineConcurrency: lineConcurrencyFor(t.taskReservedConcurrency),
    });
    return worstCase(definition, { mapItems: MAX_ORDER_LINES });
}
