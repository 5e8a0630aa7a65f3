import { z } from "zod";
import type { ProfileDefaults } from "../common";

/** A usage quantity: a count or a volume per month, never negative. */
const amount = (description: string) => z.number().nonnegative().describe(description);

/**
 * `platform:usage`: the traffic and volumes a stack expects. Nothing is provisioned from it: the
 * cost estimate (`npm run cost`) prices usage-driven charges (requests, GB, LCU, executions) with it.
 */
export const schema = z
    .strictObject({
        web: z
            .strictObject({
                requestsPerMonthMillions: amount("Requests the load balancer serves per month, in millions."),
                kibPerResponse: amount("Average bytes per request and response through the load balancer, in KiB (ALB LCUs are billed on processed bytes)."),
            })
            .describe("Traffic through the web cluster's load balancer."),
        cdn: z
            .strictObject({
                requestsPerMonthMillions: amount("HTTPS requests CloudFront (and its WAF, if any) serves per month, in millions."),
                gbOutPerMonth: amount("GB CloudFront serves to viewers per month."),
            })
            .describe("Traffic at the edge."),
        network: z
            .strictObject({
                natGbPerMonth: amount("GB the NAT gateways process per month (S3 and DynamoDB traffic takes the free gateway endpoints)."),
                flowLogGbPerMonth: amount("GB of VPC flow-log records delivered to CloudWatch Logs per month."),
            })
            .describe("VPC data volumes."),
        api: z
            .strictObject({
                requestsPerMonthMillions: amount("HTTP API requests per month, in millions."),
                monthlyActiveUsers: amount("Users who sign in to the Cognito user pool in a month."),
            })
            .describe("The HTTP API and its user pool."),
        table: z
            .strictObject({
                writesPerMonthMillions: amount("DynamoDB write request units per month, in millions (each is replicated to every replica region)."),
                readsPerMonthMillions: amount("DynamoDB read request units per month, in millions."),
                storageGb: amount("GB stored in the table (in each region holding it)."),
            })
            .describe("The global table."),
        events: z
            .strictObject({
                streamGbPerMonth: amount("GB written to the Kinesis stream per month (Firehose delivers the same volume)."),
                queueRequestsPerMonthMillions: amount("SQS requests per month across all queues, in millions (sends, receives, deletes)."),
                topicPublishesPerMonthMillions: amount("SNS publishes per month across all topics, in millions."),
                busEventsPerMonthMillions: amount("Custom events put on the EventBridge bus per month, in millions (each is archived too)."),
                sagaExecutionsPerMonthThousands: amount("Order saga (Step Functions) executions per month, in thousands."),
                sagaTransitionsPerExecution: amount("State transitions in one saga execution."),
            })
            .describe("Event-driven services."),
        functions: z
            .strictObject({
                invocationsPerMonthMillions: amount(
                    "Invocations of each Lambda function per month, in millions (functions on a schedule use the schedule instead).",
                ),
                averageDurationMs: amount("Average billed duration of one invocation, in milliseconds."),
            })
            .describe("Lambda functions."),
        storage: z
            .strictObject({
                s3Gb: amount("GB stored across the stack's S3 buckets (lake, logs, assets)."),
                putRequestsPerMonthThousands: amount("S3 PUT, COPY, POST and LIST requests per month, in thousands."),
                getRequestsPerMonthThousands: amount("S3 GET and other requests per month, in thousands."),
            })
            .describe("S3."),
        logs: z
            .strictObject({
                ingestGbPerMonth: amount("GB the stack's log groups ingest per month in total (flow logs apart); each group keeps it for its retention."),
                kmsRequestsPerMonthThousands: amount("KMS API requests per month, in thousands (encrypts, decrypts, data keys)."),
            })
            .describe("Logs and keys."),
        jobs: z
            .strictObject({
                glueMinutesPerRun: amount("Minutes one Glue ETL run takes (Glue bills at least 1 minute)."),
                crawlerMinutesPerRun: amount("Minutes one Glue crawler run takes (crawlers bill at least 10 minutes)."),
                sparkMinutesPerRun: amount("Minutes one scheduled Spark job runs on EMR Serverless."),
                sparkVcpus: amount("vCPUs the Spark job uses on EMR Serverless (driver and executors)."),
                sparkMemoryGb: amount("GB of memory the Spark job uses on EMR Serverless."),
            })
            .describe("Batch jobs."),
    })
    .describe("Expected traffic and volumes; the cost estimate prices usage-driven charges with them.");
export type UsageConfig = z.infer<typeof schema>;

export const defaults: ProfileDefaults<UsageConfig> = {
    dev: {
        web: { requestsPerMonthMillions: 1, kibPerResponse: 20 },
        cdn: { requestsPerMonthMillions: 1, gbOutPerMonth: 20 },
        network: { natGbPerMonth: 10, flowLogGbPerMonth: 1 },
        api: { requestsPerMonthMillions: 0.5, monthlyActiveUsers: 50 },
        table: { writesPerMonthMillions: 1, readsPerMonthMillions: 5, storageGb: 1 },
        events: {
            streamGbPerMonth: 1,
            queueRequestsPerMonthMillions: 1,
            topicPublishesPerMonthMillions: 0.1,
            busEventsPerMonthMillions: 0.1,
            sagaExecutionsPerMonthThousands: 5,
            sagaTransitionsPerExecution: 12,
        },
        functions: { invocationsPerMonthMillions: 0.1, averageDurationMs: 100 },
        storage: { s3Gb: 20, putRequestsPerMonthThousands: 100, getRequestsPerMonthThousands: 500 },
        logs: { ingestGbPerMonth: 5, kmsRequestsPerMonthThousands: 100 },
        jobs: { glueMinutesPerRun: 2, crawlerMinutesPerRun: 10, sparkMinutesPerRun: 10, sparkVcpus: 4, sparkMemoryGb: 16 },
    },
    prod: {
        web: { requestsPerMonthMillions: 100, kibPerResponse: 30 },
        cdn: { requestsPerMonthMillions: 200, gbOutPerMonth: 2000 },
        network: { natGbPerMonth: 500, flowLogGbPerMonth: 100 },
        api: { requestsPerMonthMillions: 50, monthlyActiveUsers: 20000 },
        table: { writesPerMonthMillions: 100, readsPerMonthMillions: 500, storageGb: 50 },
        events: {
            streamGbPerMonth: 500,
            queueRequestsPerMonthMillions: 100,
            topicPublishesPerMonthMillions: 10,
            busEventsPerMonthMillions: 10,
            sagaExecutionsPerMonthThousands: 1000,
            sagaTransitionsPerExecution: 12,
        },
        functions: { invocationsPerMonthMillions: 10, averageDurationMs: 120 },
        storage: { s3Gb: 2000, putRequestsPerMonthThousands: 10000, getRequestsPerMonthThousands: 50000 },
        logs: { ingestGbPerMonth: 200, kmsRequestsPerMonthThousands: 10000 },
        jobs: { glueMinutesPerRun: 10, crawlerMinutesPerRun: 10, sparkMinutesPerRun: 30, sparkVcpus: 16, sparkMemoryGb: 64 },
    },
};
