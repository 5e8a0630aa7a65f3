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
 * ClaimOrder makes the saga run once per order: the outbox publishes at least once and the
 * archive can replay events, so a second OrderPlaced for an order finds the claim and stops.
 */
import { ORDER_EVENTS, ORDER_SOURCE } from "../../services/orders/model";

export interface SagaDefinitionArgs {
    inventoryFunctionArn: string;
    paymentsFunctionArn: string;
    shippingFunctionArn: string;
    /** The global table, for the claim item. */
    tableName: string;
    /** The bus the outcome events go to. */
    busName: string;
    timeoutSeconds: number;
    /** Retries of a forward step on transient errors. */
    taskRetryAttempts: number;
    /** Retries of a compensation on any error. */
    compensationRetryAttempts: number;
    /** Lines reserved in parallel. */
    lineConcurrency?: number;
}

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
    const persistent = [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 2, MaxAttempts: a.compensationRetryAttempts, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: "FULL" }];
    const compensationFailed = [{ ErrorEquals: ["States.ALL"], ResultPath: "$.compensationFailure", Next: "CompensationFailed" }];

    const invoke = (functionArn: string, payload: Record<string, unknown>) => ({
        Type: "Task",
        Resource: INVOKE,
        Parameters: { FunctionName: functionArn, Payload: payload },
        ResultSelector: { "result.$": "$.Payload" },
    });

    /** A Map over the order's lines calling inventory with `action` for each. */
    const eachLine = (action: string, retry: unknown[]): State => ({
        Type: "Map",
        ItemsPath: "$.order.lines",
        ItemSelector: { action, "orderId.$": "$.order.orderId", "lineNo.$": "$$.Map.Item.Index", "line.$": "$$.Map.Item.Value" },
        MaxConcurrency: a.lineConcurrency ?? 10,
        ItemProcessor: {
            ProcessorConfig: { Mode: "INLINE" },
            StartAt: "Inventory",
            States: {
                Inventory: {
                    Type: "Task",
                    Resource: INVOKE,
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
            Parameters: {
                TableName: a.tableName,
                Item: {
                    pk: { "S.$": "States.Format('saga#{}', $.order.orderId)" },
                    sk: { S: "saga" },
                    eventId: { "S.$": "$.eventId" },
                    executionId: { "S.$": "$$.Execution.Id" },
                    startedAt: { "S.$": "$$.Execution.StartTime" },
                },
                ConditionExpression: "attribute_not_exists(pk)",
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
            ...eachLine("reserve", transient),
            ResultPath: "$.steps.reserve",
            Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.failure", Next: "ReleaseInventory" }],
            Next: "ChargePayment",
        },
        ChargePayment: {
            ...invoke(a.paymentsFunctionArn, { action: "charge", "orderId.$": "$.order.orderId", "customerId.$": "$.order.customerId", "amountCents.$": "$.order.totalCents", "currency.$": "$.order.currency" }),
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
            ...eachLine("settle", persistent),
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
            ...eachLine("release", persistent),
            ResultPath: null,
            Catch: compensationFailed,
            Next: "PublishCancelled",
        },
        PublishCancelled: publish("OrderCancelled", "OrderCancelled"),
        OrderCancelled: { Type: "Succeed", Comment: "Compensated: every step the order took is undone." },
        CompensationFailed: { Type: "Fail", Error: "CompensationFailed", Cause: "A compensation kept failing: finish undoing the order by hand (see the execution's history)." },
    };
    return {
        Comment: "Order saga: reserve, charge, ship; each failure compensates in reverse order.",
        StartAt: "ClaimOrder",
        TimeoutSeconds: a.timeoutSeconds,
        States: states,
    };
}
