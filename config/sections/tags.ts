import { z } from "zod";
import type { ProfileDefaults } from "../common";

/** Tags the platform sets itself on every resource; a stack may not override them. */
export const RESERVED_TAGS = ["environment", "project"] as const;

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
        for (const key of Object.keys(tags)) {
            if ((RESERVED_TAGS as readonly string[]).includes(key)) {
                ctx.addIssue({ code: "custom", path: [key], message: `is set by the platform itself; remove it`, input: tags[key] });
            } else if (!/^[\w.:/=+@ -]{1,128}$/.test(key) || key.startsWith("aws:")) {
                ctx.addIssue({ code: "custom", path: [key], message: "is not a valid tag key (1-128 letters, digits, spaces or _.:/=+-@, not starting with aws:)", input: key });
            }
        }
    });
export type TagsConfig = z.infer<typeof schema>;

export const defaults: ProfileDefaults<Partial<TagsConfig>> = {
    dev: {},
    prod: {},
};
