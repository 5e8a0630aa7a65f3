/** Lambda rules: failure handling, log groups, runtimes, function URLs, event source mappings and the queues and streams they consume. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { type Node, StackGraph, TYPES } from "../graph";
import { asList, at, isUnknown, type Unknown } from "../lib";
import { METRIC_ALARM, alarmsOn, declaresLogGroup, EVENT_TARGET, FUNCTION, MAPPING, QUEUE, SUBSCRIPTION, TABLE } from "../shared";
import type { PlatformPolicy } from "../types";

const PERMISSION = "aws:lambda/permission:Permission";

const INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig";

const BUCKET_NOTIFICATION = "aws:s3/bucketNotification:BucketNotification";

/** Services that invoke a function asynchronously: Lambda retries twice, then drops the event. */
const ASYNC_INVOKERS = ["events.amazonaws.com", "sns.amazonaws.com", "s3.amazonaws.com"];

/** Runtimes past their deprecation date (creating or updating functions on them is blocked or soon will be). */
const DEPRECATED_RUNTIME = /^(nodejs(\d|1[0-8]|20)?(\.x)?|python(2\.7|3\.[0-9])|ruby(2\.\d|3\.2)|java8|dotnet(core\d\.\d|[56]\.0|6)|go1\.x|provided)$/;

