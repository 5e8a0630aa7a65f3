/**
 * The producer figure of `npm run bench`: records/s the batched producer writes to a local
 * Kinesis (kinesalite on loopback), against one PutRecord call per record, in the same run.
 */
import { PutRecordCommand } from "@aws-sdk/client-kinesis";
import { KinesisProducer, type ProducerRecord } from "../services/analytics/producer";
import { startLocalKinesis } from "./local-kinesis";

export interface ProducerFigures {
    records: number;
    batchedPerSecond: number;
    singlePerSecond: number;
    ratio: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(run: () => Promise<unknown>): Promise<number> {
    const start = process.hrtime.bigint();
    await run();
    return Number(process.hrtime.bigint() - start) / 1e9;
}

export async function producerThroughput(records: number, rounds = 3): Promise<ProducerFigures> {
    const kinesis = await startLocalKinesis();
    try {
        await kinesis.createStream("bench", 4);
        // Event-sized records (about 200 bytes of JSON) spread over many partition keys.
        const batch: ProducerRecord[] = Array.from({ length: records }, (_, i) => ({
            data: JSON.stringify({
                event_id: `e-${i}`,
                event_type: "page.viewed",
                occurred_at: 1767225600000 + i,
                source: "bench",
                subject_id: `user-${i % 997}`,
                attributes: { page: "/home" },
                payload: null,
            }),
            partitionKey: `user-${i % 997}`,
        }));
        const producer = new KinesisProducer({ client: kinesis.client, streamName: "bench" });
        const single = async () => {
            for (const r of batch)
                await kinesis.client.send(new PutRecordCommand({ StreamName: "bench", Data: Buffer.from(r.data as string), PartitionKey: r.partitionKey }));
        };
        const batched = () => producer.send(batch);
        await batched(); // warm the client's connection and kinesalite's store
        const singleTimes: number[] = [];
        const batchedTimes: number[] = [];
        for (let i = 0; i < rounds; i++) {
            singleTimes.push(await timed(single));
            batchedTimes.push(await timed(batched));
        }
        const batchedPerSecond = records / median(batchedTimes);
        const singlePerSecond = records / median(singleTimes);
        return { records, batchedPerSecond, singlePerSecond, ratio: batchedPerSecond / singlePerSecond };
    } finally {
        await kinesis.close();
    }
}
