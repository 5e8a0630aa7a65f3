/**
 * Pulumi's wire format marks secrets, resource references, assets and unknowns with signature
 * keys. The plan is plain JSON: secrets print as "[secret]", references as their URN.
 */
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE = "5cf8f73096256a8f31e491e813e4eb8e";
const ASSET = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE = "0def7320c3a5731c473e5ecbe6d01bc7";
const OUTPUT = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const SECRET_TEXT = "[secret]";
export const UNKNOWN_TEXT = "[unknown]";

export function toPlainJson(value: unknown): unknown {
    if (value === UNKNOWN) return UNKNOWN_TEXT;
    if (Array.isArray(value)) return value.map(toPlainJson);
    if (value === null || typeof value !== "object") return value;
    const obj = value as Record<string, any>;
    switch (obj[SIG]) {
        case SECRET:
            return SECRET_TEXT;
        case RESOURCE:
            return obj.urn;
        case ASSET:
            return { asset: obj.path ?? obj.uri ?? (obj.text !== undefined ? "<text>" : undefined), hash: obj.hash };
        case ARCHIVE:
            return { archive: obj.path ?? obj.uri ?? Object.keys(obj.assets ?? {}), hash: obj.hash };
        case OUTPUT:
            return obj.secret ? SECRET_TEXT : "value" in obj ? toPlainJson(obj.value) : UNKNOWN_TEXT;
    }
    // Keys in order, as the protobuf Structs that carry inputs give them, so a plan is stable.
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(obj).sort()) out[k] = toPlainJson(obj[k]);
    return out;
}
