/**
 * Rules for the event-driven wiring the messaging and serverless modules leave open: what AWS
 * accepts on an event source mapping per source type, how a queue must relate to the function
 * consuming it, dead-letter redrive permissions, protection of queued messages and archived
 * events in prod, and the alarms that make failures visible.
 */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { duplicateStateNames, mapInvocations, worstCaseProblem } from "../asl";
import { StackGraph, type Node } from "../graph";
import { asList, get, isProd, isUnknown, json, plain, UNKNOWN } from "../lib";
import { environmentConfigSchema, type PlatformPolicy } from "../types";

const MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";
const FUNCTION = "aws:lambda/function:Function";
const QUEUE = "aws:sqs/queue:Queue";
const REDRIVE_POLICY = "aws:sqs/redrivePolicy:RedrivePolicy";
const REDRIVE_ALLOW = "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const STATE_MACHINE = "aws:sfn/stateMachine:StateMachine";
const KINESIS = "aws:kinesis/stream:Stream";
const TABLE = "aws:dynamodb/table:Table";

// The validator Step Functions' own definition checks follow (it reports DUPLICATE_STATE_NAMES,
// unknown fields, missing targets, ...). It fills in defaults in what it is given: pass a copy.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const validateAsl = require("asl-validator") as (definition: unknown) => { isValid: boolean; errors: { "Error code"?: string; Message?: string; message?: string }[] };

/**
 * The most items a Map state of the platform's state machines iterates over: an order's line
 * limit (services/orders/model.ts). A pack config may set another as `mapItems`.
 */
export const DEFAULT_MAP_ITEMS = 100;

/** A state machine's definition as an object; UNKNOWN while preview can't tell (it is built from other resources' ARNs), undefined if not JSON. */
function definitionOf(props: unknown): any {
    const d = plain(props)?.definition;
    return isUnknown(d) ? UNKNOWN : json(d);
}

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
const STREAM_ONLY = ["bisectBatchOnFunctionError", "maximumRecordAgeInSeconds", "maximumRetryAttempts", "destinationConfig", "startingPosition", "parallelizationFactor", "tumblingWindowInSeconds"];
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

/** Source queues and the dead-letter queue each names (inline redrive policy or a RedrivePolicy resource). */
function redrives(g: StackGraph): { source: Node; dlq: Node }[] {
    const out: { source: Node; dlq: Node }[] = [];
    const add = (source: Node[], policy: unknown) => {
        const target = get(json(policy), "deadLetterTargetArn");
        if (typeof target !== "string") return;
        for (const dlq of g.lookup(target, [QUEUE])) for (const s of source) out.push({ source: s, dlq });
    };
    for (const q of g.ofType(QUEUE)) add([q], q.props.redrivePolicy);
    for (const r of g.ofType(REDRIVE_POLICY)) {
        const src = g.resolve(r, "queueUrl", [QUEUE]);
        if (!isUnknown(src)) add(src, r.props.redrivePolicy);
    }
    return out;
}

/** A queue's redrive allow policy (inline, or a RedriveAllowPolicy resource naming it); UNKNOWN-tolerant. */
function redriveAllowOf(g: StackGraph, q: Node): any {
    const inline = json(q.props.redriveAllowPolicy);
    if (inline !== undefined) return inline;
    for (const r of g.ofType(REDRIVE_ALLOW)) {
        const target = g.resolve(r, "queueUrl", [QUEUE]);
        if (!isUnknown(target) && target.includes(q)) return json(r.props.redriveAllowPolicy);
    }
    return undefined;
}

/** Alarms on `metric` in `namespace` whose dimension `dimension` is `value`, and that notify someone. */
function alarmsOn(g: StackGraph, namespace: string, metric: string, dimension: string, value: unknown): Node[] {
    return g.ofType(ALARM).filter((a) => a.props.namespace === namespace && a.props.metricName === metric && get(a.props.dimensions, dimension) === value && asList(a.props.alarmActions).length > 0);
}

