import { expectViolations, resource } from "../helpers/policy";

const GOOD = {
    imageTagMutability: "IMMUTABLE",
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: "arn:aws:kms:us-east-1:123456789012:key/k" }],
};
const repo = (name: string, inputs: Record<string, unknown> = {}) => resource("aws:ecr/repository:Repository", name, { ...GOOD, ...inputs });

describe("ECR policies", () => {
    it("ecr-immutable-tags: flags mutable tags", async () => {
        const mutable = repo("mutable", { imageTagMutability: "MUTABLE" });
        const unset = repo("unset", { imageTagMutability: undefined });
        await expectViolations("ecr-immutable-tags", [repo("ok"), mutable, unset], [mutable, unset]);
    });

    it("ecr-scan-on-push: flags a repository that does not scan on push", async () => {
        const bad = repo("bad", { imageScanningConfiguration: { scanOnPush: false } });
        await expectViolations("ecr-scan-on-push", [repo("ok"), bad, repo("none", { imageScanningConfiguration: undefined })], [bad, repo("none")]);
    });

    it("ecr-kms-encrypted: flags AES256 and the default encryption", async () => {
        const aes = repo("aes", { encryptionConfigurations: [{ encryptionType: "AES256" }] });
        const none = repo("none", { encryptionConfigurations: undefined });
        await expectViolations("ecr-kms-encrypted", [repo("ok"), aes, none], [aes, none]);
    });
});
