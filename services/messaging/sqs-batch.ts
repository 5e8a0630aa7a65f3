/**
 * Partial batch responses for SQS event sources (functionResponseTypes ReportBatchItemFailures):
 * each message is processed on its own, and only the ones that failed are reported, so SQS
 * redelivers just those (and, after maxReceiveCount receives, moves them to the dead-letter
 * queue) instead of the whole batch.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";

/** Runs `handle` for every message, `concurrency` at a time; returns the failed messages' ids. */
export async function processMessages(event: SQSEvent, handle: (record: SQSRecord) => Promise<void>, concurrency = 10): Promise<SQSBatchResponse> {
    const failures: string[] = [];
    const records = [...event.Records];
    const worker = async () => {
        for (let r = records.shift(); r; r = records.shift()) {
            try {
                await handle(r);
            } catch (err) {
                failures.push(r.messageId);
                console.error(
                    JSON.stringify({
                        message: "message failed; SQS redelivers it",
                        messageId: r.messageId,
                        receiveCount: r.attributes?.ApproximateReceiveCount,
                        error: String(err),
                    }),
                );
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, records.length) }, worker));
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}
