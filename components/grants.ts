import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, type Statement } from "./iam";

/**
 * The grant model: one way for a component to let another use it.
 *
 * - A **grantor** (a data component: table, database, cache, stream, lake, catalog, queue, settings)
 *   names what it offers as a `Permission`: its own least-privilege statements under a permission
 *   name ("read-write", "connect"), built by the grantor, so callers never write policy JSON.
 * - A **grantee** is anything acting through an IAM role: the web fleet, a `ServiceRole`, a
 *   `PlatformFunction` (or a role wrapped with `roleGrantee`). It has a stable name and a role.
 * - A permission reaches a grantee one of two ways:
 *   - `grantor.grantX(grantee)`: its own inline policy on the grantee's role, parented by the
 *     grantor and named `<grantor>-<permission>-<grantee>` (`database-connect-web`): no counters,
 *     so the name depends on who grants what to whom, never on the order of the calls;
 *   - `grants: [grantor.xPermission()]` to a role a component builds (ServiceRole, PlatformFunction),
 *     or `permissionStatements(...)` into a policy it writes itself: folded into that role's own policy.
 */
export interface Permission {
    /** The granting component's name, e.g. "database". */
    readonly grantor: string;
    /** What it allows, kebab-case, e.g. "connect" or "read-write". */
    readonly name: string;
    readonly statements: Statement[];
}

/** Something that acts through an IAM role and can be granted permissions. */
export interface Grantee {
    /** Stable and unique among grantees: the last part of each grant policy's name. */
    readonly granteeName: string;
    /** The name of the role grant policies attach to. */
    readonly roleName: pulumi.Input<string>;
}

/** A role created outside the platform's components (or in a test) as a grantee. */
export function roleGrantee(granteeName: string, role: aws.iam.Role): Grantee {
    return { granteeName, roleName: role.name };
}

/** A grant policy's name: `<grantor>-<permission>-<grantee>`. */
export function grantPolicyName(permission: Permission, grantee: Grantee): string {
    return `${permission.grantor}-${permission.name}-${grantee.granteeName}`;
}

/** The statements of permissions, in order, for a role's own policy. */
export function permissionStatements(...permissions: Permission[]): Statement[] {
    return permissions.flatMap((p) => p.statements);
}

/** A component's grants: defines its permissions and issues them to grantees as policies it parents. */
export class Grants {
    constructor(
        private readonly owner: pulumi.ComponentResource,
        private readonly grantor: string,
    ) {}

    /** Names statements of this component as a permission. */
    permission(name: string, statements: Statement[]): Permission {
        if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) throw new Error(`${this.grantor}: permission name ${JSON.stringify(name)} must be kebab-case`);
        return { grantor: this.grantor, name, statements };
    }

    /**
     * Issues a permission as its own inline policy on the grantee's role. Renaming one replaces it
     * create-before-delete (Pulumi's default, kept): the role never lacks the permission.
     */
    grant(permission: Permission, grantee: Grantee): aws.iam.RolePolicy {
        if (permission.grantor !== this.grantor) throw new Error(`${this.grantor} cannot issue ${permission.grantor}'s permission ${permission.name}`);
        return new aws.iam.RolePolicy(
            grantPolicyName(permission, grantee),
            { role: grantee.roleName, policy: policyDocument(permission.statements) },
            { parent: this.owner },
        );
    }
}

/** Reading a secret encrypted with a customer key: decrypt with that key, and only through Secrets Manager. */
export function secretRead(secretArn: pulumi.Input<string>, kmsKeyArn: pulumi.Input<string>, region: string): Statement[] {
    return [
        { Sid: "ReadSecret", Action: "secretsmanager:GetSecretValue", Resource: secretArn },
        {
            Sid: "DecryptSecretViaSecretsManager",
            Action: "kms:Decrypt",
            Resource: kmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } },
        },
    ];
}
