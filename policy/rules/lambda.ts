import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { StackGraph, TYPES, type Node } from "../graph";
import { asList, isSet, isUnknown, type Unknown } from "../lib";
import type { PlatformPolicy } from "../types";

const FUNCTION = "aws:lambda/function:Function";
const PERMISSION = "aws:lambda/permission:Permission";
const INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig";
const EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const BUCKET_NOTIFICATION = "aws:s3/bucketNotification:BucketNotification";
const CODEBUILD_PROJECT = "aws:codebuild/project:Project";

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

/** A log group declared in this stack, by name, for a service that would otherwise auto-create one. */
function declaresLogGroup(g: StackGraph, name: unknown): boolean | undefined {
    if (isUnknown(name) || typeof name !== "string") return undefined;
    const groups = g.ofType(TYPES.logGroup);
    if (groups.some((l) => isUnknown(l.props.name))) return undefined;
    return groups.some((l) => l.props.name === name);
}

export const serverlessPolicies: PlatformPolicy[] = [
    // Lambda.
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
        description: "A function invoked asynchronously (by EventBridge, SNS or S3) has a dead-letter queue or an on-failure destination, so events it fails on are kept.",
        enforcementLevel: "mandatory",
        covers: [FUNCTION, PERMISSION, INVOKE_CONFIG, EVENT_TARGET, SUBSCRIPTION],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const invokedAsync = new Map<Node, string>();
            const mark = (fns: Node[] | Unknown, by: string) => {
                if (!isUnknown(fns)) for (const f of fns) invokedAsync.set(f, by);
            };
            for (const p of g.ofType(PERMISSION)) if (ASYNC_INVOKERS.includes(p.props.principal)) mark(g.resolve(p, "function", [FUNCTION]), p.props.principal);
            for (const t of g.ofType(EVENT_TARGET)) mark(g.resolve(t, "arn", [FUNCTION]), "an EventBridge rule");
            for (const s of g.ofType(SUBSCRIPTION)) if (s.props.protocol === "lambda") mark(g.resolve(s, "endpoint", [FUNCTION]), "an SNS subscription");
            for (const n of g.ofType(BUCKET_NOTIFICATION)) {
                for (const fn of asList(n.props.lambdaFunctions)) if (fn && !isUnknown(fn)) mark(g.lookup(fn.lambdaFunctionArn, [FUNCTION]), "S3 notifications");
            }
            const configs = g.ofType(INVOKE_CONFIG);
            for (const [fn, by] of invokedAsync) {
                if (fn.props.deadLetterConfig?.targetArn) continue;
                let unknown = false;
                const hasDestination = configs.some((c) => {
                    const target = g.resolve(c, "functionName", [FUNCTION]);
                    if (isUnknown(target)) unknown = true;
                    return !isUnknown(target) && target.includes(fn) && Boolean(c.props.destinationConfig?.onFailure?.destination);
                });
                if (!hasDestination && !unknown) report(`is invoked asynchronously by ${by} but has no dead-letter queue or on-failure destination: events it fails on are dropped after two retries`, fn.urn);
            }
        },
    },
    {
        name: "lambda-stream-failure-handling",
        description: "A Kinesis or DynamoDB stream consumer has an on-failure destination and a finite retry limit, so a poison record neither blocks the shard nor is lost.",
        enforcementLevel: "mandatory",
        covers: ["aws:lambda/eventSourceMapping:EventSourceMapping"],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const m of g.ofType("aws:lambda/eventSourceMapping:EventSourceMapping")) {
                if (isStreamSource(m) !== true) continue;
                if (!m.props.destinationConfig?.onFailure?.destinationArn) report("consumes a stream without an on-failure destination; records that exhaust their retries are lost", m.urn);
                const retries = m.props.maximumRetryAttempts;
                if (!isUnknown(retries) && (retries === undefined || retries < 0)) report("retries a failing batch forever (maximumRetryAttempts unset or -1), blocking its shard until the records expire", m.urn);
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
            if (!(p.functionResponseTypes ?? []).includes("ReportBatchItemFailures")) report("doesn't report partial batch failures, so one bad record retries the whole batch");
            if (stream && p.bisectBatchOnFunctionError !== true) report("doesn't bisect failing batches");
            if (sqs && !p.scalingConfig?.maximumConcurrency) report("sets no maximum concurrency, so a queue surge can exhaust the account's Lambda concurrency");
        }),
    },
    {
        name: "lambda-log-group-managed",
        description: "Each Lambda function logs to a log group this stack declares (so it has a retention period), not one Lambda auto-creates and keeps forever.",
        enforcementLevel: "advisory",
        covers: [FUNCTION, TYPES.logGroup],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const fn of g.ofType(FUNCTION)) {
                if ((fn.deps.loggingConfig ?? []).some((d) => d.type === TYPES.logGroup)) continue;
                const custom = fn.props.loggingConfig?.logGroup;
                const name = custom ?? (typeof fn.props.name === "string" ? `/aws/lambda/${fn.props.name}` : fn.props.name);
                if (declaresLogGroup(g, name) === false) report(`logs to ${name}, which this stack doesn't declare: Lambda creates it with no retention`, fn.urn);
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
    // CodeBuild's auto-created log groups have the same problem.
    {
        name: "codebuild-log-group-managed",
        description: "Each CodeBuild project logs to a log group this stack declares (so it has a retention period), or has CloudWatch logs off in favour of S3.",
        enforcementLevel: "advisory",
        covers: [CODEBUILD_PROJECT, TYPES.logGroup],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const p of g.ofType(CODEBUILD_PROJECT)) {
                const cw = p.props.logsConfig?.cloudwatchLogs;
                if (cw?.status === "DISABLED") continue;
                if ((p.deps.logsConfig ?? []).some((d) => d.type === TYPES.logGroup)) continue;
                const name = cw?.groupName ?? (typeof p.props.name === "string" ? `/aws/codebuild/${p.props.name}` : p.props.name);
                if (declaresLogGroup(g, name) === false) report(`logs to ${name}, which this stack doesn't declare: CodeBuild creates it with no retention`, p.urn);
            }
        },
    },
    // Step Functions.
    {
        name: "sfn-logging",
        description: "Step Functions state machines log executions to CloudWatch Logs.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.sfn.StateMachine, (p, _a, report) => {
            const logging = p.loggingConfiguration;
            if (!logging || (logging.level ?? "OFF") === "OFF" || !isSet(logging, "logDestination")) report("logs no executions; set loggingConfiguration with a level and a log group");
        }),
    },
    {
        name: "sfn-tracing",
        description: "Step Functions state machines trace executions with X-Ray.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.sfn.StateMachine, (p, _a, report) => {
            if (p.tracingConfiguration?.enabled !== true) report("does not trace with X-Ray");
        }),
    },
];
