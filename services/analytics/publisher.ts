/**
 * What a service (the web app) calls to publish analytics events: it turns events into the
 * wire records the Glue table describes and writes them through the batched producer.
 */
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { partitionKeyOf, toEventRecord, type AnalyticsEvent } from "./event";
import { KinesisProducer, type ProducerOptions } from "./producer";

export interface KinesisClientOptions {
    region: string;
    /** A local Kinesis (kinesalite, LocalStack) instead of AWS. */
    endpoint?: string;
}

/**
 * A Kinesis client; against a local endpoint it speaks HTTP/1.1 (the SDK's default for Kinesis
 * is HTTP/2, which local Kinesis servers do not speak) with dummy credentials unless the
 * environment has real ones.
 */
export function kinesisClient(options: KinesisClientOptions): KinesisClient {
    if (!options.endpoint) return new KinesisClient({ region: options.region });
    const local = !process.env.AWS_ACCESS_KEY_ID ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {};
    return new KinesisClient({ region: options.region, endpoint: options.endpoint, requestHandler: new NodeHttpHandler(), ...local });
}

export interface EventPublisherOptions extends Omit<ProducerOptions, "streamArn"> {
    streamName: string;
    /** The publishing service, stored in every event's `source`. */
    source: string;
}

/** Publishes events; resolves with their ids once all are written, rejects with PutRecordsFailedError otherwise. */
export type PublishEvents = (events: AnalyticsEvent | readonly AnalyticsEvent[]) => Promise<{ eventIds: string[] }>;

export function createEventPublisher(options: EventPublisherOptions): PublishEvents {
    const producer = new KinesisProducer(options);
    return async (events) => {
        const records = (Array.isArray(events) ? events : [events as AnalyticsEvent]).map((e) => toEventRecord(e, options.source));
        await producer.send(records.map((r) => ({ data: JSON.stringify(r), partitionKey: partitionKeyOf(r) })));
        return { eventIds: records.map((r) => r.event_id) };
    };
}

/**
 * A publisher configured from the environment the platform gives a service:
 * ANALYTICS_STREAM_NAME, AWS_REGION and, for local runs, KINESIS_ENDPOINT.
 */
export function eventPublisherFromEnv(source: string, env: NodeJS.ProcessEnv = process.env): PublishEvents {
    const streamName = env.ANALYTICS_STREAM_NAME;
    const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!streamName) throw new Error("ANALYTICS_STREAM_NAME is not set: the name of the analytics Kinesis stream (stack output analyticsStreamName)");
    if (!region) throw new Error("AWS_REGION is not set");
    return createEventPublisher({ client: kinesisClient({ region, endpoint: env.KINESIS_ENDPOINT }), streamName, source });
}
