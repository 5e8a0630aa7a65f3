import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, type Statement } from "./iam";

/**
 * Issues a component's grants: each one an inline policy on the grantee's role, named after the
 * component and the kind of access, so a role's access reads as a list of what it was given.
 */
export class Grants {
    private issued = 0;

    constructor(
        private readonly owner: pulumi.ComponentResource,
        private readonly name: string,
    ) {}

    grant(kind: string, role: aws.iam.Role, statements: Statement[]): aws.iam.RolePolicy {
        this.issued += 1;
        return new aws.iam.RolePolicy(`${this.name}-${kind}-${this.issued}`, { role: role.name, policy: policyDocument(statements) }, { parent: this.owner });
    }
}

/** Reading a secret encrypted with a customer key: decrypt with that key, and only through Secrets Manager. */
export function secretRead(secretArn: pulumi.Input<string>, kmsKeyArn: pulumi.Input<string>, region: string): Statement[] {
    return [
        { Sid: "ReadSecret", Action: "secretsmanager:GetSecretValue", Resource: secretArn },
        { Sid: "DecryptSecretViaSecretsManager", Action: "kms:Decrypt", Resource: kmsKeyArn, Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } } },
    ];
}
