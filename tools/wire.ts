/**
 * Pulumi's wire format marks secrets, resource references, assets and unknowns with signature
 * keys. The plan is plain JSON: secrets print as "[secret]", references as their URN.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE = "5cf8f73096256a8f31e491e813e4eb8e";
const ASSET = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE = "0def7320c3a5731c473e5ecbe6d01bc7";
const OUTPUT = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A wire object: plain keys, or a signature key and the fields of its kind (an asset's path, text or uri, an archive's assets, ...). */
interface WireValue {
    [key: string]: unknown;
    urn?: string;
    path?: string;
    uri?: string;
    text?: string;
    hash?: string;
    assets?: Record<string, unknown>;
    secret?: boolean;
    value?: unknown;
}

export const SECRET_TEXT = "[secret]";
export const UNKNOWN_TEXT = "[unknown]";

/**
 * `root` is the project directory: a file asset's path is shown relative to it, so two checkouts
 * of one commit plan alike (`diff --base` plans the base in a temporary directory).
 */
export function toPlainJson(value: unknown, root?: string): unknown {
    if (value === UNKNOWN) return UNKNOWN_TEXT;
    if (Array.isArray(value)) return value.map((v) => toPlainJson(v, root));
    if (value === null || typeof value !== "object") return value;
    const obj = value as WireValue;
    switch (obj[SIG]) {
        case SECRET:
            return SECRET_TEXT;
        case RESOURCE:
            return obj.urn;
        case ASSET:
            return {
                asset: obj.path !== undefined ? shown(obj.path, root) : (obj.uri ?? (obj.text !== undefined ? "<text>" : undefined)),
                hash: obj.hash ?? contentHash(obj),
            };
        case ARCHIVE:
            return {
                archive: obj.path !== undefined ? shown(obj.path, root) : (obj.uri ?? Object.keys(obj.assets ?? {}).sort()),
                hash: obj.hash ?? contentHash(obj),
            };
        case OUTPUT:
            return obj.secret ? SECRET_TEXT : "value" in obj ? toPlainJson(obj.value, root) : UNKNOWN_TEXT;
    }
    // Keys in order, as the protobuf Structs that carry inputs give them, so a plan is stable.
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(obj).sort()) out[k] = toPlainJson(obj[k], root);
    return out;
}

function shown(file: string, root: string | undefined): string {
    if (!root || !path.isAbsolute(file)) return file;
    return path.relative(root, file).split(path.sep).join("/");
}

/**
 * The SHA-256 of an asset's or archive's content, which the SDK leaves to the engine: Pulumi
 * diffs assets by content, so the plan does too (an edited script or function is an update; a
 * moved checkout is not). Undefined for a remote (URI) asset, or a path that cannot be read.
 */
function contentHash(obj: WireValue): string | undefined {
    const hash = createHash("sha256");
    if (typeof obj.text === "string") return hash.update(obj.text).digest("hex");
    if (obj.assets !== undefined) {
        for (const name of Object.keys(obj.assets).sort()) {
            const member = obj.assets[name];
            const memberHash = member && typeof member === "object" ? ((member as WireValue).hash ?? contentHash(member as WireValue)) : undefined;
            if (memberHash === undefined) return undefined;
            hash.update(`${name}\0${memberHash}\0`);
        }
        return hash.digest("hex");
    }
    if (typeof obj.path === "string") {
        try {
            const stat = fs.statSync(obj.path);
            if (stat.isFile()) return hash.update(fs.readFileSync(obj.path)).digest("hex");
            for (const file of filesUnder(obj.path)) hash.update(`${path.relative(obj.path, file)}\0`).update(fs.readFileSync(file));
            return hash.digest("hex");
        } catch {
            return undefined;
        }
    }
    return undefined;
}

function filesUnder(dir: string): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .sort((a, b) => a.name.localeCompare(b.name))
        .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}
