/** SSM Parameter Store rules: credentials as SecureString. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import type { PlatformPolicy } from "../types";

/** SSM parameter names that suggest a credential. */
const SECRET_PARAMETER = /(password|passwd|secret|token|api[-_]?key|credential|private[-_]?key)/i;

export const ssmPolicies: PlatformPolicy[] = [
    {
        name: "ssm-parameter-secure-string",
        description: "SSM parameters whose names suggest a credential are SecureString, encrypted with KMS.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.ssm.Parameter, (p, args, report) => {
            const name = p.name ?? args.name;
            // A name ending in ARN holds a reference (e.g. a Secrets Manager secret's ARN), not the credential.
            if (SECRET_PARAMETER.test(name) && !/[-_.]arn$/i.test(name) && p.type !== "SecureString")
                report(`holds ${name} as ${p.type}; store credentials as SecureString`);
        }),
    },
];