/** Stream sources whose mapping blocks a shard on a failing batch: Kinesis and DynamoDB streams. */
function isStreamSource(mapping: Node): boolean | undefined {
    const arn = mapping.props.eventSourceArn;
    if (isUnknown(arn)) {
        const deps = mapping.deps.eventSourceArn ?? [];
        if (deps.length === 0) return undefined;
        return deps.some((d) => d.type === "aws:kinesis/stream:Stream" || d.type === "aws:dynamodb/table:Table");
    }
    return typeof arn === "string" && (/:kinesis:/.test(arn) || /:dynamodb:.*\/stream\//.test(arn));
}

const KINESIS = "aws:kinesis/stream:Stream";

/** AWS's bounds on mapping settings (Lambda CreateEventSourceMapping). */
const LIMITS = {
    sqsMaximumConcurrency: [2, 1000],
    sqsBatchWithoutWindow: 10,
    batchSize: [1, 10_000],
    recordAge: [60, 604_800],
    retries: [-1, 10_000],
    parallelization: [1, 10],
} as const;

/** Settings Lambda accepts only for stream sources (Kinesis, DynamoDB Streams, Kafka). */
const STREAM_ONLY = [
    "bisectBatchOnFunctionError",
    "maximumRecordAgeInSeconds",
    "maximumRetryAttempts",
    "destinationConfig",
    "startingPosition",
    "parallelizationFactor",
    "tumblingWindowInSeconds",
];

/** Lambda's defaults: SQS visibility timeout 30 s, function timeout 3 s. */
const DEFAULT_VISIBILITY = 30;

const DEFAULT_FUNCTION_TIMEOUT = 3;

const VISIBILITY_FACTOR = 6;

type SourceKind = "sqs" | "stream" | "other";

function kindOfArn(arn: string): SourceKind {
    if (/^arn:aws[\w-]*:sqs:/.test(arn)) return "sqs";
    if (/^arn:aws[\w-]*:kinesis:/.test(arn) || /^arn:aws[\w-]*:dynamodb:.*\/stream\//.test(arn)) return "stream";
    return "other";
}

/** A mapping's source kind from its ARN, or from what the ARN came from when preview can't tell. */
function kindOf(m: Node): SourceKind | undefined {
    const arn = m.props.eventSourceArn;
    if (typeof arn === "string") return kindOfArn(arn);
    const deps = m.deps.eventSourceArn ?? [];
    if (deps.some((d) => d.type === QUEUE)) return "sqs";
    if (deps.some((d) => d.type === KINESIS || d.type === TABLE)) return "stream";
    return undefined;
}

const outside = (v: unknown, [min, max]: readonly [number, number]) => typeof v === "number" && (v < min || v > max);

/** The SQS mappings of a stack with their queue and function, where both resolve. */
function sqsConsumers(g: StackGraph): { mapping: Node; queue: Node; fn: Node }[] {
    const out: { mapping: Node; queue: Node; fn: Node }[] = [];
    for (const mapping of g.ofType(MAPPING)) {
        if (kindOf(mapping) !== "sqs") continue;
        const queue = g.resolve(mapping, "eventSourceArn", [QUEUE]);
        const fn = g.resolve(mapping, "functionName", [FUNCTION]);
        if (isUnknown(queue) || isUnknown(fn) || queue.length !== 1 || fn.length !== 1) continue;
        out.push({ mapping, queue: queue[0], fn: fn[0] });
    }
    return out;
}

export const lambdaPolicies: PlatformPolicy[] = [
    {
        name: "lambda-no-public-url",
        description: "No Lambda function URL allows unauthenticated calls (authorizationType NONE).",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.lambda.FunctionUrl, (p, _a, report) => {
            if (p.authorizationType === "NONE") report("lets anyone on the internet invoke the function; use AWS_IAM or put it behind API Gateway");
        }),
    },
    {
        name: "lambda-async-failure-destination",
        description:
            "A function invoked asynchronously (by EventBridge, SNS or S3) has a dead-letter queue or an on-failure destination, so events it fails on are kept.",
        enforcementLevel: "mandatory",
        covers: [FUNCTION, PERMISSION, INVOKE_CONFIG, EVENT_TARGET, SUBSCRIPTION],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const invokedAsync = new Map<Node, string>();
            const mark = (fns: Node[] | Unknown, by: string) => {
                if (!isUnknown(fns)) for (const f of fns) invokedAsync.set(f, by);
            };
            for (const p of g.ofType(PERMISSION)) {
                const principal = p.props.principal;
                if (typeof principal === "string" && ASYNC_INVOKERS.includes(principal)) mark(g.resolve(p, "function", [FUNCTION]), principal);
            }
            for (const t of g.ofType(EVENT_TARGET)) mark(g.resolve(t, "arn", [FUNCTION]), "an EventBridge rule");
            for (const s of g.ofType(SUBSCRIPTION)) if (s.props.protocol === "lambda") mark(g.resolve(s, "endpoint", [FUNCTION]), "an SNS subscription");
            for (const n of g.ofType(BUCKET_NOTIFICATION)) {
                for (const fn of asList(n.props.lambdaFunctions))
                    if (fn && !isUnknown(fn)) mark(g.lookup(at(fn, "lambdaFunctionArn"), [FUNCTION]), "S3 notifications");
            }
            const configs = g.ofType(INVOKE_CONFIG);
            for (const [fn, by] of invokedAsync) {
                if (at(fn.props.deadLetterConfig, "targetArn")) continue;
                let unknown = false;
                const hasDestination = configs.some((c) => {
                    const target = g.resolve(c, "functionName", [FUNCTION]);
                    if (isUnknown(target)) unknown = true;
                    return !isUnknown(target) && target.includes(fn) && Boolean(at(c.props.destinationConfig, "onFailure.destination"));
                });
                if (!hasDestination && !unknown)
                    report(
                        `is invoked asynchronously by ${by} but has no dead-letter queue or on-failure destination: events it fails on are dropped after two retries`,
                        fn.urn,
                    );
            }
        },
    },
    {
        name: "lambda-stream-failure-handling",
        description:
            "A Kinesis or DynamoDB stream consumer has an on-failure destination and a finite retry limit, so a poison record neither blocks the shard nor is lost.",
        enforcementLevel: "mandatory",
        covers: ["aws:lambda/eventSourceMapping:EventSourceMapping"],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const m of g.ofType("aws:lambda/eventSourceMapping:EventSourceMapping")) {
                if (isStreamSource(m) !== true) continue;
                if (!at(m.props.destinationConfig, "onFailure.destinationArn"))
                    report("consumes a stream without an on-failure destination; records that exhaust their retries are lost", m.urn);
                const retries = m.props.maximumRetryAttempts;
                if (!isUnknown(retries) && (retries === undefined || Number(retries) < 0))
                    report("retries a failing batch forever (maximumRetryAttempts unset or -1), blocking its shard until the records expire", m.urn);
            }
        },
    },
    {
        name: "lambda-event-source-batch-failures",
        description: "Event source mappings report partial batch failures; stream consumers bisect failing batches and SQS consumers cap their concurrency.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.lambda.EventSourceMapping, (p, _a, report) => {
            const source = p.eventSourceArn ?? "";
            const sqs = /:sqs:/.test(source);
            const stream = /:kinesis:/.test(source) || /:dynamodb:.*\/stream\//.test(source);
            if (!sqs && !stream) return;
            if (!(p.functionResponseTypes ?? []).includes("ReportBatchItemFailures"))
                report("doesn't report partial batch failures, so one bad record retries the whole batch");
            if (stream && p.bisectBatchOnFunctionError !== true) report("doesn't bisect failing batches");
            if (sqs && !p.scalingConfig?.maximumConcurrency)
                report("sets no maximum concurrency, so a queue surge can exhaust the account's Lambda concurrency");
        }),
    },
    {
        name: "lambda-log-group-managed",
        description:
            "Each Lambda function logs to a log group this stack declares (so it has a retention period), not one Lambda auto-creates and keeps forever.",
        enforcementLevel: "advisory",
        covers: [FUNCTION, TYPES.logGroup],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const fn of g.ofType(FUNCTION)) {
                if ((fn.deps.loggingConfig ?? []).some((d) => d.type === TYPES.logGroup)) continue;
                const custom = at(fn.props.loggingConfig, "logGroup");
                const name = custom ?? (typeof fn.props.name === "string" ? `/aws/lambda/${fn.props.name}` : fn.props.name);
                if (declaresLogGroup(g, name) === false)
                    report(`logs to ${name}, which this stack doesn't declare: Lambda creates it with no retention`, fn.urn);
            }
        },
    },
    {
        name: "lambda-runtime-supported",
        description: "Lambda functions use a runtime that AWS still supports.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.lambda.Function, (p, _a, report) => {
            if (typeof p.runtime === "string" && DEPRECATED_RUNTIME.test(p.runtime)) report(`uses the deprecated runtime ${p.runtime}`);
        }),
    },
    {
        name: "lambda-event-source-settings-valid",
        description:
            "Event source mappings use only settings AWS accepts for their source: SQS-only scaling (maximumConcurrency 2-1000), stream-only retries, bisect, record age, destinations and starting position, and a batching window for SQS batches above 10.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.lambda.EventSourceMapping, (p, _a, report) => {
            const arn = p.eventSourceArn;
            if (typeof arn !== "string") return;
            const kind = kindOfArn(arn);
            if (outside(p.batchSize, LIMITS.batchSize)) report(`batchSize ${p.batchSize} is outside 1..10000`);
            if (kind === "sqs") {
                for (const k of STREAM_ONLY) {
                    const v = (p as Record<string, unknown>)[k];
                    if (v !== undefined && v !== false) report(`sets ${k}, which Lambda accepts only for stream sources; an SQS mapping is rejected`);
                }
                const max = p.scalingConfig?.maximumConcurrency;
                if (outside(max, LIMITS.sqsMaximumConcurrency)) report(`scalingConfig.maximumConcurrency ${max} is outside SQS's 2..1000`);
                if (typeof p.batchSize === "number" && p.batchSize > LIMITS.sqsBatchWithoutWindow && (p.maximumBatchingWindowInSeconds ?? 0) < 1) {
                    report(`batchSize ${p.batchSize} needs maximumBatchingWindowInSeconds of at least 1 (SQS batches above 10)`);
                }
            }
            if (kind === "stream") {
                if (p.scalingConfig !== undefined) report("sets scalingConfig, which Lambda accepts only for SQS sources");
                if (!p.startingPosition) report("has no startingPosition, which a stream mapping requires (TRIM_HORIZON, LATEST or AT_TIMESTAMP)");
                const age = p.maximumRecordAgeInSeconds;
                if (typeof age === "number" && age !== -1 && outside(age, LIMITS.recordAge))
                    report(`maximumRecordAgeInSeconds ${age} must be -1 or 60..604800`);
                if (outside(p.maximumRetryAttempts, LIMITS.retries)) report(`maximumRetryAttempts ${p.maximumRetryAttempts} is outside -1..10000`);
                if (outside(p.parallelizationFactor, LIMITS.parallelization)) report(`parallelizationFactor ${p.parallelizationFactor} is outside 1..10`);
            }
        }),
    },
    {
        name: "lambda-sqs-visibility-covers-timeout",
        description: "A queue a Lambda function consumes has a visibility timeout of at least the function's timeout (Lambda rejects the mapping otherwise).",
        enforcementLevel: "mandatory",
        covers: [MAPPING, QUEUE, FUNCTION],
        validateStack: (args, report) => {
            for (const { mapping, queue, fn } of sqsConsumers(new StackGraph(args.resources))) {
                const visibility = queue.props.visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY;
                const timeout = fn.props.timeout ?? DEFAULT_FUNCTION_TIMEOUT;
                if (isUnknown(visibility) || isUnknown(timeout)) continue;
                if (visibility < timeout)
                    report(
                        `consumes ${queue.name}, whose visibility timeout ${visibility}s is below ${fn.name}'s timeout ${timeout}s: Lambda rejects the mapping`,
                        mapping.urn,
                    );
            }
        },
    },
    {
        name: "lambda-sqs-visibility-six-times-timeout",
        description:
            "A queue a Lambda function consumes has a visibility timeout of at least 6x the function's timeout plus its batching window (AWS guidance), so retried invocations don't see messages reappear mid-flight.",
        enforcementLevel: "advisory",
        covers: [MAPPING, QUEUE, FUNCTION],
        validateStack: (args, report) => {
            for (const { mapping, queue, fn } of sqsConsumers(new StackGraph(args.resources))) {
                const visibility = queue.props.visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY;
                const timeout = fn.props.timeout ?? DEFAULT_FUNCTION_TIMEOUT;
                const window = mapping.props.maximumBatchingWindowInSeconds ?? 0;
                if ([visibility, timeout, window].some(isUnknown)) continue;
                const wanted = VISIBILITY_FACTOR * Number(timeout) + Number(window);
                if (Number(visibility) < wanted)
                    report(`consumes ${queue.name}, whose visibility timeout ${visibility}s is below 6 x ${timeout}s + ${window}s = ${wanted}s`, mapping.urn);
            }
        },
    },
    {
        name: "lambda-sqs-reserved-covers-max-concurrency",
        description:
            "A function whose SQS mapping caps its concurrency reserves at least that much concurrency; otherwise Lambda throttles it and throttled messages count toward the dead-letter queue.",
        enforcementLevel: "mandatory",
        covers: [MAPPING, FUNCTION],
        validateStack: (args, report) => {
            for (const { mapping, fn } of sqsConsumers(new StackGraph(args.resources))) {
                const max = at(mapping.props.scalingConfig, "maximumConcurrency");
                const reserved = fn.props.reservedConcurrentExecutions;
                if (typeof max !== "number" || typeof reserved !== "number" || reserved < 0) continue;
                if (reserved < max) report(`${fn.name} reserves ${reserved} but its mapping drives up to ${max} concurrent invocations`, mapping.urn);
            }
        },
    },
    {
        name: "lambda-consumer-bulkhead",
        description:
            "Each function behind an event source mapping reserves its own concurrency (a bulkhead), so a surge elsewhere can't starve it and it can't starve others.",
        enforcementLevel: "advisory",
        covers: [MAPPING, FUNCTION],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const m of g.ofType(MAPPING)) {
                const fns = g.resolve(m, "functionName", [FUNCTION]);
                if (isUnknown(fns)) continue;
                for (const fn of fns) {
                    const reserved = fn.props.reservedConcurrentExecutions;
                    if (!isUnknown(reserved) && (reserved === undefined || Number(reserved) < 0)) report(`consumes events but reserves no concurrency`, fn.urn);
                }
            }
        },
    },
    {
        name: "lambda-stream-iterator-age-alarm",
        description: "Every function consuming a Kinesis or DynamoDB stream has an IteratorAge alarm, so falling behind is noticed before records expire.",
        enforcementLevel: "advisory",
        covers: [MAPPING, FUNCTION, METRIC_ALARM],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const m of g.ofType(MAPPING)) {
                if (kindOf(m) !== "stream") continue;
                const fns = g.resolve(m, "functionName", [FUNCTION]);
                if (isUnknown(fns)) continue;
                for (const fn of fns) {
                    if (isUnknown(fn.props.name)) continue;
                    if (alarmsOn(g, "AWS/Lambda", "IteratorAge", "FunctionName", fn.props.name).length === 0)
                        report("consumes a stream but no alarm watches its IteratorAge", fn.urn);
                }
            }
        },
    },
];
