/** SQS rules: encryption, dead-letter queues and redrive, TLS-only queue policies, publishers admitted, DLQ alarms. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { type Node, StackGraph } from "../graph";
import {
    allowsAction,
    asList,
    at,
    deniesInsecureTransport,
    get,
    isAllow,
    isSet,
    isUnknown,
    json,
    servicePrincipals,
    statementsOf,
    type Unknown,
    UNKNOWN,
} from "../lib";
import { METRIC_ALARM, alarmsOn, EVENT_BUS, EVENT_TARGET, MAPPING, QUEUE, resourcePolicies, serviceDeliveries, SUBSCRIPTION } from "../shared";
import type { PlatformPolicy } from "../types";

const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";

const REDRIVE_POLICY = "aws:sqs/redrivePolicy:RedrivePolicy";

const REDRIVE_ALLOW_POLICY = "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy";

/** SQS keeps messages 4 days unless told otherwise. */
const DEFAULT_RETENTION_SECONDS = 345600;

/** Where failed messages or events are sent: a queue named at one of these paths is a dead-letter queue. */
const FAILURE_DESTINATIONS: { type: string; path: string; jsonPath?: string }[] = [
    { type: QUEUE, path: "redrivePolicy", jsonPath: "deadLetterTargetArn" },
    { type: REDRIVE_POLICY, path: "redrivePolicy", jsonPath: "deadLetterTargetArn" },
    { type: SUBSCRIPTION, path: "redrivePolicy", jsonPath: "deadLetterTargetArn" },
    { type: "aws:lambda/function:Function", path: "deadLetterConfig.targetArn" },
    { type: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", path: "destinationConfig.onFailure.destination" },
    { type: "aws:lambda/eventSourceMapping:EventSourceMapping", path: "destinationConfig.onFailure.destinationArn" },
    { type: EVENT_TARGET, path: "deadLetterConfig.arn" },
    { type: EVENT_BUS, path: "deadLetterConfig.arn" },
];

/** The ARN (or other reference) at a failure-destination path, decoding JSON-encoded redrive policies. */
function destinationOf(n: Node, d: { path: string; jsonPath?: string }): unknown {
    const v = get(n.props, d.path);
    return d.jsonPath ? get(json(v), d.jsonPath) : v;
}

/** The queues that serve as dead-letter queues or failure destinations; UNKNOWN if some can't be resolved. */
function deadLetterQueues(g: StackGraph): Set<Node> | Unknown {
    const dlqs = new Set<Node>();
    for (const d of FAILURE_DESTINATIONS) {
        for (const n of g.ofType(d.type)) {
            const target = destinationOf(n, d);
            if (target === undefined) continue;
            if (isUnknown(target)) {
                const viaDeps = (n.deps[d.path.split(".")[0]] ?? []).filter((x) => x.type === QUEUE);
                if (viaDeps.length === 0) return UNKNOWN;
                viaDeps.forEach((q) => dlqs.add(q));
                continue;
            }
            g.lookup(target, [QUEUE]).forEach((q) => dlqs.add(q));
        }
    }
    // A redrive allow policy (inline or its own resource) declares the queue a dead-letter queue.
    for (const q of g.ofType(QUEUE)) if (q.props.redriveAllowPolicy !== undefined) dlqs.add(q);
    for (const p of g.ofType(REDRIVE_ALLOW_POLICY)) {
        const q = g.resolve(p, "queueUrl", [QUEUE]);
        if (isUnknown(q)) return UNKNOWN;
        q.forEach((x) => dlqs.add(x));
    }
    return dlqs;
}

/** The redrive policy document's fields the rules read (values as given, unchecked). */
interface RedrivePolicy {
    deadLetterTargetArn?: unknown;
}

/** The redrive allow policy document's fields the rules read. */
interface RedriveAllowPolicy {
    redrivePermission?: unknown;
    sourceQueueArns?: unknown;
}

/** A queue's redrive policy: inline, or a RedrivePolicy resource naming the queue. */
function redriveOf(g: StackGraph, queue: Node): RedrivePolicy | Unknown | undefined {
    const inline = json(queue.props.redrivePolicy) as RedrivePolicy | Unknown | undefined;
    if (inline !== undefined) return inline;
    for (const r of g.ofType(REDRIVE_POLICY)) {
        const target = g.resolve(r, "queueUrl", [QUEUE]);
        if (isUnknown(target)) return UNKNOWN;
        if (target.includes(queue)) return json(r.props.redrivePolicy) as RedrivePolicy | Unknown | undefined;
    }
    return undefined;
}

const REDRIVE_ALLOW = "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy";

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
function redriveAllowOf(g: StackGraph, q: Node): RedriveAllowPolicy | Unknown | undefined {
    const inline = json(q.props.redriveAllowPolicy) as RedriveAllowPolicy | Unknown | undefined;
    if (inline !== undefined) return inline;
    for (const r of g.ofType(REDRIVE_ALLOW)) {
        const target = g.resolve(r, "queueUrl", [QUEUE]);
        if (!isUnknown(target) && target.includes(q)) return json(r.props.redriveAllowPolicy) as RedriveAllowPolicy | Unknown | undefined;
    }
    return undefined;
}

export const sqsPolicies: PlatformPolicy[] = [
    {
        name: "sqs-queue-encrypted",
        description: "SQS queues are encrypted at rest (a KMS key, or SQS-managed SSE set explicitly).",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.sqs.Queue, (p, _a, report) => {
            if (!isSet(p, "kmsMasterKeyId") && p.sqsManagedSseEnabled !== true) report("is not encrypted; set kmsMasterKeyId (or sqsManagedSseEnabled)");
        }),
    },
    {
        name: "sqs-queue-has-dlq",
        description:
            "Every SQS queue that isn't itself a dead-letter queue redrives to one (of the same kind, FIFO or standard) after a bounded number of receives.",
        enforcementLevel: "mandatory",
        covers: [QUEUE, REDRIVE_POLICY, REDRIVE_ALLOW_POLICY],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const dlqs = deadLetterQueues(g);
            if (isUnknown(dlqs)) return;
            for (const q of g.ofType(QUEUE)) {
                if (dlqs.has(q)) continue;
                const redrive = redriveOf(g, q);
                if (isUnknown(redrive)) continue;
                if (!redrive?.deadLetterTargetArn) {
                    report("has no dead-letter queue: a message that always fails is retried until it expires, then lost", q.urn);
                    continue;
                }
                if (isUnknown(redrive.deadLetterTargetArn)) continue;
                const target = g.lookup(redrive.deadLetterTargetArn, [QUEUE])[0];
                if (
                    target &&
                    !isUnknown(q.props.fifoQueue) &&
                    !isUnknown(target.props.fifoQueue) &&
                    Boolean(q.props.fifoQueue) !== Boolean(target.props.fifoQueue)
                ) {
                    report(
                        `redrives to ${target.name}, but a ${q.props.fifoQueue ? "FIFO" : "standard"} queue's dead-letter queue must be ${q.props.fifoQueue ? "FIFO" : "standard"} too`,
                        q.urn,
                    );
                }
            }
        },
    },
    {
        name: "sqs-dlq-outlives-source",
        description: "A dead-letter queue keeps messages at least as long as its source queue, or redriven messages expire early.",
        enforcementLevel: "advisory",
        covers: [QUEUE],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const q of g.ofType(QUEUE)) {
                const redrive = redriveOf(g, q);
                if (isUnknown(redrive) || typeof redrive?.deadLetterTargetArn !== "string") continue;
                const dlq = g.lookup(redrive.deadLetterTargetArn, [QUEUE])[0];
                if (!dlq) continue;
                const source = q.props.messageRetentionSeconds ?? DEFAULT_RETENTION_SECONDS;
                const kept = dlq.props.messageRetentionSeconds ?? DEFAULT_RETENTION_SECONDS;
                if (isUnknown(source) || isUnknown(kept)) continue;
                if (kept < source)
                    report(
                        `keeps messages ${kept}s but its source ${q.name} keeps them ${source}s; the message's original age counts, so they expire early`,
                        dlq.urn,
                    );
            }
        },
    },
    {
        name: "sqs-deny-insecure-transport",
        description: "Every SQS queue's policy denies requests not made over TLS.",
        enforcementLevel: "mandatory",
        covers: [QUEUE, QUEUE_POLICY],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const q of g.ofType(QUEUE)) {
                const docs = resourcePolicies(g, q, QUEUE_POLICY, "queueUrl");
                if (isUnknown(docs)) continue;
                if (!docs.some((d) => statementsOf(d).some(deniesInsecureTransport)))
                    report("has no policy statement denying aws:SecureTransport false", q.urn);
            }
        },
    },
    {
        name: "sqs-queue-policy-admits-publishers",
        description: "A queue that SNS or EventBridge delivers to has a policy letting that service send messages (otherwise deliveries are dropped silently).",
        enforcementLevel: "mandatory",
        covers: [QUEUE, QUEUE_POLICY, SUBSCRIPTION, EVENT_TARGET],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const { sender, service, target } of serviceDeliveries(g)) {
                if (target.type !== QUEUE) continue;
                const docs = resourcePolicies(g, target, QUEUE_POLICY, "queueUrl");
                if (isUnknown(docs)) continue;
                const admitted = docs.some((d) =>
                    statementsOf(d).some((s) => isAllow(s) && servicePrincipals(s).includes(service) && allowsAction(s, "sqs:SendMessage")),
                );
                if (!admitted)
                    report(
                        `${sender.name} delivers to queue ${target.name}, whose policy doesn't let ${service} call sqs:SendMessage; every delivery is dropped`,
                        sender.urn,
                    );
            }
        },
    },
    {
        name: "sqs-redrive-allowed",
        description:
            "A dead-letter queue's redrive allow policy admits every queue that names it (SQS refuses a redrive policy the dead-letter queue does not allow).",
        enforcementLevel: "mandatory",
        covers: [QUEUE, REDRIVE_POLICY, REDRIVE_ALLOW],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const { source, dlq } of redrives(g)) {
                const allow = redriveAllowOf(g, dlq);
                if (allow === undefined || isUnknown(allow)) continue;
                if (allow.redrivePermission === "denyAll")
                    report(`is the dead-letter queue of ${source.name} but its redrive allow policy is denyAll`, dlq.urn);
                if (allow.redrivePermission === "byQueue") {
                    const arns = asList(allow.sourceQueueArns);
                    if (arns.some(isUnknown) || isUnknown(source.props.arn)) continue;
                    if (!arns.includes(source.props.arn))
                        report(`is the dead-letter queue of ${source.name}, which its redrive allow policy does not list`, dlq.urn);
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
                if (allow === undefined || allow.redrivePermission === "allowAll")
                    report("accepts any queue as a redrive source; list its source queues (redrivePermission byQueue)", dlq.urn);
            }
        },
    },
    {
        name: "sqs-dlq-depth-alarm",
        description: "Every dead-letter queue and failure destination has an alarm on its visible messages, so a failed message is noticed, not just kept.",
        enforcementLevel: "advisory",
        covers: [QUEUE, METRIC_ALARM],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const dead = new Set(redrives(g).map((r) => r.dlq));
            for (const q of g.ofType(QUEUE)) if (at(json(q.props.redriveAllowPolicy), "redrivePermission") === "denyAll") dead.add(q);
            for (const m of g.ofType(MAPPING)) {
                const dest = at(m.props.destinationConfig, "onFailure.destinationArn");
                if (typeof dest === "string") g.lookup(dest, [QUEUE]).forEach((q) => dead.add(q));
            }
            for (const q of dead) {
                if (isUnknown(q.props.name)) continue;
                if (alarmsOn(g, "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q.props.name).length === 0)
                    report("holds failed messages but no alarm watches ApproximateNumberOfMessagesVisible", q.urn);
            }
        },
    },
];
