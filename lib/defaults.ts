/** A component's args with its documented defaults applied: every defaulted field is present. */
export type WithDefaults<A, D> = A & { [K in keyof D & keyof A]-?: Exclude<A[K], undefined> };

/**
 * `args` with each field it leaves undefined taken from `defaults`, a component's `@default`
 * values (as aws-cdk-lib's constructs document theirs). Given fields keep their order and value.
 */
export function withDefaults<A extends object, D extends Partial<A>>(defaults: D, args: A): WithDefaults<A, D> {
    const out = { ...args } as Record<string, unknown>;
    for (const [key, value] of Object.entries(defaults)) if (out[key] === undefined) out[key] = value;
    return out as WithDefaults<A, D>;
}
