/**
 * A stack rule's view of the resource graph: plain props (unknowns marked), and references
 * resolved either by value (an ARN, id or name that another resource holds) or, when the value
 * is unknown at preview time, through the property's dependencies.
 */
import type { PolicyResource } from "@pulumi/policy";
import { asList, at, get, isUnknown, plain, statementsOf, UNKNOWN, type Statement, type Unknown } from "./lib";

export interface Node {
    urn: string;
    type: string;
    name: string;
    props: Record<string, unknown>;
    /** Input property -> the resources its value came from. */
    deps: Record<string, Node[]>;
}

/** Attributes by which other resources refer to a resource. */
const IDENTITY_KEYS = ["id", "arn", "name", "bucket", "keyId", "url", "identifier", "replicationGroupId"];

const S3_BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
export const TYPES = {
    buckets: S3_BUCKETS,
    role: "aws:iam/role:Role",
    instanceProfile: "aws:iam/instanceProfile:InstanceProfile",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    subnet: "aws:ec2/subnet:Subnet",
    awsxVpc: "awsx:ec2:Vpc",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
};

export class StackGraph {
    readonly nodes: Node[];
    private readonly byIdentity = new Map<string, Node[]>();

    constructor(resources: PolicyResource[]) {
        const byUrn = new Map<string, Node>();
        this.nodes = resources.map((r) => {
            const n: Node = { urn: r.urn, type: r.type, name: r.name, props: (plain(r.props) ?? {}) as Record<string, unknown>, deps: {} };
            byUrn.set(r.urn, n);
            return n;
        });
        resources.forEach((r, i) => {
            const n = this.nodes[i];
            for (const [k, deps] of Object.entries(r.propertyDependencies ?? {}))
                n.deps[k] = deps.map((d) => byUrn.get(d.urn)).filter((d): d is Node => d !== undefined);
            for (const key of IDENTITY_KEYS) {
                const v = n.props[key];
                if (typeof v !== "string" || !v) continue;
                const known = this.byIdentity.get(v) ?? [];
                if (!known.includes(n)) this.byIdentity.set(v, [...known, n]);
            }
        });
    }

    ofType(...types: string[]): Node[] {
        return this.nodes.filter((n) => types.includes(n.type));
    }

    /** Resources of the given types that a value (ARN, id or name) names; ARN suffixes like ":*" are tolerated. */
    lookup(value: unknown, types: string[]): Node[] {
        if (typeof value !== "string") return [];
        const candidates = [value, value.replace(/:\*$/, ""), value.replace(/\/\*$/, "")];
        for (const c of candidates) {
            const found = (this.byIdentity.get(c) ?? []).filter((n) => types.includes(n.type));
            if (found.length > 0) return found;
        }
        return [];
    }

    /**
     * The resources of `types` that `node`'s property at `path` refers to: [] when it names
     * nothing in this stack, UNKNOWN when preview can't tell.
     */
    resolve(node: Node, path: string, types: string[]): Node[] | Unknown {
        const value = get(node.props, path);
        if (value === undefined || value === null) return [];
        const viaDeps = (node.deps[path.split(".")[0]] ?? []).filter((d) => types.includes(d.type));
        const values = asList(value);
        if (isUnknown(value) || values.some(isUnknown)) return viaDeps.length > 0 ? unique(viaDeps) : UNKNOWN;
        const found = values.flatMap((v) => this.lookup(v, types));
        if (found.length > 0) return unique(found);
        // A value derived from another resource's output (e.g. `${arn}:*`) still carries the dependency.
        return viaDeps.length === 1 && !Array.isArray(value) ? viaDeps : [];
    }

    /** The role a role reference (ARN or name) names, through instance profiles too. */
    rolesOf(node: Node, path: string): Node[] | Unknown {
        const direct = this.resolve(node, path, [TYPES.role, TYPES.instanceProfile]);
        if (isUnknown(direct)) return UNKNOWN;
        const roles: Node[] = [];
        for (const n of direct) {
            if (n.type === TYPES.role) roles.push(n);
            else {
                const r = this.resolve(n, "role", [TYPES.role]);
                if (isUnknown(r)) return UNKNOWN;
                roles.push(...r);
            }
        }
        return unique(roles);
    }

    /**
     * Every statement that grants a role permissions: its inline policies, RolePolicy resources and
     * attached customer-managed policies. `complete` is false when some grant can't be read (an
     * AWS-managed policy, or a document unknown at preview), so callers don't call a grant missing.
     */
    permissionsOf(role: Node): { statements: Statement[]; complete: boolean } {
        const statements: Statement[] = [];
        let unknown = false;
        const add = (doc: unknown) => {
            if (isUnknown(doc)) unknown = true;
            else statements.push(...statementsOf(doc));
        };
        const inline = role.props.inlinePolicies;
        if (isUnknown(inline)) unknown = true;
        for (const p of asList(inline)) add(isUnknown(p) ? p : at(p, "policy"));
        const refersToRole = (n: Node, path: string) => {
            const r = this.resolve(n, path, [TYPES.role]);
            if (isUnknown(r)) return "unknown";
            return r.includes(role);
        };
        for (const rp of this.ofType("aws:iam/rolePolicy:RolePolicy")) {
            const hit = refersToRole(rp, "role");
            if (hit === "unknown") unknown = true;
            if (hit === true) add(rp.props.policy);
        }
        const attached = [...asList(role.props.managedPolicyArns)];
        for (const att of this.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")) {
            if (refersToRole(att, "role") === true) attached.push(att.props.policyArn ?? UNKNOWN);
        }
        for (const arn of attached) {
            const policy = isUnknown(arn) ? [] : this.lookup(arn, ["aws:iam/policy:Policy"]);
            if (policy.length === 0) unknown = true;
            for (const p of policy) add(p.props.policy);
        }
        return { statements, complete: !unknown };
    }

    /** Whether a role's trust policy lets `service` assume it (UNKNOWN if unreadable). */
    trusts(role: Node, service: string): boolean | Unknown {
        const doc = role.props.assumeRolePolicy;
        if (isUnknown(doc)) return UNKNOWN;
        return statementsOf(doc).some(
            (s) =>
                (s.Effect ?? "Allow") === "Allow" &&
                asList(s.Action).some((a) => /^sts:(AssumeRole|\*)$|^\*$/i.test(String(a))) &&
                asList(at(s.Principal, "Service")).includes(service),
        );
    }
}

function unique<T>(xs: T[]): T[] {
    return [...new Set(xs)];
}
