import { z } from "zod";
import type { ProfileDefaults } from "../common";

/** Tags the platform sets itself on every resource; a stack may not override them. */
export const RESERVED_TAGS = ["environment", "project"] as const;

/**
 * Every resource gets the stack's tags, S3 objects included, and S3 takes at most 10 tags per
 * object: the user's tags plus the platform's own.
 */
export const MAX_TAGS = 10;
/** What IAM (the strictest of the tagged services) accepts in a tag value. */
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/**
 * `platform:tags`: tags applied to every resource through the provider's defaultTags.
 * `owner` is required; any other tag is free-form.
 */
export const schema = z
    .object({
        owner: z.string().min(1, { message: "must name the owning team" }).describe("The team that owns this stack (the `owner` tag)."),
    })
    .catchall(z.string().max(256, { message: "a tag value is at most 256 characters" }))
    .superRefine((tags, ctx) => {
        const keys = Object.keys(tags);
        for (const key of keys) {
            if ((RESERVED_TAGS as readonly string[]).includes(key)) {
                ctx.addIssue({ code: "custom", path: [key], message: `is set by the platform itself; remove it`, input: tags[key] });
            } else if (!/^[\w.:/=+@ -]{1,128}$/.test(key) || key.toLowerCase().startsWith("aws:")) {
                ctx.addIssue({
                    code: "custom",
                    path: [key],
                    message: "is not a valid tag key (1-128 letters, digits, spaces or _.:/=+-@, not starting with aws: in any case)",
                    input: key,
                });
            } else if (!TAG_VALUE.test(tags[key])) {
                ctx.addIssue({
                    code: "custom",
                    path: [key],
                    message: "has characters IAM refuses in a tag value (letters, digits, spaces and _.:/=+-@ only)",
                    input: tags[key],
                });
            }
        }
        const total = keys.filter((k) => !(RESERVED_TAGS as readonly string[]).includes(k)).length + RESERVED_TAGS.length;
        if (total > MAX_TAGS) {
            ctx.addIssue({
                code: "custom",
                path: [],
                message: `has ${keys.length} tags; with the platform's own ${RESERVED_TAGS.join(" and ")} that is ${total}, above S3's ${MAX_TAGS} per object (every resource gets every tag)`,
                input: keys.length,
            });
        }
    });
export type TagsConfig = z.infer<typeof schema>;

export const defaults: ProfileDefaults<Partial<TagsConfig>> = {
    dev: {},
    prod: {},
};
