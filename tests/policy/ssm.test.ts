import { expectViolations, resource } from "../helpers/policy";

describe("SSM policies", () => {
    describe("ssm-parameter-secure-string", () => {
        it("passes a plain endpoint, a SecureString token and a secret's ARN; flags a token stored as String", async () => {
            const endpoint = resource("aws:ssm/parameter:Parameter", "endpoint", { name: "/platform/dev/db/endpoint", type: "String", value: "db:5432" });
            const secure = resource("aws:ssm/parameter:Parameter", "secure", {
                name: "/platform/dev/cache/auth-token",
                type: "SecureString",
                value: "[secret]",
            });
            const reference = resource("aws:ssm/parameter:Parameter", "reference", {
                name: "/platform/dev/web/cache-auth-secret-arn",
                type: "String",
                value: "arn:aws:secretsmanager:us-east-1:1:secret:s",
            });
            const plain = resource("aws:ssm/parameter:Parameter", "plain", { name: "/platform/dev/api/token", type: "String", value: "t" });
            await expectViolations("ssm-parameter-secure-string", [endpoint, secure, reference, plain], [plain]);
        });
    });
});
