/**
 * A real local Kinesis (kinesalite, in-process, on a loopback port) for the producer's tests and
 * the bench: streams, shards, sequence numbers and the API's validation are kinesalite's own.
 */
import type { AddressInfo } from "net";
import { CreateStreamCommand, DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import kinesalite from "kinesalite";
import { kinesisClient } from "../services/analytics/publisher";

export interface LocalKinesis {
    endpoint: string;
    client: KinesisClient;
    /** Creates an ACTIVE stream with the given shards. */
    createStream(name: string, shards: number): Promise<void>;
    /** Every record in the stream, oldest first per shard, as UTF-8 text with its partition key. */
    readAll(name: string): Promise<{ data: string; partitionKey: string; shardId: string }[]>;
    close(): Promise<void>;
}

export async function startLocalKinesis(): Promise<LocalKinesis> {
    const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const endpoint = `http://127.0.0.1:${port}`;
    const client = kinesisClient({ region: "us-east-1", endpoint });

    return {
        endpoint,
        client,
        async createStream(name, shards) {
            await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
            for (let i = 0; i < 50; i++) {
                const d = await client.send(new DescribeStreamCommand({ StreamName: name }));
                if (d.StreamDescription?.StreamStatus === "ACTIVE") return;
                await new Promise((r) => setTimeout(r, 20));
            }
            throw new Error(`stream ${name} did not become ACTIVE`);
        },
        async readAll(name) {
            const d = await client.send(new DescribeStreamCommand({ StreamName: name }));
            const out: { data: string; partitionKey: string; shardId: string }[] = [];
            for (const shard of d.StreamDescription?.Shards ?? []) {
                let iterator = (await client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON" })))
                    .ShardIterator;
                while (iterator) {
                    const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10000 }));
                    for (const r of page.Records ?? [])
                        out.push({ data: Buffer.from(r.Data ?? []).toString("utf8"), partitionKey: r.PartitionKey ?? "", shardId: shard.ShardId! });
                    // An open shard always returns a next iterator; stop once it is drained.
                    iterator = (page.Records ?? []).length > 0 ? page.NextShardIterator : undefined;
                }
            }
            return out;
        },
        async close() {
            client.destroy();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}
