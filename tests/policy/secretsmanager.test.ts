import { expectViolations, resource } from "../helpers/policy";

describe("Secrets Manager policies", () => {
    describe("secretsmanager-secret-cmk", () => {
        it("passes a secret under a customer key and notes the AWS-managed one", async () => {
            const ok = resource("aws:secretsmanager/secret:Secret", "ok", { kmsKeyId: "arn:aws:kms:us-east-1:1:key/k" });
            const bad = resource("aws:secretsmanager/secret:Secret", "bad", {});
            await expectViolations("secretsmanager-secret-cmk", [ok, bad], [bad]);
        });
    });

    describe("secret-version-in-stack-secret", () => {
        it("passes a value stored in a secret of the stack and flags one stored in a secret the stack lacks", async () => {
            const secret = resource(
                "aws:secretsmanager/secret:Secret",
                "auth",
                { kmsKeyId: "arn:aws:kms:us-east-1:1:key/k" },
                {
                    id: "arn:aws:secretsmanager:us-east-1:123456789012:secret:auth-AbCdEf",
                    outputs: { arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:auth-AbCdEf" },
                },
            );
            const ok = resource("aws:secretsmanager/secretVersion:SecretVersion", "ok", {
                secretId: "arn:aws:secretsmanager:us-east-1:123456789012:secret:auth-AbCdEf",
                secretString: "[secret]",
            });
            const foreign = resource("aws:secretsmanager/secretVersion:SecretVersion", "foreign", {
                secretId: "arn:aws:secretsmanager:us-east-1:123456789012:secret:shared-XyZ123",
                secretString: "[secret]",
            });
            await expectViolations("secret-version-in-stack-secret", [secret, ok, foreign], [foreign]);
        });
    });
});
