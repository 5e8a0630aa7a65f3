/**
 * The permissions boundary every platform role carries: the most any of the stack's roles may
 * do, whatever a commit writes into its policies. The delivery project creates one boundary
 * policy per platform stack it deploys, under the delivery's own IAM path, so the deploy role
 * that creates the platform's roles can never change the boundary it must create them with.
 * What both projects know lives here: the policy's path, name and ARN, and the transformation
 * that gives every platform role the boundary. Its document is the delivery's (delivery/boundary.ts).
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * IAM path of the boundary policies: the delivery's name prefix, which every deploy role is
 * denied (delivery/permissions.ts) and the policy pack exempts as delivery-owned.
 */
export const BOUNDARY_PATH = "/platform-delivery/";

/** The boundary policy's name: one per platform stack, known to both projects. */
export function boundaryPolicyName(project: string, stack: string): string {
    return `${project}-${stack}-boundary`;
}

/** The boundary policy's ARN, built from its fixed path and name (no lookup). */
export function boundaryPolicyArn(accountId: pulumi.Input<string>, project: string, stack: string): pulumi.Output<string> {
    return pulumi.interpolate`arn:aws:iam::${accountId}:policy${BOUNDARY_PATH}${boundaryPolicyName(project, stack)}`;
}

const ROLE_TYPE = "aws:iam/role:Role";

/**
 * A transformation that gives every IAM role created under it the stack's boundary. Set on the
 * program's root options, it reaches each component's children, so no role, today's or a
 * future one, is created without it. A role that names a boundary of its own is an error.
 */
export function withPermissionsBoundary(boundaryArn: pulumi.Input<string>): pulumi.ResourceTransformation {
    return (args) => {
        if (args.type !== ROLE_TYPE) return undefined;
        if (args.props.permissionsBoundary !== undefined)
            throw new Error(`role ${args.name} sets its own permissions boundary; every platform role carries the stack's`);
        return { props: { ...args.props, permissionsBoundary: boundaryArn }, opts: args.opts };
    };
}
