/** Secrets Manager rules: customer-managed keys, secret versions in the stack's secrets. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { isSet } from "../lib";
import { createdInStack } from "../shared";
import type { PlatformPolicy } from "../types";

const SECRET = "aws:secretsmanager/secret:Secret";

const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";

export const secretsmanagerPolicies: PlatformPolicy[] = [
    {
        name: "secretsmanager-secret-cmk",
        description: "Secrets Manager secrets are encrypted with a customer-managed KMS key, so access to the key can be audited and revoked.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.secretsmanager.Secret, (p, _a, report) => {
            if (!isSet(p, "kmsKeyId")) report("is encrypted with the AWS-managed key aws/secretsmanager");
        }),
    },
    createdInStack({
        name: "secret-version-in-stack-secret",
        description: "A secret value is stored only in a Secrets Manager secret of this stack, whose encryption and policy the other rules check.",
        from: SECRET_VERSION,
        path: "secretId",
        to: SECRET,
        says: (secret) => `stores a value in secret ${secret}, which this stack does not create`,
    }),
];