export const eventsPolicies: PlatformPolicy[] = [
    {
        name: "lambda-event-source-settings-valid",
        description: "Event source mappings use only settings AWS accepts for their source: SQS-only scaling (maximumConcurrency 2-1000), stream-only retries, bisect, record age, destinations and starting position, and a batching window for SQS batches above 10.",
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
                if (typeof age === "number" && age !== -1 && outside(age, LIMITS.recordAge)) report(`maximumRecordAgeInSeconds ${age} must be -1 or 60..604800`);
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
                if (visibility < timeout) report(`consumes ${queue.name}, whose visibility timeout ${visibility}s is below ${fn.name}'s timeout ${timeout}s: Lambda rejects the mapping`, mapping.urn);
            }
        },
    },
    {
        name: "lambda-sqs-visibility-six-times-timeout",
        description: "A queue a Lambda function consumes has a visibility timeout of at least 6x the function's timeout plus its batching window (AWS guidance), so retried invocations don't see messages reappear mid-flight.",
        enforcementLevel: "advisory",
        covers: [MAPPING, QUEUE, FUNCTION],
        validateStack: (args, report) => {
            for (const { mapping, queue, fn } of sqsConsumers(new StackGraph(args.resources))) {
                const visibility = queue.props.visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY;
                const timeout = fn.props.timeout ?? DEFAULT_FUNCTION_TIMEOUT;
                const window = mapping.props.maximumBatchingWindowInSeconds ?? 0;
                if ([visibility, timeout, window].some(isUnknown)) continue;
                const wanted = VISIBILITY_FACTOR * timeout + window;
                if (visibility < wanted) report(`consumes ${queue.name}, whose visibility timeout ${visibility}s is below 6 x ${timeout}s + ${window}s = ${wanted}s`, mapping.urn);
            }
        },
    },
    {
        name: "lambda-sqs-reserved-covers-max-concurrency",
        description: "A function whose SQS mapping caps its concurrency reserves at least that much concurrency; otherwise Lambda throttles it and throttled messages count toward the dead-letter queue.",
        enforcementLevel: "mandatory",
        covers: [MAPPING, FUNCTION],
        validateStack: (args, report) => {
            for (const { mapping, fn } of sqsConsumers(new StackGraph(args.resources))) {
                const max = mapping.props.scalingConfig?.maximumConcurrency;
                const reserved = fn.props.reservedConcurrentExecutions;
                if (typeof max !== "number" || typeof reserved !== "number" || reserved < 0) continue;
                if (reserved < max) report(`${fn.name} reserves ${reserved} but its mapping drives up to ${max} concurrent invocations`, mapping.urn);
            }
        },
    },
    {
        name: "lambda-consumer-bulkhead",
        description: "Each function behind an event source mapping reserves its own concurrency (a bulkhead), so a surge elsewhere can't starve it and it can't starve others.",
        enforcementLevel: "advisory",
        covers: [MAPPING, FUNCTION],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const m of g.ofType(MAPPING)) {
                const fns = g.resolve(m, "functionName", [FUNCTION]);
                if (isUnknown(fns)) continue;
                for (const fn of fns) {
                    const reserved = fn.props.reservedConcurrentExecutions;
                    if (!isUnknown(reserved) && (reserved === undefined || reserved < 0)) report(`consumes events but reserves no concurrency`, fn.urn);
                }
            }
        },
    },
    {
        name: "sqs-redrive-allowed",
        description: "A dead-letter queue's redrive allow policy admits every queue that names it (SQS refuses a redrive policy the dead-letter queue does not allow).",
        enforcementLevel: "mandatory",
        covers: [QUEUE, REDRIVE_POLICY, REDRIVE_ALLOW],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const { source, dlq } of redrives(g)) {
                const allow = redriveAllowOf(g, dlq);
                if (allow === undefined || isUnknown(allow)) continue;
                if (allow.redrivePermission === "denyAll") report(`is the dead-letter queue of ${source.name} but its redrive allow policy is denyAll`, dlq.urn);
                if (allow.redrivePermission === "byQueue") {
                    const arns = asList(allow.sourceQueueArns);
                    if (arns.some(isUnknown) || isUnknown(source.props.arn)) continue;
                    if (!arns.includes(source.props.arn)) report(`is the dead-letter queue of ${source.name}, which its redrive allow policy does not list`, dlq.urn);
                }
            }
        },
    },
    {
        name: "sqs-dlq-redrive-restricted",
        description: "Every dead-letter queue says which queues may use it (redrive allow policy byQueue), rather than accepting any queue of the account.",
        enforcementLevel: "advisory",
        covers: [QUEUE, REDRIVE_ALLOW],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const dlq of new Set(redrives(g).map((r) => r.dlq))) {
                const allow = redriveAllowOf(g, dlq);
                if (isUnknown(allow)) continue;
                if (allow === undefined || allow.redrivePermission === "allowAll") report("accepts any queue as a redrive source; list its source queues (redrivePermission byQueue)", dlq.urn);
            }
        },
    },
    {
        name: "sqs-dlq-depth-alarm",
        description: "Every dead-letter queue and failure destination has an alarm on its visible messages, so a failed message is noticed, not just kept.",
        enforcementLevel: "advisory",
        covers: [QUEUE, ALARM],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const dead = new Set(redrives(g).map((r) => r.dlq));
            for (const q of g.ofType(QUEUE)) if (json(q.props.redriveAllowPolicy)?.redrivePermission === "denyAll") dead.add(q);
            for (const m of g.ofType(MAPPING)) {
                const dest = m.props.destinationConfig?.onFailure?.destinationArn;
                if (typeof dest === "string") g.lookup(dest, [QUEUE]).forEach((q) => dead.add(q));
            }
            for (const q of dead) {
                if (isUnknown(q.props.name)) continue;
                if (alarmsOn(g, "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q.props.name).length === 0) report("holds failed messages but no alarm watches ApproximateNumberOfMessagesVisible", q.urn);
            }
        },
    },
    {
        name: "sfn-failure-alarm",
        description: "Every Step Functions state machine has an alarm on ExecutionsFailed that notifies someone.",
        enforcementLevel: "advisory",
        covers: [STATE_MACHINE, ALARM],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const sm of g.ofType(STATE_MACHINE)) {
                if (isUnknown(sm.props.arn)) continue;
                if (alarmsOn(g, "AWS/States", "ExecutionsFailed", "StateMachineArn", sm.props.arn).length === 0) report("has no ExecutionsFailed alarm", sm.urn);
            }
        },
    },
    {
        name: "sfn-definition-valid",
        description: "Every state machine definition is one Step Functions accepts: valid ASL (asl-validator) with every state name unique across the machine, nested states included.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.sfn.StateMachine, (p, _a, report) => {
            const def = definitionOf(p);
            if (isUnknown(def)) return;
            if (def === undefined || typeof def !== "object") {
                report("has a definition that is not JSON");
                return;
            }
            const { isValid, errors } = validateAsl(structuredClone(def));
            const problems = isValid ? [] : errors.map((e) => [e["Error code"], e.Message ?? e.message].filter(Boolean).join(": "));
            for (const name of duplicateStateNames(def)) {
                if (!problems.some((m) => m.includes(`exists: ${name}`))) problems.push(`DUPLICATE_STATE_NAMES: a state with this name already exists: ${name}`);
            }
            if (problems.length > 0) report(`has a definition Step Functions rejects: ${problems.join("; ")}`);
        }),
    },
    {
        name: "sfn-worst-case-within-timeout",
        description:
            "A state machine's worst case (every retry used up, every task running to its TimeoutSeconds, Map states over mapItems items, the slowest failure's Catch path) fits its TimeoutSeconds, so no execution times out half-way through its compensations.",
        enforcementLevel: "mandatory",
        configSchema: { properties: { ...environmentConfigSchema.properties, mapItems: { type: "integer", minimum: 1 } } },
        validateResource: validateResourceOfType(aws.sfn.StateMachine, (p, args, report) => {
            const def = definitionOf(p);
            if (isUnknown(def) || def === undefined || typeof def !== "object") return;
            const problem = worstCaseProblem(def, { mapItems: args.getConfig<{ mapItems?: number }>().mapItems ?? DEFAULT_MAP_ITEMS });
            if (problem) report(problem);
        }),
    },
    {
        name: "sfn-map-within-reserved-concurrency",
        description:
            "A Map state runs no more iterations at once than the reserved concurrency of the Lambda function they invoke, or its own iterations throttle each other and use up their retries.",
        enforcementLevel: "mandatory",
        covers: [STATE_MACHINE, FUNCTION],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const sm of g.ofType(STATE_MACHINE)) {
                const def = definitionOf(sm.props);
                if (isUnknown(def) || def === undefined || typeof def !== "object") continue;
                for (const m of mapInvocations(def)) {
                    for (const target of m.functions) {
                        // The function by its ARN, or an alias or version of it (arn:...:function:name:qualifier).
                        const fns = g.lookup(target, [FUNCTION]).length > 0 ? g.lookup(target, [FUNCTION]) : g.lookup(target.replace(/^(arn:[^:]+:lambda:[^:]+:\d+:function:[^:]+):[^:]+$/, "$1"), [FUNCTION]);
                        for (const fn of fns) {
                            const reserved = fn.props.reservedConcurrentExecutions;
                            if (typeof reserved !== "number" || reserved < 0) continue;
                            if (m.maxConcurrency > reserved) {
                                report(`Map state ${m.map} runs up to ${m.maxConcurrency} iterations at once against ${fn.name}, which is reserved ${reserved}: lower MaxConcurrency to ${reserved} or reserve more`, sm.urn);
                            }
                        }
                    }
                }
            }
        },
    },
    {
        name: "lambda-stream-iterator-age-alarm",
        description: "Every function consuming a Kinesis or DynamoDB stream has an IteratorAge alarm, so falling behind is noticed before records expire.",
        enforcementLevel: "advisory",
        covers: [MAPPING, FUNCTION, ALARM],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const m of g.ofType(MAPPING)) {
                if (kindOf(m) !== "stream") continue;
                const fns = g.resolve(m, "functionName", [FUNCTION]);
                if (isUnknown(fns)) continue;
                for (const fn of fns) {
                    if (isUnknown(fn.props.name)) continue;
                    if (alarmsOn(g, "AWS/Lambda", "IteratorAge", "FunctionName", fn.props.name).length === 0) report("consumes a stream but no alarm watches its IteratorAge", fn.urn);
                }
            }
        },
    },
    {
        name: "events-stateful-protected-prod",
        description: "In prod, SQS queues (messages in flight and dead letters) and EventBridge archives (past events for replay) are Pulumi-protected, so no replacement or destroy deletes them.",
        enforcementLevel: "mandatory",
        environmentAware: true,
        validateResource: [aws.sqs.Queue, aws.cloudwatch.EventArchive].map((cls) =>
            validateResourceOfType(cls as typeof aws.sqs.Queue, (_p, args, report) => {
                if (isProd(args) && args.opts.protect !== true) report("holds messages or events but is not protected in prod; create it with { protect: true }");
            }),
        ),
    },
];
