/**
 * How hard a stateful resource (database, cache, table, bucket, key, stream, queue, user pool) is
 * to delete. The environment profile decides (`platform:protection`); prod sets every field.
 */
export interface Stateful {
    /** Pulumi `protect`: `pulumi destroy` and replacements stop at the resource; buckets and keys are also kept on destroy. */
    protect: boolean;
    /** AWS-side deletion protection on databases, tables, load balancers and user pools. */
    deletionProtection: boolean;
    /** A final snapshot when a database or cache is deleted. */
    finalSnapshot: boolean;
}
