/**
 * The event-driven services as each committed stack plans them under the offline engine.
 */
import { strict as assert } from "assert";
import { FORWARD_STEPS, MAX_ORDER_LINES } from "../../lib/saga-definition";
import { duplicateStateNames, mapInvocations, worstCaseProblem } from "../../lib/asl";
import { OUTBOX_METRICS } from "../../services/orders/model";
import { chainFrom } from "../helpers/sfn";
import { doc, ofType, one, planOf, type PlanWithPolicy } from "../helpers/plan";
import type { PlannedResource } from "../../tools/engine";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const validateAsl = require("asl-validator") as (definition: unknown) => { isValid: boolean; errors: unknown[] };
const QUEUE = "aws:sqs/queue:Queue";
const MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";
const FUNCTION = "aws:lambda/function:Function";

const expectations = {
    dev: { protect: false, logLevel: "ALL", includeExecutionData: true, logRetention: 14, archiveDays: 7, maxReceiveCount: 3 },
    prod: { protect: true, logLevel: "ERROR", includeExecutionData: false, logRetention: 365, archiveDays: 90, maxReceiveCount: 5 },
};

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const json = (v: unknown): any => (typeof v === "string" ? JSON.parse(v) : v);

/** Every statement granted to a role: its inline RolePolicy resources by the role's name. */
function grantsOf(plan: PlanWithPolicy, role: PlannedResource): any[] {
    return ofType(plan, "aws:iam/rolePolicy:RolePolicy")
        .filter((p) => p.inputs.role === role.outputs.name)
        .flatMap((p) => doc(p.inputs.policy).Statement);
}
const roleOfFunction = (plan: PlanWithPolicy, fn: PlannedResource) => ofType(plan, "aws:iam/role:Role").find((r) => r.outputs.arn === fn.inputs.role)!;
const functionOfMapping = (plan: PlanWithPolicy, m: PlannedResource) => ofType(plan, FUNCTION).find((f) => f.outputs.arn === m.inputs.functionName)!;
const queueByArn = (plan: PlanWithPolicy, arn: unknown) => ofType(plan, QUEUE).find((q) => q.outputs.arn === arn);

/** A resource's name as AWS holds it: the plan's outputs carry only what the provider computes. */
const nameOf = (r: PlannedResource) => (r.outputs.name ?? r.inputs.name) as string;

/** Whether some ancestor of a resource is an events component. */
function inEvents(plan: PlanWithPolicy, r: PlannedResource): boolean {
    for (let urn = r.parent; urn; urn = plan.resources.find((x) => x.urn === urn)?.parent)
        if (urn.includes("::platform:events:") || urn.includes("$platform:events:")) return true;
    return false;
}

/** Whether a statement allows an action of the service with this prefix. */
const grants = (s: any, prefix: string) => s.Effect !== "Deny" && asList<string>(s.Action).some((a) => a.startsWith(prefix));

