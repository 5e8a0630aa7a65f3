import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Grantee, Permission } from "./grants";

/** One IAM policy statement; resources and conditions may hold outputs. */
export interface Statement {
    Sid?: string;
    Effect?: "Allow" | "Deny";
    Action: string | string[];
    Resource?: pulumi.Input<string> | pulumi.Input<string>[];
    /** Every resource except these (instead of Resource). */
    NotResource?: pulumi.Input<string> | pulumi.Input<string>[];
    Principal?: Record<string, unknown> | "*";
    Condition?: Record<string, Record<string, pulumi.Input<string> | pulumi.Input<string>[] | boolean>>;
}

/** A policy document as JSON, resolving any outputs inside it. */
export function policyDocument(statements: Statement[]): pulumi.Output<string> {
    return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements.map((s) => ({ Effect: "Allow", ...s })) });
}

/**
 * A trust policy for an AWS service principal. aws:SourceAccount guards against the
 * confused-deputy problem where the service supports it.
 */
export function serviceTrust(service: string, accountId?: pulumi.Input<string>, externalId?: string): pulumi.Output<string> {
    const equals: Record<string, pulumi.Input<string>> = {
        ...(accountId ? { "aws:SourceAccount": accountId } : {}),
        ...(externalId ? { "sts:ExternalId": externalId } : {}),
    };
    return policyDocument([
        {
            Action: "sts:AssumeRole",
            Principal: { Service: service },
            ...(Object.keys(equals).length > 0 ? { Condition: { StringEquals: equals } } : {}),
        },
    ]);
}

export interface ServiceRoleArgs {
    /** The service principal that assumes the role, e.g. "glue.amazonaws.com". */
    service: string;
    /** Restrict the trust to this account (confused-deputy guard). */
    accountId?: pulumi.Input<string>;
    /** The external ID the service documents passing when it assumes the role (Elastic Beanstalk's is "elasticbeanstalk"). */
    externalId?: string;
    /** Inline least-privilege statements for what the role does with its own resources. */
    statements?: Statement[];
    /** Other components' permissions, folded into the role's own policy ahead of `statements` (see components/grants.ts). */
    grants?: Permission[];
    /** AWS-managed policies to attach, by ARN. */
    managedPolicyArns?: string[];
    description: string;
    /** IAM path, e.g. "/platform-delivery/", so policies can match a family of roles by ARN. */
    path?: string;
}

/** A role one service assumes, with an inline policy of exactly the statements it needs; a grantee under its own name. */
export class ServiceRole extends pulumi.ComponentResource implements Grantee {
    public readonly role: aws.iam.Role;
    public readonly arn: pulumi.Output<string>;
    public readonly name: pulumi.Output<string>;
    public readonly granteeName: string;
    public readonly roleName: pulumi.Output<string>;

    constructor(name: string, args: ServiceRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:iam:ServiceRole", name, {}, opts);
        this.role = new aws.iam.Role(
            name,
            {
                assumeRolePolicy: serviceTrust(args.service, args.accountId, args.externalId),
                description: args.description,
                ...(args.path ? { path: args.path } : {}),
            },
            { parent: this },
        );
        const statements = [...(args.grants ?? []).flatMap((p) => p.statements), ...(args.statements ?? [])];
        if (statements.length > 0) {
            new aws.iam.RolePolicy(`${name}-policy`, { role: this.role.name, policy: policyDocument(statements) }, { parent: this });
        }
        (args.managedPolicyArns ?? []).forEach((policyArn, i) => {
            new aws.iam.RolePolicyAttachment(`${name}-managed-${i}`, { role: this.role.name, policyArn }, { parent: this });
        });
        this.arn = this.role.arn;
        this.name = this.role.name;
        this.granteeName = name;
        this.roleName = this.role.name;
        this.registerOutputs({ arn: this.arn, name: this.name });
    }
}
