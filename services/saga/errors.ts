/**
 * Errors the saga's steps raise. Step Functions sees a Lambda error by its `name` (the
 * errorType), which the state machine's Retry and Catch match: business errors are never
 * retried, they fail the step at once and start the compensations.
 */

export class SagaStepError extends Error {
    constructor(name: string, message: string) {
        super(message);
        this.name = name;
    }
}

/** The step's input is not what the state machine sends. */
export const invalidInput = (message: string) => new SagaStepError("InvalidTaskInput", message);
/** A SKU has less stock than the line asks for (or is unknown). */
export const outOfStock = (message: string) => new SagaStepError("OutOfStock", message);
/** The payment was declined (the order is above the charge limit). */
export const paymentDeclined = (message: string) => new SagaStepError("PaymentDeclined", message);
/** The order's payment exists in a state a charge cannot follow (e.g. refunded). */
export const paymentConflict = (message: string) => new SagaStepError("PaymentConflict", message);
/** The shipment cannot be made (e.g. to a country the platform does not ship to). */
export const shipmentRejected = (message: string) => new SagaStepError("ShipmentRejected", message);

/**
 * The step's compensation already ran (a late forward call: the state machine moved on while it
 * was in flight); it does nothing, and the execution has discarded its result anyway.
 */
export const compensated = (message: string) => new SagaStepError("AlreadyCompensated", message);

/** The error names that mean "the business said no", as the state machine lists them. */
export const BUSINESS_ERRORS = ["InvalidTaskInput", "OutOfStock", "PaymentDeclined", "PaymentConflict", "ShipmentRejected", "AlreadyCompensated"] as const;

export function isConditionalCheckFailure(err: unknown): boolean {
    return (err as Error)?.name === "ConditionalCheckFailedException";
}
