/** Resources several event rule tests share (Lambda, SQS, Step Functions): functions, queues, mappings and alarms in one account. */
import { resource } from "../helpers/policy";

export const ACCOUNT = "123456789012";
export const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
export const fnArn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
export const eventFn = (name: string, inputs: Record<string, unknown> = {}) =>
    resource("aws:lambda/function:Function", name, { role: "r", runtime: "nodejs22.x", ...inputs }, { id: name, outputs: { arn: fnArn(name), name } });
export const eventQueue = (name: string, inputs: Record<string, unknown> = {}) =>
    resource(
        "aws:sqs/queue:Queue",
        name,
        { kmsMasterKeyId: "k", ...inputs },
        { id: `https://sqs/${name}`, outputs: { arn: queueArn(name), name, url: `https://sqs/${name}` } },
    );
export const mapping = (name: string, inputs: Record<string, unknown>) => resource("aws:lambda/eventSourceMapping:EventSourceMapping", name, inputs);
export const alarm = (
    name: string,
    namespace: string,
    metricName: string,
    dimensions: Record<string, string>,
    actions = ["arn:aws:sns:us-east-1:123456789012:alarms"],
) =>
    resource("aws:cloudwatch/metricAlarm:MetricAlarm", name, {
        namespace,
        metricName,
        dimensions,
        alarmActions: actions,
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
        evaluationPeriods: 1,
    });
