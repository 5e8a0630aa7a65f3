import { strict as assert } from "assert";
import { expectViolations, resource } from "../helpers/policy";

describe("hygiene and protection policies", () => {
    describe("cloudwatch-log-group-encrypted", () => {
        it("passes a group with a KMS key and notes one without", async () => {
            const ok = resource("aws:cloudwatch/logGroup:LogGroup", "ok", { retentionInDays: 14, kmsKeyId: "arn:aws:kms:us-east-1:1:key/k" });
            const bad = resource("aws:cloudwatch/logGroup:LogGroup", "bad", { retentionInDays: 14 });
            await expectViolations("cloudwatch-log-group-encrypted", [ok, bad], [bad]);
        });
    });

    describe("cloudwatch-alarm-has-actions", () => {
        it("passes an alarm that notifies and notes a silent one", async () => {
            const ok = resource("aws:cloudwatch/metricAlarm:MetricAlarm", "ok", { comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 1, alarmActions: ["arn:aws:sns:us-east-1:1:alarms"] });
            const silent = resource("aws:cloudwatch/metricAlarm:MetricAlarm", "silent", { comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 1 });
            await expectViolations("cloudwatch-alarm-has-actions", [ok, silent], [silent]);
        });
    });

    describe("kms-alias-name-valid", () => {
        it("passes alias/platform-dev and flags a reserved or unprefixed name", async () => {
            const ok = resource("aws:kms/alias:Alias", "ok", { name: "alias/platform-dev", targetKeyId: "k" });
            const reserved = resource("aws:kms/alias:Alias", "reserved", { name: "alias/aws/platform", targetKeyId: "k" });
            const bare = resource("aws:kms/alias:Alias", "bare", { name: "platform", targetKeyId: "k" });
            await expectViolations("kms-alias-name-valid", [ok, reserved, bare], [reserved, bare]);
        });
    });

    describe("ssm-parameter-secure-string", () => {
        it("passes a plain endpoint, a SecureString token and a secret's ARN; flags a token stored as String", async () => {
            const endpoint = resource("aws:ssm/parameter:Parameter", "endpoint", { name: "/platform/dev/db/endpoint", type: "String", value: "db:5432" });
            const secure = resource("aws:ssm/parameter:Parameter", "secure", { name: "/platform/dev/cache/auth-token", type: "SecureString", value: "[secret]" });
            const reference = resource("aws:ssm/parameter:Parameter", "reference", { name: "/platform/dev/web/cache-auth-secret-arn", type: "String", value: "arn:aws:secretsmanager:us-east-1:1:secret:s" });
            const plain = resource("aws:ssm/parameter:Parameter", "plain", { name: "/platform/dev/api/token", type: "String", value: "t" });
            await expectViolations("ssm-parameter-secure-string", [endpoint, secure, reference, plain], [plain]);
        });
    });

    describe("secretsmanager-secret-cmk", () => {
        it("passes a secret under a customer key and notes the AWS-managed one", async () => {
            const ok = resource("aws:secretsmanager/secret:Secret", "ok", { kmsKeyId: "arn:aws:kms:us-east-1:1:key/k" });
            const bad = resource("aws:secretsmanager/secret:Secret", "bad", {});
            await expectViolations("secretsmanager-secret-cmk", [ok, bad], [bad]);
        });
    });

    describe("stateful-resources-protected-prod", () => {
        it("in prod, passes protected data stores and flags unprotected ones; ignores stateless types", async () => {
            const protectedDb = resource("aws:rds/instance:Instance", "db", { instanceClass: "db.r7g.large" }, { options: { protect: true } as any });
            const bucket = resource("aws:s3/bucket:Bucket", "bucket", {});
            const stream = resource("aws:kinesis/stream:Stream", "stream", {});
            const role = resource("aws:iam/role:Role", "role", { assumeRolePolicy: "{}" });
            const v = await expectViolations("stateful-resources-protected-prod", [protectedDb, bucket, stream, role], [bucket, stream], { environment: "prod" });
            assert.match(v[0].message, /not protected in prod/);
            await expectViolations("stateful-resources-protected-prod", [protectedDb, bucket, stream, role], [], { environment: "dev" });
        });
    });

    describe("log-stream-in-stack-group", () => {
        it("passes a stream in a group of the stack, by name or (at preview) by dependency, and flags one in a group the stack lacks", async () => {
            const group = resource("aws:cloudwatch/logGroup:LogGroup", "group", { name: "/platform/test/delivery", retentionInDays: 14 });
            const byName = resource("aws:cloudwatch/logStream:LogStream", "by-name", { logGroupName: "/platform/test/delivery", name: "s3" });
            // At preview the group's name may be unknown; the dependency still names the group.
            const byReference = resource("aws:cloudwatch/logStream:LogStream", "by-reference", { logGroupName: "[unknown]", name: "s3" }, { propertyDependencies: { logGroupName: [group.urn] } });
            const elsewhere = resource("aws:cloudwatch/logStream:LogStream", "elsewhere", { logGroupName: "/someone/else", name: "s3" });
            const v = await expectViolations("log-stream-in-stack-group", [group, byName, byReference, elsewhere], [elsewhere]);
            assert.match(v[0].message, /"\/someone\/else", which this stack does not create/);
        });
    });

    describe("secret-version-in-stack-secret", () => {
        it("passes a value stored in a secret of the stack and flags one stored in a secret the stack lacks", async () => {
            const secret = resource("aws:secretsmanager/secret:Secret", "auth", { kmsKeyId: "arn:aws:kms:us-east-1:1:key/k" }, { id: "arn:aws:secretsmanager:us-east-1:123456789012:secret:auth-AbCdEf", outputs: { arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:auth-AbCdEf" } });
            const ok = resource("aws:secretsmanager/secretVersion:SecretVersion", "ok", { secretId: "arn:aws:secretsmanager:us-east-1:123456789012:secret:auth-AbCdEf", secretString: "[secret]" });
            const foreign = resource("aws:secretsmanager/secretVersion:SecretVersion", "foreign", { secretId: "arn:aws:secretsmanager:us-east-1:123456789012:secret:shared-XyZ123", secretString: "[secret]" });
            await expectViolations("secret-version-in-stack-secret", [secret, ok, foreign], [foreign]);
        });
    });

    describe("replaced-resource-not-fixed-name", () => {
        const emr = (name: string, inputs: Record<string, unknown>, deleteBeforeReplace = false) =>
            resource("aws:emr/securityConfiguration:SecurityConfiguration", name, { configuration: "{}", ...inputs }, { options: { deleteBeforeReplace } as any });
        it("passes an autonamed configuration (absent, or as a real preview shows it) and a fixed name replaced delete-before-create", async () => {
            const absent = emr("absent", {});
            const previewed = emr("spark-security", { name: "spark-security-3fa9c01" });
            const dbr = resource("aws:glue/securityConfiguration:SecurityConfiguration", "glue", { name: "catalog-prod", encryptionConfiguration: {} }, { options: { deleteBeforeReplace: true } as any });
            await expectViolations("replaced-resource-not-fixed-name", [absent, previewed, dbr], []);
        });
        it("flags fixed names on security configurations, a parameter group with its family, and a Lambda statement id", async () => {
            const fixed = emr("spark-security", { name: "spark-prod" });
            const glue = resource("aws:glue/securityConfiguration:SecurityConfiguration", "glue", { name: "catalog-prod", encryptionConfiguration: {} });
            const params = resource("aws:elasticache/parameterGroup:ParameterGroup", "params", { name: "cache-prod", family: "valkey8" });
            const permission = resource("aws:lambda/permission:Permission", "invoke", { statementId: "AllowApi", action: "lambda:InvokeFunction", principal: "apigateway.amazonaws.com", function: "f" });
            const v = await expectViolations("replaced-resource-not-fixed-name", [fixed, glue, params, permission], [fixed, glue, params, permission]);
            assert.match(v.find((x) => x.urn === params.urn)!.message, /a change to family replaces it/);
        });
    });
});