for (const [stack, want] of Object.entries(expectations)) {
    describe(`${stack} event-driven services`, () => {
        const plan = () => planOf(stack);
        const outputs = () => plan().outputs as Record<string, any>;
        const eventsResources = () => plan().resources.filter((r) => inEvents(plan(), r));

        it("every queue has a dead-letter queue, or is one (a redrive target or a failure destination)", () => {
            const queues = ofType(plan(), QUEUE);
            assert.ok(queues.length >= 7, `${queues.length} queues`);
            const arns = new Set(queues.map((q) => q.outputs.arn));
            const deadEnds = new Set<unknown>();
            for (const q of queues) if (q.inputs.redrivePolicy) deadEnds.add(json(q.inputs.redrivePolicy).deadLetterTargetArn);
            for (const s of ofType(plan(), "aws:sns/topicSubscription:TopicSubscription"))
                if (s.inputs.redrivePolicy) deadEnds.add(json(s.inputs.redrivePolicy).deadLetterTargetArn);
            for (const t of ofType(plan(), "aws:cloudwatch/eventTarget:EventTarget")) deadEnds.add((t.inputs.deadLetterConfig as any)?.arn);
            for (const b of ofType(plan(), "aws:cloudwatch/eventBus:EventBus")) deadEnds.add((b.inputs.deadLetterConfig as any)?.arn);
            for (const m of ofType(plan(), MAPPING)) deadEnds.add((m.inputs.destinationConfig as any)?.onFailure?.destinationArn);
            for (const q of queues) {
                if (deadEnds.has(q.outputs.arn)) {
                    assert.equal(q.inputs.messageRetentionSeconds, 14 * 86_400, `${q.name} keeps dead letters the SQS maximum`);
                    continue;
                }
                const redrive = json(q.inputs.redrivePolicy);
                assert.ok(redrive, `${q.name} has no dead-letter queue`);
                assert.ok(arns.has(redrive.deadLetterTargetArn), `${q.name} redrives outside the stack`);
                assert.equal(redrive.maxReceiveCount, want.maxReceiveCount);
            }
            for (const d of deadEnds) if (d !== undefined) assert.ok(arns.has(d), `${d} is not a queue of the stack`);
        });

        it("every queue and the topic are KMS-encrypted with the platform key and deny non-TLS access", () => {
            const key = outputs().kmsKeyArn;
            const policies = ofType(plan(), "aws:sqs/queuePolicy:QueuePolicy");
            for (const q of ofType(plan(), QUEUE)) {
                assert.equal(q.inputs.kmsMasterKeyId, key, q.name);
                const policy = policies.find((p) => p.inputs.queueUrl === q.outputs.url);
                assert.ok(policy, `${q.name} has no queue policy`);
                assert.ok(
                    doc(policy.inputs.policy).Statement.some((s) => s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"] === false),
                    q.name,
                );
            }
            const topic = ofType(plan(), "aws:sns/topic:Topic").find((t) => t.outputs.arn === outputs().orderEventsTopicArn)!;
            assert.equal(topic.inputs.kmsMasterKeyId, key);
            const keyPolicy = doc(ofType(plan(), "aws:kms/key:Key")[0].inputs.policy).Statement;
            for (const service of ["sns.amazonaws.com", "events.amazonaws.com"]) {
                const s = keyPolicy.filter((x) => asList(x.Principal?.Service).includes(service));
                assert.ok(
                    s.some((x) => asList(x.Action).includes("kms:Decrypt")) &&
                        s.some((x) => asList<string>(x.Action).some((a) => a.startsWith("kms:GenerateDataKey"))),
                    `the key admits ${service}`,
                );
            }
            // EventBridge's key check (DescribeKey) stands without a source condition, as AWS's archive example has it.
            const describe = keyPolicy.find(
                (x) => asList(x.Principal?.Service).includes("events.amazonaws.com") && asList(x.Action).includes("kms:DescribeKey"),
            );
            assert.ok(describe && describe.Condition === undefined, JSON.stringify(describe));
        });

        it("each SQS event source mapping reports partial failures, caps its concurrency within the function's bulkhead, and its queue outlasts 6 function timeouts", () => {
            const mappings = ofType(plan(), MAPPING).filter((m) => String(m.inputs.eventSourceArn).includes(":sqs:"));
            assert.equal(mappings.length, 2);
            for (const m of mappings) {
                const fn = functionOfMapping(plan(), m);
                const queue = queueByArn(plan(), m.inputs.eventSourceArn)!;
                assert.deepEqual(m.inputs.functionResponseTypes, ["ReportBatchItemFailures"], m.name);
                const max = (m.inputs.scalingConfig as any).maximumConcurrency;
                assert.ok(max >= 2 && max <= 1000, m.name);
                assert.ok((fn.inputs.reservedConcurrentExecutions as number) >= max, `${fn.name}'s bulkhead holds ${max}`);
                assert.ok(
                    (queue.inputs.visibilityTimeoutSeconds as number) >=
                        6 * (fn.inputs.timeout as number) + ((m.inputs.maximumBatchingWindowInSeconds as number) ?? 0),
                    queue.name,
                );
                for (const k of ["bisectBatchOnFunctionError", "maximumRetryAttempts", "maximumRecordAgeInSeconds", "destinationConfig", "startingPosition"])
                    assert.equal(m.inputs[k], undefined, `${m.name}: ${k} is stream-only`);
                assert.ok(json(queue.inputs.redrivePolicy)?.deadLetterTargetArn, `${queue.name} dead-letters`);
            }
        });

        it("the stream processor's mapping bisects, retries a bounded number of times on young records, and sends failures to its queue", () => {
            const [m] = ofType(plan(), MAPPING).filter((x) => String(x.inputs.eventSourceArn).includes(":kinesis:"));
            assert.equal(m.inputs.eventSourceArn, outputs().analyticsStreamArn);
            assert.equal(m.inputs.startingPosition, "TRIM_HORIZON");
            assert.equal(m.inputs.bisectBatchOnFunctionError, true);
            assert.ok((m.inputs.maximumRetryAttempts as number) >= 0 && (m.inputs.maximumRetryAttempts as number) <= 10);
            const retention = (one(plan(), "aws:kinesis/stream:Stream").inputs.retentionPeriod as number) * 3600;
            assert.ok((m.inputs.maximumRecordAgeInSeconds as number) < retention, "failed records are still in the stream when reported");
            assert.deepEqual(m.inputs.functionResponseTypes, ["ReportBatchItemFailures"]);
            assert.equal(m.inputs.scalingConfig, undefined, "scalingConfig is SQS-only");
            const failures = queueByArn(plan(), (m.inputs.destinationConfig as any).onFailure.destinationArn);
            assert.ok(failures, "the on-failure destination is a queue of the stack");
            assert.equal(failures.inputs.kmsMasterKeyId, outputs().kmsKeyArn);
        });

        it("each consumer's role may read only its own queue; the stream processor reads only the stream and sends only to its failure queue", () => {
            const sqsMappings = ofType(plan(), MAPPING).filter((m) => String(m.inputs.eventSourceArn).includes(":sqs:"));
            const consumerRoles = new Set<string>();
            for (const m of sqsMappings) {
                const role = roleOfFunction(plan(), functionOfMapping(plan(), m));
                consumerRoles.add(role.urn);
                const sqs = grantsOf(plan(), role).filter((s) => grants(s, "sqs:"));
                assert.deepEqual(
                    sqs.flatMap((s) => asList(s.Resource)),
                    [m.inputs.eventSourceArn],
                    `${role.name} reads only its queue`,
                );
                assert.ok(
                    sqs.every((s) =>
                        asList<string>(s.Action).every((a) =>
                            ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"].includes(a),
                        ),
                    ),
                );
            }
            // No other role may receive from any queue.
            for (const role of ofType(plan(), "aws:iam/role:Role").filter((r) => !consumerRoles.has(r.urn))) {
                assert.ok(
                    !grantsOf(plan(), role).some((s) => asList<string>(s.Action).some((a) => a === "sqs:ReceiveMessage" || a === "sqs:*")),
                    `${role.name} may receive messages`,
                );
            }
            const [km] = ofType(plan(), MAPPING).filter((x) => String(x.inputs.eventSourceArn).includes(":kinesis:"));
            const role = roleOfFunction(plan(), functionOfMapping(plan(), km));
            const statements = grantsOf(plan(), role);
            assert.deepEqual([...new Set(statements.filter((s) => grants(s, "kinesis:")).flatMap((s) => asList(s.Resource)))], [outputs().analyticsStreamArn]);
            assert.deepEqual(
                statements.filter((s) => grants(s, "sqs:")).flatMap((s) => asList(s.Resource)),
                [(km.inputs.destinationConfig as any).onFailure.destinationArn],
            );
            assert.ok(statements.filter((s) => grants(s, "sqs:")).every((s) => !asList(s.Action).includes("sqs:ReceiveMessage")));
        });

        it("every events function is least-privilege: no action wildcards, table access only to its own key prefixes", () => {
            const fns = ofType(plan(), FUNCTION).filter((f) => inEvents(plan(), f));
            assert.equal(fns.length, 8);
            for (const fn of fns) {
                for (const s of grantsOf(plan(), roleOfFunction(plan(), fn))) {
                    assert.ok(
                        asList<string>(s.Action).every((a) => !a.endsWith(":*") && a !== "*"),
                        `${fn.name}: ${JSON.stringify(s.Action)}`,
                    );
                    if (asList(s.Resource).includes("*"))
                        assert.ok(
                            asList<string>(s.Action).every((a) => a.startsWith("xray:")),
                            `${fn.name} has ${s.Action} on *`,
                        );
                    if (grants(s, "dynamodb:")) {
                        assert.ok(s.Condition?.["ForAllValues:StringLike"]?.["dynamodb:LeadingKeys"], `${fn.name}'s table access is not limited to its items`);
                        assert.deepEqual(asList(s.Resource), [one(plan(), "aws:dynamodb/table:Table").outputs.arn]);
                    }
                }
            }
        });

        it("the saga's definition compensates every forward step, in reverse order, and logs and traces", () => {
            const sm = one(plan(), "aws:sfn/stateMachine:StateMachine");
            const definition = JSON.parse(sm.inputs.definition as string);
            FORWARD_STEPS.forEach((step, i) => {
                const next = definition.States[step.state].Catch[0].Next;
                const compensations = chainFrom(definition, next).filter((s) => FORWARD_STEPS.some((f) => f.compensation === s));
                assert.deepEqual(
                    compensations,
                    FORWARD_STEPS.slice(0, i + 1)
                        .map((f) => f.compensation)
                        .reverse(),
                    step.state,
                );
            });
            assert.equal(definition.States.ReserveInventory.Type, "Map", "scatter/gather over the order lines");
            const logging = sm.inputs.loggingConfiguration as any;
            assert.equal(logging.level, want.logLevel);
            assert.equal(logging.includeExecutionData, want.includeExecutionData);
            const logGroup = ofType(plan(), "aws:cloudwatch/logGroup:LogGroup").find((l) => logging.logDestination === `${l.outputs.arn}:*`)!;
            assert.equal(logGroup.inputs.retentionInDays, want.logRetention);
            assert.equal(logGroup.inputs.kmsKeyId, outputs().kmsKeyArn);
            assert.deepEqual(sm.inputs.tracingConfiguration, { enabled: true });
            assert.equal(outputs().orderSagaArn, sm.outputs.arn);
            // The state machine's role invokes exactly its three steps.
            const role = ofType(plan(), "aws:iam/role:Role").find((r) => r.outputs.arn === sm.inputs.roleArn)!;
            const invoke = grantsOf(plan(), role)
                .filter((s) => grants(s, "lambda:"))
                .flatMap((s) => asList<string>(s.Resource));
            const steps = ofType(plan(), FUNCTION)
                .filter((f) => /events-order-saga-(inventory|payments|shipping)-fn/.test(f.name))
                .map((f) => f.outputs.arn as string);
            assert.deepEqual(invoke.filter((a) => !a.endsWith(":*")).sort(), steps.sort());
        });

        it("the saga's definition is one Step Functions accepts, fits its own timeout at worst, and runs no more lines at once than the inventory function may", () => {
            const sm = one(plan(), "aws:sfn/stateMachine:StateMachine");
            const definition = JSON.parse(sm.inputs.definition as string);
            const { isValid, errors } = validateAsl(structuredClone(definition));
            assert.deepEqual({ isValid, errors }, { isValid: true, errors: [] });
            assert.deepEqual(duplicateStateNames(definition), []);
            assert.equal(worstCaseProblem(definition, { mapItems: MAX_ORDER_LINES }), undefined);
            const inventory = ofType(plan(), FUNCTION).find((f) => f.name === "events-order-saga-inventory-fn")!;
            const maps = mapInvocations(definition);
            assert.deepEqual(
                maps.map((m) => m.map),
                ["ReserveInventory", "SettleInventory", "ReleaseInventory"],
            );
            for (const m of maps) {
                assert.deepEqual(m.functions, [inventory.outputs.arn]);
                assert.ok(m.maxConcurrency <= (inventory.inputs.reservedConcurrentExecutions as number), `${m.map}: ${m.maxConcurrency} lines at once`);
            }
        });

        it("routes OrderPlaced to the saga and every order event to the fan-out topic, each target with retries and a dead-letter queue", () => {
            const bus = one(plan(), "aws:cloudwatch/eventBus:EventBus");
            assert.equal(bus.inputs.kmsKeyIdentifier, outputs().kmsKeyArn);
            assert.equal(outputs().eventBusName, nameOf(bus));
            const targets = ofType(plan(), "aws:cloudwatch/eventTarget:EventTarget");
            const byArn = (arn: string) => targets.find((t) => t.inputs.arn === arn)!;
            const saga = byArn(outputs().orderSagaArn);
            assert.equal(saga.inputs.inputPath, "$.detail");
            const rule = ofType(plan(), "aws:cloudwatch/eventRule:EventRule").find((r) => nameOf(r) === saga.inputs.rule)!;
            assert.deepEqual(json(rule.inputs.eventPattern), { source: ["platform.orders"], "detail-type": ["OrderPlaced"] });
            const starter = ofType(plan(), "aws:iam/role:Role").find((r) => r.outputs.arn === saga.inputs.roleArn)!;
            assert.deepEqual(
                grantsOf(plan(), starter).map((s) => [s.Action, s.Resource]),
                [["states:StartExecution", outputs().orderSagaArn]],
            );
            assert.ok(byArn(outputs().orderEventsTopicArn));
            for (const t of targets) {
                assert.ok(queueByArn(plan(), (t.inputs.deadLetterConfig as any)?.arn), `${t.name} dead-letters to a queue`);
                assert.ok((t.inputs.retryPolicy as any).maximumRetryAttempts >= 0);
            }
            const archive = one(plan(), "aws:cloudwatch/eventArchive:EventArchive");
            assert.equal(archive.inputs.retentionDays, want.archiveDays);
            assert.equal(archive.inputs.eventSourceArn, bus.outputs.arn);
            assert.equal(archive.options.protect, want.protect);
        });

        it("alarms to the alarm topic on every dead-letter queue's depth, on failed saga executions and on the stream processor's iterator age", () => {
            const topic = outputs().alarmTopicArn;
            const alarms = ofType(plan(), "aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => inEvents(plan(), a));
            for (const a of alarms) assert.deepEqual(a.inputs.alarmActions, [topic], a.name);
            const depth = new Set(
                alarms
                    .filter((a) => a.inputs.metricName === "ApproximateNumberOfMessagesVisible" && a.inputs.threshold === 0)
                    .map((a) => (a.inputs.dimensions as any).QueueName),
            );
            const dead = ofType(plan(), QUEUE).filter((q) => !q.inputs.redrivePolicy);
            assert.equal(dead.length, 5, "two dead-letter queues and three failure queues");
            for (const q of dead) assert.ok(depth.has(nameOf(q)), `no depth alarm on ${q.name}`);
            assert.ok(
                alarms.some(
                    (a) =>
                        a.inputs.namespace === "AWS/States" &&
                        a.inputs.metricName === "ExecutionsFailed" &&
                        (a.inputs.dimensions as any).StateMachineArn === outputs().orderSagaArn,
                ),
            );
            const processor = functionOfMapping(
                plan(),
                ofType(plan(), MAPPING).find((m) => String(m.inputs.eventSourceArn).includes(":kinesis:"))!,
            );
            assert.ok(
                alarms.some(
                    (a) =>
                        a.inputs.namespace === "AWS/Lambda" &&
                        a.inputs.metricName === "IteratorAge" &&
                        (a.inputs.dimensions as any).FunctionName === nameOf(processor),
                ),
            );
        });

        it(`protects the queues and the archive ${want.protect ? "(prod)" : "only in prod"}`, () => {
            for (const q of ofType(plan(), QUEUE)) assert.equal(q.options.protect, want.protect, q.name);
        });

        it("runs the write path in the private subnets, admitted to the database proxy, with an outbox relay on a schedule", () => {
            const place = ofType(plan(), FUNCTION).find((f) => nameOf(f) === outputs().placeOrderFunctionName)!;
            assert.deepEqual((place.inputs.vpcConfig as any).subnetIds, outputs().privateSubnetIds);
            const sg = (place.inputs.vpcConfig as any).securityGroupIds[0];
            const ingress = ofType(plan(), "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").find((r) => r.inputs.referencedSecurityGroupId === sg)!;
            assert.equal(ingress.inputs.fromPort, 5432);
            const proxy = one(plan(), "aws:rds/proxy:Proxy");
            assert.deepEqual([ingress.inputs.securityGroupId], proxy.inputs.vpcSecurityGroupIds);
            const statements = grantsOf(plan(), roleOfFunction(plan(), place));
            assert.ok(statements.some((s) => s.Action === "rds-db:connect"));
            assert.deepEqual(
                statements.filter((s) => grants(s, "events:")).map((s) => s.Resource),
                [one(plan(), "aws:cloudwatch/eventBus:EventBus").outputs.arn],
            );
            const schedule = one(plan(), "aws:scheduler/schedule:Schedule", "relay");
            const relay = ofType(plan(), FUNCTION).find((f) => f.outputs.arn === (schedule.inputs.target as any).arn)!;
            assert.equal(relay.inputs.handler, "index.relayHandler");
            assert.equal(relay.inputs.reservedConcurrentExecutions, 1);
            // Events the relay parked after EventBridge refused every attempt page someone.
            const parked = ofType(plan(), "aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.inputs.metricName === OUTBOX_METRICS.parked)!;
            assert.deepEqual(
                [parked.inputs.namespace, (parked.inputs.dimensions as any).FunctionName, parked.inputs.threshold, parked.inputs.comparisonOperator],
                [OUTBOX_METRICS.namespace, nameOf(relay), 0, "GreaterThanThreshold"],
            );
            assert.deepEqual(parked.inputs.alarmActions, [outputs().alarmTopicArn]);
        });

        it("exports what users need, and the policy pack finds nothing on these resources", () => {
            for (const k of ["eventBusName", "eventArchiveName", "orderEventsTopicArn", "orderSagaArn", "orderSagaLogGroup", "placeOrderFunctionName"])
                assert.ok(outputs()[k], k);
            const urls = outputs().eventQueueUrls;
            assert.deepEqual(Object.keys(urls).sort(), [
                "analyticsBridge",
                "analyticsBridgeDeadLetters",
                "busDeliveryFailures",
                "projector",
                "projectorDeadLetters",
                "streamFailures",
                "topicDeliveryFailures",
            ]);
            const ours = new Set(eventsResources().map((r) => r.urn));
            assert.deepEqual(
                plan().policy.violations.filter((v) => ours.has(v.urn)),
                [],
            );
        });
    });
}
