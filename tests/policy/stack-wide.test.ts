import { strict as assert } from "assert";
import { expectViolations, resource } from "../helpers/policy";

const ACCOUNT = "123456789012";
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
const eventQueue = (name: string, inputs: Record<string, unknown> = {}) =>
    resource(
        "aws:sqs/queue:Queue",
        name,
        { kmsMasterKeyId: "k", ...inputs },
        { id: `https://sqs/${name}`, outputs: { arn: queueArn(name), name, url: `https://sqs/${name}` } },
    );

describe("stack-wide policies", () => {
    describe("events-stateful-protected-prod", () => {
        it("in prod, flags an unprotected queue or archive; dev is exempt", async () => {
            const protectedQueue = resource("aws:sqs/queue:Queue", "kept", { kmsMasterKeyId: "k" }, { options: { protect: true } as never });
            const bareQueue = eventQueue("bare");
            const archive = resource("aws:cloudwatch/eventArchive:EventArchive", "archive", {
                eventSourceArn: "arn:aws:events:us-east-1:123456789012:event-bus/b",
            });
            await expectViolations("events-stateful-protected-prod", [protectedQueue, bareQueue, archive], [bareQueue, archive], { environment: "prod" });
            await expectViolations("events-stateful-protected-prod", [protectedQueue, bareQueue, archive], [], { environment: "dev" });
        });
    });

    describe("stateful-resources-protected-prod", () => {
        it("in prod, passes protected data stores and flags unprotected ones; ignores stateless types", async () => {
            const protectedDb = resource("aws:rds/instance:Instance", "db", { instanceClass: "db.r7g.large" }, { options: { protect: true } as any });
            const bucket = resource("aws:s3/bucket:Bucket", "bucket", {});
            const stream = resource("aws:kinesis/stream:Stream", "stream", {});
            const role = resource("aws:iam/role:Role", "role", { assumeRolePolicy: "{}" });
            const v = await expectViolations("stateful-resources-protected-prod", [protectedDb, bucket, stream, role], [bucket, stream], {
                environment: "prod",
            });
            assert.match(v[0].message, /not protected in prod/);
            await expectViolations("stateful-resources-protected-prod", [protectedDb, bucket, stream, role], [], { environment: "dev" });
        });
    });

    describe("replaced-resource-not-fixed-name", () => {
        const emr = (name: string, inputs: Record<string, unknown>, deleteBeforeReplace = false) =>
            resource(
                "aws:emr/securityConfiguration:SecurityConfiguration",
                name,
                { configuration: "{}", ...inputs },
                { options: { deleteBeforeReplace } as any },
            );
        it("passes an autonamed configuration (absent, or as a real preview shows it) and a fixed name replaced delete-before-create", async () => {
            const absent = emr("absent", {});
            const previewed = emr("spark-security", { name: "spark-security-3fa9c01" });
            const dbr = resource(
                "aws:glue/securityConfiguration:SecurityConfiguration",
                "glue",
                { name: "catalog-prod", encryptionConfiguration: {} },
                { options: { deleteBeforeReplace: true } as any },
            );
            await expectViolations("replaced-resource-not-fixed-name", [absent, previewed, dbr], []);
        });
        it("flags fixed names on security configurations, a parameter group with its family, and a Lambda statement id", async () => {
            const fixed = emr("spark-security", { name: "spark-prod" });
            const glue = resource("aws:glue/securityConfiguration:SecurityConfiguration", "glue", { name: "catalog-prod", encryptionConfiguration: {} });
            const params = resource("aws:elasticache/parameterGroup:ParameterGroup", "params", { name: "cache-prod", family: "valkey8" });
            const permission = resource("aws:lambda/permission:Permission", "invoke", {
                statementId: "AllowApi",
                action: "lambda:InvokeFunction",
                principal: "apigateway.amazonaws.com",
                function: "f",
            });
            const v = await expectViolations("replaced-resource-not-fixed-name", [fixed, glue, params, permission], [fixed, glue, params, permission]);
            assert.match(v.find((x) => x.urn === params.urn)!.message, /a change to family replaces it/);
        });
    });
});
