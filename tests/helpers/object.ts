/** A copy of `obj` without `keys`: what `const { a: _a, ...rest } = obj` gives, with no unused binding. */
export function omit<T extends object, K extends keyof T>(obj: T, ...keys: K[]): Omit<T, K> {
    const out = { ...obj };
    for (const k of keys) delete out[k];
    return out;
}
