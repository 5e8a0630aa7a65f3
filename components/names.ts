/**
 * A physical name AWS accepts for identifiers such as an RDS instance or an ElastiCache
 * replication group: lowercase letters, digits and single hyphens, starting with a letter,
 * not ending with a hyphen, at most `maxLength` characters.
 */
export function awsIdentifier(parts: string[], maxLength: number): string {
    let id = parts
        .join("-")
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-{2,}/g, "-")
        .replace(/^[^a-z]+/, "");
    id = id.slice(0, maxLength).replace(/-+$/, "");
    if (id.length === 0) throw new Error(`cannot derive an AWS identifier from ${JSON.stringify(parts)}`);
    return id;
}
