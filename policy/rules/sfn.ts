/** Step Functions rules: logging, tracing, valid definitions, worst-case timing and concurrency, failure alarms. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { duplicateStateNames, mapInvocations, worstCaseProblem } from "../../lib/asl";
import { StackGraph } from "../graph";
import { at, isSet, isUnknown, json, plain, UNKNOWN } from "../lib";
import { METRIC_ALARM, alarmsOn, FUNCTION } from "../shared";
import { environmentConfigSchema, type PlatformPolicy } from "../types";

const STATE_MACHINE = "aws:sfn/stateMachine:StateMachine";

// The validator Step Functions' own definition checks follow (it reports DUPLICATE_STATE_NAMES,
// unknown fields, missing targets, ...). It fills in defaults in what it is given: pass a copy.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const validateAsl = require("asl-validator") as (definition: unknown) => {
    isValid: boolean;
    errors: { "Error code"?: string; Message?: string; message?: string }[];
};

/**
 * The most items a Map state of the platform's state machines iterates over: an order's line
 * limit (services/orders/model.ts). A pack config may set another as `mapItems`.
 */
export const DEFAULT_MAP_ITEMS = 100;

/** A state machine's definition as an object; UNKNOWN while preview can't tell (it is built from other resources' ARNs), undefined if not JSON. */
function definitionOf(props: unknown): unknown {
    const d = at(plain(props), "definition");
    return isUnknown(d) ? UNKNOWN : json(d);
}

export const sfnPolicies: PlatformPolicy[] = [
    {
        name: "sfn-logging",
        description: "Step Functions state machines log executions to CloudWatch Logs.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.sfn.StateMachine, (p, _a, report) => {
            const logging = p.loggingConfiguration;
            if (!logging || (logging.level ?? "OFF") === "OFF" || !isSet(logging, "logDestination"))
                report("logs no executions; set loggingConfiguration with a level and a log group");
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
    {
        name: "sfn-failure-alarm",
        description: "Every Step Functions state machine has an alarm on ExecutionsFailed that notifies someone.",
        enforcementLevel: "advisory",
        covers: [STATE_MACHINE, METRIC_ALARM],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const sm of g.ofType(STATE_MACHINE)) {
                if (isUnknown(sm.props.arn)) continue;
                if (alarmsOn(g, "AWS/States", "ExecutionsFailed", "StateMachineArn", sm.props.arn).length === 0)
                    report("has no ExecutionsFailed alarm", sm.urn);
            }
        },
    },
    {
        name: "sfn-definition-valid",
        description:
            "Every state machine definition is one Step Functions accepts: valid ASL (asl-validator) with every state name unique across the machine, nested states included.",
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
                if (!problems.some((m) => m.includes(`exists: ${name}`)))
                    problems.push(`DUPLICATE_STATE_NAMES: a state with this name already exists: ${name}`);
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
                        const fns =
                            g.lookup(target, [FUNCTION]).length > 0
                                ? g.lookup(target, [FUNCTION])
                                : g.lookup(target.replace(/^(arn:[^:]+:lambda:[^:]+:\d+:function:[^:]+):[^:]+$/, "$1"), [FUNCTION]);
                        for (const fn of fns) {
                            const reserved = fn.props.reservedConcurrentExecutions;
                            if (typeof reserved !== "number" || reserved < 0) continue;
                            if (m.maxConcurrency > reserved) {
                                report(
                                    `Map state ${m.map} runs up to ${m.maxConcurrency} iterations at once against ${fn.name}, which is reserved ${reserved}: lower MaxConcurrency to ${reserved} or reserve more`,
                                    sm.urn,
                                );
                            }
                        }
                    }
                }
            }
        },
    },
];
